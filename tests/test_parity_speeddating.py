"""Speed-dating through the page and through the API: the same cases end the same way and store the same.

Three drifts were found here before the action layer (regions/speeddating/actions.py) gave every rule one home:

- A new session took the event's registrations on the page but stayed empty through the API. Now both take
  them: a session is set up "from an event's registrations" (the page always said so), and the API's
  ``participants/from-registrations`` adds those who registered since.
- A rating entered for someone else was a paper form by the actor's role on the page (a coordinator's own
  rating was marked as typed in by them) but by whose participation it is in the API. Now both decide by
  ownership: a rating for someone else's participation is their paper form, marked with who typed it in; a
  coordinator who takes part rates as themselves. Who may rate for whom stays a matter of role: the
  coordination for anyone of the session, a participant only for themselves (someone else's participation
  is not found).
- Two requests adding the same person at once: the page answered 409, the API failed with 500. Now both 409.

The decorators' order (the role first) is checked for every API route by tests/test_action_layer.py.
A page's rating form names a row per person met (``interest_<participant id>``) where the API names
``ratee_id``; a refused row is compared as ``ratee_id`` (``page_field``). A bad answer in a row is refused
on both (tests/test_matching_pages.py, tests/test_matching_api.py) but beside the row on the page and as
``interest`` in the API, so it is not a parity case.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from hub.accounts.models import User
from hub.core.db import db, utcnow
from hub.core.tenancy import all_regions
from regions.speeddating import services
from regions.speeddating.models import Meeting, Rating, SessionParticipant, SpeedDatingSession
from tests.parity import CONFLICT, FORBIDDEN, NOT_FOUND, Case, UseCase, check_parity, refused

REGION = "erzgebirge"
PAGE = f"/{REGION}/speed-dating"
API = f"/api/v1/regions/{REGION}/speed-dating"
COMING = datetime(2030, 3, 20, 17, 0, tzinfo=UTC)  # an evening to come: its meetings cannot be rated yet
HELD = utcnow().replace(microsecond=0) - timedelta(hours=3)  # an evening that took place today


def stored(app, world) -> list:
    """Every session of the region by its settings, its people, pairs, schedule and ratings (by names)."""
    with app.app_context(), all_regions(read_only=True):
        sessions = []
        for s in db.session.scalars(select(SpeedDatingSession).order_by(SpeedDatingSession.title)):
            ratings = db.session.scalars(select(Rating).where(Rating.session_id == s.id))
            sessions.append(
                (
                    (s.title, s.mode.value, s.tables, s.round_minutes, s.break_minutes, s.rounds),
                    (s.starts_at, s.rating_deadline),
                    sorted((p.name, p.side.value) for p in s.participants),
                    sorted((p.creative.name, p.organisation.name, p.kind) for p in s.pairs),
                    sorted((m.round, m.table, m.creative.name, m.organisation.name, m.pinned) for m in s.meetings),
                    sorted(
                        (
                            db.session.get(SessionParticipant, r.rater_id).name,
                            db.session.get(SessionParticipant, r.ratee_id).name,
                            r.interest.value,
                            db.session.get(User, r.entered_by_id).name if r.entered_by_id else None,
                        )
                        for r in ratings
                    ),
                )
            )
        return sessions


# -- worlds ---------------------------------------------------------------------------------------------


def registered(make) -> dict:
    """A coordinator; an event with two creatives, an organisation and a guest without a profile registered;
    an event of another region."""
    event = make.event(REGION, title="Auftakt Schneeberg", type="kickoff", start=COMING)
    people = [make.person(REGION, kind, name=name) for name, kind in PEOPLE]
    for person in people:
        make.registration(event, person.owner)
    make.registration(event, make.participant(REGION, name="Gast ohne Profil"))
    return {
        "coordinator": make.coordinator(REGION, name="Koordination"),
        "participant": people[0],
        "event": event,
        "foreign_event": make.event("meissen", title="Auftakt Meißen", start=COMING),
    }


PEOPLE = [("Kreative Anna", "creative"), ("Kreativ Bernd", "creative"), ("Werk GmbH", "organisation")]


def evening(make, *, start=COMING, generate: bool = True, organisations: int = 2, **options) -> dict:
    """A session "Abend" of two creatives and two organisations at two tables (by default scheduled), its
    coordinator, a person of the region outside it, an archived one and a profile of another region."""
    event = make.event(REGION, title="Abend Auftakt", type="kickoff", start=start, hours=6)
    session = make.session(
        REGION, event, title="Abend", creatives=2, organisations=organisations, generate=generate, **options
    )
    outsider = make.person(REGION, "creative", name="Außen Carla")
    archived = make.person(REGION, "organisation", name="Archiviert Dora")
    with make.inside(REGION):
        from regions.profiles import services as profiles

        profiles.archive(profiles.get_profile(archived.profile_id))
        db.session.commit()
    world = {
        "coordinator": make.coordinator(REGION, name="Koordination"),
        "session": session,
        "creative": session.creatives[0],
        "other_creative": session.creatives[1],
        "outsider": outsider,
        "archived": archived,
        "foreign": make.profile("meissen", name="Profil Meißen"),
    }
    if organisations:
        world["organisation"] = session.organisations[0]
    with make.inside(REGION):
        world["meetings"] = list(
            db.session.scalars(
                select(Meeting.id).where(Meeting.session_id == session.id).order_by(Meeting.round, Meeting.table)
            )
        )  # the first round's at tables 1 and 2, then the second round's
    return world


def rated(make) -> dict:
    """``evening`` held today, and the first creative's rating of whom they met in the first round."""
    world = evening(make, start=HELD)
    with make.inside(REGION):
        first = db.session.scalar(
            select(Meeting).where(Meeting.session_id == world["session"].id, Meeting.round == 0).order_by(Meeting.table)
        )
        by_id = {p.id: p for p in [*world["session"].creatives, *world["session"].organisations]}
        rater, ratee = by_id[first.creative_id], by_id[first.organisation_id]
    make.rating(world["session"], rater, ratee, "gladly")
    return world


def taking_part(make, *, start=HELD, rating_deadline=None) -> dict:
    """``evening`` (not yet scheduled) in which the coordinator takes part with a profile of an organisation;
    then scheduled, so that everyone meets the coordinator."""
    world = evening(make, start=start, generate=False, rating_deadline=rating_deadline)
    profile = make.profile(REGION, user=world["coordinator"], name="Koordination Werkstatt", kind="organisation")
    with make.inside(REGION):
        from regions.profiles.models import Profile

        session = services.get_session(world["session"].id)
        own = services.add_participant(session, db.session.get(Profile, profile.id))
        services.generate_schedule(session)
        db.session.commit()
        world["coordinators_participation"] = own.id
    return world


def session_url(base: str, path: str = ""):
    return lambda world, values: f"{base}/{'sessions/' if base == API else ''}{world['session'].id}{path}"


def the(name: str, attribute: str = "id"):
    return lambda world: getattr(world[name], attribute)


# -- setting up a session -------------------------------------------------------------------------------

CREATE = UseCase(
    world=registered, page=lambda world, values: f"{PAGE}/new", api=lambda w, v: f"{API}/sessions", snapshot=stored
)
NEW = {"event_id": the("event"), "title": "Speed-Dating am Auftakt", "tables": 2}


@pytest.mark.parametrize(
    "case",
    [
        Case("set up with the event's registrations", "coordinator", NEW),
        Case(
            "an event of another region", "coordinator", {**NEW, "event_id": the("foreign_event")}, refused("event_id")
        ),
        Case("an unknown event", "coordinator", {**NEW, "event_id": 99999}, refused("event_id")),
        Case(
            "a rating deadline before the start",
            "coordinator",
            {**NEW, "starts_at": datetime(2030, 3, 20, 18), "rating_deadline": datetime(2030, 3, 19, 12)},
            refused("rating_deadline"),
        ),
        Case("at least one table", "coordinator", {**NEW, "tables": 0}, refused("tables")),
        Case("a participant may not", "participant", NEW, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_setting_up_a_session(app, regions, client, case):
    check_parity(app, regions, client, CREATE, case)


SETTINGS = UseCase(
    world=evening, page=session_url(PAGE, "/edit"), api=session_url(API), snapshot=stored, api_method="PUT"
)
SAME = {
    "title": "Abend",
    "mode": "everyone",
    "tables": 2,
    "round_minutes": 7,
    "break_minutes": 2,
    "starts_at": datetime(2030, 3, 20, 18, 0),  # Berlin's wall clock: the evening's start
    "rating_deadline": "",
}


@pytest.mark.parametrize(
    "case",
    [
        Case(
            "renamed, a table more and the schedule made again",
            "coordinator",
            {**SAME, "title": "Abendrunde", "tables": 3},
        ),
        Case("a deadline", "coordinator", {**SAME, "rating_deadline": datetime(2030, 3, 27, 23, 59)}),
        Case(
            "a deadline before the start",
            "coordinator",
            {**SAME, "rating_deadline": datetime(2030, 3, 19, 12)},
            refused("rating_deadline"),
        ),
        Case("a title too short", "coordinator", {**SAME, "title": "ab"}, refused("title")),
        Case("a participant may not", "creative", SAME, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_changing_a_sessions_settings(app, regions, client, case):
    check_parity(app, regions, client, SETTINGS, case)


# -- participants and pairs -----------------------------------------------------------------------------

ADD = UseCase(
    world=evening, page=session_url(PAGE, "/participants"), api=session_url(API, "/participants"), snapshot=stored
)


@pytest.mark.parametrize(
    "case",
    [
        Case("a person of the region joins", "coordinator", {"profile_id": the("outsider", "profile_id")}),
        Case(
            "an archived profile cannot",
            "coordinator",
            {"profile_id": the("archived", "profile_id")},
            refused("profile_id"),
        ),
        Case("no one twice", "coordinator", {"profile_id": the("creative", "profile_id")}, refused("profile_id")),
        Case("a profile of another region", "coordinator", {"profile_id": the("foreign")}, refused("profile_id")),
        Case("an unknown profile", "coordinator", {"profile_id": 99999}, refused("profile_id")),
        Case("a participant may not", "creative", {"profile_id": the("outsider", "profile_id")}, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_adding_a_participant(app, regions, client, case):
    check_parity(app, regions, client, ADD, case)


def test_two_adding_the_same_person_at_once_is_a_conflict_and_they_take_part_once(app, regions, client, monkeypatch):
    """The other request adds them after this one looked and before it writes: 409 on both ways, as once."""
    real = services.add_participant

    def after_another_request(session, profile, registration=None):
        assert all(p.profile_id != profile.id for p in session.participants)  # this request has looked
        with db.engine.begin() as other:
            other.execute(
                insert(SessionParticipant).values(
                    region_id=session.region_id, session_id=session.id, profile_id=profile.id, side="creative"
                )
            )
        return real(session, profile, registration)

    monkeypatch.setattr(services, "add_participant", after_another_request)
    case = Case("at once", "coordinator", {"profile_id": the("outsider", "profile_id")}, CONFLICT)
    check_parity(app, regions, client, ADD, case)


TAKE = UseCase(
    world=lambda make: _registered_since(evening(make), make),
    page=session_url(PAGE, "/participants/take"),
    api=session_url(API, "/participants/from-registrations"),
    snapshot=stored,
)


def _registered_since(world: dict, make) -> dict:
    """Since the session was set up, the outsider and a guest without a profile registered for its event."""
    make.registration(world["session"].event, world["outsider"].owner)
    make.registration(world["session"].event, make.participant(REGION, name="Gast ohne Profil"))
    return world


@pytest.mark.parametrize(
    "case",
    [
        Case("those registered since join", "coordinator", {}),
        Case("only those checked in: nobody yet", "coordinator", {"checked_in_only": True}),
        Case("a participant may not", "creative", {}, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_taking_the_registrations(app, regions, client, case):
    check_parity(app, regions, client, TAKE, case)


def remove_use(world):
    return UseCase(
        world=world,
        page=session_url(PAGE, "/participants/remove"),
        api=session_url(API, "/participants/remove"),
        snapshot=stored,
        confirmed=True,
    )


@pytest.mark.parametrize(
    "use, case",
    [
        (remove_use(evening), Case("taken out", "coordinator", {"participant_id": the("creative")})),
        (
            remove_use(evening),
            Case("someone not in the session", "coordinator", {"participant_id": 99999}, refused("participant_id")),
        ),
        (
            remove_use(rated),
            Case("not once ratings exist", "coordinator", {"participant_id": the("creative")}, refused("_form")),
        ),
        (
            remove_use(evening),
            Case("a participant may not", "creative", {"participant_id": the("creative")}, FORBIDDEN),
        ),
    ],
    ids=lambda param: getattr(param, "name", "way"),
)
def test_removing_a_participant(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


def avoiding(make) -> dict:
    """``evening`` in which the first creative and the first organisation are to avoid each other."""
    world = evening(make)
    with make.inside(REGION):
        services.set_pair(
            services.get_session(world["session"].id), world["creative"].id, world["organisation"].id, "avoid"
        )
        db.session.commit()
    return world


PAIR = UseCase(world=avoiding, page=session_url(PAGE, "/pairs"), api=session_url(API, "/pairs"), snapshot=stored)
WISH = {"creative_id": the("other_creative"), "organisation_id": the("organisation"), "kind": "wish"}


@pytest.mark.parametrize(
    "case",
    [
        Case("a meeting wished for", "coordinator", WISH),
        Case(
            "a pair to avoid cannot be wished for too",
            "coordinator",
            {**WISH, "creative_id": the("creative")},
            refused("kind"),
        ),
        Case(
            "a creative of the session",
            "coordinator",
            {**WISH, "creative_id": the("organisation")},
            refused("creative_id"),
        ),
        Case("a participant may not", "creative", WISH, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_wishing_or_avoiding_a_pair(app, regions, client, case):
    check_parity(app, regions, client, PAIR, case)


def _with_pair_id(world: dict, make) -> dict:
    with make.inside(REGION):
        world["pair_id"] = services.get_session(world["session"].id).pairs[0].id
    return world


REMOVE_PAIR = UseCase(
    world=lambda make: _with_pair_id(avoiding(make), make),
    page=session_url(PAGE, "/pairs/remove"),
    api=session_url(API, "/pairs/remove"),
    snapshot=stored,
    confirmed=True,
)


@pytest.mark.parametrize(
    "case",
    [
        Case("forgotten", "coordinator", {"pair_id": lambda world: world["pair_id"]}),
        Case("a pair of no session", "coordinator", {"pair_id": 99999}, refused("pair_id")),
        Case("a participant may not", "creative", {"pair_id": lambda world: world["pair_id"]}, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_forgetting_a_pair(app, regions, client, case):
    check_parity(app, regions, client, REMOVE_PAIR, case)


# -- the schedule ---------------------------------------------------------------------------------------


def schedule_use(world):
    return UseCase(world=world, page=session_url(PAGE, "/schedule"), api=session_url(API, "/schedule"), snapshot=stored)


@pytest.mark.parametrize(
    "use, case",
    [
        (schedule_use(lambda make: evening(make, generate=False)), Case("made", "coordinator")),
        (
            schedule_use(lambda make: evening(make, generate=False, organisations=0)),
            Case("both sides need someone", "coordinator", expect=refused("participants")),
        ),
        (schedule_use(rated), Case("not once ratings exist", "coordinator", expect=refused("_form"))),
        (schedule_use(evening), Case("a participant may not", "creative", expect=FORBIDDEN)),
    ],
    ids=lambda param: getattr(param, "name", "way"),
)
def test_making_the_schedule(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


REPLAN = UseCase(world=rated, page=session_url(PAGE, "/replan"), api=session_url(API, "/replan"), snapshot=stored)


@pytest.mark.parametrize(
    "case",
    [
        Case(
            "from the second round, without the other creative",
            "coordinator",
            {"from_round": 2, "absent": lambda world: [world["other_creative"].id]},
        ),
        Case("not from a round with ratings", "coordinator", {"from_round": 1}, refused("from_round")),
        Case(
            "one table must stay",
            "coordinator",
            {"from_round": 2, "tables_out_of_use": [1, 2]},
            refused("tables_out_of_use"),
        ),
        Case("someone not in the session", "coordinator", {"from_round": 2, "absent": [99999]}, refused("absent")),
        Case("a participant may not", "creative", {"from_round": 2}, FORBIDDEN),
    ],
    ids=lambda case: case.name,
)
def test_replanning_the_rest_of_the_evening(app, regions, client, case):
    check_parity(app, regions, client, REPLAN, case)


def meeting_url(base: str, path: str):
    return lambda world, values: f"{base}/meetings/{world['meetings'][0]}{path}"


MOVE = UseCase(world=evening, page=meeting_url(PAGE, "/move"), api=meeting_url(API, "/move"), snapshot=stored)
SWAP = UseCase(world=evening, page=meeting_url(PAGE, "/swap"), api=meeting_url(API, "/swap"), snapshot=stored)
PIN = UseCase(world=evening, page=meeting_url(PAGE, "/pin"), api=meeting_url(API, "/pin"), snapshot=stored)


@pytest.mark.parametrize(
    "use, case",
    [
        (MOVE, Case("moved to a new last round and fixed", "coordinator", {"round": 3, "table": 1})),
        (MOVE, Case("a table taken in that round", "coordinator", {"round": 2, "table": 1}, refused("table"))),
        (MOVE, Case("a round far beyond the last", "coordinator", {"round": 5, "table": 1}, refused("round"))),
        (MOVE, Case("a participant may not", "creative", {"round": 3, "table": 1}, FORBIDDEN)),
        (SWAP, Case("swapped and both fixed", "coordinator", {"other_id": lambda w: w["meetings"][1]})),
        (
            SWAP,
            Case("not with itself", "coordinator", {"other_id": lambda w: w["meetings"][0]}, refused("other_id")),
        ),
        (SWAP, Case("an unknown meeting", "coordinator", {"other_id": 99999}, refused("other_id"))),
        (PIN, Case("fixed where it is", "coordinator", {"pinned": True})),
        (PIN, Case("a participant may not", "creative", {"pinned": True}, FORBIDDEN)),
    ],
    ids=lambda param: getattr(param, "name", "way"),
)
def test_changing_the_schedule_by_hand(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


# -- ratings --------------------------------------------------------------------------------------------


def _as_rows(world, values) -> dict:
    """The page's rating form: one row per person met."""
    return {f"interest_{values['ratee_id']}": values["interest"]}


def _row_is_ratee(name: str) -> str:
    return "ratee_id" if name.startswith("interest_") else name


def rate_use(world, participation: str = "creative") -> UseCase:
    """Rating the people one met: the page of a participation and the API's participation."""

    def whose(world) -> int:
        found = world[participation]
        return found if isinstance(found, int) else found.id

    return UseCase(
        world=world,
        page=lambda world, values: f"{PAGE}/mine/{whose(world)}",
        api=lambda world, values: f"{API}/participations/{whose(world)}/ratings",
        snapshot=stored,
        form=_as_rows,
        page_field=_row_is_ratee,
    )


MET = {"ratee_id": the("organisation"), "interest": "gladly"}


@pytest.mark.parametrize(
    "use, case",
    [
        (rate_use(taking_part), Case("a participant rates a person they met", "creative", MET)),
        (rate_use(taking_part), Case("the coordination types in their paper form", "coordinator", MET)),
        (
            rate_use(taking_part, "coordinators_participation"),
            Case(
                "a coordinator who takes part rates as themselves", "coordinator", {**MET, "ratee_id": the("creative")}
            ),
        ),
        (rate_use(taking_part), Case("someone else's participation is not found", "other_creative", MET, NOT_FOUND)),
        (
            rate_use(taking_part),
            Case("only people one met", "creative", {**MET, "ratee_id": the("other_creative")}, refused("ratee_id")),
        ),
        (
            rate_use(lambda make: taking_part(make, start=COMING)),
            Case("not before the meeting took place", "creative", MET, refused("ratee_id")),
        ),
        (
            rate_use(lambda make: taking_part(make, rating_deadline=HELD + timedelta(hours=1))),
            Case("not after the deadline", "creative", MET, refused("interest")),
        ),
    ],
    ids=lambda param: getattr(param, "name", "way"),
)
def test_rating_the_people_one_met(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


PAPER_FORM = UseCase(
    world=taking_part,
    page=lambda world, values: f"{PAGE}/mine/{values['rater_id']}",
    api=session_url(API, "/ratings"),
    snapshot=stored,
    form=_as_rows,
    page_field=_row_is_ratee,
)


@pytest.mark.parametrize(
    "case",
    [
        Case("a creative's paper form", "coordinator", {**MET, "rater_id": the("creative")}),
        Case(
            "the coordinator's own form is no paper form",
            "coordinator",
            {**MET, "rater_id": lambda world: world["coordinators_participation"], "ratee_id": the("creative")},
        ),
    ],
    ids=lambda case: case.name,
)
def test_typing_in_a_paper_form_by_session(app, regions, client, case):
    """The API's paper forms by session against the page of the participation the form belongs to."""
    check_parity(app, regions, client, PAPER_FORM, case)
