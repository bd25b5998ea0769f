"""The coordination's speed-dating tools, and each participant's own schedule and ratings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.core.access import coordinator_required, region_role_required
from hub.core.db import db, utcnow
from hub.core.roles import Role
from hub.core.schemas import ServiceError, load_buttons, load_form
from regions.events.models import Event
from regions.events.services import to_utc
from regions.profiles.models import Profile
from regions.speeddating import replanning, services, vocab
from regions.speeddating.models import Meeting, SessionParticipant
from regions.speeddating.schemas import (
    NewSessionSchema,
    PairInputSchema,
    PairRefSchema,
    ParticipantInputSchema,
    ParticipantRefSchema,
    PinSchema,
    ReplanSchema,
    SessionInputSchema,
    SlotSchema,
    SwapSchema,
    TakeRegistrationsSchema,
)
from regions.speeddating.vocab import Side

bp = Blueprint("speeddating", __name__, url_prefix="/speed-dating", template_folder="templates")
TZ = "Europe/Berlin"


@bp.app_context_processor
def _vocabularies():
    return {
        "SIDES": vocab.SIDE_LABELS,
        "PAIRING_MODES": vocab.PAIRING_MODE_LABELS,
        "INTERESTS": vocab.INTEREST_LABELS,
    }


def _coordinating() -> bool:
    return g.get("region_role") in (Role.COORDINATOR, Role.ADMIN, Role.UMBRELLA)


def _session_or_404(session_id: int):
    return services.get_session(session_id) or abort(404)


def _times_to_utc(data: dict) -> dict:
    for name in ("starts_at", "rating_deadline"):
        if data.get(name):
            data[name] = to_utc(data[name], TZ)
    return data


@bp.get("/")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def index():
    """The coordination's sessions; for a participant, the sessions they take part in."""
    if _coordinating():
        return render_template("speeddating/index.html", sessions=services.list_sessions())
    user = current_user._get_current_object()
    mine = [(s, services.participant_of(s, user)) for s in services.sessions_of(user)]
    return render_template("speeddating/mine.html", participations=mine, now=utcnow())


def _events():
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc()).limit(200)))


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new():
    """Set up a session at one of the region's events."""
    errors = {}
    if request.method == "POST":
        data, errors = load_form(NewSessionSchema(), request.form)
        if data:
            event = db.session.get(Event, data.pop("event_id"))
            if event is None:
                errors = {"event_id": [_("Please choose an event of the region.")]}
            else:
                try:
                    session = services.create_session(event, _times_to_utc(data))
                except ServiceError as exc:
                    errors = exc.errors()
                else:
                    services.take_from_registrations(session)
                    db.session.commit()
                    flash(_("The session has been created with the event's registrations."), "success")
                    return redirect(url_for(".show", session_id=session.id))
        db.session.rollback()
    selected = request.values.get("event_id", type=int)
    return render_template(
        "speeddating/edit.html",
        session=None,
        events=_events(),
        selected=selected,
        errors=errors,
        values=request.form if request.method == "POST" else None,
    ), 422 if errors else 200


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(session_id: int):
    """Change a session's settings."""
    session = _session_or_404(session_id)
    errors = {}
    if request.method == "POST":
        data, errors = load_form(SessionInputSchema(), request.form)
        if data:
            try:
                services.update_session(session, _times_to_utc(data))
            except ServiceError as exc:
                errors = _on_form(exc.errors(), SessionInputSchema())
            else:
                db.session.commit()
                flash(_("The session has been saved."), "success")
                return redirect(url_for(".show", session_id=session.id))
        db.session.rollback()
        session = _session_or_404(session_id)
    return render_template(
        "speeddating/edit.html",
        session=session,
        events=None,
        errors=errors,
        values=request.form if request.method == "POST" else None,
    ), 422 if errors else 200


def _on_form(errors: dict, schema) -> dict:
    """Errors by field, with those about something the form has no field for (the schedule) above the form."""
    shown: dict[str, list[str]] = {}
    for name, messages in errors.items():
        shown.setdefault(name if name in schema.fields else "_form", []).extend(messages)
    return shown


def _page(session, errors=None, status=200, replan=None):
    """The session's page: people, pairs, schedule, ratings."""
    rated = services.all_ratings(session)
    profiles = list(
        db.session.scalars(
            select(Profile).where(Profile.archived_at.is_(None)).order_by(Profile.display_name).limit(1000)
        )
    )
    taken = {p.profile_id for p in session.participants}
    return render_template(
        "speeddating/show.html",
        session=session,
        creatives=services.participants(session, Side.CREATIVE),
        organisations=services.participants(session, Side.ORGANISATION),
        people={p.id: p for p in session.participants},
        grid=_grid(session),
        ratings_count=len(rated),
        raters=len({r.rater_id for r in rated}),
        addable=[p for p in profiles if p.id not in taken],
        replan=_replan_values(session, replan),
        people_choices={
            str(p.id): f"{p.name} ({p.organisation})" if p.organisation else p.name for p in session.participants
        },
        table_choices={str(t + 1): _("Table %(n)s", n=t + 1) for t in range(session.tables)},
        errors=errors or {},
    ), status


def _replan_values(session, form=None) -> dict:
    """What the re-planning form shows: as sent, or the next round by the plan with everyone and every table."""
    if form is None:
        return {"from_round": replanning.first_round_to_replan(session) + 1, "absent": [], "tables_out_of_use": []}
    return {
        "from_round": form.get("from_round", ""),
        "absent": form.getlist("absent"),
        "tables_out_of_use": form.getlist("tables_out_of_use"),
    }


def _grid(session) -> list[list[Meeting | None]]:
    grid = [[None] * session.tables for _ in range(session.rounds)]
    for meeting in session.meetings:
        if 0 <= meeting.round < session.rounds and 0 <= meeting.table < session.tables:
            grid[meeting.round][meeting.table] = meeting
    return grid


@bp.get("/<int:session_id>")
@coordinator_required
def show(session_id: int):
    """One session: its people, the pairs to wish or avoid, the schedule, how far ratings are."""
    return _page(_session_or_404(session_id))


def _act(session_id: int, work, success: str):
    """Run a change on the session's page: commit and go back, or show the page again with the error."""
    session = _session_or_404(session_id)
    try:
        work(session)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _page(_session_or_404(session_id), exc.errors(), 422)
    except IntegrityError:
        db.session.rollback()
        return _page(_session_or_404(session_id), {"_form": [_("This change collides with another one.")]}, 409)
    flash(success, "success")
    return redirect(url_for(".show", session_id=session_id))


def _form_errors(session_id: int, errors: dict):
    db.session.rollback()
    return _page(_session_or_404(session_id), errors, 422)


@bp.post("/<int:session_id>/participants")
@coordinator_required
def add_participant(session_id: int):
    """Add someone of the region by their profile."""
    data, errors = load_form(ParticipantInputSchema(), request.form)
    if not data:
        return _form_errors(session_id, errors)
    profile = db.session.get(Profile, data["profile_id"])
    if profile is None:
        return _form_errors(session_id, {"profile_id": [_("Please choose a profile of the region.")]})
    return _act(session_id, lambda s: services.add_participant(s, profile), _("The person has been added."))


@bp.post("/<int:session_id>/participants/take")
@coordinator_required
def take_registrations(session_id: int):
    """Add everyone registered for the event (or only those checked in)."""
    session = _session_or_404(session_id)
    choice = load_buttons(TakeRegistrationsSchema(), request.form)
    added, missing = services.take_from_registrations(session, checked_in_only=choice["checked_in_only"])
    db.session.commit()
    flash(_("%(n)s people added from the registrations.", n=added), "success")
    if missing:
        flash(
            _(
                "Without an active profile in the region (none, or archived), so not added: %(names)s",
                names=", ".join(missing),
            ),
            "warning",
        )
    return redirect(url_for(".show", session_id=session.id))


@bp.post("/<int:session_id>/participants/remove")
@coordinator_required
def remove_participant(session_id: int):
    """Take someone out of the session."""
    chosen = load_buttons(ParticipantRefSchema(), request.form)
    participant = db.session.get(SessionParticipant, chosen["participant_id"])
    if participant is None or participant.session_id != session_id:
        return _form_errors(session_id, {"participant_id": [_("This person does not take part in the session.")]})
    return _act(session_id, lambda s: services.remove_participant(s, participant), _("The person has been removed."))


@bp.post("/<int:session_id>/pairs")
@coordinator_required
def add_pair(session_id: int):
    """Wish or avoid a meeting of two people."""
    data, errors = load_form(PairInputSchema(), request.form)
    if not data:
        return _form_errors(session_id, errors)
    return _act(session_id, lambda s: services.set_pair(s, **data), _("The pair has been saved."))


@bp.post("/<int:session_id>/pairs/remove")
@coordinator_required
def remove_pair(session_id: int):
    """Forget a wished or avoided pair."""
    pair_id = load_buttons(PairRefSchema(), request.form)["pair_id"]
    return _act(session_id, lambda s: services.remove_pair(s, pair_id), _("The pair has been removed."))


@bp.post("/<int:session_id>/schedule")
@coordinator_required
def generate(session_id: int):
    """Build the schedule with the fewest rounds possible, keeping meetings fixed by hand."""
    made = _("The schedule has been made.")
    return _act(session_id, lambda session: _say_what_pins_cost(services.generate_schedule(session)), made)


def _say_what_pins_cost(result) -> None:
    """Warn when the meetings fixed by hand cost rounds beyond the fewest possible."""
    if result.rounds > result.lower_bound:
        flash(
            _(
                "The fixed meetings need %(rounds)s rounds; without them %(bound)s would do.",
                rounds=result.rounds,
                bound=result.lower_bound,
            ),
            "warning",
        )


@bp.post("/<int:session_id>/replan")
@coordinator_required
def replan(session_id: int):
    """Re-plan the rest of the evening from a round on: the rounds before stay as they were held."""
    data, errors = load_form(ReplanSchema(), request.form)
    if not data:
        db.session.rollback()
        return _page(_session_or_404(session_id), errors, 422, replan=request.form)
    session = _session_or_404(session_id)
    try:
        done = replanning.replan_from(session, **data)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _page(_session_or_404(session_id), exc.errors(), 422, replan=request.form)
    except IntegrityError:
        db.session.rollback()
        errors = {"_form": [_("This change collides with another one.")]}
        return _page(_session_or_404(session_id), errors, 409, replan=request.form)
    result = done.schedule
    flash(
        _("The evening has been re-planned from round %(round)s on.", round=data["from_round"] + 1)
        + " "
        + _("%(rounds)s rounds in all.", rounds=result.rounds),
        "success",
    )
    _say_what_pins_cost(result)
    if done.released:
        flash(
            _(
                "%(n)s meetings fixed by hand were at a table out of use and have been placed anew.",
                n=done.released,
            ),
            "warning",
        )
    return redirect(url_for(".show", session_id=session_id))


def _meeting_or_404(meeting_id: int) -> Meeting:
    return db.session.get(Meeting, meeting_id) or abort(404)


def _meeting_page(meeting_id: int, errors=None, status=200):
    meeting = _meeting_or_404(meeting_id)
    session = _session_or_404(meeting.session_id)
    return render_template("speeddating/meeting.html", meeting=meeting, session=session, errors=errors or {}), status


@bp.get("/meetings/<int:meeting_id>")
@coordinator_required
def meeting(meeting_id: int):
    """One meeting of the schedule, to move, swap or fix by hand."""
    return _meeting_page(meeting_id)


def _meeting_act(meeting_id: int, work, success: str):
    meeting = _meeting_or_404(meeting_id)
    session = _session_or_404(meeting.session_id)
    try:
        work(session, meeting)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _meeting_page(meeting_id, exc.errors(), 422)
    except IntegrityError:
        db.session.rollback()
        return _meeting_page(meeting_id, {"_form": [_("This change collides with another one.")]}, 409)
    flash(success, "success")
    return redirect(url_for(".show", session_id=session.id))


@bp.post("/meetings/<int:meeting_id>/move")
@coordinator_required
def move(meeting_id: int):
    """Put a meeting at another round and table by hand (it stays fixed there)."""
    data, errors = load_form(SlotSchema(), request.form)
    if not data:
        return _meeting_page(meeting_id, errors, 422)
    return _meeting_act(
        meeting_id,
        lambda s, m: services.move_meeting(s, m, data["round"], data["table"]),
        _("The meeting has been moved."),
    )


@bp.post("/meetings/<int:meeting_id>/swap")
@coordinator_required
def swap(meeting_id: int):
    """Exchange the places of two meetings by hand."""
    data, errors = load_form(SwapSchema(), request.form)
    if errors:
        return _meeting_page(meeting_id, errors, 422)
    other = db.session.get(Meeting, data["other_id"])
    if other is None:
        return _meeting_page(meeting_id, {"other_id": [_("Choose two different meetings of this session.")]}, 422)
    return _meeting_act(
        meeting_id, lambda s, m: services.swap_meetings(s, m, other), _("The meetings have been swapped.")
    )


@bp.post("/meetings/<int:meeting_id>/pin")
@coordinator_required
def pin(meeting_id: int):
    """Fix a meeting at its place (or release it) for the next generation."""
    meeting = _meeting_or_404(meeting_id)
    meeting.pinned = load_buttons(PinSchema(), request.form)["pinned"]
    db.session.commit()
    return redirect(url_for(".show", session_id=meeting.session_id))


# The participant's own pages and the printed plans join this blueprint from a module of their own.
from regions.speeddating import participation_views  # noqa: E402,F401
