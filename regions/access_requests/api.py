"""The coordination's requests for access in the JSON API, with exactly the rules of the pages
(``regions.access_requests.actions``, through ``hub.core.glue``). Asking is a page for visitors only."""

from __future__ import annotations

from functools import wraps

from flask_smorest import Blueprint

from hub.core import rate_limits
from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import api_action, api_query, load
from regions.access_requests import access, actions, services
from regions.access_requests.schemas import AccessListQuerySchema, AccessRequestSchema, DeclineSchema

blp = Blueprint(
    "api_access_requests",
    __name__,
    url_prefix="/api/v1/regions/<region>/access-requests",
    description="Requests for access to a region (coordination)",
)
SECURITY = [{"bearerAuth": []}]


@blp.get("/")
@coordinator_required
@blp.arguments(AccessListQuerySchema, location="query")
@blp.response(200, AccessRequestSchema(many=True))
@blp.doc(security=SECURITY)
def list_requests(args):
    """The region's requests in one state: `open` (default, oldest first), `accepted` or `declined` (newest first)."""
    return services.requests_with_status(args["status"])


@blp.get("/<int:access_request_id>")
@coordinator_required
@blp.response(200, AccessRequestSchema)
@blp.doc(security=SECURITY)
def one_request(access_request_id: int):
    """One request of the region."""
    return load(access.readable_request, Actor.current(), access_request_id)


@blp.post("/<int:access_request_id>/accept")
@coordinator_required
@rate_limits.invitations_per_coordinator
@blp.response(200, AccessRequestSchema)
@blp.doc(security=SECURITY)
@api_action
def accept(access_request_id: int):
    """Accept an open request: the person is invited into the region as a participant (409 when answered)."""
    return actions.accept(Actor.current(), access_request_id)


@api_query
def _still_open(access_request_id: int):
    return access.open_request(Actor.current(), access_request_id)


def _open_first(view):
    """A request answered meanwhile is refused (409) before the body is read, as on the page."""

    @wraps(view)
    def wrapped(*args, access_request_id: int, **kwargs):
        _still_open(access_request_id)
        return view(*args, access_request_id=access_request_id, **kwargs)

    return wrapped


@blp.post("/<int:access_request_id>/decline")
@coordinator_required
@_open_first
@blp.arguments(DeclineSchema)
@blp.response(200, AccessRequestSchema)
@blp.doc(security=SECURITY)
@api_action
def decline(data, access_request_id: int):
    """Decline an open request, with an optional `reason` the person is told by e-mail (409 when answered)."""
    return actions.decline(Actor.current(), access_request_id, **data)
