"""The meetings' pages: an event's meetings in the shared calendar (whom to meet, free slots, one's proposals
and meetings), "Meine Treffen" across all events, and the coordination's set-up with its figures.

Thin adapters over ``shared.meetings.actions`` through ``hub.core.glue``.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import Confirmation, load, page_action
from shared.meetings import access, actions, services, setups, slots
from shared.meetings.models import OPEN, MeetingStatus
from shared.meetings.schemas import MeetingSetupSchema, ProposalSchema

bp = Blueprint("meetings", __name__, url_prefix="/calendar", template_folder="templates")
bp.add_app_template_global(slots.when, "meeting_when")

region_bp = Blueprint("region_meetings", __name__, url_prefix="/<region>/events", template_folder="templates")


def _with_profile() -> int | None:
    value = request.values.get("with", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _event_page(event_id: int, errors: dict | None = None, form=None, status: int = 200):
    actor = Actor.current()
    entry = load(access.meeting_event, actor, event_id)
    event = entry.event
    setup = services.setup_of(event_id)
    is_registered = bool(services.registered(event_id, [current_user.id]))
    mine = services.meetings_of(current_user.id, event_id=event_id)
    # The people with whom the person has a meeting or an open proposal here: one at a time per pair.
    meeting_with = {m.other(current_user.id) for m in mine if m.status in OPEN}
    people, chosen, offers = [], None, []
    if is_registered and setup is not None and setup.enabled:
        people = services.people_to_meet(event, current_user)
        wanted = (form or {}).get("profile_id") or _with_profile()
        chosen = next((p for p in people if str(p.profile.id) == str(wanted)), None)
        # A refused proposal comes back with its form and errors, even where a proposal to the person is open.
        if chosen is not None and (chosen.user_id not in meeting_with or errors):
            offers = services.offers(event, setup, [current_user.id, chosen.user_id])
    page = render_template(
        "meetings/event.html",
        entry=entry,
        event=event,
        setup=setup,
        registered=is_registered,
        people=people,
        chosen=chosen,
        offers=offers,
        meetings=mine,
        meeting_with=meeting_with,
        slot_count=len(slots.slots(event, setup)) if setup else 0,
        errors=errors or {},
        form=form or {},
    )
    return page, status


@bp.get("/events/<int:event_id>/meetings")
@login_required
def event_meetings(event_id: int):
    """An event's meetings for the person: whom to meet, the free slots with someone, their meetings there."""
    return _event_page(event_id)


@bp.post("/events/<int:event_id>/meetings")
@login_required
def propose(event_id: int):
    """Propose a meeting in a free slot at a free table or place."""
    load(access.meeting_event, Actor.current(), event_id)
    return page_action(
        lambda data: actions.propose(Actor.current(), event_id, **data),
        schema=ProposalSchema(),
        refused=lambda errors: _event_page(event_id, errors, request.form)[0],
        message=_("Your proposal has been sent."),
        done=url_for(".event_meetings", event_id=event_id),
    )


@bp.get("/meetings/")
@login_required
def mine():
    """Meine Treffen: the person's meetings at all events, coming ones first."""
    return _mine_page()


def _mine_page(errors: dict | None = None):
    return render_template("meetings/mine.html", meetings=services.meetings_of(current_user.id), errors=errors or {})


def _back() -> str:
    """Back to the page the button was on: the event's meetings or Meine Treffen."""
    target = request.form.get("next", "")
    return target if target.startswith("/calendar/") and "//" not in target else url_for(".mine")


def _change(meeting_id: int, work, message: str, confirm=None):
    load(access.own_meeting, Actor.current(), meeting_id)
    back = _back()
    return page_action(
        lambda data: work(Actor.current(), meeting_id),
        refused=lambda errors: _mine_page(errors),
        message=message,
        done=back,
        confirm=(lambda data: confirm(meeting_id)) if confirm else None,
    )


@bp.post("/meetings/<int:event_meeting_id>/accept")
@login_required
def accept(event_meeting_id: int):
    """Accept a proposed meeting: both find it in their agenda and calendar."""
    return _change(event_meeting_id, actions.accept, _("Meeting accepted: it is in your agenda and calendar."))


@bp.post("/meetings/<int:event_meeting_id>/decline")
@login_required
def decline(event_meeting_id: int):
    """Decline a proposed meeting."""
    return _change(event_meeting_id, actions.decline, _("Proposal declined."), _decline_question)


@bp.post("/meetings/<int:event_meeting_id>/withdraw")
@login_required
def withdraw(event_meeting_id: int):
    """Withdraw one's own proposal."""
    return _change(event_meeting_id, actions.withdraw, _("Proposal withdrawn."), _withdraw_question)


@bp.post("/meetings/<int:event_meeting_id>/cancel")
@login_required
def cancel(event_meeting_id: int):
    """Call off an accepted meeting."""
    return _change(event_meeting_id, actions.cancel, _("Meeting cancelled."), _cancel_question)


def _meeting(meeting_id: int):
    return load(access.own_meeting, Actor.current(), meeting_id)


def _decline_question(meeting_id: int) -> Confirmation | None:
    meeting = _meeting(meeting_id)
    if meeting.status != MeetingStatus.PROPOSED or meeting.invitee_id != current_user.id:
        return None  # not for this person to answer (any more): the action says why
    return Confirmation(
        _("Decline the meeting with %(name)s?", name=meeting.name_of(meeting.proposer_id)),
        _("%(name)s is told. You cannot accept this proposal later.", name=meeting.name_of(meeting.proposer_id)),
        _("Yes, decline"),
    )


def _withdraw_question(meeting_id: int) -> Confirmation | None:
    meeting = _meeting(meeting_id)
    if meeting.status != MeetingStatus.PROPOSED or meeting.proposer_id != current_user.id:
        return None
    return Confirmation(
        _("Withdraw your proposal to %(name)s?", name=meeting.name_of(meeting.invitee_id)),
        _("%(name)s is told; the proposal cannot be accepted any more.", name=meeting.name_of(meeting.invitee_id)),
        _("Yes, withdraw"),
    )


def _cancel_question(meeting_id: int) -> Confirmation | None:
    meeting = _meeting(meeting_id)
    if meeting.status != MeetingStatus.ACCEPTED:
        return None
    other = meeting.name_of(meeting.other(current_user.id))
    return Confirmation(
        _("Cancel the meeting with %(name)s?", name=other),
        _(
            "%(name)s is told, the meeting leaves both calendars, and the slot and the table are free for others.",
            name=other,
        ),
        _("Yes, cancel the meeting"),
    )


# -- the coordination ------------------------------------------------------------------------------------


def _setup_page(event_id: int, errors: dict | None = None, status: int = 200):
    event = load(access.coordinated_event, Actor.current(), event_id)
    setup = services.setup_of(event_id)
    table_count, named = slots.split_places(setup.places) if setup else (0, [])
    page = render_template(
        "meetings/setup.html",
        event=event,
        setup=setup,
        table_count=table_count,
        named_places=named,
        figures=setups.figures(event, setup),
        errors=errors or {},
        values=request.form if request.method == "POST" else None,
    )
    return page, status


@region_bp.get("/<int:event_id>/meetings")
@coordinator_required
def setup(event_id: int):
    """Meetings at an event: switched on or off, slots and places, and how many meetings it produced."""
    return _setup_page(event_id)


@region_bp.post("/<int:event_id>/meetings")
@coordinator_required
def configure(event_id: int):
    """Switch meetings on or off and set the slots and places."""
    return page_action(
        lambda data: actions.configure(Actor.current(), event_id, **data),
        schema=MeetingSetupSchema(),
        refused=lambda errors: _setup_page(event_id, errors)[0],
        message=_("The meetings have been set up."),
        done=url_for(".setup", event_id=event_id),
    )
