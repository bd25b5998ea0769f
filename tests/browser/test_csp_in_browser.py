"""The Content-Security-Policy, proven in a real browser: each role's main pages and the API documentation
run in Chromium without a single refused inline script or style.

Needs Debian's chromium (/usr/bin/chromium) and Playwright for Python (tests/browser/harness.py: without them
the module skips with one line; with CI=true it fails instead).
"""

from __future__ import annotations

import pytest

from tests import test_isolation as isolation
from tests.browser.harness import Tab, require_browser
from tests.factories import PASSWORD

require_browser()

HOME = isolation.HOME


@pytest.fixture
def served(server, app, make):
    """The server's address, with the world of tests/factories.py (and an admin) in its database."""
    world = isolation.built_world(app, make)
    return server, world, make.admin()


def _main_pages(world) -> dict[str, list[str]]:
    match = world.samples[HOME]["match_id"].id
    session = world.samples[HOME]["session_id"].id
    return {
        "visitor": ["/", "/network/", "/calendar/", f"/{HOME}/", "/login"],
        "participant": ["/", f"/{HOME}/", "/directory/", f"/{HOME}/profile", "/account"],
        "coordinator": [
            f"/{HOME}/dashboard",
            f"/{HOME}/members/",
            f"/{HOME}/events/new",
            f"/{HOME}/matches/{match}",
            f"/{HOME}/speed-dating/{session}",
        ],
        "umbrella": ["/umbrella", "/umbrella/dashboard", "/umbrella/timeline"],
        "admin": ["/admin/jobs", "/admin/outbox"],
    }


def test_main_pages_of_every_role_run_without_csp_violations(served, browser):
    base, world, admin = served
    emails = {
        "visitor": None,
        "participant": world.actors["participant"].email,
        "coordinator": world.actors["coordinator"].email,
        "umbrella": world.actors["umbrella"].email,
        "admin": admin.email,
    }
    problems = []
    for role, paths in _main_pages(world).items():
        visit = Tab(browser, base, password=PASSWORD)
        if emails[role]:
            visit.login(emails[role])
        for path in paths:
            visit.open(path)
        problems += [f"{role} {p}" for p in visit.problems]
        visit.close()
    assert not problems, "\n".join(problems)


def test_the_api_documentation_runs_under_the_policy(served, browser):
    base, world, _admin = served
    visit = Tab(browser, base, password=PASSWORD)
    visit.login(world.actors["coordinator"].email)
    visit.open("/api/v1/docs/")
    visit.page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "CIMIS Hub API" in visit.page.inner_text(".swagger-ui .info .title")
    # Try an operation: Swagger UI fetches it from the hub (connect-src 'self') and shows the answer.
    me = visit.page.locator(".opblock", has=visit.page.locator('[data-path="/api/v1/me"]'))
    me.locator(".opblock-summary").click()
    me.locator(".try-out__btn").click()
    me.locator(".execute").click()
    status = me.locator(".live-responses-table .response .response-col_status")
    status.wait_for()
    assert status.inner_text().strip().startswith("200")
    assert not visit.problems, "\n".join(visit.problems)
    visit.close()


def test_the_browser_check_notices_inline_code(served, browser):
    """The control: an inline style and script put into a page are refused, and the check sees both."""
    base, _world, _admin = served
    visit = Tab(browser, base, password=PASSWORD)
    visit.open("/login")
    visit.page.evaluate(
        """() => {
          const box = document.createElement('div');
          box.innerHTML = '<p style="color: red">styled</p>';
          document.body.appendChild(box);
          const script = document.createElement('script');
          script.textContent = 'window.inlineRan = true';
          document.body.appendChild(script);
        }"""
    )
    visit.page.wait_for_timeout(200)
    assert visit.page.evaluate("() => window.inlineRan === undefined"), "the inline script must not run"
    assert any("style-src" in p for p in visit.problems), visit.problems
    assert any("script-src" in p for p in visit.problems), visit.problems
    visit.close()
