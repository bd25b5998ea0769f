"""Speed-dating in the JSON API: the coordination's sessions, schedule and paper forms, and each participant's
own meetings and ratings.

Times are ISO 8601 in UTC on output and are taken back as they are; input without an offset is a wall-clock
time in Europe/Berlin, as the form sends it. Rounds and tables count from 1. PUT replaces a session's
settings, PATCH changes some of them (``hub.core.api_updates``).
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import fields

from hub.core.access import coordinator_required, region_role_required
from hub.core.api_updates import Updates
from hub.core.db import db, utcnow
from hub.core.roles import Role
from hub.core.schemas import BaseSchema, ServiceError, _m
from regions.events.models import Event
from regions.events.services import to_utc
from regions.profiles.models import Profile
from regions.speeddating import replanning, services
from regions.speeddating.models import Meeting, SessionParticipant, SpeedDatingSession
from regions.speeddating.schemas import (
    MeetingSchema,
    NewSessionSchema,
    PairInputSchema,
    PairSchema,
    ParticipantInputSchema,
    ParticipantSchema,
    PinSchema,
    RatingInputSchema,
    RatingSchema,
    ReplanSchema,
    ScheduleSchema,
    SessionInputSchema,
    SessionSchema,
    SlotSchema,
    SwapSchema,
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
TIMEZONE = "Europe/Berlin"
participant_or_coordinator = region_role_required(Role.PARTICIPANT, Role.COORDINATOR)
UPDATES = Updates(SessionInputSchema, shown=SessionSchema())


class TakenSchema(BaseSchema):
    added = fields.Integer()
    without_profile = fields.List(fields.String(), metadata={"description": "registered people without a profile"})


class RemoveParticipantSchema(BaseSchema):
    participant_id = fields.Integer(required=True)


class RemovePairSchema(BaseSchema):
    pair_id = fields.Integer(required=True)


class OwnRatingSchema(RatingInputSchema):
    """A rating by the participation in the URL: the rater is given by the URL."""

    class Meta(RatingInputSchema.Meta):
        exclude = ("rater_id",)


class ParticipationSchema(BaseSchema):
    participant_id = fields.Integer()
    session_id = fields.Integer()
    title = fields.String()
    side = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    rating_deadline = fields.DateTime(allow_none=True)
    rating_open = fields.Boolean()


class OwnMeetingSchema(BaseSchema):
    meeting_id = fields.Integer()
    round = fields.Integer()
    table = fields.Integer()
    starts_at = fields.DateTime()
    other_id = fields.Integer(metadata={"description": "the participant id of the person met, to rate them"})
    name = fields.String()
    organisation = fields.String()
    rating = fields.String(allow_none=True, metadata={"description": "what the caller said about them so far"})
    rating_open = fields.Boolean(metadata={"description": "whether the meeting can be rated now"})
    rating_opens_at = fields.DateTime(metadata={"description": "when its round ends: from then on it can be rated"})


class ParticipationDetailSchema(ParticipationSchema):
    name = fields.String()
    meetings = fields.List(fields.Nested(OwnMeetingSchema))


def unprocessable(exc: ServiceError):
    """A refused change: nothing of it is kept, the field is named."""
    db.session.rollback()
    abort(422, errors={"json": exc.errors()})


def field_error(field: str, message):
    abort(422, errors={"json": {field: [str(message)]}})


def _session(session_id: int) -> SpeedDatingSession:
    return services.get_session(session_id) or abort(404)


def _in_session(session: SpeedDatingSession, participant_id: int | None) -> SessionParticipant | None:
    return next((p for p in session.participants if p.id == participant_id), None)


def _settings(data: dict) -> dict:
    """Validated settings with the local times in UTC."""
    settings = {k: v for k, v in data.items() if k != "event_id"}
    for name in ("starts_at", "rating_deadline"):
        if settings.get(name) is not None:
            settings[name] = to_utc(settings[name], TIMEZONE)
    return settings


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


def _reachable_participant(participant_id: int) -> SessionParticipant:
    """A participation of the region: participants reach only their own; the coordination every one."""
    participant = db.session.get(SessionParticipant, participant_id) or abort(404)
    if g.region_role == Role.PARTICIPANT and participant.profile.user_id != current_user.id:
        abort(404)
    return participant


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
    def post(self, data):
        """Create a session at an event of the region (rounds start with the event unless `starts_at` says)."""
        event = db.session.get(Event, data["event_id"])
        if event is None:
            field_error("event_id", _m("Please choose an event of the region."))
        try:
            session = services.create_session(event, _settings(data))
        except ServiceError as exc:
            unprocessable(exc)
        db.session.commit()
        return session


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
    def put(self, data, session_id: int):
        """Replace a session's settings: every one is required (`starts_at` null keeps the start;
        `rating_deadline` null: no deadline)."""
        return _update_session(_session(session_id), data)

    @coordinator_required
    @blp.arguments(UPDATES.patch)
    @blp.response(200, ScheduleSchema)
    @blp.doc(security=SECURITY)
    def patch(self, sent, session_id: int):
        """Change some of a session's settings; the ones left out keep their values."""
        session = _session(session_id)
        return _update_session(session, UPDATES.patched(session, sent))


def _update_session(session: SpeedDatingSession, data: dict) -> SpeedDatingSession:
    """Change the settings that differ (a change of tables or mode makes the schedule again)."""
    try:
        services.update_session(session, UPDATES.changes(session, data, _settings))
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return session


# -- participants and pairs -----------------------------------------------------------------------------


@blp.post("/sessions/<int:session_id>/participants")
@coordinator_required
@blp.arguments(ParticipantInputSchema)
@blp.response(201, ParticipantSchema)
@blp.doc(security=SECURITY)
def add_participant(data, session_id: int):
    """Add a person by their profile in the region; their side follows the profile's kind."""
    session = _session(session_id)
    profile = db.session.get(Profile, data["profile_id"])
    if profile is None:
        field_error("profile_id", _m("This profile does not exist or is not visible to you."))
    try:
        participant = services.add_participant(session, profile)
        db.session.flush()
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return participant


@blp.post("/sessions/<int:session_id>/participants/from-registrations")
@coordinator_required
@blp.arguments(TakeRegistrationsSchema)
@blp.response(200, TakenSchema)
@blp.doc(security=SECURITY)
def take_from_registrations(data, session_id: int):
    """Add everyone registered for the session's event who has a profile in the region."""
    session = _session(session_id)
    added, missing = services.take_from_registrations(session, checked_in_only=data["checked_in_only"])
    db.session.commit()
    return {"added": added, "without_profile": missing}


@blp.post("/sessions/<int:session_id>/participants/remove")
@coordinator_required
@blp.arguments(RemoveParticipantSchema)
@blp.response(200, ScheduleSchema)
@blp.doc(security=SECURITY)
def remove_participant(data, session_id: int):
    """Take a person out of the session (not once ratings exist)."""
    session = _session(session_id)
    participant = _in_session(session, data["participant_id"])
    if participant is None:
        field_error("participant_id", _m("This person does not take part in the session."))
    try:
        services.remove_participant(session, participant)
        db.session.flush()
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return session


@blp.post("/sessions/<int:session_id>/pairs")
@coordinator_required
@blp.arguments(PairInputSchema)
@blp.response(201, PairSchema)
@blp.doc(security=SECURITY)
def set_pair(data, session_id: int):
    """Wish or avoid the meeting of a creative and an organisation (participant ids of the session)."""
    session = _session(session_id)
    try:
        pair = services.set_pair(session, data["creative_id"], data["organisation_id"], data["kind"])
        db.session.flush()
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return pair


@blp.post("/sessions/<int:session_id>/pairs/remove")
@coordinator_required
@blp.arguments(RemovePairSchema)
@blp.response(200, ScheduleSchema)
@blp.doc(security=SECURITY)
def remove_pair(data, session_id: int):
    """Forget a wished or avoided pair."""
    session = _session(session_id)
    try:
        services.remove_pair(session, data["pair_id"])
        db.session.flush()
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return session


# -- the schedule ---------------------------------------------------------------------------------------


@blp.post("/sessions/<int:session_id>/schedule")
@coordinator_required
@blp.response(200, ScheduleSchema)
@blp.doc(security=SECURITY)
def generate_schedule(session_id: int):
    """(Re)build the schedule with the fewest rounds, keeping the meetings fixed by hand."""
    session = _session(session_id)
    try:
        services.generate_schedule(session)
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return session


@blp.post("/sessions/<int:session_id>/replan")
@coordinator_required
@blp.arguments(ReplanSchema)
@blp.response(200, ScheduleSchema)
@blp.doc(security=SECURITY)
def replan(data, session_id: int):
    """Re-plan the rest of the evening from `from_round` on: the rounds before stay as they were held (with their
    ratings); every meeting still to come, of everyone but the `absent`, is planned anew at every table but those
    out of use, in the fewest rounds possible. Meetings fixed by hand from that round on keep their place unless
    their table is out of use."""
    session = _session(session_id)
    try:
        replanning.replan_from(session, **data)
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return session


def _meeting(meeting_id: int) -> tuple[Meeting, SpeedDatingSession]:
    meeting = db.session.get(Meeting, meeting_id) or abort(404)
    return meeting, _session(meeting.session_id)


@blp.post("/meetings/<int:meeting_id>/move")
@coordinator_required
@blp.arguments(SlotSchema)
@blp.response(200, MeetingSchema)
@blp.doc(security=SECURITY)
def move_meeting(data, meeting_id: int):
    """Put a meeting at another round and table and fix it there (one round past the last is allowed)."""
    meeting, session = _meeting(meeting_id)
    try:
        services.move_meeting(session, meeting, data["round"], data["table"])
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return meeting


@blp.post("/meetings/<int:meeting_id>/swap")
@coordinator_required
@blp.arguments(SwapSchema)
@blp.response(200, MeetingSchema(many=True))
@blp.doc(security=SECURITY)
def swap_meetings(data, meeting_id: int):
    """Exchange the places of two meetings of the same session and fix both."""
    meeting, session = _meeting(meeting_id)
    other = db.session.get(Meeting, data["other_id"])
    if other is None or other.session_id != session.id:
        field_error("other_id", _m("Choose two different meetings of this session."))
    try:
        services.swap_meetings(session, meeting, other)
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return [meeting, other]


@blp.post("/meetings/<int:meeting_id>/pin")
@coordinator_required
@blp.arguments(PinSchema)
@blp.response(200, MeetingSchema)
@blp.doc(security=SECURITY)
def pin_meeting(data, meeting_id: int):
    """Fix a meeting where it is (a new schedule keeps it) or release it."""
    meeting, _ = _meeting(meeting_id)
    services.set_pinned(meeting, data["pinned"])
    db.session.commit()
    return meeting


# -- ratings --------------------------------------------------------------------------------------------


def _rate(session: SpeedDatingSession, rater: SessionParticipant, data: dict):
    own = rater.profile.user_id == current_user.id
    try:
        rating = services.rate(
            session,
            rater,
            data["ratee_id"],
            data["interest"],
            entered_by=None if own else current_user._get_current_object(),
        )
    except ServiceError as exc:
        unprocessable(exc)
    db.session.commit()
    return rating


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
    def post(self, data, session_id: int):
        """Type in a paper form: what `rater_id` thinks of `ratee_id` (both participant ids of the session)."""
        session = _session(session_id)
        if data["rater_id"] is None:
            field_error("rater_id", _m("This field is required."))
        rater = _in_session(session, data["rater_id"])
        if rater is None:
            field_error("rater_id", _m("This person does not take part in the session."))
        return _rate(session, rater, data)


# -- the participant's own view ------------------------------------------------------------------------


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
    participant = _reachable_participant(participant_id)
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
def rate(data, participant_id: int):
    """Say (or change) what this participant thinks of a person they met (`ratee_id`: a participant id)."""
    participant = _reachable_participant(participant_id)
    return _rate(participant.session, participant, data)
