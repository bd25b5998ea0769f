"""The coordination's event tools: create, change, cancel; registrations, waiting list, check-in, export.

Thin adapters over ``regions.events.actions`` through ``hub.core.glue``: form in, redirect or the form again
with its errors out.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from hub.core import spreadsheets
from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import load, page_action
from hub.core.schemas import load_buttons
from regions.events import access, actions, exports, services, vocab
from regions.events.schemas import (
    CheckInSchema,
    EventInputSchema,
    answers_on_the_form,
    questions_as_text,
    registration_form,
)
from regions.members.services import list_members

bp = Blueprint("events", __name__, url_prefix="/events", template_folder="templates")


@bp.app_context_processor
def _vocabularies():
    return {
        "EVENT_TYPES": vocab.TYPE_LABELS,
        "AUDIENCES": vocab.AUDIENCE_LABELS,
        "EVENT_STATUS": vocab.STATUS_LABELS,
        "REGISTRATION_STATUS": vocab.REGISTRATION_LABELS,
    }


def _form(event=None, errors=None):
    statuses = vocab.NEW_EVENT_STATUSES if event is None else tuple(vocab.EventStatus)
    return render_template(
        "events/edit.html",
        event=event,
        errors=errors or {},
        values=request.form if request.method == "POST" else None,
        questions_as_text=questions_as_text,
        status_choices={status: vocab.STATUS_CHOICES[status] for status in statuses},
    )


@bp.get("/")
@coordinator_required
def index():
    """The region's events: upcoming (with drafts) or past."""
    past = request.args.get("past") == "1"
    return render_template("events/index.html", events=services.list_events(past=past), past=past)


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new():
    """Create an event or a repeating series."""
    if request.method == "GET":
        return _form()
    return page_action(
        lambda data: actions.create_event(Actor.current(), data),
        schema=EventInputSchema(),
        refused=lambda errors: _form(None, errors),
        message=_("The event has been saved."),
        done=lambda event: url_for(".registrations", event_id=event.id),
    )


def _readable(event_id: int):
    return load(access.readable_event, Actor.current(), event_id)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(event_id: int):
    """Change an event (or, for a series, every coming date that was not changed on its own)."""
    if request.method == "GET":
        return _form(_readable(event_id))
    return page_action(
        lambda data: actions.update_event(Actor.current(), event_id, data),
        schema=EventInputSchema(),
        refused=lambda errors: _form(_readable(event_id), errors),
        message=_("The event has been saved."),
        done=url_for(".registrations", event_id=event_id),
    )


@bp.post("/<int:event_id>/cancel")
@coordinator_required
def cancel(event_id: int):
    """Cancel an event; registered people are told."""
    back = url_for(".registrations", event_id=event_id)
    return page_action(
        lambda data: actions.cancel_event(Actor.current(), event_id),
        refused=back,
        message=_("The event has been cancelled."),
        done=back,
    )


def _registrations_page(event_id: int, errors=None, form: str = "register"):
    """The registrations of an event; ``errors`` beside the form that was sent ("register", or "list" for a
    button in the list)."""
    event = _readable(event_id)
    return render_template(
        "events/registrations.html",
        event=event,
        registrations=services.registrations(event),
        members=list_members(),
        errors=answers_on_the_form(errors or {}),
        form=form,
        values=request.form if request.method == "POST" and form == "register" else {},
    )


@bp.get("/<int:event_id>/registrations")
@coordinator_required
def registrations(event_id: int):
    """Registrations, waiting list and check-in of one event."""
    return _registrations_page(event_id)


@bp.post("/<int:event_id>/registrations")
@coordinator_required
def register_someone(event_id: int):
    """The coordination registers a member of the region (e.g. from a paper list)."""
    event = _readable(event_id)
    return page_action(
        lambda data: actions.register_member(Actor.current(), event_id, **data),
        schema=registration_form(event.questions, someone=True),
        refused=lambda errors: _registrations_page(event_id, errors),
        message=lambda registration: _("%(name)s has been registered.", name=registration.user.name),
        done=url_for(".registrations", event_id=event_id),
    )


def _on_registration(registration_id: int, work, message=None):
    """Run an action from a button in the list of registrations: back to it, or the list with the reason."""
    event_id = load(access.managed_registration, Actor.current(), registration_id).event_id
    return page_action(
        lambda data: work(),
        refused=lambda errors: _registrations_page(event_id, errors, "list"),
        message=message,
        done=url_for(".registrations", event_id=event_id),
    )


@bp.post("/registrations/<int:registration_id>/check-in")
@coordinator_required
def check_in(registration_id: int):
    """Mark someone present (or not) on the day."""
    present = load_buttons(CheckInSchema(), request.form)["present"]
    return _on_registration(registration_id, lambda: actions.check_in(Actor.current(), registration_id, present))


@bp.post("/registrations/<int:registration_id>/cancel")
@coordinator_required
def cancel_registration(registration_id: int):
    """Cancel someone's registration; the first one waiting moves up."""
    return _on_registration(
        registration_id,
        lambda: actions.cancel_registration(Actor.current(), registration_id),
        _("The registration has been cancelled."),
    )


@bp.get("/<int:event_id>/registrations.csv")
@coordinator_required
def export_csv(event_id: int):
    """Registrations as CSV for German Excel (UTF-8 with BOM, semicolons)."""
    event = _readable(event_id)
    return spreadsheets.csv_response(exports.registrations_sheet(event), f"anmeldungen-{event.id}.csv")


@bp.get("/<int:event_id>/registrations.xlsx")
@coordinator_required
def export_xlsx(event_id: int):
    """Registrations as an Excel workbook."""
    event = _readable(event_id)
    return spreadsheets.xlsx_response([exports.registrations_sheet(event)], f"anmeldungen-{event.id}.xlsx")
