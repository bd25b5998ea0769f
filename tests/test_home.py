"""The personal home at / after login: for each role, what needs the person now, each item linking to where it
is done, friendly when there is nothing, never another region's data, and at a fixed number of statements."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import time_machine

from hub.accounts import services as accounts
from hub.accounts.models import User
from hub.core.db import berlin_today, db, utcnow
from hub.core.mail.models import OutboxMessage
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from tests.statements import counted

SOFT_HYPHEN = "\u00ad"


class Page:
    """The home as a person sees it: its sections' words and links."""

    def __init__(self, body: str):
        self.body = body

    def section(self, section_id: str) -> Section:
        found = re.search(rf'<section[^>]*\bid="{section_id}"[^>]*>(.*?)</section>', self.body, re.S)
        assert found, f"no section {section_id!r} on the home"
        return Section(found.group(1))

    @property
    def sections(self) -> list[str]:
        return re.findall(r'<section[^>]*\bid="([^"]+)"', self.body)


class Section:
    def __init__(self, markup: str):
        self.markup = markup
        words = re.sub(r"</?(p|li|ul|ol|h\d|dl|dt|dd|div|section|meter|progress)\b[^>]*>", " ", markup)
        # As shown: a soft hyphen (where a long German word may break on a phone) is invisible.
        self.text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", words)).replace(SOFT_HYPHEN, "").split())
        self.links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', markup)]

    def card(self, title: str) -> Section:
        """The card whose title is ``title`` (from its start to the next card's)."""
        for chunk in re.split(r'(?=<li class="card)', self.markup)[1:]:
            named = re.search(r'class="card-title"[^>]*>(?:<a[^>]*>)?([^<]*)', chunk)
            if named and html.unescape(named.group(1)).replace(SOFT_HYPHEN, "").strip() == title:
                return Section(chunk)
        raise AssertionError(f"no card {title!r} in: {self.text}")

    def row(self, name: str) -> Section:
        """The table row headed by ``name``."""
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", self.markup, re.S):
            if Section(row).cells[:1] == [name]:
                return Section(row)
        raise AssertionError(f"no row {name!r} in: {self.text}")

    @property
    def cells(self) -> list[str]:
        return [Section(cell).text for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", self.markup, re.S)]

    def figure(self, title: str) -> int:
        """The big number on a card."""
        return int(re.search(r'class="figure">(\d+)<', self.card(title).markup).group(1))

    def __contains__(self, words: str) -> bool:
        return words in self.text


@pytest.fixture
def home(client, auth):
    """``home(person)``: log in as the person and open /."""

    def open_as(person) -> Page:
        auth.logout()
        auth.login(person)
        answer = client.get("/")
        assert answer.status_code == 200
        return Page(answer.get_data(as_text=True))

    return open_as


def _join(app, regions, person, region: str, role: Role = Role.PARTICIPANT) -> None:
    """Give a person a role in one more region."""
    with app.app_context(), all_regions():
        accounts.grant_role(db.session.get(User, person.id), role, db.session.merge(regions[region], load=False))
        db.session.commit()


# -- participants ---------------------------------------------------------------------------------------


def test_a_participant_sees_their_next_events_with_their_place_on_the_waiting_list(home, make):
    me = make.person("erzgebirge")
    full = make.event("erzgebirge", title="Fachveranstaltung Digitalisierung", capacity=1)
    make.registration(full, make.participant("erzgebirge"))
    make.registration(full, make.participant("erzgebirge"))  # first on the waiting list
    make.registration(full, me.owner)  # second
    meeting = make.event("erzgebirge", title="Netzwerktreffen Annaberg")
    make.registration(meeting, me.owner)
    make.event("erzgebirge", title="Peer-Learning ohne mich")

    events = home(me.owner).section("events")

    waiting = events.card("Fachveranstaltung Digitalisierung")
    assert waiting.text.endswith("Warteliste: Platz 2")
    assert f"/calendar/events/{full.id}" in waiting.links
    assert "Angemeldet" in events.card("Netzwerktreffen Annaberg")
    assert f"/calendar/events/{meeting.id}" in events.card("Netzwerktreffen Annaberg").links
    assert "Peer-Learning ohne mich" not in events


def test_events_over_and_registrations_cancelled_are_not_next(app, home, make):
    from hub.core.tenancy import region_scope
    from regions.events import services as events_service

    me = make.person("meissen")
    a_month_ago = utcnow() - timedelta(days=30)
    past = make.event("meissen", title="Auftakt im letzten Jahr", start=a_month_ago)
    with time_machine.travel(a_month_ago - timedelta(days=1), tick=False):
        make.registration(past, me.owner)
    cancelled = make.registration(make.event("meissen", title="Abgemeldet"), me.owner)
    with app.app_context(), app.test_request_context(), region_scope(make.regions["meissen"].id):
        from regions.events.models import Registration

        events_service.cancel_registration(db.session.get(Registration, cancelled.id))
        db.session.commit()

    events = home(me.owner).section("events")

    assert "Auftakt im letzten Jahr" not in events and "Abgemeldet" not in events
    assert "Sie sind für keine kommende Veranstaltung angemeldet." in events
    assert "/calendar/?view=list" in events.links


def test_more_than_five_next_events_are_one_tap_away_in_the_calendar(home, make):
    me = make.person("lausitz")
    for n in range(7):
        make.registration(make.event("lausitz", title=f"Treffen {n}", start=utcnow() + timedelta(days=3 + n)), me.owner)

    events = home(me.owner).section("events")

    assert "Treffen 4" in events and "Treffen 5" not in events
    assert "Alle meine Veranstaltungen (7)" in events
    assert "/calendar/?view=list&mine=1" in events.links


def test_ratings_due_link_to_the_rating_page_until_everyone_met_is_rated(home, make):
    evening = make.event("erzgebirge", title="Auftakt Schneeberg", type="kickoff", under_way=True)
    session = make.session("erzgebirge", evening, creatives=2, organisations=2, title="Speed-Dating Schneeberg")
    me, first, second = session.creatives[0], *session.organisations

    due = home(me.owner).section("ratings")
    assert "Speed-Dating Schneeberg" in due and "Noch 2 Personen zu bewerten" in due
    assert f"/erzgebirge/speed-dating/mine/{me.id}" in due.links

    make.rating(session, me, first)
    assert "Noch 1 Person zu bewerten" in home(me.owner).section("ratings")

    make.rating(session, me, second, "rather_not")
    assert "Keine Bewertungen offen." in home(me.owner).section("ratings")


def test_meetings_still_to_come_and_a_passed_deadline_ask_for_no_rating(home, make):
    coming = make.session("meissen", creatives=1, organisations=1, title="Speed-Dating nächste Woche")
    evening = make.event("meissen", type="kickoff", under_way=True)
    closed = make.session(
        "meissen",
        evening,
        creatives=[coming.creatives[0]],
        organisations=1,
        title="Speed-Dating vorbei",
        rating_deadline=utcnow() - timedelta(minutes=30),
    )

    due = home(closed.creatives[0].owner).section("ratings")

    assert "Speed-Dating nächste Woche" not in due and "Speed-Dating vorbei" not in due
    assert "Keine Bewertungen offen." in due


def test_a_participant_sees_their_match_with_its_next_milestone_and_the_budget_left(home, make):
    me = make.person("erzgebirge", "organisation", name="Alte Brauerei")
    partner = make.person("erzgebirge", name="Prozessberatung Muster")
    match = make.match("erzgebirge", creatives=[partner], organisations=[me], title="Onboarding für Ehrenamtliche")
    today = berlin_today()
    make.milestone(match, title="Ist-Stand aufnehmen", due_on=today - timedelta(days=20), done_on=today)
    make.milestone(match, title="Prototyp testen", due_on=today + timedelta(days=30))
    make.milestone(match, title="Abschluss", due_on=today + timedelta(days=90))
    make.ledger_entry(match, "payment", "234.56")
    make.match("erzgebirge", organisations=[me], status="completed", title="Altes Match")

    matches = home(me.owner).section("matches")
    card = matches.card("Onboarding für Ehrenamtliche")

    assert "mit Prozessberatung Muster" in card
    assert "Prototyp testen" in card and "Ist-Stand aufnehmen" not in card and "überfällig" not in card
    assert "2.265,44 € von 2.500,00 €" in card
    assert f"/erzgebirge/matches/{match.id}" in card.links
    assert "Altes Match" not in matches


def test_an_overdue_milestone_is_flagged(home, make):
    me = make.person("dresden")
    match = make.match("dresden", creatives=[me], title="Leerstand beleben")
    make.milestone(match, title="Konzept abstimmen", due_on=berlin_today() - timedelta(days=3))

    card = home(me.owner).section("matches").card("Leerstand beleben")

    assert "Konzept abstimmen" in card and "überfällig" in card


def test_without_a_match_the_home_says_how_matches_come_about(home, make):
    matches = home(make.person("lausitz").owner).section("matches")

    assert "Sie sind noch in keinem Match." in matches
    assert matches.links


def test_contact_requests_waiting_for_an_answer_link_to_where_they_are_answered(home, make):
    me = make.person("erzgebirge", name="Alte Brauerei", visibility="network")
    asking = make.person("lausitz", name="Studio Lausitz", visibility="network")
    answered = make.person("meissen", name="Töpferei Meißen", visibility="network")
    make.contact_request(asking, me, "Wir könnten beim Onboarding helfen.")
    make.contact_request(me, answered)  # sent by me: nothing for me to answer

    contacts = home(me.owner).section("contacts")

    assert "Studio Lausitz" in contacts and "Lausitz" in contacts
    assert "Wir könnten beim Onboarding helfen." in contacts
    assert "Töpferei Meißen" not in contacts
    assert "1 Anfrage beantworten" in contacts and "/contacts/" in contacts.links


def test_unread_messages_are_counted_on_the_home_with_a_link_to_the_conversations(home, make):
    me = make.person("erzgebirge", name="Alte Brauerei", visibility="network")
    lars = make.person("dresden", name="Lars Festival", visibility="network")
    make.conversation(lars, me, (lars.owner, "Guten Tag!"), (lars.owner, "Passt Ihnen Donnerstag?"))

    messages = home(me.owner).section("messages")

    assert "2 ungelesene Nachrichten" in messages and "/conversations/" in messages.links
    assert "Donnerstag" not in messages  # a count, not the text
    assert "messages" not in home(lars.owner).sections  # his own messages are not unread for him


def test_the_unread_messages_card_costs_no_statement_of_its_own(app, client, auth, make):
    """The card reads the header's number (one statement for all the header's counts, hub.notifications)."""
    me = make.person("erzgebirge", visibility="network")
    lars = make.person("dresden", visibility="network")
    talk = make.conversation(lars, me)
    auth.login(me.owner)
    client.get("/")  # the first visit works out the people to meet, once
    quiet = _statements(app, client)
    with app.app_context(), app.test_request_context(), all_regions():
        from shared.conversations import services as conversations

        conversations.send(conversations.thread_of(db.session.get(User, lars.owner.id), talk.id), "Guten Tag!")
        db.session.commit()

    with_card = _statements(app, client)

    assert "1 ungelesene Nachricht" in client.get("/").get_data(as_text=True)
    assert with_card == quiet


def test_an_answered_request_leaves_the_home(app, home, make):
    from shared.contacts import services as contacts_service

    me = make.person("erzgebirge", visibility="network")
    request = make.contact_request(make.person("lausitz", name="Studio Lausitz", visibility="network"), me)
    with app.app_context(), app.test_request_context():
        contacts_service.decide(db.session.get(User, me.owner.id), request.id, True)
        db.session.commit()

    contacts = home(me.owner).section("contacts")

    assert "Studio Lausitz" not in contacts
    assert "Keine Kontaktanfragen warten auf Ihre Antwort." in contacts


def test_the_profile_says_how_complete_it_is_and_links_to_each_missing_field(home, make):
    me = make.person(
        "erzgebirge", "organisation", pitch="Soziokulturelles Zentrum", town="Annaberg-Buchholz", offer_tags=["Räume"]
    )

    profile = home(me.owner).section("profile")

    assert "3 von 7 Angaben gemacht" in profile
    assert "Beschreibung" in profile and "Was Sie suchen" in profile and "Branche" in profile
    assert "/erzgebirge/profile#f-description" in profile.links
    assert "/erzgebirge/profile#f-need_tags" in profile.links and "/erzgebirge/profile#f-sector" in profile.links
    assert "/erzgebirge/profile#f-pitch" not in profile.links
    assert "Nur Ihre Koordination sieht dieses Profil." in profile


def test_without_a_profile_the_home_offers_to_make_one(home, make):
    profile = home(make.participant("meissen")).section("profile")

    assert "Sie haben in dieser Region noch kein Profil" in profile
    assert "/meissen/profile" in profile.links


def test_people_to_meet_and_events_that_fit_what_i_offer_and_need(home, make):
    me = make.person("erzgebirge", "organisation", need_tags=["Onboarding"], offer_tags=["Räume"], visibility="network")
    make.person("lausitz", name="Prozessberatung Muster", offer_tags=["Onboarding"], visibility="network")
    make.person("meissen", name="Raumsuche Meißen", need_tags=["räume"], visibility="network")
    make.person("dresden", name="Ebenfalls Räume", offer_tags=["Räume"], visibility="network")
    make.person("meissen", name="Privates Profil", offer_tags=["Onboarding"])
    make.person("dresden", name="Nur für Dresden", offer_tags=["Onboarding"], visibility="region")
    make.event("lausitz", title="Werkstatt Onboarding für Vereine", audience="network")
    make.event("meissen", title="Onboarding intern", audience="region")
    make.event("dresden", title="Stammtisch", audience="network")

    page = home(me.owner)
    people, fits = page.section("people"), page.section("fits")

    assert "Prozessberatung Muster" in people and "bietet Onboarding – Sie suchen Onboarding" in people
    assert "Raumsuche Meißen" in people and "sucht räume – Sie bieten Räume" in people
    assert "Werkstatt Onboarding für Vereine" in fits
    for absent in ("Ebenfalls Räume", "Privates Profil", "Nur für Dresden"):
        assert absent not in people
    for absent in ("Onboarding intern", "Stammtisch"):
        assert absent not in fits
    assert any(link.startswith("/directory/profiles/") for link in people.links)
    assert "/people/" in people.links
    assert any(link.startswith("/calendar/events/") for link in fits.links)


def test_without_offers_and_needs_the_home_asks_for_them(home, make):
    me = make.person("lausitz")

    people = home(me.owner).section("people")

    assert "Tragen Sie in Ihrem Profil ein, was Sie anbieten und was Sie suchen" in people
    assert "/lausitz/profile#f-offer_tags" in people.links


def test_a_participant_of_two_regions_sees_both(app, regions, home, make):
    me = make.participant("erzgebirge", name="Filmproduktion")
    _join(app, regions, me, "lausitz")
    make.profile("erzgebirge", user=me, name="Filmproduktion Erzgebirge")
    make.profile("lausitz", user=me, name="Filmproduktion Lausitz", pitch="Filme")
    make.registration(make.event("erzgebirge", title="Auftakt Schneeberg"), me)
    make.registration(make.event("lausitz", title="Auftakt Bautzen"), me)

    page = home(me)

    assert "Auftakt Schneeberg" in page.section("events") and "Auftakt Bautzen" in page.section("events")
    profile = page.section("profile")
    assert "0 von 7" in profile.card("Erzgebirge") and "1 von 7" in profile.card("Lausitz")
    assert {"/erzgebirge/profile", "/lausitz/profile"} <= set(profile.links)


def test_another_regions_things_never_appear_on_a_participants_home(home, make):
    me = make.person("erzgebirge", need_tags=["Onboarding"], visibility="network")
    other = make.session("meissen", make.event("meissen", title="Geheimer Auftakt", under_way=True), title="SD Meißen")
    make.match("meissen", creatives=[other.creatives[0]], title="Match Meißen")
    make.event("meissen", title="Treffen nur für Meißen", audience="region")
    make.person("meissen", name="Regionales Profil Meißen", offer_tags=["Onboarding"], visibility="region")

    page = home(me.owner).body

    for marker in ("Geheimer Auftakt", "SD Meißen", "Match Meißen", "Treffen nur für Meißen", "Regionales Profil"):
        assert marker not in page


# -- coordinators ---------------------------------------------------------------------------------------


def test_the_coordination_reaches_its_dashboard_in_one_tap(home, make):
    page = home(make.coordinator("erzgebirge"))

    head = page.section("coordination-erzgebirge")
    assert "/erzgebirge/dashboard" in head.links
    assert "ratings" not in page.sections  # a coordinator is no participant


def test_open_invitations_count_with_a_link_to_the_members(app, home, make):
    make.invitation("erzgebirge")
    make.invitation("erzgebirge")
    with app.app_context(), all_regions():
        from hub.accounts.models import Invitation

        db.session.get(Invitation, make.invitation("erzgebirge").id).revoked_at = utcnow()
        db.session.commit()
    make.invitation("meissen")

    needs = home(make.coordinator("erzgebirge")).section("coordination-erzgebirge")

    assert needs.figure("Offene Einladungen") == 2
    assert "/erzgebirge/members/" in needs.card("Offene Einladungen").links


def test_open_requests_for_access_count_with_a_link_to_answer_them(home, make):
    make.access_request("erzgebirge")
    make.access_request("erzgebirge")
    make.access_request("meissen")

    needs = home(make.coordinator("erzgebirge")).section("coordination-erzgebirge")

    assert needs.figure("Zugangsanfragen") == 2
    assert "/erzgebirge/access-requests/" in needs.card("Zugangsanfragen").links


def test_registrations_of_the_last_seven_days_count_with_a_link_to_the_events(home, make):
    event = make.event("lausitz")
    for _ in range(3):
        make.registration(event, make.participant("lausitz"))
    make.registration(make.event("dresden"), make.participant("dresden"))

    needs = home(make.coordinator("lausitz")).section("coordination-lausitz")

    assert needs.figure("Anmeldungen dieser Woche") == 3
    assert "/lausitz/events/" in needs.card("Anmeldungen dieser Woche").links


def test_overdue_milestones_count_and_link_to_their_match(home, make):
    today = berlin_today()
    match = make.match("erzgebirge", title="Onboarding für Ehrenamtliche")
    make.milestone(match, title="Konzept abstimmen", due_on=today - timedelta(days=2))
    make.milestone(match, title="Erledigt", due_on=today - timedelta(days=9), done_on=today)
    make.milestone(match, title="Später", due_on=today + timedelta(days=9))
    make.milestone(make.match("meissen", title="Match Meißen"), title="Geheim", due_on=today - timedelta(days=2))

    needs = home(make.coordinator("erzgebirge")).section("coordination-erzgebirge")

    assert needs.figure("Überfällige Meilensteine") == 1
    assert "/erzgebirge/matches/" in needs.card("Überfällige Meilensteine").links
    assert "Onboarding für Ehrenamtliche: Meilenstein „Konzept abstimmen“ überfällig seit" in needs
    assert f"/erzgebirge/matches/{match.id}" in needs.links
    assert "Erledigt" not in needs and "Später" not in needs and "Geheim" not in needs


def test_missing_ratings_count_per_session_with_a_link_to_it(home, make):
    session = make.session(
        "erzgebirge", make.event("erzgebirge", under_way=True), creatives=2, organisations=2, title="SD Annaberg"
    )
    make.rating(session, session.creatives[0], session.organisations[0])
    make.session("meissen", make.event("meissen", under_way=True), title="SD Meißen")

    needs = home(make.coordinator("erzgebirge")).section("coordination-erzgebirge")

    assert needs.figure("Fehlende Bewertungen") == 7  # four meetings, two ratings each, one given
    assert "/erzgebirge/speed-dating/" in needs.card("Fehlende Bewertungen").links
    assert "SD Annaberg: 1 von 8 Bewertungen abgegeben" in needs and "SD Meißen" not in needs
    assert f"/erzgebirge/speed-dating/{session.id}" in needs.links


def test_the_budget_left_of_each_running_match(home, make):
    running = make.match("dresden", title="Leerstand beleben")
    make.ledger_entry(running, "commitment", "1000.00")
    make.ledger_entry(running, "payment", "250.00")
    make.match("dresden", title="Abgeschlossen", status="completed")
    make.match("lausitz", title="Match Lausitz")

    budgets = home(make.coordinator("dresden")).section("coordination-dresden")

    card = budgets.card("Leerstand beleben")
    assert "noch 2.250,00 € von 2.500,00 €" in card and "Zugesagt: 1.000,00 €" in card
    assert f"/dresden/matches/{running.id}" in card.links
    assert "Abgeschlossen" not in budgets and "Match Lausitz" not in budgets


def test_e_mails_that_did_not_reach_the_regions_people(app, home, make):
    member = make.participant("erzgebirge", name="Vereinsvorstand", email="vorstand@example.org")
    other = make.participant("meissen", email="meissen@example.org")
    invited = make.invitation("erzgebirge", email="neu@example.org", name="Neue Person")
    with app.app_context():
        now = utcnow()
        for recipient, failed in (
            (member.email, dict(given_up_at=now)),
            (member.email, dict(failing_since=now, attempts=2)),
            (invited.email, dict(given_up_at=now)),
            (other.email, dict(given_up_at=now)),
            (member.email, dict(sent_at=now)),
        ):
            db.session.add(OutboxMessage(recipient=recipient, subject="Hallo", body="…", **failed))
        db.session.commit()

    needs = home(make.coordinator("erzgebirge")).section("coordination-erzgebirge")

    assert needs.figure("Nicht zugestellte E-Mails") == 3
    assert "/erzgebirge/members/" in needs.card("Nicht zugestellte E-Mails").links
    assert "Vereinsvorstand (vorstand@example.org): 2 E-Mails nicht zugestellt, Adresse prüfen" in needs
    assert "Neue Person (neu@example.org): 1 E-Mail nicht zugestellt" in needs
    assert "meissen@example.org" not in needs


def test_a_quiet_region_gets_friendly_words(home, make):
    needs = home(make.coordinator("lausitz")).section("coordination-lausitz")

    assert "Nichts Dringendes: kein Meilenstein ist überfällig, keine Bewertungen fehlen" in needs
    assert "Noch keine laufenden Matches in Ihrer Region." in needs


def test_a_coordinator_of_two_regions_sees_each(app, regions, home, make):
    coordinator = make.coordinator("erzgebirge")
    _join(app, regions, coordinator, "meissen", Role.COORDINATOR)

    page = home(coordinator)

    assert "coordination-erzgebirge" in page.sections and "coordination-meissen" in page.sections
    assert "/meissen/dashboard" in page.section("coordination-meissen").links


# -- the umbrella and admins ------------------------------------------------------------------------------


def test_the_umbrella_sees_the_network_at_a_glance_with_links_to_each_region(home, make):
    match = make.match("lausitz", title="Match Lausitz")  # two people and the region's coordination
    make.ledger_entry(match, "commitment", "500.00")
    make.ledger_entry(match, "payment", "200.00")
    make.match("lausitz", status="proposed")
    make.event("lausitz", title="Kommt noch")

    network = home(make.umbrella()).section("network")

    lausitz = network.row("Lausitz")
    assert lausitz.cells == ["Lausitz", "5", "1", "2.500,00 €", "500,00 €", "2.300,00 €", "1", "Dashboard Lausitz"]
    assert {"/lausitz/", "/lausitz/dashboard"} <= set(lausitz.links)
    assert network.row("Meißen").cells[:3] == ["Meißen", "0", "0"]
    assert network.row("Alle Regionen").cells[1:3] == ["5", "1"]
    assert "/umbrella/dashboard" in network.links


def test_admins_hear_of_e_mails_given_up_the_umbrella_does_not(app, home, make):
    with app.app_context():
        db.session.add(OutboxMessage(recipient="x@example.org", subject="s", body="b", given_up_at=utcnow()))
        db.session.commit()

    assert "/admin/outbox" in home(make.admin()).section("network").links
    assert "/admin/outbox" not in home(make.umbrella()).section("network").links


def test_an_account_without_a_region_is_told_how_to_join(app, home, make):
    person = make.participant("lausitz")
    with app.app_context(), all_regions():
        from hub.accounts.models import Membership

        db.session.execute(Membership.__table__.delete().where(Membership.user_id == person.id))
        db.session.commit()

    page = home(person)

    assert "Sie gehören noch zu keinem regionalen Netzwerk." in page.body


# -- cost ----------------------------------------------------------------------------------------------------


def _statements(app, client) -> int:
    with counted(app) as statements:
        assert client.get("/").status_code == 200
    return len(statements)


def _busy_region(make, region: str, me, n: int) -> None:
    """n of everything a home shows, in a region, around the person ``me`` (a participant with a profile)."""
    today = berlin_today()
    for i in range(n):
        event = make.event(region, title=f"Onboarding-Treffen {i}", audience="network", capacity=1)
        make.registration(event, make.participant(region))
        make.registration(event, me.owner)  # waiting
        session = make.session(region, make.event(region, under_way=True), creatives=[me], organisations=2)
        make.rating(session, session.organisations[0], session.creatives[0])
        match = make.match(region, creatives=[me], title=f"Match {i}")
        make.milestone(match, due_on=today - timedelta(days=1))
        make.ledger_entry(match, "payment", "10.00")
        make.contact_request(make.person("lausitz", visibility="network"), me)
        make.person("dresden", offer_tags=["Onboarding"], visibility="network")
        make.invitation(region)


@pytest.mark.slow
def test_each_home_costs_the_same_few_statements_for_little_and_much(app, client, auth, make):
    me = make.person("erzgebirge", need_tags=["Onboarding"], visibility="network")
    coordinator = make.coordinator("erzgebirge")
    umbrella = make.umbrella()
    counts = {}
    for size in (1, 4):
        _busy_region(make, "erzgebirge", me, 1 if size == 1 else 3)
        counts[size] = {}
        for who in (me.owner, coordinator, umbrella):
            auth.logout()
            auth.login(who)
            client.get("/")  # a participant's first visit works out their people to meet, once
            counts[size][who.email] = _statements(app, client)
    assert counts[1] == counts[4]
    assert all(n <= 25 for n in counts[4].values()), counts[4]
