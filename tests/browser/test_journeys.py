"""Each role's journeys through the hub in Chromium, on a phone (360 × 800) and a desktop (1280 × 800), and on
every page they stop at: no sideways scrolling, no axe-core violation of WCAG 2.0/2.1 A and AA, primary actions
at least 44 px tall, no tap target under 24 px (tests/browser/journeys.py, tests/browser/harness.py).

`test_journey` asserts that the journey gets through (and that no page refuses a script or style under the
CSP); `test_page` asserts one check of one page, so that what does not pass yet is marked precisely, in
NOT_YET below: strict, so a check that starts passing fails until its mark is removed. A journey runs once per
width and module, whichever of its tests comes first; the other tests read what it found.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.harness import CHECKS, DESKTOP, IN_CI, PHONE, Tab, axe_missing, check_page, require_browser
from tests.browser.journeys import JOURNEYS, PageReport, Run

require_browser()

WIDTH_NAMES = (PHONE, DESKTOP)

# The journeys that cannot get through yet.
JOURNEYS_NOT_YET: dict[str, str] = {}

# (page, check, width or None for both): why that check of that page does not pass yet. Add a line only with the
# reason; remove it when the page is fixed (its test then fails as XPASS(strict) to say so).
NOT_YET: dict[tuple[str, str, str | None], str] = {
    # every page of the journeys passes every check since the redesign of issue 17
}


# (journey, tap): why that is not one tap from home yet (none since the personal home landed).
TAPS_NOT_YET: dict[tuple[str, str], str] = {}


@dataclass
class Record:
    pages: dict[str, PageReport]
    taps: dict[str, list[str]]
    error: BaseException | None
    problems: list[str]


_RECORDS: dict[tuple[str, str], Record] = {}


@pytest.fixture(scope="module", autouse=True)
def _write_findings():
    """With HUB_BROWSER_FINDINGS=<file>, write everything the checks found (passing or not) there as JSON."""
    yield
    target = os.environ.get("HUB_BROWSER_FINDINGS")
    if target and _RECORDS:
        findings = {
            f"{name}-{width}": {
                "error": repr(record.error) if record.error else None,
                "pages": {page: {"path": r.path, **r.found, "skipped": r.skipped} for page, r in record.pages.items()},
                "taps": record.taps,
            }
            for (name, width), record in _RECORDS.items()
        }
        Path(target).write_text(json.dumps(findings, indent=1, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def journey_record(browser, server, app, make):
    """What a journey found at a width: run on first use in this module, read afterwards."""

    def get(name: str, width: str) -> Record:
        key = (name, width)
        if key not in _RECORDS:
            run = Run(JOURNEYS[name], width, browser, server, app, make)
            error = None
            try:
                JOURNEYS[name].run(run)
            except Exception as exc:  # noqa: BLE001 - kept for test_journey, which raises it again
                error = exc
            finally:
                problems = run.problems()
                run.close()
            _RECORDS[key] = Record(run.pages, run.taps, error, problems)
        return _RECORDS[key]

    return get


def _journey_cases():
    for name in JOURNEYS:
        for width in WIDTH_NAMES:
            marks = [pytest.mark.xfail(strict=True, reason=JOURNEYS_NOT_YET[name])] if name in JOURNEYS_NOT_YET else []
            yield pytest.param(name, width, id=f"{name}-{width}", marks=marks)


def _page_cases():
    for name, journey in JOURNEYS.items():
        for width in WIDTH_NAMES:
            for page in journey.pages:
                for check in CHECKS:
                    reason = NOT_YET.get((page, check, width)) or NOT_YET.get((page, check, None))
                    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                    yield pytest.param(name, width, page, check, id=f"{name}-{width}-{page}-{check}", marks=marks)


@pytest.mark.slow
@pytest.mark.parametrize("name,width", list(_journey_cases()))
def test_journey(journey_record, name, width):
    record = journey_record(name, width)
    if record.error is not None:
        raise record.error
    assert not record.problems, "\n".join(record.problems)


@pytest.mark.slow
@pytest.mark.parametrize("name,width,page,check", list(_page_cases()))
def test_page(journey_record, name, width, page, check):
    record = journey_record(name, width)
    if page not in record.pages:
        pytest.skip(f"journey {name} did not reach {page} (see test_journey[{name}-{width}])")
    report = record.pages[page]
    if check in report.skipped:
        if IN_CI:
            pytest.fail(f"{report.skipped[check]}; CI needs it (.ci/run installs npm, make test installs axe-core)")
        pytest.skip(report.skipped[check])
    found = report.problems(check)
    assert not found, f"{page} at {report.path} ({width}), {check}:\n  " + "\n  ".join(found)


def _tap_cases():
    for name, journey in JOURNEYS.items():
        for width in WIDTH_NAMES:
            for tap in journey.taps:
                reason = TAPS_NOT_YET.get((name, tap))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(name, width, tap, id=f"{name}-{width}-{tap}", marks=marks)


@pytest.mark.slow
@pytest.mark.parametrize("name,width,tap", list(_tap_cases()))
def test_one_tap_from_home(journey_record, name, width, tap):
    """A participant reaches their match, their next event and their ratings in one tap from home; a
    coordinator their dashboard (issue 17, "Done when")."""
    record = journey_record(name, width)
    if tap not in record.taps:
        pytest.skip(f"journey {name} did not get to {tap} (see test_journey[{name}-{width}])")
    assert not record.taps[tap], record.taps[tap]


def test_every_mark_names_a_check_that_is_made():
    """A mark for a page, check, journey or tap that no longer exists would hide nothing and say something false."""
    pages = [page for journey in JOURNEYS.values() for page in journey.pages]
    assert len(pages) == len(set(pages)), "page names are unique across journeys (NOT_YET names pages alone)"
    assert {(page, check) for page, check, _width in NOT_YET} <= {(page, check) for page in pages for check in CHECKS}
    assert {width for _page, _check, width in NOT_YET} <= {None, *WIDTH_NAMES}
    assert set(JOURNEYS_NOT_YET) <= set(JOURNEYS)
    assert set(TAPS_NOT_YET) <= {(name, tap) for name, journey in JOURNEYS.items() for tap in journey.taps}


def test_axe_core_is_installed():
    """axe-core from npm (`make axe`); without it the axe checks skip with this line, in CI they fail."""
    missing = axe_missing()
    if missing and IN_CI:
        pytest.fail(missing + "; CI needs it (.ci/run installs npm, make test installs axe-core)")
    if missing:
        pytest.skip(missing)


# -- the checks themselves ---------------------------------------------------------------------------------


def _spoil(tab: Tab) -> None:
    """Put into the login page what the checks must find: a box too wide for a phone, a low button, two tiny
    links side by side and a picture without a text alternative (through the DOM: the CSP allows that)."""
    tab.page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const wide = document.createElement('div'); wide.id = 'too-wide'; wide.style.width = '900px';
          wide.textContent = 'wide'; main.appendChild(wide);
          const low = document.createElement('button'); low.id = 'low'; low.textContent = 'Low';
          low.style.padding = '0'; low.style.minHeight = '0'; low.style.height = '30px';
          main.appendChild(low);
          const row = document.createElement('div'); row.style.display = 'flex'; row.style.gap = '2px';
          for (const id of ['tiny-1', 'tiny-2']) {
            const a = document.createElement('a'); a.id = id; a.href = '#'; a.textContent = 'x';
            a.style.display = 'block'; a.style.width = '12px'; a.style.height = '12px'; row.appendChild(a);
          }
          main.appendChild(row);
          const img = document.createElement('img'); img.id = 'no-alt'; img.src = '/static/no-such.png';
          img.width = 20; img.height = 20; main.appendChild(img);
        }"""
    )


def test_the_checks_notice_what_they_look_for(server, browser):
    """The control: on a page spoilt on purpose every check reports the spoilt element, and on the page as it is
    the low-button and small-target checks find nothing of it."""
    tab = Tab(browser, server, PHONE)
    try:
        tab.open("/login")
        before = check_page(tab)
        _spoil(tab)
        after = check_page(tab)
    finally:
        tab.close()
    assert not any("#low" in line for line in before.problems("primary-44"))
    assert any("#too-wide" in line for line in after.problems("overflow")), after.found
    assert any("#low" in line and "30 px" in line for line in after.problems("primary-44")), after.found
    assert any("#tiny-1" in line for line in after.problems("target-24")), after.found
    if "axe" not in after.skipped:
        assert any(line.startswith("image-alt") and "#no-alt" in line for line in after.problems("axe")), after.found
