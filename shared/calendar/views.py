"""The shared calendar: every event a viewer may see, across regions, as a month or a list; the event page
with self-registration (``shared.calendar.actions`` through ``hub.core.glue``)."""

from __future__ import annotations

from babel.dates import get_day_names
from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.accounts.services import external_url
from hub.core.access import public
from hub.core.actions import Actor
from hub.core.glue import load, page_action
from hub.core.schemas import load_form
from hub.core.tenancy.registry import active_regions
from regions.events.schemas import ANSWER_PREFIX, answers_on_the_form, registration_form
from regions.events.vocab import AUDIENCE_LABELS, REGISTRATION_LABELS, STATUS_LABELS, TYPE_LABELS, RegistrationStatus
from shared.calendar import access, actions
from shared.calendar import services as calendar
from shared.calendar.schemas import CalendarQuerySchema
from shared.directory.search import Viewer

bp = Blueprint("calendar", __name__, url_prefix="/calendar", template_folder="templates")

bp.add_app_template_global(calendar.when, "event_when")
bp.add_app_template_global(external_url, "external_url")


@bp.context_processor
def _vocabulary():
    return {
        "TYPE_LABELS": TYPE_LABELS,
        "AUDIENCE_LABELS": AUDIENCE_LABELS,
        "STATUS_LABELS": STATUS_LABELS,
        "REGISTRATION_LABELS": REGISTRATION_LABELS,
    }


def _viewer() -> Viewer:
    return Viewer.of(current_user)


@bp.get("/")
@public
def index():
    """The calendar of the network: a month grid (default) or the coming events as a list."""
    data, errors = load_form(CalendarQuerySchema(), request.args)
    data = data or CalendarQuerySchema().load({})
    regions = active_regions()
    by_slug = {r.slug: r for r in regions}
    signed_in = current_user.is_authenticated
    chosen = [slug for slug in data["region"] if slug in by_slug]
    filters = calendar.Filters(
        regions=tuple(by_slug[slug].id for slug in chosen),
        types=tuple(t.value for t in data["type"]),
        mine=data["mine"] and signed_in,
    )
    # The filter part of every link on the page (month switch, view switch, pages).
    args = {"region": chosen, "type": list(filters.types)}
    if filters.mine:
        args["mine"] = "1"
    context = {
        "regions": regions,
        "regions_options": {r.slug: r.name for r in regions},
        "types_options": {t.value: label for t, label in TYPE_LABELS.items()},
        "region_slugs": {r.id: r.slug for r in regions},
        "region_names": {r.id: r.name for r in regions},
        # One URL built, the rest appended: a month holds hundreds of links.
        "event_base": url_for(".event", event_id=0)[:-1],
        "filters": filters,
        "chosen_regions": chosen,
        "args": args,
        "errors": errors,
        "signed_in": signed_in,
    }
    if data["view"] == "list":
        entries, more = calendar.upcoming(_viewer(), filters, page=data["page"])
        return render_template("calendar/list.html", entries=entries, more=more, page=data["page"], **context)
    first = data["month"] or calendar.this_month()
    viewer = _viewer()
    month = calendar.month(viewer, first, filters)
    coming_next = calendar.after_month(viewer, first, filters) if not month.count else []
    return render_template(
        "calendar/month.html",
        month=month,
        weekdays=_weekdays(),
        current_month=calendar.this_month(),
        coming_next=coming_next,
        **context,
    )


def _weekdays() -> list[tuple[str, str]]:
    """Monday to Sunday: (short, full) names in the user's language."""
    locale = get_locale()
    short, full = get_day_names("abbreviated", locale=locale), get_day_names("wide", locale=locale)
    return [(short[n], full[n]) for n in range(7)]


def _entry(event_id: int) -> calendar.Entry:
    """The event as the signed-in person (or visitor) may see it; 404 otherwise."""
    return load(access.visible_entry, Actor.current(), event_id)


def _event_page(entry: calendar.Entry, errors: dict | None = None, form=None):
    signed_in = current_user.is_authenticated
    return render_template(
        "calendar/event.html",
        entry=entry,
        event=entry.event,
        signed_in=signed_in,
        problem=calendar.registration_problem(entry.event),
        position=calendar.waiting_position(entry.event, current_user)
        if entry.my_status == RegistrationStatus.WAITLISTED
        else None,
        ics_url=calendar.ics_url(entry.id),
        answer_prefix=ANSWER_PREFIX,
        errors=answers_on_the_form(errors or {}),
        form=form or {},
    )


@bp.get("/events/<int:event_id>")
@public
def event(event_id: int):
    """One event; public events can be read (and shared) without an account."""
    return _event_page(_entry(event_id))


def _registered(registration) -> str:
    if registration.status == RegistrationStatus.REGISTERED:
        return _("You are registered. A confirmation is on its way by e-mail.")
    return _("The event is full: you are on the waiting list and will hear from us by e-mail.")


@bp.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int):
    """Register oneself for a visible event: a place, or the waiting list when it is full."""
    entry = _entry(event_id)
    return page_action(
        lambda data: actions.register_self(Actor.current(), event_id, **data),
        schema=registration_form(entry.questions),
        refused=lambda errors: _event_page(_entry(event_id), errors, request.form),
        message=_registered,
        done=url_for(".event", event_id=event_id),
    )


@bp.post("/events/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    """Cancel one's own registration (or waiting-list place)."""
    return page_action(
        lambda data: actions.cancel_own(Actor.current(), event_id),
        refused=lambda errors: _event_page(_entry(event_id), errors),
        message=_("Your registration has been cancelled."),
        done=url_for(".event", event_id=event_id),
    )
