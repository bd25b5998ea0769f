"""Who may do what with access requests: anyone without access may ask (never the read-only umbrella); the
region's coordination (and administrators) reads and answers them, the umbrella reads them; another region's
are NotFound."""

from __future__ import annotations

from hub.core.actions import Actor, Conflict, Forbidden, get_or_404
from hub.core.schemas import _m
from regions.access_requests.models import AccessRequest

ANSWERED = _m("This request has been answered already.")


def may_ask(actor: Actor) -> None:
    """Visitors and people of other regions ask; the umbrella, which changes nothing, does not."""
    if actor.user is not None and actor.user.is_read_only:
        raise Forbidden()


def readable_request(actor: Actor, access_request_id: int) -> AccessRequest:
    """A request of the region for its coordination (and the umbrella, which reads every region)."""
    if not actor.reviews:
        raise Forbidden()
    return get_or_404(AccessRequest, access_request_id)


def managed_request(actor: Actor, access_request_id: int) -> AccessRequest:
    """A request of the region for its coordination to answer."""
    actor.require_coordination()
    return get_or_404(AccessRequest, access_request_id)


def open_request(actor: Actor, access_request_id: int) -> AccessRequest:
    """A request the coordination may still answer (an answered one is a conflict: someone was quicker)."""
    access_request = managed_request(actor, access_request_id)
    if not access_request.is_open:
        raise Conflict(ANSWERED)
    return access_request
