"""Each participant's own evening (where and when the next meeting is) and ratings (the coordination types in
paper forms on the same page), and the printed plans: per person, per table and the master plan, as HTML and PDF.
Routes of the speed-dating blueprint."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.core.access import coordinator_required, region_role_required
from hub.core.actions import Actor
from hub.core.db import utcnow
from hub.core.glue import load, page_action
from hub.core.pdf import pdf_response
from hub.core.roles import Role
from regions.speeddating import access, actions, evening, printing, services
from regions.speeddating.models import SessionParticipant
from regions.speeddating.schemas import rating_choices, rating_notes
from regions.speeddating.views import _session_or_404, bp
from regions.speeddating.vocab import NOTE_LENGTH

PARTS = ("people", "tables", "master")


# -- printables -------------------------------------------------------------------------------------------


def _plan(session, only: SessionParticipant | None = None) -> printing.PrintablePlan:
    people = [
        printing.PrintPerson(id=p.id, name=p.name, side=p.side, organisation=p.organisation)
        for p in session.participants
    ]
    meetings = [
        printing.PrintMeeting(
            round=m.round, table=m.table, creative_id=m.creative_id, organisation_id=m.organisation_id
        )
        for m in session.meetings
    ]
    if only is not None:
        met = {m.creative_id for m in meetings if m.organisation_id == only.id} | {
            m.organisation_id for m in meetings if m.creative_id == only.id
        }
        people = [p for p in people if p.id == only.id or p.id in met]
        meetings = [m for m in meetings if only.id in (m.creative_id, m.organisation_id)]
    return printing.PrintablePlan(
        session_title=session.title,
        event_title=session.event.title,
        venue=session.event.venue,
        region_name=g.region.name,
        starts_at=session.starts_at,
        round_minutes=session.round_minutes,
        break_minutes=session.break_minutes,
        tables=session.tables,
        rounds=session.rounds,
        people=tuple(people),
        meetings=tuple(meetings),
        timezone=services.TIMEZONE,
    )


def _printable(plan, part: str, fmt: str, name: str, only: set[int] | None = None):
    if part not in PARTS or fmt not in ("html", "pdf"):
        abort(404)
    if fmt == "pdf":
        return pdf_response(printing.schedule_pdf(plan, part, only=only), f"{name}-{part}.pdf")
    return render_template(f"speeddating/print/{part}.html", **printing.print_context(plan, only=only), part=part)


@bp.get("/<int:session_id>/print/<part>.<fmt>")
@coordinator_required
def print_schedule(session_id: int, part: str, fmt: str):
    """The schedule to print: per person, per table or the master plan, as HTML or PDF."""
    session = _session_or_404(session_id)
    return _printable(_plan(session), part, fmt, f"speed-dating-{session.id}")


# -- a participant's own schedule and ratings (the coordination uses the same page for paper forms) ----


def _participation_or_404(participant_id: int) -> SessionParticipant:
    return load(access.readable_participation, Actor.current(), participant_id)


def _rating_page(participant, errors=None, sent=None):
    """One card per person met: who, where and when, the answer to "would you like to work together?" and a note
    (as stored, or as ``sent`` when the form comes back with errors)."""
    session = participant.session
    actor = Actor.current()
    now = utcnow()
    plan = evening.evening_of(session, participant, now)
    ratings = services.ratings_by(session, participant)
    notes = services.notes_by(session, participant)
    cards = []
    for slot in plan.meetings:
        field, note_field = f"interest_{slot.partner.id}", f"note_{slot.partner.id}"
        cards.append(
            RatingCard(
                slot=slot,
                field=field,
                note_field=note_field,
                state=services.rating_state(session, slot.meeting, now),
                rating=sent.get(field) if sent is not None else ratings.get(slot.partner.id),
                note=sent.get(note_field, "") if sent is not None else notes.get(slot.partner.id, ""),
                shows_profile=access.shows_profile(actor, slot.partner),
            )
        )
    return render_template(
        "speeddating/participation.html",
        participant=participant,
        session=session,
        cards=cards,
        rated=sum(1 for slot in plan.meetings if slot.partner.id in ratings),
        open=session.rating_open(now),
        any_open=any(card.state == services.OPEN for card in cards),
        row_fields={name for card in cards for name in (card.field, card.note_field)},
        paper_form=access.is_paper_form(participant, actor),
        errors=errors or {},
        NOTE_LENGTH=NOTE_LENGTH,
    )


@dataclass(frozen=True)
class RatingCard:
    """A person met, as the rating page shows them."""

    slot: evening.Slot
    field: str  # the form's field: interest_<participant id>
    note_field: str  # note_<participant id>
    state: str  # services.OPEN, NOT_YET or CLOSED
    rating: str | None  # an Interest's value
    note: str
    shows_profile: bool  # picture, offers and needs (else name and organisation only)

    @property
    def partner(self):
        return self.slot.partner


@bp.get("/mine/<int:participant_id>")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def participation(participant_id: int):
    """A participant's rounds, tables and partners, and their ratings of the people they met."""
    return _rating_page(_participation_or_404(participant_id))


@bp.post("/mine/<int:participant_id>")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def rate(participant_id: int):
    """Save the ratings: one choice per person met (the coordination: typed in from a paper form)."""
    participant = _participation_or_404(participant_id)
    paper_form = access.is_paper_form(participant, Actor.current())
    choices, errors = rating_choices(request.form)
    notes, note_errors = rating_notes(request.form)
    if errors or note_errors:
        return _rating_page(participant, {**errors, **note_errors}, request.form), 422
    return page_action(
        lambda data: actions.rate_meetings(Actor.current(), participant_id, choices, notes),
        # Said beside the person concerned; the rest of the form is not saved either.
        refused=lambda errors: _rating_page(_participation_or_404(participant_id), errors, request.form),
        message=_("The paper form has been entered.") if paper_form else _("Your ratings have been saved."),
        done=url_for(".participation", participant_id=participant_id),
    )


@bp.get("/mine/<int:participant_id>/schedule.<fmt>")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def my_schedule(participant_id: int, fmt: str):
    """A participant's own schedule to print."""
    participant = _participation_or_404(participant_id)
    plan = _plan(participant.session, only=participant)
    name = f"speed-dating-{participant.session_id}-{participant.id}"
    return _printable(plan, "people", fmt, name, only={participant.id})


# -- "my evening": where and when the next meeting is --------------------------------------------------------


def _evening_page(participant: SessionParticipant):
    session = participant.session
    plan = evening.evening_of(session, participant, utcnow())
    rated, to_rate = evening.rating_progress(session, participant)
    actor = Actor.current()
    next_meeting = plan.next_meeting
    return render_template(
        "speeddating/evening.html",
        participant=participant,
        own=access.is_own(participant, actor),
        session=session,
        plan=plan,
        shows_next=next_meeting is not None and access.shows_profile(actor, next_meeting.partner),
        rated=rated,
        to_rate=to_rate,
        open=session.rating_open(plan.now),
    )


@bp.get("/mine/<int:participant_id>/evening")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def evening_plan(participant_id: int):
    """One participant's evening: the next table and round (who, where, when), the rest of the plan, the ratings."""
    return _evening_page(_participation_or_404(participant_id))


@bp.get("/my-evening")
@region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
def my_evening():
    """The signed-in person's evening in this region: the session under way or next to come, else the last one
    (a stable address for the home page and bookmarks)."""
    user = current_user._get_current_object()
    chosen = evening.the_evening_to_show(services.sessions_of(user), utcnow())
    me = services.participant_of(chosen, user) if chosen is not None else None
    if me is None:
        return render_template("speeddating/evening.html", participant=None, plan=None)
    return redirect(url_for(".evening_plan", participant_id=me.id))
