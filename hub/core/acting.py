"""Who acts: the person (or the hub itself) behind the changes being made, and through which channel.

Inside a request it is the signed-in user, through the web or the API. The CLI, the demo loader and jobs
name it with ``acting_as(...)``. The audit log (hub.audit) records it with every change; the framework
names it without knowing who reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Acting:
    """Who changed something (a user id, or None for the hub itself) and through which channel."""

    user_id: int | None
    via: str


_acting: ContextVar[Acting | None] = ContextVar("hub_acting", default=None)


@contextmanager
def acting_as(user=None, *, via: str = "cli") -> Iterator[Acting]:
    """Name who acts for the changes of the block (a User, a user id or None), and through what.

    For the CLI, the demo loader and jobs; inside a request the signed-in user is taken by itself.
    """
    user_id = user if isinstance(user, int) or user is None else user.id
    token = _acting.set(Acting(user_id, via))
    try:
        yield _acting.get()
    finally:
        _acting.reset(token)


def current_actor() -> Acting:
    """The actor named by acting_as(), else the signed-in user of the request, else the system."""
    named = _acting.get()
    if named is not None:
        return named
    from flask import g, has_request_context, request

    if has_request_context():
        # The request hooks load the user before any view runs; never load it here, inside a flush.
        user = g.get("_login_user")
        user_id = user.id if user is not None and user.is_authenticated else None
        return Acting(user_id, "api" if request.path.startswith("/api/") else "web")
    import click

    return Acting(None, "cli" if click.get_current_context(silent=True) is not None else "system")
