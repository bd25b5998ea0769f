"""Speed-dating as the coordination runs it: a session at an event, its people from the registrations,
pairs to wish or avoid, the generated schedule and hand changes to it, and the ratings afterwards.

Services are called the way the pages call them: a refused change raises ``SpeedDatingError`` with a
message for the person, the caller rolls back, and the session is as it was.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hub.accounts.models import User
from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.events import services as events
from regions.events.models import Registration
from regions.profiles import services as profiles
from regions.profiles.models import Profile
from regions.speeddating import replanning, services
from regions.speeddating.models import Meeting, PairPreference, Rating, SessionParticipant, SpeedDatingSession
from regions.speeddating.services import SpeedDatingError
from regions.speeddating.vocab import Interest, PairingMode, Side

REGION = "erzgebirge"


@contextmanager
def refused(message: str):
    """Expect a SpeedDatingError with this message (the msgid); the caller's changes are rolled back, as pages do."""
    with pytest.raises(SpeedDatingError) as caught:
        yield caught
    assert caught.value.message == message
    db.session.rollback()


def schedule_rows(app, session_id: int) -> list[tuple[int, int, int, int, bool]]:
    """The stored schedule: (round, table, creative, organisation, pinned), by round and table."""
    with app.app_context(), all_regions():
        return [
            (m.round, m.table, m.creative_id, m.organisation_id, m.pinned)
            for m in db.session.scalars(
                select(Meeting).where(Meeting.session_id == session_id).order_by(Meeting.round, Meeting.table)
            )
        ]


def stored_session(app, session_id: int) -> SpeedDatingSession:
    with app.app_context(), all_regions():
        session = db.session.get(SpeedDatingSession, session_id)
        db.session.expunge(session)
        return session


def assert_valid(rows, tables: int, rounds: int) -> None:
    """Nobody twice in a round, no table twice in a round, every table and round within the session."""
    seats = [(r, "table", t) for r, t, _, _, _ in rows]
    seats += [(r, "creative", c) for r, _, c, _, _ in rows]
    seats += [(r, "organisation", o) for r, _, _, o, _ in rows]
    assert len(seats) == len(set(seats)), "someone (or a table) is taken twice in a round"
    assert all(0 <= t < tables and 0 <= r < rounds for r, t, _, _, _ in rows)
    pairs = [(c, o) for _, _, c, o, _ in rows]
    assert len(pairs) == len(set(pairs)), "a pair meets twice"


# -- sessions and their people --------------------------------------------------------------------------


def test_a_new_session_starts_with_its_event(app, make):
    event = make.event(REGION, title="Auftakt Schneeberg", type="kickoff")
    with make.inside(REGION):
        the_event = events.get_event(event.id)
        session = services.create_session(the_event, {"title": "Speed-Dating am Auftakt", "tables": 4})
        db.session.commit()
        assert session.starts_at == the_event.starts_at
        assert (session.tables, session.mode, session.rounds) == (4, PairingMode.EVERYONE, 0)
        assert services.list_sessions() == [session]


def test_a_rating_deadline_before_the_start_is_refused(app, make):
    event = make.event(REGION)
    with make.inside(REGION):
        the_event = events.get_event(event.id)
        with refused("The rating deadline must be after the session's start."):
            services.create_session(
                the_event,
                {"title": "Speed-Dating", "tables": 2, "rating_deadline": the_event.starts_at - timedelta(hours=1)},
            )
    with app.app_context(), all_regions():
        assert db.session.scalars(select(SpeedDatingSession)).all() == []


def test_participants_come_from_the_registrations_and_people_without_a_profile_are_named(app, make):
    event = make.event(REGION, type="kickoff")
    creative = make.person(REGION, "creative", name="Prozessberatung Muster")
    organisation = make.person(REGION, "organisation", name="Alte Brauerei")
    archived = make.person(REGION, "creative", name="Archivierte Kreative")
    no_profile = make.participant(REGION, name="Ohne Profil")
    for account in (creative.owner, organisation.owner, archived.owner, no_profile):
        make.registration(event, account)
    with make.inside(REGION):
        profiles.archive(db.session.get(Profile, archived.profile_id))
        session = services.create_session(events.get_event(event.id), {"title": "Speed-Dating", "tables": 2})
        added, missing = services.take_from_registrations(session)
        db.session.commit()
        assert added == 2
        assert "Ohne Profil" in missing
        sides = {p.name: p.side for p in session.participants}
        assert sides == {"Prozessberatung Muster": Side.CREATIVE, "Alte Brauerei": Side.ORGANISATION}
        # Taking them again adds nobody twice.
        assert services.take_from_registrations(session)[0] == 0
        db.session.commit()
        assert len(session.participants) == 2


def test_only_checked_in_people_are_taken_when_asked(app, make):
    event = make.event(REGION, type="kickoff")
    here = make.person(REGION, "creative", name="Anwesend")
    away = make.person(REGION, "organisation", name="Nicht erschienen")
    here_registration = make.registration(event, here.owner)
    make.registration(event, away.owner)
    with make.inside(REGION):
        events.check_in(db.session.get(Registration, here_registration.id))
        session = services.create_session(events.get_event(event.id), {"title": "Speed-Dating", "tables": 2})
        added, missing = services.take_from_registrations(session, checked_in_only=True)
        db.session.commit()
        assert (added, missing) == (1, [])
        assert [p.name for p in session.participants] == ["Anwesend"]


def test_an_archived_profile_cannot_be_added_by_hand(app, make):
    made = make.session(REGION, creatives=1, organisations=1, generate=False)
    extra = make.person(REGION, "creative", name="Archiviert")
    with make.inside(REGION):
        profile = db.session.get(Profile, extra.profile_id)
        profiles.archive(profile)
        with refused("This profile is archived."):
            services.add_participant(services.get_session(made.id), profile)
    with make.inside(REGION):
        assert len(services.get_session(made.id).participants) == 2


# -- pairs to wish or avoid -------------------------------------------------------------------------------


def test_an_avoided_pair_does_not_meet(app, make):
    made = make.session(REGION, creatives=2, organisations=2, generate=False)
    knows, known = made.creatives[0], made.organisations[0]
    with make.inside(REGION):
        session = services.get_session(made.id)
        services.set_pair(session, knows.id, known.id, "avoid")
        services.generate_schedule(session)
        db.session.commit()
    pairs = {(c, o) for _, _, c, o, _ in schedule_rows(app, made.id)}
    assert (knows.id, known.id) not in pairs and len(pairs) == 3


def test_a_pair_cannot_be_wished_and_avoided_and_nothing_changes(app, make):
    made = make.session(REGION, creatives=2, organisations=2, generate=False)
    creative, organisation = made.creatives[0], made.organisations[1]
    with make.inside(REGION):
        services.set_pair(services.get_session(made.id), creative.id, organisation.id, "wish")
        db.session.commit()
        with refused("A pair cannot be wished for and avoided at the same time.") as caught:
            services.set_pair(services.get_session(made.id), creative.id, organisation.id, "avoid")
        assert caught.value.field == "kind"
    with app.app_context(), all_regions():
        pairs = db.session.scalars(select(PairPreference).where(PairPreference.session_id == made.id)).all()
        assert [(p.creative_id, p.organisation_id, p.kind) for p in pairs] == [(creative.id, organisation.id, "wish")]


def test_a_pair_needs_a_creative_and_an_organisation_of_the_session(app, make):
    made = make.session(REGION, creatives=2, organisations=1, generate=False)
    with make.inside(REGION):
        session = services.get_session(made.id)
        with refused("Choose an organisation of this session."):
            services.set_pair(session, made.creatives[0].id, made.creatives[1].id, "wish")


# -- generating the schedule ------------------------------------------------------------------------------


def test_everyone_meets_everyone_in_the_fewest_rounds(app, make):
    made = make.session(REGION, creatives=5, organisations=4, tables=3)
    session = stored_session(app, made.id)
    rows = schedule_rows(app, made.id)
    # 20 meetings at 3 tables need at least 7 rounds; a creative has 4 meetings, an organisation 5.
    assert session.rounds == session.lower_bound == 7
    assert {(c, o) for _, _, c, o, _ in rows} == {(c.id, o.id) for c in made.creatives for o in made.organisations}
    assert_valid(rows, tables=3, rounds=session.rounds)
    assert session.generated_at is not None


def test_only_wished_meetings_take_place_in_the_wishes_mode(app, make):
    made = make.session(REGION, creatives=3, organisations=3, tables=2, mode="wishes", generate=False)
    c, o = made.creatives, made.organisations
    wished = {(c[0].id, o[0].id), (c[0].id, o[1].id), (c[1].id, o[0].id), (c[2].id, o[2].id)}
    with make.inside(REGION):
        session = services.get_session(made.id)
        for creative_id, organisation_id in wished:
            services.set_pair(session, creative_id, organisation_id, "wish")
        services.generate_schedule(session)
        db.session.commit()
    rows = schedule_rows(app, made.id)
    assert {(c, o) for _, _, c, o, _ in rows} == wished
    session = stored_session(app, made.id)
    assert session.rounds == session.lower_bound == 2  # two meetings each for the busiest, four meetings at 2 tables
    assert_valid(rows, tables=2, rounds=session.rounds)


def test_a_session_with_an_empty_side_is_refused(app, make):
    made = make.session(REGION, creatives=2, organisations=0, generate=False)
    with make.inside(REGION), refused("Both sides need at least one person: add creatives and organisations."):
        services.generate_schedule(services.get_session(made.id))
    assert schedule_rows(app, made.id) == []
    assert stored_session(app, made.id).rounds == 0


# -- changing the schedule by hand ----------------------------------------------------------------------


def _meeting_at(session, round_: int, table: int) -> Meeting:
    return next(m for m in session.meetings if (m.round, m.table) == (round_, table))


def test_a_meeting_moved_by_hand_into_a_new_last_round_stays_fixed_there(app, make):
    made = make.session(REGION, creatives=3, organisations=2, tables=3)  # 6 meetings in 3 rounds
    with make.inside(REGION):
        session = services.get_session(made.id)
        meeting = session.meetings[0]
        pair = (meeting.creative_id, meeting.organisation_id)
        services.move_meeting(session, meeting, 3, 2)
        db.session.commit()
    rows = schedule_rows(app, made.id)
    assert [row for row in rows if row[4]] == [(3, 2, *pair, True)]
    assert stored_session(app, made.id).rounds == 4
    assert_valid(rows, tables=3, rounds=4)


@pytest.mark.parametrize(
    "collision,message",
    [
        ("table", "Two meetings would share a table in the same round."),
        ("person", "Someone would have two meetings in the same round."),
        ("no_table", "This table does not exist in this session."),
    ],
)
def test_a_move_that_collides_is_refused_and_nothing_changes(app, make, collision, message):
    # 6 meetings in 3 rounds; the two organisations keep tables 1 and 2, tables 3 and 4 stay free.
    made = make.session(REGION, creatives=3, organisations=2, tables=4)
    before = schedule_rows(app, made.id)
    with make.inside(REGION):
        session = services.get_session(made.id)
        meeting = _meeting_at(session, 0, 0)
        if collision == "table":
            other = _meeting_at(session, 1, 1)
            target = (other.round, other.table)
        elif collision == "person":
            busy = next(m for m in session.meetings if m.creative_id == meeting.creative_id and m.id != meeting.id)
            target = (busy.round, 3)
        else:
            target = (0, session.tables)
        with refused(message):
            services.move_meeting(session, meeting, *target)
    assert schedule_rows(app, made.id) == before


def test_two_meetings_swap_places_and_both_are_fixed(app, make):
    made = make.session(REGION, creatives=2, organisations=2, tables=2)
    with make.inside(REGION):
        session = services.get_session(made.id)
        first, second = _meeting_at(session, 0, 0), _meeting_at(session, 0, 1)
        places = {first.id: (0, 1), second.id: (0, 0)}
        services.swap_meetings(session, first, second)
        db.session.commit()
    with app.app_context(), all_regions():
        for meeting_id, place in places.items():
            meeting = db.session.get(Meeting, meeting_id)
            assert ((meeting.round, meeting.table), meeting.pinned) == (place, True)
    assert_valid(schedule_rows(app, made.id), tables=2, rounds=2)


def test_a_swap_that_seats_someone_twice_in_a_round_is_refused(app, make):
    # Two rounds in which everybody has a meeting: a meeting moved into the other round meets a busy person.
    made = make.session(REGION, creatives=2, organisations=2, tables=2)
    before = schedule_rows(app, made.id)
    with make.inside(REGION):
        session = services.get_session(made.id)
        with refused("Someone would have two meetings in the same round."):
            services.swap_meetings(session, _meeting_at(session, 0, 0), _meeting_at(session, 1, 0))
    assert schedule_rows(app, made.id) == before


def test_regenerating_keeps_the_meetings_fixed_by_hand(app, make):
    # 12 meetings in 4 rounds at 4 tables; the organisations keep tables 1 to 3, table 4 is free.
    made = make.session(REGION, creatives=4, organisations=3, tables=4)
    with make.inside(REGION):
        session = services.get_session(made.id)
        meeting = _meeting_at(session, 1, 0)
        services.move_meeting(session, meeting, 1, 3)
        fixed = (1, 3, meeting.creative_id, meeting.organisation_id, True)
        db.session.commit()
    with make.inside(REGION):
        services.generate_schedule(services.get_session(made.id))
        db.session.commit()
    rows = schedule_rows(app, made.id)
    assert [row for row in rows if row[4]] == [fixed]
    session = stored_session(app, made.id)
    assert session.rounds == session.lower_bound == 4
    assert len(rows) == 12
    assert_valid(rows, tables=4, rounds=4)
    # Released again, the meeting goes back to its organisation's own table at the next generation.
    with make.inside(REGION):
        session = services.get_session(made.id)
        services.set_pinned(next(m for m in session.meetings if m.pinned), False)
        services.generate_schedule(session)
        db.session.commit()
    rows = schedule_rows(app, made.id)
    assert not any(row[4] for row in rows)
    assert all(table < 3 for _, table, _, _, _ in rows)


# -- ratings ----------------------------------------------------------------------------------------------


def test_participants_rate_the_people_they_met_and_may_change_their_mind(app, make):
    made = make.session(REGION, creatives=1, organisations=2, tables=2)
    creative, organisation = made.creatives[0], made.organisations[0]
    first = make.rating(made, creative, organisation, "gladly")
    again = make.rating(made, creative, organisation, "definitely")
    assert again.id == first.id
    with make.inside(REGION):
        session = services.get_session(made.id)
        rater = db.session.get(SessionParticipant, creative.id)
        assert services.ratings_by(session, rater) == {organisation.id: Interest.DEFINITELY}
        assert db.session.get(Rating, first.id).entered_by_id is None


def test_only_people_one_met_can_be_rated(app, make):
    made = make.session(REGION, creatives=2, organisations=2, tables=2, mode="wishes", generate=False)
    c, o = made.creatives, made.organisations
    with make.inside(REGION):
        session = services.get_session(made.id)
        services.set_pair(session, c[0].id, o[0].id, "wish")
        services.generate_schedule(session)
        db.session.commit()
        rater = db.session.get(SessionParticipant, c[0].id)
        for stranger in (o[1].id, c[1].id, c[0].id):  # not met, the same side, oneself
            with refused("You can only rate people you met in this session."):
                services.rate(services.get_session(made.id), rater, stranger, Interest.DEFINITELY)
    with app.app_context(), all_regions():
        assert db.session.scalars(select(Rating)).all() == []


def test_ratings_after_the_deadline_are_refused(app, make):
    event = make.event(REGION)
    with app.app_context(), all_regions():
        starts_at = events.get_event(event.id).starts_at
    deadline = starts_at + timedelta(days=2)
    made = make.session(REGION, event, creatives=1, organisations=1, tables=1, rating_deadline=deadline)
    creative, organisation = made.creatives[0], made.organisations[0]
    make.rating(made, creative, organisation, "gladly", now=deadline - timedelta(minutes=1))
    with make.inside(REGION):
        rater = db.session.get(SessionParticipant, creative.id)
        with refused("The deadline for ratings has passed."):
            services.rate(
                services.get_session(made.id),
                rater,
                organisation.id,
                Interest.RATHER_NOT,
                now=deadline + timedelta(seconds=1),
            )
    with app.app_context(), all_regions():
        assert [r.interest for r in db.session.scalars(select(Rating))] == [Interest.GLADLY]


def test_the_coordination_types_in_a_paper_form(app, make):
    made = make.session(REGION, creatives=1, organisations=1, tables=1)
    coordinator = make.coordinator(REGION)
    organisation, creative = made.organisations[0], made.creatives[0]
    rating = make.rating(made, organisation, creative, "definitely", entered_by=coordinator)
    with app.app_context(), all_regions():
        stored = db.session.get(Rating, rating.id)
        assert (stored.interest, stored.entered_by_id) == (Interest.DEFINITELY, coordinator.id)
        assert db.session.get(User, stored.entered_by_id).name == coordinator.name


def test_once_ratings_exist_the_schedule_can_no_longer_change(app, make):
    made = make.session(REGION, creatives=2, organisations=2, tables=2)
    make.rating(made, made.creatives[0], made.organisations[0], "gladly")
    before = schedule_rows(app, made.id)
    message = "Ratings have been given already: only the rounds after the rated meetings can be re-planned."
    with make.inside(REGION):
        with refused(message):
            services.generate_schedule(services.get_session(made.id))
        session = services.get_session(made.id)
        with refused(message):
            services.move_meeting(session, session.meetings[0], session.rounds, 0)
        session = services.get_session(made.id)
        with refused(message):
            services.swap_meetings(session, session.meetings[0], session.meetings[1])
        session = services.get_session(made.id)
        with refused(message):
            services.remove_participant(session, session.participants[-1])
    assert schedule_rows(app, made.id) == before
    with make.inside(REGION):
        assert len(services.get_session(made.id).participants) == 4
        with refused(message):
            services.update_session(services.get_session(made.id), {"tables": 1})
    assert schedule_rows(app, made.id) == before
    assert stored_session(app, made.id).tables == 2


def test_a_participant_sees_only_their_own_sessions(app, make):
    mine = make.session(REGION, creatives=1, organisations=1, tables=1)
    make.session(REGION, creatives=1, organisations=1, tables=1)
    with make.inside(REGION):
        person = db.session.get(User, mine.creatives[0].owner.id)
        assert [s.id for s in services.sessions_of(person)] == [mine.id]
        assert services.participant_of(services.get_session(mine.id), person).id == mine.creatives[0].id


def test_fewer_tables_never_leave_a_schedule_that_uses_tables_the_session_lost(app, make):
    made = make.session(REGION, creatives=3, organisations=2, tables=2)
    with make.inside(REGION):
        try:
            services.update_session(services.get_session(made.id), {"tables": 1})
            db.session.commit()
        except SpeedDatingError:
            db.session.rollback()
    session = stored_session(app, made.id)
    rows = schedule_rows(app, made.id)
    assert session.tables == 1
    assert len(rows) == 6, "everyone still meets everyone"
    assert_valid(rows, tables=session.tables, rounds=max(session.rounds, 1))


# -- ratings open once the meeting has taken place --------------------------------------------------------


def _berlin(moment) -> str:
    return moment.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y %H:%M")


def test_a_meeting_can_be_rated_only_once_its_round_has_ended_and_nothing_is_kept_before(app, make):
    made = make.session(REGION, creatives=1, organisations=2, tables=2)  # the creative meets one per round
    coordinator = make.coordinator(REGION)
    early = "The meeting with {name} has not taken place yet: it can be rated from {time}."
    with make.inside(REGION):
        session = services.get_session(made.id)
        rater = db.session.get(SessionParticipant, made.creatives[0].id)
        first, second = sorted(services.meetings_of(session, rater), key=lambda m: m.round)
        first_ends = session.round_end(first.round)
        assert first_ends == session.starts_at + timedelta(minutes=session.round_minutes)
        assert session.round_end(second.round) == first_ends + timedelta(
            minutes=session.break_minutes + session.round_minutes
        )
        with refused(early) as caught:
            services.rate(session, rater, first.organisation_id, Interest.GLADLY, now=first_ends - timedelta(seconds=1))
        assert caught.value.field == "ratee_id"
        assert caught.value.message.params == {"name": first.organisation.name, "time": _berlin(first_ends)}
        # The coordination typing in a paper form follows the same rule.
        with refused(early):
            services.rate(
                services.get_session(made.id),
                db.session.get(SessionParticipant, made.creatives[0].id),
                first.organisation_id,
                Interest.GLADLY,
                entered_by=db.session.get(User, coordinator.id),
                now=session.starts_at,
            )
    with app.app_context(), all_regions():
        assert db.session.scalars(select(Rating)).all() == []

    with make.inside(REGION):
        session = services.get_session(made.id)
        rater = db.session.get(SessionParticipant, made.creatives[0].id)
        first, second = sorted(services.meetings_of(session, rater), key=lambda m: m.round)
        met_first = first.organisation_id
        services.rate(session, rater, met_first, Interest.GLADLY, now=first_ends)
        db.session.commit()
        with refused(early):
            services.rate(session, rater, second.organisation_id, Interest.GLADLY, now=first_ends)
    with app.app_context(), all_regions():
        assert [(r.ratee_id, r.interest) for r in db.session.scalars(select(Rating))] == [(met_first, Interest.GLADLY)]


def test_each_meeting_says_whether_it_can_be_rated_yet(app, make):
    made = make.session(REGION, creatives=1, organisations=2, tables=2)
    with make.inside(REGION):
        session = services.get_session(made.id)
        first, second = sorted(session.meetings, key=lambda m: m.round)
        services.update_session(session, {"rating_deadline": session.ends_at + timedelta(days=7)})
        after_first = session.round_end(first.round)
        assert [services.rating_state(session, m, after_first) for m in (first, second)] == ["open", "not_yet"]
        assert services.rating_state(session, second, session.ends_at) == "open"
        later = session.rating_deadline + timedelta(seconds=1)
        assert [services.rating_state(session, m, later) for m in (first, second)] == ["closed", "closed"]


# -- re-planning the rest of the evening ------------------------------------------------------------------


def replanned(make, session_id: int, from_round: int, **changes):
    """Re-plan a session from a round (counted from 1, as the page does) and commit."""
    with make.inside(REGION):
        done = replanning.replan_from(services.get_session(session_id), from_round - 1, **changes)
        db.session.commit()
        return done


def test_replanning_keeps_the_held_rounds_and_their_ratings_and_plans_the_rest_for_who_is_there(app, make):
    made = make.session(REGION, creatives=3, organisations=3, tables=3)  # 9 meetings in 3 rounds
    first_round = [row for row in schedule_rows(app, made.id) if row[0] == 0]
    with app.app_context(), all_regions():
        held_ids = {m.id for m in db.session.scalars(select(Meeting).where(Meeting.round == 0))}
    held = next(row for row in first_round if row[2] == made.creatives[0].id)
    with make.inside(REGION):
        session = services.get_session(made.id)
        rater = db.session.get(SessionParticipant, held[2])
        services.rate(session, rater, held[3], Interest.DEFINITELY, now=session.round_end(0))
        db.session.commit()
    leaving = made.creatives[2]
    late = make.person(REGION, "organisation", name="Spät gekommen")
    with make.inside(REGION):
        services.add_participant(services.get_session(made.id), db.session.get(Profile, late.profile_id))
        db.session.commit()

    done = replanned(make, made.id, 2, absent=[leaving.id])

    rows = schedule_rows(app, made.id)
    assert [row for row in rows if row[0] == 0] == first_round, "the held round changed"
    with app.app_context(), all_regions():
        assert held_ids <= {m.id for m in db.session.scalars(select(Meeting))}
        assert db.session.scalar(select(func.count()).select_from(Rating)) == 1
        newcomer = db.session.scalar(
            select(SessionParticipant.id).where(SessionParticipant.profile_id == late.profile_id)
        )
    later = [row for row in rows if row[0] >= 1]
    assert not any(row[2] == leaving.id for row in later)
    # The two creatives still there meet the two organisations not met yet and the newcomer: 3 each, 6 in all.
    staying = {made.creatives[0].id, made.creatives[1].id}
    assert {(c, o) for _, _, c, o, _ in later} == {
        (c, o) for c in staying for o in [*(p.id for p in made.organisations), newcomer]
    } - {(c, o) for _, _, c, o, _ in first_round}
    session = stored_session(app, made.id)
    assert session.rounds == session.lower_bound == 1 + 3 == done.schedule.rounds
    assert_valid(rows, tables=3, rounds=session.rounds)


def test_replanning_leaves_a_broken_table_out_and_keeps_the_organisations_at_their_tables(app, make):
    made = make.session(REGION, creatives=3, organisations=3, tables=4)  # organisations at tables 1–3
    before = schedule_rows(app, made.id)
    replanned(make, made.id, 2, tables_out_of_use=[1])  # table 2 broke after the first round
    rows = schedule_rows(app, made.id)
    assert [row for row in rows if row[0] == 0] == [row for row in before if row[0] == 0]
    later = [row for row in rows if row[0] >= 1]
    assert len(later) == 6 and all(table != 1 for _, table, _, _, _ in later)
    table_of = {o: t for r, t, _, o, _ in before if r == 0}
    assert all(table == table_of[o] for _, table, _, o, _ in later if table_of[o] != 1)
    assert_valid(rows, tables=4, rounds=stored_session(app, made.id).rounds)


def test_replanning_keeps_the_pins_of_the_rounds_to_come_and_releases_those_at_a_table_out_of_use(app, make):
    # 6 meetings in 3 rounds; the organisations keep tables 1 and 2, table 3 stays free.
    made = make.session(REGION, creatives=3, organisations=2, tables=3)
    with make.inside(REGION):
        session = services.get_session(made.id)
        moved, in_place = sorted((m for m in session.meetings if m.round == 2), key=lambda m: m.table)
        services.move_meeting(session, moved, 2, 2)
        services.set_pinned(in_place, True)
        kept = (2, 2, moved.creative_id, moved.organisation_id)
        broken = in_place.table
        db.session.commit()
    done = replanned(make, made.id, 2, tables_out_of_use=[broken])
    assert done.released == 1
    rows = schedule_rows(app, made.id)
    assert [(r, t, c, o) for r, t, c, o, pinned in rows if pinned] == [kept]
    assert all(table != broken for r, table, _, _, _ in rows if r >= 1)
    assert_valid(rows, tables=3, rounds=stored_session(app, made.id).rounds)


def test_replanning_from_a_round_whose_meetings_were_rated_is_refused_and_nothing_changes(app, make):
    made = make.session(REGION, creatives=2, organisations=2, tables=2)  # 4 meetings in 2 rounds
    second = next(row for row in schedule_rows(app, made.id) if row[0] == 1)
    with make.inside(REGION):
        session = services.get_session(made.id)
        rater = db.session.get(SessionParticipant, second[2])
        services.rate(session, rater, second[3], Interest.GLADLY, now=session.ends_at)
        db.session.commit()
    before = schedule_rows(app, made.id)
    message = (
        "Meetings of round {rated} have been rated, so that round has been held: re-plan from round {next} or later."
    )
    with make.inside(REGION):
        with refused(message) as caught:
            replanning.replan_from(services.get_session(made.id), 1)
        assert (caught.value.field, caught.value.message.params) == ("from_round", {"rated": 2, "next": 3})
    assert schedule_rows(app, made.id) == before
    # From the round after it there is nothing left to meet: the evening stays as it was.
    replanned(make, made.id, 3)
    assert schedule_rows(app, made.id) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"from_round": 4}, "from_round", "This round does not exist in this session."),
        ({"from_round": 0}, "from_round", "This round does not exist in this session."),
        ({"absent": [999999]}, "absent", "This person does not take part in the session."),
        ({"tables_out_of_use": [2]}, "tables_out_of_use", "This table does not exist in this session."),
        ({"tables_out_of_use": [0, 1]}, "tables_out_of_use", "At least one table must stay in use."),
    ],
)
def test_a_replan_that_cannot_be_made_is_refused_by_field(app, make, changes, field, message):
    made = make.session(REGION, creatives=2, organisations=2, tables=2)
    before = schedule_rows(app, made.id)
    from_round = changes.pop("from_round", 2)
    with make.inside(REGION), refused(message) as caught:
        replanning.replan_from(services.get_session(made.id), from_round - 1, **changes)
    assert caught.value.field == field
    assert schedule_rows(app, made.id) == before


def test_the_round_to_replan_from_is_the_first_that_has_not_begun(app, make):
    made = make.session(REGION, creatives=3, organisations=3, tables=3)
    with make.inside(REGION):
        session = services.get_session(made.id)
        assert replanning.first_round_to_replan(session, session.starts_at - timedelta(minutes=1)) == 0
        assert replanning.first_round_to_replan(session, session.round_start(1)) == 2
        assert replanning.first_round_to_replan(session, session.ends_at) == 3


# -- fewer tables while a meeting is fixed at the last one --------------------------------------------------


def test_fewer_tables_than_a_meeting_fixed_at_the_last_table_needs_are_refused_naming_it(app, make):
    made = make.session(REGION, creatives=3, organisations=2, tables=3)
    with make.inside(REGION):
        session = services.get_session(made.id)
        meeting = next(m for m in session.meetings if m.round == 1)
        services.move_meeting(session, meeting, 1, 2)  # table 3, the last one
        names = (meeting.creative.name, meeting.organisation.name)
        db.session.commit()
    before = schedule_rows(app, made.id)
    message = (
        "The meeting of {creative} and {organisation} is fixed at table {table} in round {round}, which "
        "{tables} tables leave out: release or move it first, or keep at least {needed} tables."
    )
    with make.inside(REGION), refused(message) as caught:
        services.update_session(services.get_session(made.id), {"tables": 2})
    assert caught.value.field == "tables"
    assert caught.value.message.params == {
        "creative": names[0],
        "organisation": names[1],
        "table": 3,
        "round": 2,
        "tables": 2,
        "needed": 3,
    }
    assert schedule_rows(app, made.id) == before
    assert stored_session(app, made.id).tables == 3
