"""The action layer and its web glue hold for every route and every module.

- A person in the wrong role is refused before anything is read from the request: 403, never 422,
  for every API write, whatever the order of the route's decorators (36 routes checked the role above
  ``@blp.arguments`` and 17 below it, so a wrong role got 422 on some and 403 on others).
- No view or API module commits, rolls back or turns an action's error into an answer by hand: that is
  ``hub.core.glue``'s one job (generated from the source of every views/api module).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from hub.core.roles import Role
from tests.test_isolation import _RULES

ROOT = Path(__file__).resolve().parent.parent
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _handlers(app, rule, method):
    view = app.view_functions[rule.endpoint]
    view_class = getattr(view, "view_class", None)
    return getattr(view_class, method.lower(), None) if view_class else view


def _restricted_api_writes(app):
    for rule in _RULES:
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & WRITES):
            handler = _handlers(app, rule, method)
            roles = getattr(handler, "hub_roles", None)
            global_roles = getattr(handler, "hub_global_roles", None)
            if (roles is not None and Role.PARTICIPANT not in roles) or global_roles is not None:
                yield rule, method


def _url(rule) -> str:
    parts = {name: ("erzgebirge" if name == "region" else "1") for name in rule._converters}
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", lambda m: parts[m.group(1)], rule.rule)


@pytest.fixture(scope="module")
def restricted(app):
    return list(_restricted_api_writes(app))


def test_there_are_restricted_api_writes_to_check(restricted):
    assert len(restricted) > 30


def test_a_wrong_role_is_refused_with_403_before_the_body_is_read(app, make, client, restricted):
    """A participant sends a body that no schema accepts to every write of the coordination or the umbrella."""
    participant = make.participant("erzgebirge")
    token = make.access_token(participant).extra
    answers = {}
    for rule, method in restricted:
        response = client.open(
            _url(rule), method=method, json={"title": ["no"], "id": "x"}, headers={"Authorization": f"Bearer {token}"}
        )
        answers[f"{method} {rule.rule}"] = response.status_code
    assert {route: code for route, code in answers.items() if code != 403} == {}


# -- no module converts by hand -------------------------------------------------------------------------

ADAPTERS = sorted(
    path.relative_to(ROOT).as_posix()
    for package in ("hub", "regions", "shared")
    for path in (ROOT / package).rglob("*.py")
    if path.stem in ("views", "api") or path.stem.endswith(("_views", "_api"))
)

# Modules not yet moved onto the action layer: none since issue 16 (a new one must not join).
NOT_YET_MOVED: set[str] = set()


def _by_hand(path: str) -> list[str]:
    """Lines where a module commits, rolls back or catches an action's error itself."""
    tree = ast.parse((ROOT / path).read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("commit", "rollback"):
            found.append(f"{path}:{node.lineno} .{node.attr}()")
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)} | {
                n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)
            }
            if any(name.endswith(("Error", "Conflict", "NotFound", "Forbidden")) for name in names):
                found.append(f"{path}:{node.lineno} except {', '.join(sorted(names))}")
    return found


@pytest.mark.parametrize("path", [p for p in ADAPTERS if p not in NOT_YET_MOVED])
def test_no_view_or_api_module_commits_or_converts_errors_by_hand(path):
    assert _by_hand(path) == []


def test_the_list_of_modules_still_to_move_holds_only_modules_that_still_do_it_by_hand():
    assert {p for p in NOT_YET_MOVED if p in ADAPTERS and not _by_hand(p)} == set()
    assert set(ADAPTERS) >= NOT_YET_MOVED
