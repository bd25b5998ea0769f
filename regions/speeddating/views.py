"""The coordination's speed-dating tools: sessions, participants, pairs, the schedule and its changes by hand.

Every change is an action of ``regions.speeddating.actions`` run through ``hub.core.glue.page_action``;
the participant's own pages and the printed plans are in ``participation_views``.
"""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hub.core.access import coordinator_required, region_role_required
from hub.core.actions import Actor
from hub.core.db import db, utcnow
from hub.core.glue import load, page_action
from hub.core.roles import Role
from hub.core.schemas import load_buttons
from regions.events.models import Event
from regions.profiles.models import Profile
from regions.speeddating import access, actions, evening, replanning, services, vocab
from regions.speeddating.models import Meeting
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


@bp.app_context_processor
def _vocabularies():
    return {
        "SIDES": vocab.SIDE_LABELS,
        "PAIRING_MODES": vocab.PAIRING_MODE_LABELS,
        "INTERESTS": vocab.INTEREST_LABELS,
    }


def _session_or_404(session_id: int):
    return load(access.readable_session, Actor.current(), session_id)


@bp.get("/")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def index():
    """The coordination's sessions; for a participant, the sessions they take part in."""
    if Actor.current().reviews:
        return render_template("speeddating/index.html", sessions=services.list_sessions())
    user = current_user._get_current_object()
    mine = []
    for session in services.sessions_of(user):
        me = services.participant_of(session, user)
        mine.append((session, me, *evening.rating_progress(session, me)))
    return render_template("speeddating/mine.html", participations=mine, now=utcnow())


# -- a session's settings -------------------------------------------------------------------------------


def _settings_form(session=None, errors=None):
    """The settings form: a new session at one of the region's events, or a session's settings."""
    events = None
    if session is None:
        events = list(db.session.scalars(select(Event).order_by(Event.starts_at.desc()).limit(200)))
    return render_template(
        "speeddating/edit.html",
        session=session,
        events=events,
        selected=request.values.get("event_id", type=int),
        errors=_on_form(errors or {}, NewSessionSchema()),
        values=request.form if request.method == "POST" else None,
    )


def _on_form(errors: dict, schema) -> dict:
    """Errors by field, with those about something the form has no field for (the schedule) above the form."""
    shown: dict[str, list[str]] = {}
    for name, messages in errors.items():
        shown.setdefault(name if name in schema.fields else "_form", []).extend(messages)
    return shown


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new():
    """Set up a session at one of the region's events, with the event's registrations."""
    if request.method == "GET":
        return _settings_form()
    return page_action(
        lambda data: actions.create_session(Actor.current(), **data),
        schema=NewSessionSchema(),
        refused=lambda errors: _settings_form(None, errors),
        message=_("The session has been created with the event's registrations."),
        done=lambda session: url_for(".show", session_id=session.id),
    )


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(session_id: int):
    """Change a session's settings."""
    session = _session_or_404(session_id)
    if request.method == "GET":
        return _settings_form(session)
    return page_action(
        lambda data: actions.update_session(Actor.current(), session_id, data),
        schema=SessionInputSchema(),
        refused=lambda errors: _settings_form(_session_or_404(session_id), errors),
        message=_("The session has been saved."),
        done=url_for(".show", session_id=session_id),
    )


# -- the session's page -----------------------------------------------------------------------------------


def _page(session, errors=None, replan=None):
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
        replan_refused=replan is not None,
        people_choices={
            str(p.id): f"{p.name} ({p.organisation})" if p.organisation else p.name for p in session.participants
        },
        table_choices={str(t + 1): _("Table %(n)s", n=t + 1) for t in range(session.tables)},
        errors=errors or {},
    )


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


def _on_session(session_id: int, work, message, schema=None, *, warn=None, replan_form: bool = False):
    """Run an action from a form on the session's page: back to it (with ``warn(result)``'s warnings flashed),
    or the page again with the errors."""

    def back(result) -> str:
        for warning in warn(result) if warn else ():
            flash(warning, "warning")
        return url_for(".show", session_id=session_id)

    return page_action(
        work,
        schema=schema,
        message=message,
        done=back,
        refused=lambda errors: _page(_session_or_404(session_id), errors, request.form if replan_form else None),
    )


@bp.post("/<int:session_id>/participants")
@coordinator_required
def add_participant(session_id: int):
    """Add someone of the region by their profile."""
    return _on_session(
        session_id,
        lambda data: actions.add_participant(Actor.current(), session_id, **data),
        _("The person has been added."),
        ParticipantInputSchema(),
    )


@bp.post("/<int:session_id>/participants/take")
@coordinator_required
def take_registrations(session_id: int):
    """Add everyone registered for the event (or only those checked in)."""
    choice = load_buttons(TakeRegistrationsSchema(), request.form)
    return _on_session(
        session_id,
        lambda data: actions.take_registrations(Actor.current(), session_id, **choice),
        lambda taken: _("%(n)s people added from the registrations.", n=taken[0]),
        warn=lambda taken: [_without_profile(taken[1])] if taken[1] else [],
    )


def _without_profile(names: list[str]) -> str:
    return _(
        "Without an active profile in the region (none, or archived), so not added: %(names)s", names=", ".join(names)
    )


@bp.post("/<int:session_id>/participants/remove")
@coordinator_required
def remove_participant(session_id: int):
    """Take someone out of the session."""
    chosen = load_buttons(ParticipantRefSchema(), request.form)
    return _on_session(
        session_id,
        lambda data: actions.remove_participant(Actor.current(), session_id, **chosen),
        _("The person has been removed."),
    )


@bp.post("/<int:session_id>/pairs")
@coordinator_required
def add_pair(session_id: int):
    """Wish or avoid a meeting of two people."""
    return _on_session(
        session_id,
        lambda data: actions.set_pair(Actor.current(), session_id, **data),
        _("The pair has been saved."),
        PairInputSchema(),
    )


@bp.post("/<int:session_id>/pairs/remove")
@coordinator_required
def remove_pair(session_id: int):
    """Forget a wished or avoided pair."""
    chosen = load_buttons(PairRefSchema(), request.form)
    return _on_session(
        session_id,
        lambda data: actions.remove_pair(Actor.current(), session_id, **chosen),
        _("The pair has been removed."),
    )


@bp.post("/<int:session_id>/schedule")
@coordinator_required
def generate(session_id: int):
    """Build the schedule with the fewest rounds possible, keeping meetings fixed by hand."""
    return _on_session(
        session_id,
        lambda data: actions.generate_schedule(Actor.current(), session_id),
        _("The schedule has been made."),
        warn=lambda session: _what_pins_cost(session.rounds, session.lower_bound),
    )


def _what_pins_cost(rounds: int, lower_bound: int) -> list[str]:
    """A warning when the meetings fixed by hand cost rounds beyond the fewest possible."""
    if rounds <= lower_bound:
        return []
    return [
        _(
            "The fixed meetings need %(rounds)s rounds; without them %(bound)s would do.",
            rounds=rounds,
            bound=lower_bound,
        )
    ]


@bp.post("/<int:session_id>/replan")
@coordinator_required
def replan(session_id: int):
    """Re-plan the rest of the evening from a round on: the rounds before stay as they were held."""
    return _on_session(
        session_id,
        lambda data: actions.replan(Actor.current(), session_id, **data),
        lambda done: (
            _("The evening has been re-planned from round %(round)s on.", round=done.from_round + 1)
            + " "
            + _("%(rounds)s rounds in all.", rounds=done.schedule.rounds)
        ),
        ReplanSchema(),
        warn=_replan_warnings,
        replan_form=True,
    )


def _replan_warnings(done: replanning.Replanned) -> list[str]:
    warnings = _what_pins_cost(done.schedule.rounds, done.schedule.lower_bound)
    if done.released:
        warnings.append(
            _("%(n)s meetings fixed by hand were at a table out of use and have been placed anew.", n=done.released)
        )
    return warnings


# -- one meeting, changed by hand -----------------------------------------------------------------------------


def _meeting_page(meeting_id: int, errors=None):
    meeting, session = load(access.readable_meeting, Actor.current(), meeting_id)
    return render_template("speeddating/meeting.html", meeting=meeting, session=session, errors=errors or {})


@bp.get("/meetings/<int:meeting_id>")
@coordinator_required
def meeting(meeting_id: int):
    """One meeting of the schedule, to move, swap or fix by hand."""
    return _meeting_page(meeting_id)


def _on_meeting(meeting_id: int, work, message, schema=None):
    """Run a hand change of a meeting: back to the session's page, or the meeting's page with the errors."""
    return page_action(
        work,
        schema=schema,
        message=message,
        done=lambda result: url_for(".show", session_id=db.session.get(Meeting, meeting_id).session_id),
        refused=lambda errors: _meeting_page(meeting_id, errors),
    )


@bp.post("/meetings/<int:meeting_id>/move")
@coordinator_required
def move(meeting_id: int):
    """Put a meeting at another round and table by hand (it stays fixed there)."""
    return _on_meeting(
        meeting_id,
        lambda data: actions.move_meeting(Actor.current(), meeting_id, **data),
        _("The meeting has been moved."),
        SlotSchema(),
    )


@bp.post("/meetings/<int:meeting_id>/swap")
@coordinator_required
def swap(meeting_id: int):
    """Exchange the places of two meetings by hand."""
    return _on_meeting(
        meeting_id,
        lambda data: actions.swap_meetings(Actor.current(), meeting_id, **data),
        _("The meetings have been swapped."),
        SwapSchema(),
    )


@bp.post("/meetings/<int:meeting_id>/pin")
@coordinator_required
def pin(meeting_id: int):
    """Fix a meeting at its place (or release it) for the next generation."""
    pinned = load_buttons(PinSchema(), request.form)["pinned"]
    return _on_meeting(
        meeting_id,
        lambda data: actions.pin_meeting(Actor.current(), meeting_id, pinned=pinned),
        None,
    )


# The participant's own pages and the printed plans join this blueprint from a module of their own.
from regions.speeddating import participation_views  # noqa: E402,F401
