"""What an administrator does on the jobs page, written once for the page and the CLI. None commits (hub.core.glue)."""

from __future__ import annotations

from hub.core.actions import Actor
from hub.core.mail.services import retry_failed


def retry_outbox(actor: Actor) -> int:
    """Give every e-mail that used up its attempts a fresh start (administrators); returns how many."""
    actor.require_admin()
    return retry_failed()
