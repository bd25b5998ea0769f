"""The browser tests' fixtures: one server for the whole run, one Chromium per module (tests/browser/harness.py)."""

from __future__ import annotations

import pytest

from tests.browser import harness


@pytest.fixture(scope="session")
def server(app):
    """The test app on a free loopback port, in a thread, with axe-core beside it (harness.AXE_URL)."""
    with harness.serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module (Debian's, not a downloaded one)."""
    with harness.chromium() as chromium:
        yield chromium
