"""Asking a region for access (a page open to visitors) and the coordination's list of requests to answer."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from hub.core import rate_limits
from hub.core.access import coordinator_required, public
from hub.core.actions import Actor
from hub.core.glue import page_action, page_query
from regions.access_requests import access, actions, services
from regions.access_requests.schemas import AccessRequestInputSchema, DeclineSchema
from regions.access_requests.vocab import STATUS_LABELS

bp = Blueprint("access_requests", __name__, template_folder="templates")


@bp.app_template_global()
def open_access_requests() -> int:
    """For the members' page: how many requests for access to the region in scope wait for an answer."""
    return services.open_count()


def _ask_page(errors=None, form=None):
    return render_template("access_requests/ask.html", region=g.region, errors=errors or {}, form=form or {})


@bp.get("/join")
@public
def ask():
    """The form to ask the region for access, for visitors (and people of other regions)."""
    return _ask_page()


@bp.post("/join")
@public
@rate_limits.access_requests_per_address
def send():
    """Send a request for access; the answer is the same whatever the address (nobody learns who is a member)."""
    locale = str(get_locale() or "de")
    return page_action(
        lambda data: actions.ask(Actor.current(), locale=locale, **data),
        schema=AccessRequestInputSchema(),
        refused=lambda errors: _ask_page(errors, request.form),
        done=url_for(".sent"),
    )


@bp.get("/join/sent")
@public
def sent():
    """What happens after asking: a confirmation by e-mail, then the coordination's answer."""
    return render_template("access_requests/sent.html", region=g.region)


def _list_page(errors=None, decline_for=None, form=None):
    return render_template(
        "access_requests/index.html",
        open_requests=services.open_requests(),
        answered=services.answered_requests(),
        STATUS_LABELS=STATUS_LABELS,
        errors=errors or {},
        decline_for=decline_for,
        form=form or {},
    )


@bp.get("/access-requests/")
@coordinator_required
def index():
    """The region's requests for access: the open ones to answer, and the last ones answered."""
    return _list_page()


@bp.post("/access-requests/<int:access_request_id>/accept")
@coordinator_required
@rate_limits.invitations_per_coordinator
def accept(access_request_id: int):
    """Accept a request: the person gets an invitation into the region."""
    return page_action(
        lambda data: actions.accept(Actor.current(), access_request_id),
        refused=lambda errors: _list_page(errors),
        message=lambda accepted: _("%(name)s has been invited (%(email)s).", name=accepted.name, email=accepted.email),
        done=url_for(".index"),
    )


@bp.post("/access-requests/<int:access_request_id>/decline")
@coordinator_required
def decline(access_request_id: int):
    """Decline a request (a reason is optional); the person is told politely by e-mail.

    A request answered meanwhile is refused before the reason is read: "answered already" is the news."""
    _open, answered = page_query(lambda: access.open_request(Actor.current(), access_request_id))
    if answered:
        return _list_page(answered), 409
    return page_action(
        lambda data: actions.decline(Actor.current(), access_request_id, **data),
        schema=DeclineSchema(),
        refused=lambda errors: _list_page(errors, decline_for=access_request_id, form=request.form),
        message=lambda declined: _("The request of %(name)s has been declined.", name=declined.name),
        done=url_for(".index"),
    )
