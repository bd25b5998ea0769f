"""Speed-dating in the JSON API: the coordination's sessions, schedule and paper forms, and each participant's
own meetings and ratings.

Times are ISO 8601 in UTC on output and are taken back as they are; input without an offset is a wall-clock
time in Europe/Berlin, as the form sends it. Rounds and tables count from 1. PUT replaces a session's
settings, PATCH changes some of them (``hub.core.api_updates``). Every change is an action of
``regions.speeddating.actions``, as on the pages.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from hub.core.access import coordinator_required, region_role_required
from hub.core.actions import Actor
from hub.core.api_updates import Updates
from hub.core.db import utcnow
from hub.core.glue import api_action, load
from hub.core.roles import Role
from regions.speeddating import access, actions, services
from regions.speeddating.models import SessionParticipant, SpeedDatingSession
from regions.speeddating.schemas import (
    MeetingSchema,
    NewSessionSchema,
    OwnRatingSchema,
    PairInputSchema,
    PairRefSchema,
    PairSchema,
    ParticipantInputSchema,
    ParticipantRefSchema,
    ParticipantSchema,
    ParticipationDetailSchema,
    ParticipationSchema,
    PinSchema,
    RatingInputSchema,
    RatingSchema,
    ReplanSchema,
    ScheduleSchema,
    SessionInputSchema,
    SessionSchema,
    SlotSchema,
    SwapSchema,
    TakenSchema,
    TakeRegistrationsSchema,
)
from regions.speeddating.vocab import Side

blp = Blueprint(
    "api_speeddating",
    __name__,
    url_prefix="/api/v1/regions/<region>/speed-dating",
    description="Speed-dating sessions: participants, schedule and ratings",
)
SECURITY = [{"bearerAuth": []}]
participant_or_coordinator = region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
UPDATES = Updates(SessionInputSchema, shown=SessionSchema())


def _session(session_id: int) -> SpeedDatingSession:
    return load(access.readable_session, Actor.current(), session_id)


# -- sessions -------------------------------------------------------------------------------------------


@blp.route("/sessions")
class Sessions(MethodView):
    @coordinator_required
    @blp.response(200, SessionSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self):
        """The region's speed-dating sessions, newest event first."""
        return services.list_sessions()

    @coordinator_required
    @blp.arguments(NewSessionSchema)
    @blp.response(201, SessionSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def post(self, data):
        """Create a session at an event of the region with everyone registered for it who has a profile in the
        region (rounds start with the event unless `starts_at` says)."""
        return actions.create_session(Actor.current(), **data)


@blp.route("/sessions/<int:session_id>")
class OneSession(MethodView):
    @coordinator_required
    @blp.response(200, ScheduleSchema)
    @blp.doc(security=SECURITY)
    def get(self, session_id: int):
        """A session with its participants, pairs and schedule."""
        return _session(session_id)

    @coordinator_required
    @blp.arguments(UPDATES.replacement)
    @blp.response(200, ScheduleSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def put(self, data, session_id: int):
        """Replace a session's settings: every one is required (`starts_at` null keeps the start;
        `rating_deadline` null: no deadline). A change of tables or mode makes the schedule again."""
        changes = UPDATES.changes(_session(session_id), data, services.in_utc)
        return actions.update_session(Actor.current(), session_id, changes)

    @coordinator_required
    @blp.arguments(UPDATES.patch)
    @blp.response(200, ScheduleSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def patch(self, sent, session_id: int):
        """Change some of a session's settings; the ones left out keep their values."""
        session = _session(session_id)
        changes = UPDATES.changes(session, UPDATES.patched(session, sent), services.in_utc)
        return actions.update_session(Actor.current(), session_id, changes)


# -- participants and pairs -----------------------------------------------------------------------------


@blp.post("/sessions/<int:session_id>/participants")
@coordinator_required
@blp.arguments(ParticipantInputSchema)
@blp.response(201, ParticipantSchema)
@blp.doc(security=SECURITY)
@api_action
def add_participant(data, session_id: int):
    """Add a person by their profile in the region; their side follows the profile's kind."""
    return actions.add_participant(Actor.current(), session_id, **data)


@blp.post("/sessions/<int:session_id>/participants/from-registrations")
@coordinator_required
@blp.arguments(TakeRegistrationsSchema)
@blp.response(200, TakenSchema)
@blp.doc(security=SECURITY)
@api_action
def take_from_registrations(data, session_id: int):
    """Add everyone registered for the session's event who has a profile in the region and is not in yet (a new
    session has them already: this takes those who registered since)."""
    added, missing = actions.take_registrations(Actor.current(), session_id, **data)
    return {"added": added, "without_profile": missing}


@blp.post("/sessions/<int:session_id>/participants/remove")
@coordinator_required
@blp.arguments(ParticipantRefSchema)
@blp.response(200, ScheduleSchema)
@blp.doc(security=SECURITY)
@api_action
def remove_participant(data, session_id: int):
    """Take a person out of the session (not once ratings exist)."""
    return actions.remove_participant(Actor.current(), session_id, **data)


@blp.post("/sessions/<int:session_id>/pairs")
@coordinator_required
@blp.arguments(PairInputSchema)
@blp.response(201, PairSchema)
@blp.doc(security=SECURITY)
@api_action
def set_pair(data, session_id: int):
    """Wish or avoid the meeting of a creative and an organisation (participant ids of the session)."""
    return actions.set_pair(Actor.current(), session_id, **data)


@blp.post("/sessions/<int:session_id>/pairs/remove")
@coordinator_required
@blp.arguments(PairRefSchema)
@blp.response(200, ScheduleSchema)
@blp.doc(security=SECURITY)
@api_action
def remove_pair(data, session_id: int):
    """Forget a wished or avoided pair."""
    return actions.remove_pair(Actor.current(), session_id, **data)


# -- the schedule ---------------------------------------------------------------------------------------


@blp.post("/sessions/<int:session_id>/schedule")
@coordinator_required
@blp.response(200, ScheduleSchema)
@blp.doc(security=SECURITY)
@api_action
def generate_schedule(session_id: int):
    """(Re)build the schedule with the fewest rounds, keeping the meetings fixed by hand."""
    return actions.generate_schedule(Actor.current(), session_id)


@blp.post("/sessions/<int:session_id>/replan")
@coordinator_required
@blp.arguments(ReplanSchema)
@blp.response(200, ScheduleSchema)
@blp.doc(security=SECURITY)
@api_action
def replan(data, session_id: int):
    """Re-plan the rest of the evening from `from_round` on: the rounds before stay as they were held (with their
    ratings); every meeting still to come, of everyone but the `absent`, is planned anew at every table but those
    out of use, in the fewest rounds possible. Meetings fixed by hand from that round on keep their place unless
    their table is out of use."""
    actions.replan(Actor.current(), session_id, **data)
    return _session(session_id)


@blp.post("/meetings/<int:meeting_id>/move")
@coordinator_required
@blp.arguments(SlotSchema)
@blp.response(200, MeetingSchema)
@blp.doc(security=SECURITY)
@api_action
def move_meeting(data, meeting_id: int):
    """Put a meeting at another round and table and fix it there (one round past the last is allowed)."""
    return actions.move_meeting(Actor.current(), meeting_id, **data)


@blp.post("/meetings/<int:meeting_id>/swap")
@coordinator_required
@blp.arguments(SwapSchema)
@blp.response(200, MeetingSchema(many=True))
@blp.doc(security=SECURITY)
@api_action
def swap_meetings(data, meeting_id: int):
    """Exchange the places of two meetings of the same session and fix both."""
    return actions.swap_meetings(Actor.current(), meeting_id, **data)


@blp.post("/meetings/<int:meeting_id>/pin")
@coordinator_required
@blp.arguments(PinSchema)
@blp.response(200, MeetingSchema)
@blp.doc(security=SECURITY)
@api_action
def pin_meeting(data, meeting_id: int):
    """Fix a meeting where it is (a new schedule keeps it) or release it."""
    return actions.pin_meeting(Actor.current(), meeting_id, **data)


# -- ratings --------------------------------------------------------------------------------------------


@blp.route("/sessions/<int:session_id>/ratings")
class Ratings(MethodView):
    @coordinator_required
    @blp.response(200, RatingSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, session_id: int):
        """Every rating of the session (participant ids; `entered_by_id` marks paper forms)."""
        return services.all_ratings(_session(session_id))

    @coordinator_required
    @blp.arguments(RatingInputSchema)
    @blp.response(200, RatingSchema)
    @blp.doc(security=SECURITY)
    @api_action
    def post(self, data, session_id: int):
        """Type in a paper form: what `rater_id` thinks of `ratee_id` (both participant ids of the session)."""
        return actions.enter_paper_form(Actor.current(), session_id, **data)


# -- the participant's own view ------------------------------------------------------------------------


def _participation(session: SpeedDatingSession, participant: SessionParticipant) -> dict:
    return {
        "participant_id": participant.id,
        "session_id": session.id,
        "title": session.title,
        "side": participant.side.value,
        "name": participant.name,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "rating_deadline": session.rating_deadline,
        "rating_open": session.rating_open(utcnow()),
    }


@blp.get("/participations")
@participant_or_coordinator
@blp.response(200, ParticipationSchema(many=True))
@blp.doc(security=SECURITY)
def participations():
    """The caller's sessions in the region, with their participant id."""
    user = current_user._get_current_object()
    return [_participation(s, services.participant_of(s, user)) for s in services.sessions_of(user)]


@blp.get("/participations/<int:participant_id>")
@participant_or_coordinator
@blp.response(200, ParticipationDetailSchema)
@blp.doc(security=SECURITY)
def participation(participant_id: int):
    """One participation: its meetings (round, table, time, whom) and the rating given to each so far."""
    participant = load(access.readable_participation, Actor.current(), participant_id)
    session = participant.session
    given = services.ratings_by(session, participant)
    now = utcnow()
    meetings = []
    for meeting in services.meetings_of(session, participant):
        other = meeting.organisation if participant.side == Side.CREATIVE else meeting.creative
        meetings.append(
            {
                "meeting_id": meeting.id,
                "round": meeting.round + 1,
                "table": meeting.table + 1,
                "starts_at": session.round_start(meeting.round),
                "other_id": other.id,
                "name": other.name,
                "organisation": other.organisation,
                "rating": given[other.id].value if other.id in given else None,
                "rating_open": services.rating_state(session, meeting, now) == services.OPEN,
                "rating_opens_at": session.round_end(meeting.round),
            }
        )
    return {**_participation(session, participant), "meetings": meetings}


@blp.post("/participations/<int:participant_id>/ratings")
@participant_or_coordinator
@blp.arguments(OwnRatingSchema)
@blp.response(200, RatingSchema)
@blp.doc(security=SECURITY)
@api_action
def rate(data, participant_id: int):
    """Say (or change) what this participant thinks of a person they met (`ratee_id`: a participant id); the
    coordination types in someone else's paper form here too (`entered_by_id` says who)."""
    return actions.rate(Actor.current(), participant_id, **data)
