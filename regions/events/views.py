"""The coordination's event tools: create, change, cancel; registrations, waiting list, check-in, export."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from hub.accounts.models import User
from hub.core import spreadsheets
from hub.core.access import coordinator_required
from hub.core.db import db
from hub.core.schemas import load_buttons, load_form
from regions.events import exports, services, vocab
from regions.events.schemas import CheckInSchema, EventInputSchema
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


def service_arguments(data: dict) -> tuple[dict, object, object]:
    """Validated form data → (fields, start in UTC, end in UTC); the deadline becomes UTC too."""
    starts_at, ends_at = services.schedule_from(data)
    fields = {k: v for k, v in data.items() if k not in ("starts_at", "ends_at", "start_date", "end_date")}
    if data.get("registration_deadline"):
        fields["registration_deadline"] = services.to_utc(data["registration_deadline"], data["timezone"])
    return fields, starts_at, ends_at


def _form(event=None, errors=None, status=200):
    return render_template(
        "events/edit.html", event=event, errors=errors or {}, values=request.form if request.method == "POST" else None
    ), status


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
    data, errors = load_form(EventInputSchema(), request.form)
    if data:
        fields, start, end = service_arguments(data)
        try:
            event = services.create_event(fields, starts_at=start, ends_at=end, rrule=data.get("rrule") or None)
        except services.EventError as exc:
            errors = {exc.field or "_form": [str(exc.message)]}
        else:
            db.session.commit()
            flash(_("The event has been saved."), "success")
            return redirect(url_for(".registrations", event_id=event.id))
    db.session.rollback()
    return _form(None, errors, 422)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(event_id: int):
    """Change an event (or, for a series, every coming date that was not changed on its own)."""
    event = services.get_event(event_id) or abort(404)
    if request.method == "GET":
        return _form(event)
    data, errors = load_form(EventInputSchema(), request.form)
    if data:
        fields, start, end = service_arguments(data)
        fields.pop("rrule", None)
        try:
            services.update_event(event, fields, starts_at=start, ends_at=end, whole_series=data["whole_series"])
        except services.EventError as exc:
            errors = {exc.field or "_form": [str(exc.message)]}
        else:
            db.session.commit()
            flash(_("The event has been saved."), "success")
            return redirect(url_for(".registrations", event_id=event.id))
    db.session.rollback()
    return _form(event, errors, 422)


@bp.post("/<int:event_id>/cancel")
@coordinator_required
def cancel(event_id: int):
    """Cancel an event; registered people are told."""
    event = services.get_event(event_id) or abort(404)
    services.cancel_event(event)
    db.session.commit()
    flash(_("The event has been cancelled."), "success")
    return redirect(url_for(".registrations", event_id=event.id))


@bp.get("/<int:event_id>/registrations")
@coordinator_required
def registrations(event_id: int):
    """Registrations, waiting list and check-in of one event."""
    event = services.get_event(event_id) or abort(404)
    return render_template(
        "events/registrations.html",
        event=event,
        registrations=services.registrations(event),
        members=list_members(),
        errors={},
    )


@bp.post("/<int:event_id>/registrations")
@coordinator_required
def register_someone(event_id: int):
    """The coordination registers a member of the region (e.g. from a paper list)."""
    event = services.get_event(event_id) or abort(404)
    membership = next((m for m in list_members() if str(m.user_id) == request.form.get("user_id", "")), None)
    errors = {}
    if membership is None:
        errors = {"user_id": [_("Please choose a member of the region.")]}
    else:
        try:
            services.register(
                event,
                db.session.get(User, membership.user_id),
                dict(request.form),
                by=current_user._get_current_object(),
            )
            db.session.commit()
        except services.EventError as exc:
            errors = {exc.field or "user_id": [str(exc.message)]}
        except IntegrityError:
            errors = {"user_id": [_("This person is registered already.")]}
        else:
            flash(_("%(name)s has been registered.", name=membership.user.name), "success")
            return redirect(url_for(".registrations", event_id=event.id))
    db.session.rollback()
    event = services.get_event(event_id)
    return render_template(
        "events/registrations.html",
        event=event,
        registrations=services.registrations(event),
        members=list_members(),
        errors=errors,
    ), 422


def _registration_or_404(registration_id: int):
    from regions.events.models import Registration

    return db.session.get(Registration, registration_id) or abort(404)


@bp.post("/registrations/<int:registration_id>/check-in")
@coordinator_required
def check_in(registration_id: int):
    """Mark someone present (or not) on the day."""
    registration = _registration_or_404(registration_id)
    present = load_buttons(CheckInSchema(), request.form)["present"]
    try:
        services.check_in(registration, present)
    except services.EventError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
    return redirect(url_for(".registrations", event_id=registration.event_id))


@bp.post("/registrations/<int:registration_id>/cancel")
@coordinator_required
def cancel_registration(registration_id: int):
    """Cancel someone's registration; the first one waiting moves up."""
    registration = _registration_or_404(registration_id)
    try:
        services.cancel_registration(registration)
    except services.EventError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The registration has been cancelled."), "success")
    return redirect(url_for(".registrations", event_id=registration.event_id))


@bp.get("/<int:event_id>/registrations.csv")
@coordinator_required
def export_csv(event_id: int):
    """Registrations as CSV for German Excel (UTF-8 with BOM, semicolons)."""
    event = services.get_event(event_id) or abort(404)
    return spreadsheets.csv_response(exports.registrations_sheet(event), f"anmeldungen-{event.id}.csv")


@bp.get("/<int:event_id>/registrations.xlsx")
@coordinator_required
def export_xlsx(event_id: int):
    """Registrations as an Excel workbook."""
    event = services.get_event(event_id) or abort(404)
    return spreadsheets.xlsx_response([exports.registrations_sheet(event)], f"anmeldungen-{event.id}.xlsx")
