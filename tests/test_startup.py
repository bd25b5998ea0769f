"""Start-up: the app and the `hub` command come up without the libraries that only some pages need.

Every command, worker, test run and process a test starts builds the app; scipy, fpdf2, openpyxl,
icalendar and Pillow would add about a second to each of them. They are loaded by the first suggestion
run, PDF, workbook or picture instead (docs/BENCHMARKS.md, "Start-up"). Each check runs in a fresh
interpreter: this test process has long since loaded them all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.processes

ROOT = Path(__file__).resolve().parent.parent

# Loaded where they are used: suggestions (numpy, scipy), PDFs (fpdf2 with fontTools), workbooks
# (openpyxl), pictures (Pillow), QR codes (segno); icalendar only reads feeds in the tests.
ON_FIRST_USE = ("scipy", "numpy", "fpdf", "fontTools", "openpyxl", "icalendar", "PIL", "segno")

REPORT = f"""
import json, sys
print("LOADED=" + json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & {set(ON_FIRST_USE)!r})))
"""


def _loaded_by(code: str, tmp_path: Path) -> tuple[list[str], str]:
    """Run `code` in a fresh interpreter; return the libraries of ON_FIRST_USE it loaded, and its output."""
    env = {
        **os.environ,
        "HUB_INSTANCE_PATH": str(tmp_path / "instance"),
        "HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", code + REPORT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    output, _, report = done.stdout.rpartition("LOADED=")
    return json.loads(report), output


def test_building_the_app_loads_none_of_the_libraries_for_single_pages(tmp_path):
    loaded, _ = _loaded_by("from hub import create_app\napp = create_app()\nassert app.url_map", tmp_path)

    assert loaded == []


def test_hub_help_lists_the_commands_without_the_libraries_for_single_pages(tmp_path):
    loaded, output = _loaded_by("from hub.core.cli import main\nmain(['--help'], standalone_mode=False)", tmp_path)

    assert "scheduler" in output and "backup" in output  # the app was built: its commands are listed
    assert loaded == []


@pytest.mark.parametrize(
    ("use", "library"),
    [
        ("from regions.matches.suggestions import suggest\nsuggest([], [], {})", "scipy"),
        ("from hub.core.pdf_document import HubPDF\nHubPDF", "fpdf"),
    ],
)
def test_the_libraries_come_with_their_first_use(tmp_path, use, library):
    loaded, _ = _loaded_by(use, tmp_path)

    assert library in loaded
