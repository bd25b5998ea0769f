"""A module past about 400 lines is asking to be split along a seam a reader would name (STYLE.md).

Every module of the hub's packages stays under 400 lines, or says in its docstring why it is one
module ("Why one module: …"). Migrations are history and exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400
MODULES = sorted(
    path
    for package in ("hub", "regions", "shared")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
)


def test_there_are_modules_to_measure():
    assert len(MODULES) > 150


@pytest.mark.parametrize("path", [p for p in MODULES if len(p.read_text().splitlines()) > LIMIT], ids=str)
def test_a_long_module_says_why_it_is_one_module(path):
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    assert "Why one module" in docstring, f"{path.relative_to(ROOT)}: {len(path.read_text().splitlines())} lines"
