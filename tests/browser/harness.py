"""What every browser test shares: Debian's Chromium through Playwright, the hub served on loopback, a tab per
person at a phone's or a desktop's width, and the checks every page of a journey must pass.

Needs Debian's chromium (/usr/bin/chromium) and Playwright for Python (the `test` extras; never `playwright
install`, browser downloads fail here). `require_browser()` at the top of a module skips it with one line when
either is missing, and fails instead in CI (CI=true). axe-core comes from npm (`make axe`, run by `make test`)
into .cache/npm/ and is served by the test server itself at AXE_URL, so it loads under the hub's own CSP
(script-src 'self'); without it the axe checks skip with one line, except in CI.
"""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",  # the same text widths on every machine
]
IN_CI = os.environ.get("CI") == "true"

# axe-core, installed from npm by `make axe` (pinned in tests/browser/package.json and package-lock.json).
AXE_JS = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__browser-tests__/axe.min.js"  # served by the test server beside the hub, never by the hub
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PHONE, DESKTOP = "phone", "desktop"
WIDTHS = {PHONE: 360, DESKTOP: 1280}
HEIGHT = 800
_CHECKS_SOURCE = Path(__file__).with_name("page_checks.js").read_text(encoding="utf-8")
PAGE_CHECKS_JS = _CHECKS_SOURCE[_CHECKS_SOURCE.index("(width) =>") :]  # the function, without the comment above it

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def require_browser() -> None:
    """Skip the calling module with one line when Chromium or Playwright is missing; in CI fail instead."""
    missing = [
        what for what, there in (("chromium", shutil.which(CHROMIUM)), ("playwright", sync_playwright)) if not there
    ]
    if not missing:
        return
    absent = " and ".join(missing)
    if IN_CI:
        pytest.fail(
            f"browser check impossible in CI: {absent} not installed (.ci/run installs chromium)", pytrace=False
        )
    pytest.skip(
        f"browser check skipped: {absent} not installed (apt-get install chromium; pip install playwright)",
        allow_module_level=True,
    )


def axe_missing() -> str | None:
    """Why the axe checks cannot run here (None: they can)."""
    if AXE_JS.is_file():
        return None
    return f"axe checks skipped: axe-core not installed at {AXE_JS.relative_to(ROOT)} (`make axe` needs npm)"


# -- the server ---------------------------------------------------------------------------------------------


class WithAxe:
    """The hub's WSGI app, plus axe-core at AXE_URL: same origin, so the page's CSP lets it load."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == AXE_URL and AXE_JS.is_file():
            body = AXE_JS.read_bytes()
            start_response(
                "200 OK", [("Content-Type", "text/javascript; charset=utf-8"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return self.app(environ, start_response)


@contextmanager
def serve(app):
    """The app on a free loopback port, in a thread; yields its base address."""
    server = make_server("127.0.0.1", 0, WithAxe(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


# -- the browser ------------------------------------------------------------------------------------------


@contextmanager
def real_clock():
    """Start child processes on the real clock: under `make test-clock` libfaketime (LD_PRELOAD) would shift
    Playwright's driver and Chromium too, which then stall; the hub in this process keeps the shifted clock."""
    saved = {key: os.environ.pop(key) for key in ("LD_PRELOAD", "FAKETIME") if key in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


@contextmanager
def chromium():
    """Debian's Chromium (not a downloaded one), started through Playwright."""
    with real_clock():
        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


# Every refusal by the CSP is reported to the page as a securitypolicyviolation event; the hook makes it a
# console error the tab collects (Chromium also writes its own "… violates the following Content Security
# Policy directive …" line). Added through the DevTools protocol, not the page, so the CSP does not apply.
VIOLATION_HOOK = """
document.addEventListener('securitypolicyviolation', (e) =>
  console.error('CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')));
"""


def is_csp_message(text: str) -> bool:
    return "Content Security Policy" in text or "CSP violation" in text or "Refused to" in text


def context_options(width: str, scale: float = 1) -> dict:
    """A phone (360 × 800, a touch screen: coarse pointer) or a desktop (1280 × 800), in German.

    Not Playwright's is_mobile: a phone's browser zooms a page that is too wide out, and Playwright then taps
    beside its targets; the overflow check says what is too wide."""
    options = {
        "viewport": {"width": WIDTHS[width], "height": HEIGHT},
        "device_scale_factor": scale,
        "locale": "de-DE",
        "timezone_id": "Europe/Berlin",
    }
    if width == PHONE:
        options["has_touch"] = True
    return options


class Tab:
    """One person's browser tab at one width; remembers every CSP complaint and script error with its page."""

    def __init__(self, browser, base: str, width: str = DESKTOP, *, password: str | None = None, scale: float = 1):
        self.base = base
        self.width = width
        self.password = password
        self.context = browser.new_context(**context_options(width, scale))
        self.context.add_init_script(VIOLATION_HOOK)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.path}: script error {error}"))
        self.page.on("dialog", lambda dialog: dialog.accept())  # a confirm() of a script file: say yes

    def _console(self, message) -> None:
        if is_csp_message(message.text):
            self.problems.append(f"{self.path}: {message.text}")

    @property
    def path(self) -> str:
        url = self.page.url
        return url[len(self.base) :] if url.startswith(self.base) else url

    def open(self, path: str, status: int = 200) -> None:
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.status == status, f"{path}: {response and response.status}"

    def login(self, email: str, password: str | None = None) -> None:
        self.open("/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", password or self.password)
        self.submit(self.page.locator("main form").filter(has=self.page.locator("input[name=password]")))
        assert "/login" not in self.path, f"login of {email} failed"

    def form(self, action_ends_with: str):
        """The visible page's form that posts to an address ending so (opened if it sits in a closed <details>)."""
        form = self.page.locator(f'main form[action$="{action_ends_with}"]').first
        form.wait_for(state="attached")
        form.evaluate(
            "f => { for (let d = f.closest('details'); d; d = d.parentElement.closest('details')) d.open = true; }"
        )
        return form

    def submit(self, form, button: str = "button[type=submit], button:not([type]), input[type=submit]") -> None:
        """Press the form's (first) submit button and wait for the next page."""
        with self.page.expect_navigation(wait_until="load"):
            form.locator(button).first.click()

    def submit_confirmed(self, action_ends_with: str) -> None:
        """Submit the form that posts there; when the hub asks to confirm (a page with the same form again), confirm."""
        self.submit(self.form(action_ends_with))
        again = self.page.locator(f'main form[action$="{action_ends_with}"]')
        if again.count():
            self.submit(again.first)

    def follow(self, href_ends_with: str) -> None:
        """Tap the first visible link to an address ending so."""
        self.tap(self.page.locator(f'a[href$="{href_ends_with}"]:visible').first)

    def tap(self, link) -> None:
        """Tap a link and wait for the next page."""
        with self.page.expect_navigation(wait_until="load"):
            link.click()

    def text(self) -> str:
        return self.page.inner_text("main")

    def close(self) -> None:
        self.context.close()


# -- the page checks ----------------------------------------------------------------------------------------

CHECKS = ("overflow", "axe", "primary-44", "target-24")


@dataclass
class PageReport:
    """What the checks found on one page view: a list of findings per check (empty: passed)."""

    path: str
    width: str
    found: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def problems(self, check: str) -> list[str]:
        return self.found.get(check, [])


def check_page(tab: Tab) -> PageReport:
    """Run every check on the tab's current page: no sideways scrolling, axe-core's WCAG 2.1 A/AA rules, primary
    actions at least 44 px tall, no tap target under 24 px (WCAG 2.5.8's inline and spacing exceptions apply)."""
    width = WIDTHS[tab.width]
    measured = tab.page.evaluate(PAGE_CHECKS_JS, width)
    report = PageReport(tab.path, tab.width)
    report.found["overflow"] = (
        [f"page is {measured['scrollWidth']} px wide at {width} px; widest: " + "; ".join(measured["widest"])]
        if measured["scrollWidth"] > width
        else []
    )
    report.found["primary-44"] = measured["lowPrimary"]
    report.found["target-24"] = measured["smallTargets"]
    missing = axe_missing()
    if missing:
        report.skipped["axe"] = missing
    else:
        report.found["axe"] = run_axe(tab)
    return report


def run_axe(tab: Tab) -> list[str]:
    """axe-core's violations of WCAG 2.0/2.1 A and AA on the current page, one line per rule and element."""
    if not tab.page.evaluate("() => typeof window.axe === 'object'"):
        tab.page.add_script_tag(url=tab.base + AXE_URL)
    result = tab.page.evaluate(
        """async (tags) => {
          const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
          return r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
          }));
        }""",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}: {v['help']}) at {n['target']}: {' '.join(n['summary'].split())[:200]}"
        for v in result
        for n in v["nodes"]
    ]
