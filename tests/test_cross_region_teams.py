"""Teams across regions, as the coordinations and the people meet them (issue 18, item 4).

A match of Meißen (the funding region: it owns the match and its ledger) may take in a person of Dresden when
both coordinations agree: Meißen's coordination asks, Dresden's accepts or declines; each step records who and
when, in its columns and in the audit log. Dresden's coordination reads the match; the Dresden person works in
it like any member. A third region (Lausitz) sees nothing of it: the wall holds; the only door is
regions/teams/access.py. Each region's figures count its own people.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.core.audit_log.models import AuditEntry
from hub.core.db import berlin_today, db
from hub.core.tenancy import TenancyError, all_regions, region_scope
from hub.core.tenancy.models import Region
from regions.matches.models import JournalEntry, LedgerEntry, Milestone
from regions.teams.models import GuestStatus, MatchGuest
from tests.factories import PASSWORD
from tests.pages import CONFIRMED, bearer

FUNDING, HOME, THIRD = "meissen", "dresden", "lausitz"


def login(app, person):
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def world(make):
    """A Meißen match, its and Dresden's and Lausitz's coordinators, and a Dresden person the directory shows."""
    match = make.match(FUNDING, title="Digitale Weinprobe")
    make.milestone(match, title="Drehbuch abgestimmt")
    return {
        "match": match,
        "meissen": make.coordinator(FUNDING, name="Koordination Meißen"),
        "dresden": make.coordinator(HOME, name="Koordination Dresden"),
        "lausitz": make.coordinator(THIRD, name="Koordination Lausitz"),
        "umbrella": make.umbrella(),
        "studio": make.person(HOME, "creative", name="Games-Studio Dresden", visibility="network"),
        "neighbour": make.person(HOME, "creative", name="Nachbar Dresden", visibility="network"),
    }


def guests(app) -> list[tuple[str, int | None, int | None]]:
    """Every guest row: (status, who asked, who decided), read through the door."""
    with app.app_context(), all_regions():
        return [
            (g.status.value, g.requested_by_id, g.decided_by_id)
            for g in db.session.scalars(select(MatchGuest).order_by(MatchGuest.id))
        ]


def ask(app, world, person="studio"):
    client = login(app, world["meissen"])
    url = f"/{FUNDING}/teams/matches/{world['match'].id}/guests"
    return client.post(url, data={"profile_id": world[person].profile_id, "role": "creative"})


def only_guest_id(app) -> int:
    with app.app_context(), all_regions():
        return db.session.scalar(select(MatchGuest.id))


# -- asking and deciding -------------------------------------------------------------------------------------


def test_meissen_asks_dresden_accepts_and_each_step_records_who_and_when(app, world):
    form = login(app, world["meissen"]).get(f"/{FUNDING}/teams/matches/{world['match'].id}/guests")
    assert "Games-Studio Dresden (Dresden)" in form.get_data(as_text=True)

    assert ask(app, world).status_code == 302
    assert guests(app) == [("requested", world["meissen"].id, None)]
    guest_id = only_guest_id(app)

    dresden = login(app, world["dresden"])
    listed = dresden.get(f"/{HOME}/teams/").get_data(as_text=True)
    assert "Digitale Weinprobe" in listed and "Games-Studio Dresden" in listed
    assert dresden.post(f"/{HOME}/teams/joint/{guest_id}/accept").status_code == 302
    assert guests(app) == [("accepted", world["meissen"].id, world["dresden"].id)]

    with app.app_context(), all_regions():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.subject_type == "match_guest").order_by(AuditEntry.id)
        ).all()
        # Both coordinations decide, so each region's log keeps both steps.
        regions = {r.slug: r.id for r in db.session.scalars(select(Region))}
        for region in (FUNDING, HOME):
            assert [(e.action, e.actor_id, e.via) for e in entries if e.region_id == regions[region]] == [
                ("create", world["meissen"].id, "web"),
                ("update", world["dresden"].id, "web"),
            ]
        assert len(entries) == 4
        assert entries[-1].changes["status"] == ["requested", "accepted"]
        assert all(e.at is not None for e in entries)
    log = dresden.get(f"/{HOME}/audit").get_data(as_text=True)
    assert log.count("Games-Studio Dresden") >= 2


def test_only_people_the_directory_shows_to_the_network_of_other_regions_can_be_asked(app, make, world):
    private = make.person(HOME, "creative", name="Privat Dresden")  # visible to its coordination only
    same_region = make.person(FUNDING, "creative", name="Nachbarin Meißen", visibility="network")
    archived = make.person(HOME, "creative", name="Archiviert Dresden", visibility="network")
    with make.inside(HOME):
        from regions.profiles import services as profiles
        from regions.profiles.models import Profile

        profiles.archive(db.session.get(Profile, archived.profile_id))
        db.session.commit()
    world.update(private=private, same_region=same_region, archived=archived)
    page = login(app, world["meissen"]).get(f"/{FUNDING}/teams/matches/{world['match'].id}/guests")
    html = page.get_data(as_text=True)
    for name in ("Privat Dresden", "Nachbarin Meißen", "Archiviert Dresden"):
        assert name not in html
        response = ask(
            app, world, {"Privat Dresden": "private", "Nachbarin Meißen": "same_region"}.get(name, "archived")
        )
        assert response.status_code == 422
    assert guests(app) == []


def test_asking_twice_is_a_conflict_and_a_member_is_refused_clearly(app, world):
    assert ask(app, world).status_code == 302
    assert ask(app, world).status_code == 409
    login(app, world["dresden"]).post(f"/{HOME}/teams/joint/{only_guest_id(app)}/accept")
    again = ask(app, world)
    assert again.status_code == 422
    assert "Games-Studio Dresden" in again.get_data(as_text=True)
    assert [g[0] for g in guests(app)] == ["accepted"]


def test_declined_then_asked_again_and_withdrawn(app, world):
    ask(app, world)
    guest_id = only_guest_id(app)
    dresden = login(app, world["dresden"])
    question = dresden.post(f"/{HOME}/teams/joint/{guest_id}/decline")
    assert question.status_code == 200 and guests(app)[0][0] == "requested"  # it asks first
    assert dresden.post(f"/{HOME}/teams/joint/{guest_id}/decline", data=CONFIRMED).status_code == 302
    assert guests(app)[0][0] == "declined"
    assert dresden.post(f"/{HOME}/teams/joint/{guest_id}/accept").status_code == 409  # answered already
    history = dresden.get(f"/{HOME}/teams/joint/{guest_id}").get_data(as_text=True)
    assert "Digitale Weinprobe" in history and "2.500,00" not in history  # the record stays, the view ends

    assert ask(app, world).status_code == 302  # Meißen may ask again
    assert guests(app) == [("requested", world["meissen"].id, None)]
    meissen = login(app, world["meissen"])
    assert meissen.post(f"/{FUNDING}/teams/guests/{guest_id}/withdraw", data=CONFIRMED).status_code == 302
    assert guests(app)[0][0] == "withdrawn"
    assert dresden.post(f"/{HOME}/teams/joint/{guest_id}/accept").status_code == 409


def test_an_accepted_member_is_removed_by_the_funding_region(app, world):
    ask(app, world)
    guest_id = only_guest_id(app)
    login(app, world["dresden"]).post(f"/{HOME}/teams/joint/{guest_id}/accept")
    meissen = login(app, world["meissen"])
    assert meissen.post(f"/{FUNDING}/teams/guests/{guest_id}/withdraw", data=CONFIRMED).status_code == 302
    with app.app_context(), all_regions():
        guest = db.session.get(MatchGuest, guest_id)
        assert (guest.status, guest.ended_by_id) == (GuestStatus.REMOVED, world["meissen"].id)
    person = login(app, world["studio"].owner)
    assert person.get(f"/{HOME}/teams/joint/{guest_id}").status_code == 404


def test_the_persons_region_may_take_its_person_out_again(app, world):
    ask(app, world)
    guest_id = only_guest_id(app)
    dresden = login(app, world["dresden"])
    dresden.post(f"/{HOME}/teams/joint/{guest_id}/accept")
    assert dresden.post(f"/{HOME}/teams/joint/{guest_id}/remove").status_code == 200  # it asks first
    assert guests(app)[0][0] == "accepted"
    assert dresden.post(f"/{HOME}/teams/joint/{guest_id}/remove", data=CONFIRMED).status_code == 302
    with app.app_context(), all_regions():
        guest = db.session.get(MatchGuest, guest_id)
        assert (guest.status, guest.ended_by_id) == (GuestStatus.REMOVED, world["dresden"].id)


# -- the accepted person works in the team ---------------------------------------------------------------


def test_the_accepted_person_finds_the_match_and_works_in_it_like_a_member(app, world):
    ask(app, world)
    guest_id = only_guest_id(app)
    person = login(app, world["studio"].owner)
    assert person.get(f"/{HOME}/teams/joint/{guest_id}").status_code == 404  # not before the acceptance
    login(app, world["dresden"]).post(f"/{HOME}/teams/joint/{guest_id}/accept")

    home = person.get("/").get_data(as_text=True)
    assert "Digitale Weinprobe" in home and f"/{HOME}/teams/joint/{guest_id}" in home  # on the person's home too
    mine = person.get(f"/{HOME}/matches/mine")
    assert mine.status_code == 302 and mine.headers["Location"].endswith(f"/{HOME}/teams/joint/{guest_id}")
    page = person.get(f"/{HOME}/teams/joint/{guest_id}").get_data(as_text=True)
    assert "Digitale Weinprobe" in page and "Drehbuch abgestimmt" in page

    note = person.post(f"/{HOME}/teams/joined/{guest_id}/journal", data={"body": "Level 1 steht."})
    assert note.status_code == 302
    with app.app_context(), all_regions():
        milestone_id = db.session.scalar(select(Milestone.id))
        entry = db.session.scalar(select(JournalEntry))
        assert (entry.body, entry.author_id) == ("Level 1 steht.", world["studio"].owner.id)
        assert entry.region.slug == FUNDING  # the journal is the funding region's
    done = person.post(f"/{HOME}/teams/joined/{guest_id}/milestones", data={"milestone_id": milestone_id, "done": "1"})
    assert done.status_code == 302
    with app.app_context(), all_regions():
        assert db.session.get(Milestone, milestone_id).done_on is not None
    # Meißen's team page lists the person as a member from another region.
    html = login(app, world["meissen"]).get(f"/{FUNDING}/matches/{world['match'].id}").get_data(as_text=True)
    assert "Games-Studio Dresden" in html


def test_another_person_of_dresden_and_the_umbrella_do_not_work_in_the_team(app, world):
    ask(app, world)
    guest_id = only_guest_id(app)
    login(app, world["dresden"]).post(f"/{HOME}/teams/joint/{guest_id}/accept")
    neighbour = login(app, world["neighbour"].owner)
    assert neighbour.get(f"/{HOME}/teams/joint/{guest_id}").status_code == 404
    assert neighbour.post(f"/{HOME}/teams/joined/{guest_id}/journal", data={"body": "x"}).status_code == 404
    umbrella = login(app, world["umbrella"])
    assert umbrella.get(f"/{HOME}/teams/joint/{guest_id}").status_code == 200  # reads
    assert umbrella.post(f"/{HOME}/teams/joined/{guest_id}/journal", data={"body": "x"}).status_code == 403
    assert umbrella.post(f"/{HOME}/teams/joint/{guest_id}/decline", data=CONFIRMED).status_code == 403
    with app.app_context(), all_regions():
        assert db.session.scalar(select(JournalEntry.id)) is None


# -- the wall --------------------------------------------------------------------------------------------


def test_the_wall_a_third_region_sees_nothing_and_scoped_queries_stay_in_their_region(app, make, world):
    ask(app, world)
    guest_id = only_guest_id(app)
    login(app, world["dresden"]).post(f"/{HOME}/teams/joint/{guest_id}/accept")

    lausitz = login(app, world["lausitz"])
    assert lausitz.get(f"/{THIRD}/teams/joint/{guest_id}").status_code == 404
    assert lausitz.post(f"/{THIRD}/teams/joint/{guest_id}/accept").status_code == 404
    assert lausitz.post(f"/{THIRD}/teams/guests/{guest_id}/withdraw", data=CONFIRMED).status_code == 404
    assert "Digitale Weinprobe" not in lausitz.get(f"/{THIRD}/teams/").get_data(as_text=True)
    assert "Digitale Weinprobe" not in lausitz.get(f"/{THIRD}/matches/").get_data(as_text=True)

    with app.app_context():
        for slug in (HOME, THIRD):  # only the funding region's scope holds the row
            with region_scope(make.regions[slug].id):
                assert db.session.scalars(select(MatchGuest)).all() == []
        with region_scope(make.regions[FUNDING].id):
            assert [g.id for g in db.session.scalars(select(MatchGuest))] == [guest_id]
        db.session.rollback()
        with pytest.raises(TenancyError):  # and no scope at all is refused, as for every scoped model
            db.session.scalars(select(MatchGuest)).all()


def test_dresden_reads_the_match_but_never_books_or_changes_it(app, make, world):
    ask(app, world)
    guest_id = only_guest_id(app)
    dresden = login(app, world["dresden"])
    dresden.post(f"/{HOME}/teams/joint/{guest_id}/accept")
    page = dresden.get(f"/{HOME}/teams/joint/{guest_id}").get_data(as_text=True)
    assert "Digitale Weinprobe" in page and "2.500,00" in page  # members, milestones, budget
    listed = dresden.get(f"/{HOME}/matches/").get_data(as_text=True)
    assert "Digitale Weinprobe" in listed and "Meißen" in listed  # marked: funded by Meißen

    match_id = world["match"].id
    token = make.access_token(world["dresden"]).extra
    booking = {"kind": "payment", "amount": "100.00", "booked_on": "2026-12-01", "purpose": "Honorar"}
    for region in (HOME, FUNDING):
        api = dresden.post(f"/api/v1/regions/{region}/matches/{match_id}/ledger", json=booking, headers=bearer(token))
        assert api.status_code in (403, 404)
        assert dresden.get(f"/{region}/matches/{match_id}").status_code in (403, 404)
    with app.app_context(), all_regions():
        assert db.session.scalars(select(LedgerEntry)).all() == []


# -- figures ---------------------------------------------------------------------------------------------


def test_each_region_counts_its_own_people_and_the_umbrella_sees_matches_across_regions(app, make, world):
    from shared.reports import kpis
    from shared.reports.period import Period

    ask(app, world)
    login(app, world["dresden"]).post(f"/{HOME}/teams/joint/{only_guest_id(app)}/accept")
    # A second Meißen match asks for a Lausitz person, who is declined: it does not count.
    other = make.match(FUNDING, title="Zweites Team")
    declined = make.person(THIRD, "creative", name="Lausitz abgelehnt", visibility="network")
    make.guest(other, declined, status="declined")

    with app.app_context(), app.test_request_context():
        from hub.core.tenancy.registry import active_regions

        regions = active_regions()
        today = berlin_today()
        report = kpis.compute(regions, Period(start=today - timedelta(days=364), end=today, today=today))
        rows = {row["region_slug"]: row for row in report["cross_region"].rows}
        assert (rows[FUNDING]["team_matches"], rows[FUNDING]["team_members_out"]) == (1, 0)
        assert (rows[HOME]["team_matches"], rows[HOME]["team_members_out"]) == (0, 1)
        assert (rows[THIRD]["team_matches"], rows[THIRD]["team_members_out"]) == (0, 0)
        assert report["cross_region"].total["team_matches"] == 1
        matches = {row["region_slug"]: row["total"] for row in report["matches"].rows}
        assert (matches[FUNDING], matches[HOME]) == (2, 0)  # the match is Meißen's only
        headline = {key: value for key, _label, value, _kind in report.headline()}
        assert headline["cross_region_matches"] == 1

    dashboard = login(app, world["umbrella"]).get("/umbrella/dashboard").get_data(as_text=True)
    assert 'id="kpi-cross_region_matches"' in dashboard


# -- who hears of it -----------------------------------------------------------------------------------------


def test_the_other_coordination_hears_of_the_request_and_of_the_answer(app, world):
    from hub.core.mail.models import OutboxMessage
    from hub.notifications.models import Notification

    def told(person) -> list[str]:
        with app.app_context():
            return [
                n.link
                for n in db.session.scalars(
                    select(Notification).where(Notification.user_id == person.id).order_by(Notification.id)
                )
            ]

    ask(app, world)
    guest_id = only_guest_id(app)
    assert [link.endswith(f"/{HOME}/teams/joint/{guest_id}") for link in told(world["dresden"])] == [True]
    assert told(world["lausitz"]) == [] and told(world["meissen"]) == []
    login(app, world["dresden"]).post(f"/{HOME}/teams/joint/{guest_id}/accept")
    assert [
        link.endswith(f"/{FUNDING}/teams/matches/{world['match'].id}/guests") for link in told(world["meissen"])
    ] == [True]
    with app.app_context():
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == world["dresden"].email))
        assert "Games-Studio Dresden" in mail.body and "Digitale Weinprobe" in mail.body


def test_the_api_reads_the_match_as_the_pages_do(app, make, world):
    ask(app, world)
    guest_id = only_guest_id(app)
    dresden = app.test_client()
    headers = bearer(make.access_token(world["dresden"]).extra)
    [listed] = dresden.get(f"/api/v1/regions/{HOME}/teams", headers=headers).get_json()
    assert (listed["id"], listed["status"], listed["funding_region"]) == (guest_id, "requested", FUNDING)
    joint = dresden.get(f"/api/v1/regions/{HOME}/teams/joint/{guest_id}", headers=headers).get_json()
    assert (joint["title"], joint["budget"], joint["journal"]) == ("Digitale Weinprobe", "2500.00", [])
    assert [m["name"] for m in joint["members"]] == [m.name for m in world["match"].members]
    assert dresden.post(f"/api/v1/regions/{HOME}/teams/joint/{guest_id}/decline", headers=headers).status_code == 200
    ended = dresden.get(f"/api/v1/regions/{HOME}/teams/joint/{guest_id}", headers=headers).get_json()
    assert (ended["guest"]["status"], ended["budget"], ended["members"]) == ("declined", None, [])
    lausitz = bearer(make.access_token(world["lausitz"]).extra)
    assert dresden.get(f"/api/v1/regions/{THIRD}/teams/joint/{guest_id}", headers=lausitz).status_code == 404
    assert dresden.get(f"/api/v1/regions/{THIRD}/teams", headers=lausitz).get_json() == []
