"""The journeys of each role through the hub in a real browser (issue 17), as plain functions over a `Run`.

A journey does what a person does — taps links, fills forms by their fields' names, follows the link of an
e-mail in the outbox — and asserts what must have happened. On every page it stops at (`run.look(tab, name)`)
it runs the page checks of tests/browser/harness.py and keeps their findings under the page's name; the tests
in test_journeys.py assert them one by one, so that a single check of a single page can be marked as not yet
passing. Every page a journey looks at is declared in its `pages`, in order.

People and texts are fixed (no running numbers), so that widths do not change from run to run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from flask import url_for
from sqlalchemy import select

from hub.core.db import berlin_today, db
from hub.core.mail.models import OutboxMessage
from hub.core.tenancy import all_regions
from tests.browser.harness import PageReport, Tab, check_page
from tests.factories import PASSWORD

HOME, OTHER = "erzgebirge", "meissen"

# The access requests (regions/access_requests): the visitor's form and the coordination's list.
ACCESS_ASK = "region.access.ask"  # GET /<region>/join: name, email, organisation, message, consent
ACCESS_LIST = "region.access.index"  # GET /<region>/access-requests/: a form …/accept per request


@dataclass
class Journey:
    name: str
    run: Callable[[Run], None]
    pages: tuple[str, ...]  # role-page, in the order the journey looks at them
    taps: tuple[str, ...] = ()  # what must be one tap away, in the order the journey asks (Run.one_tap)


JOURNEYS: dict[str, Journey] = {}


def journey(name: str, pages: tuple[str, ...], taps: tuple[str, ...] = ()):
    def register(fn):
        JOURNEYS[name] = Journey(name, fn, pages, taps)
        return fn

    return register


@dataclass
class Run:
    """One journey at one width: the browser, the hub's address, the test factories and what the checks found."""

    journey: Journey
    width: str
    browser: object
    base: str
    app: object
    make: object
    pages: dict[str, PageReport] = field(default_factory=dict)
    taps: dict[str, list[str]] = field(default_factory=dict)
    tabs: list[Tab] = field(default_factory=list)

    def tab(self, email: str | None = None) -> Tab:
        """A new person's tab at the run's width, logged in when an e-mail is given."""
        tab = Tab(self.browser, self.base, self.width, password=PASSWORD)
        self.tabs.append(tab)
        if email:
            tab.login(email)
        return tab

    def look(self, tab: Tab, page: str) -> None:
        """Check the tab's page and keep the findings as `page` (declared in the journey's pages)."""
        assert page in self.journey.pages, f"{page} is not among the pages of journey {self.journey.name}"
        assert page not in self.pages, f"{page} looked at twice"
        self.pages[page] = check_page(tab)

    def one_tap(self, tab: Tab, what: str, path: str) -> None:
        """Keep as `what` (declared in the journey's taps) whether the tab's page shows a link to `path`: a visible
        one, so not inside a closed menu."""
        assert what in self.journey.taps, f"{what} is not among the taps of journey {self.journey.name}"
        shown = tab.page.evaluate(
            """() => Array.from(document.querySelectorAll('a[href]'))
                 .filter(a => a.checkVisibility({visibilityProperty: true, opacityProperty: true}))
                 .filter(a => { const r = a.getBoundingClientRect(); return r.width > 1 && r.height > 1; })
                 .map(a => new URL(a.href).pathname)"""
        )
        self.taps[what] = [] if path in shown else [f"no visible link on {tab.path} to {path}"]

    def url(self, endpoint: str, **values) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    def scalar(self, statement):
        with self.app.app_context(), all_regions():
            return db.session.scalar(statement)

    def scalars(self, statement) -> list:
        with self.app.app_context(), all_regions():
            rows = db.session.scalars(statement).all()
            db.session.expunge_all()
            return rows

    def mail_link(self, recipient: str, path: str) -> str:
        """The path of the first link to `path` in the last e-mail to `recipient` (the outbox is the mail capture)."""
        mails = self.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
        )
        assert mails, f"no e-mail to {recipient}"
        found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", mails[-1].body)
        assert found, mails[-1].body
        return found.group(1)

    def close(self) -> None:
        for tab in self.tabs:
            tab.close()

    def problems(self) -> list[str]:
        """CSP refusals and script errors on any tab of the run."""
        return [p for tab in self.tabs for p in tab.problems]


def _local(days: int, hour: int) -> str:
    """A datetime-local field's value: `days` from today at `hour` o'clock (the form's time zone is Berlin's)."""
    return f"{berlin_today() + timedelta(days=days):%Y-%m-%d}T{hour:02d}:00"


# -- the personal home: what each role needs is one tap away --------------------------------------------------


@journey(
    "home",
    pages=("participant-home", "coordinator-home"),
    taps=("participant-match", "participant-next-event", "participant-ratings", "coordinator-dashboard"),
)
def personal_home(run: Run) -> None:
    make = run.make
    coordinator = make.coordinator(HOME, name="Koordination Erzgebirge", email="koordination@erzgebirge.example")
    person = make.person(HOME, "organisation", name="Soziokulturelles Zentrum Alte Brauerei")
    match = make.match(HOME, title="Alte Brauerei × Prozessberatung: Onboarding", organisations=[person])
    make.milestone(match, title="Onboarding-Prozess entworfen")
    coming = make.event(HOME, title="Fachveranstaltung Digitalisierung", type="expert")
    make.registration(coming, person.owner)
    evening = make.event(HOME, title="Auftakt Erzgebirge in Schneeberg", type="kickoff", under_way=True)
    session = make.session(
        HOME, evening, creatives=1, organisations=[person], tables=1, title="Speed-Dating Schneeberg"
    )

    phone = run.tab(person.email)
    phone.open("/")
    run.look(phone, "participant-home")
    run.one_tap(phone, "participant-match", run.url("region.matches.show", region=HOME, match_id=match.id))
    run.one_tap(phone, "participant-next-event", run.url("calendar.event", event_id=coming.id))
    rating = run.url("region.speeddating.participation", region=HOME, participant_id=session.organisations[0].id)
    run.one_tap(phone, "participant-ratings", rating)

    office = run.tab(coordinator.email)
    office.open("/")
    run.look(office, "coordinator-home")
    run.one_tap(office, "coordinator-dashboard", run.url("reports.region_dashboard", region=HOME))


# -- (a) invite → accept → complete the profile → found in the directory by another region → contact ---------


@journey(
    "invite",
    pages=(
        "coordinator-members",
        "invitee-invitation",
        "invitee-own-profile",
        "searcher-directory",
        "searcher-directory-results",
        "searcher-directory-profile",
        "invitee-contacts",
    ),
)
def invite_and_contact(run: Run) -> None:
    make = run.make
    coordinator = make.coordinator(HOME, name="Koordination Erzgebirge", email="koordination@erzgebirge.example")
    searcher = make.participant(OTHER, name="Porzellanmalerei Meißen", email="porzellan@meissen.example")
    make.profile(OTHER, user=searcher, name="Porzellanmalerei Meißen", kind="organisation", visibility="network")
    invitee_email = "klangholz@erzgebirge.example"

    office = run.tab(coordinator.email)
    office.open(run.url("region.members.index", region=HOME))
    run.look(office, "coordinator-members")
    invite = office.form("/members/invitations")
    invite.locator("[name=email]").fill(invitee_email)
    invite.locator("[name=name]").fill("Klangholz Werkstatt")
    office.submit(invite)

    invitee = run.tab()
    invitee.open(run.mail_link(invitee_email, "/invitations/"))
    run.look(invitee, "invitee-invitation")
    accept = invitee.page.locator("main form").filter(has=invitee.page.locator("[name=password]"))
    accept.locator("[name=password]").fill(PASSWORD)
    accept.locator("[name=password_confirm]").fill(PASSWORD)
    invitee.submit(accept)
    assert invitee.path.startswith(f"/{HOME}"), f"after accepting: {invitee.path}"

    invitee.open(run.url("region.profiles.own", region=HOME))
    run.look(invitee, "invitee-own-profile")
    profile = invitee.page.locator("main form").filter(has=invitee.page.locator("[name=display_name]"))
    profile.locator("[name=kind][value=creative]").check()
    profile.locator("[name=display_name]").fill("Klangholz Werkstatt")
    profile.locator("[name=pitch]").fill("Wir bauen Instrumente aus Holz aus dem Erzgebirge und suchen Partner.")
    profile.locator("[name=offer_tags]").fill("Instrumentenbau, Holzbearbeitung")
    profile.locator("[name=town]").fill("Schneeberg")
    profile.locator("[name=visibility][value=network]").check()
    profile.locator("[name=consent]").check()
    invitee.submit(profile)

    seeker = run.tab(searcher.email)
    seeker.open(run.url("directory.index"))
    run.look(seeker, "searcher-directory")
    search = seeker.page.locator("main form[role=search], main form:has([name=q])").first
    search.locator("[name=q]").fill("Instrumentenbau")
    seeker.submit(search)
    run.look(seeker, "searcher-directory-results")
    seeker.tap(seeker.page.get_by_role("link", name="Klangholz Werkstatt").first)
    assert "/directory/profiles/" in seeker.path, seeker.path
    run.look(seeker, "searcher-directory-profile")
    ask = seeker.form("/contact")
    ask.locator("[name=message]").fill("Guten Tag, wir suchen Holzbauer für eine Ausstellung in Meißen.")
    seeker.submit(ask)

    invitee.open(run.url("contacts.contact_list"))
    run.look(invitee, "invitee-contacts")
    invitee.submit_confirmed("/accept")
    from shared.contacts.models import ContactRequest

    statuses = [c.status.value for c in run.scalars(select(ContactRequest))]
    assert statuses == ["accepted"], statuses


# -- (b) publish an event → register → full → waiting list → a cancellation moves the waiting list ------------


@journey(
    "events",
    pages=(
        "coordinator-events",
        "coordinator-new-event",
        "coordinator-registrations",
        "participant-calendar",
        "participant-event",
        "waiting-event-full",
        "waiting-event-waiting-list",
        "coordinator-registrations-full",
    ),
)
def publish_register_wait(run: Run) -> None:
    from regions.events.models import Event, Registration

    make = run.make
    coordinator = make.coordinator(HOME, name="Koordination Erzgebirge", email="koordination@erzgebirge.example")
    first = make.participant(
        HOME, name="Soziokulturelles Zentrum Alte Brauerei", email="alte-brauerei@erzgebirge.example"
    )
    second = make.participant(HOME, name="Prozessberatung Muster", email="prozessberatung@erzgebirge.example")

    office = run.tab(coordinator.email)
    office.open(run.url("region.events.index", region=HOME))
    run.look(office, "coordinator-events")
    office.follow("/events/new")
    run.look(office, "coordinator-new-event")
    form = office.page.locator("main form").filter(has=office.page.locator("[name=title]"))
    form.locator("[name=title]").fill("Werkstattabend: Onboarding für Ehrenamtliche")
    form.locator("[name=type]").select_option("network_meeting")
    form.locator("[name=starts_at]").fill(_local(10, 18))
    form.locator("[name=ends_at]").fill(_local(10, 20))
    form.locator("[name=venue]").fill("Alte Brauerei, Annaberg-Buchholz")
    form.locator("[name=capacity]").fill("1")
    form.locator("[name=status][value=published]").check()
    office.submit(form)
    event_id = run.scalar(select(Event.id))
    assert event_id and "/registrations" in office.path, office.path
    run.look(office, "coordinator-registrations")

    event_page = run.url("calendar.event", event_id=event_id)
    participant = run.tab(first.email)
    participant.open(run.url("calendar.index"))
    run.look(participant, "participant-calendar")
    participant.open(event_page)
    run.look(participant, "participant-event")
    participant.submit(participant.form("/register"))

    waiting = run.tab(second.email)
    waiting.open(event_page)
    run.look(waiting, "waiting-event-full")
    waiting.submit(waiting.form("/register"))
    run.look(waiting, "waiting-event-waiting-list")

    def statuses():
        rows = run.scalars(select(Registration).order_by(Registration.id))
        return [(r.user_id, r.status.value) for r in rows]

    assert statuses() == [(first.id, "registered"), (second.id, "waitlisted")]
    participant.open(event_page)
    participant.submit_confirmed("/cancel")
    assert statuses() == [(first.id, "cancelled"), (second.id, "registered")], "the waiting list did not move"

    office.open(run.url("region.events.registrations", region=HOME, event_id=event_id))
    run.look(office, "coordinator-registrations-full")


# -- (c) speed-dating evening → rate on a phone → suggestions → match → milestone → expense ------------------


@journey(
    "speeddating",
    pages=(
        "coordinator-evening",
        "participant-my-speed-dating",
        "participant-rating",
        "coordinator-suggestions",
        "coordinator-suggestions-made",
        "coordinator-match",
        "coordinator-match-booked",
    ),
)
def rate_and_match(run: Run) -> None:
    from regions.matches.models import LedgerEntry, Match, Milestone
    from regions.speeddating.models import Rating

    make = run.make
    coordinator = make.coordinator(HOME, name="Koordination Erzgebirge", email="koordination@erzgebirge.example")
    cohort = make.cohort(name="CIMIS II 2024/25")
    evening = make.event(HOME, title="Auftakt Erzgebirge in Schneeberg", type="kickoff", under_way=True)
    session = make.session(HOME, evening, creatives=2, organisations=2, tables=2, title="Speed-Dating Schneeberg")
    rater = session.creatives[0]
    for organisation in session.organisations:
        for creative in session.creatives:
            make.rating(session, organisation, creative, "definitely")

    office = run.tab(coordinator.email)
    office.open(run.url("region.speeddating.show", region=HOME, session_id=session.id))
    run.look(office, "coordinator-evening")

    phone = run.tab(rater.email)
    phone.open(run.url("region.speeddating.index", region=HOME))
    run.look(phone, "participant-my-speed-dating")
    phone.follow(f"/speed-dating/mine/{rater.id}")
    run.look(phone, "participant-rating")
    form = phone.page.locator("main form").filter(has=phone.page.locator("input[type=radio]"))
    # the answers are big buttons: the label is what a thumb taps (the radio inside it is only visually hidden)
    for answer in form.locator("label:has(input[type=radio][value=definitely]:enabled)").all():
        answer.click()
        assert answer.locator("input").is_checked()
    phone.submit(form)
    rated = run.scalars(select(Rating).where(Rating.rater_id == rater.id))
    assert len(rated) == 2, f"{len(rated)} ratings saved"

    office.open(run.url("region.matches.suggestions", region=HOME, session_id=session.id))
    run.look(office, "coordinator-suggestions")
    suggest = office.page.locator("main form").filter(has=office.page.locator("[name=method]")).first
    suggest.locator("[name=cohort_id]").select_option(str(cohort.id))
    office.submit(suggest)
    run.look(office, "coordinator-suggestions-made")
    office.submit_confirmed("/accept")
    match_id = run.scalar(select(Match.id))
    assert match_id and f"/matches/{match_id}" in office.path, office.path
    run.look(office, "coordinator-match")

    milestone = office.form("/milestones")
    milestone.locator("[name=title]").fill("Onboarding-Prozess für Ehrenamtliche entworfen")
    milestone.locator("[name=due_on]").fill(f"{berlin_today() + timedelta(days=30):%Y-%m-%d}")
    office.submit(milestone)
    book = office.form("/ledger")
    book.locator("[name=kind][value=payment]").check()
    book.locator("[name=amount]").fill("450,00")
    book.locator("[name=purpose]").fill("Material für den Workshop mit den Ehrenamtlichen")
    office.submit(book)
    assert [m.title for m in run.scalars(select(Milestone))] == ["Onboarding-Prozess für Ehrenamtliche entworfen"]
    assert [e.amount for e in run.scalars(select(LedgerEntry))] == [Decimal("450.00")]
    run.look(office, "coordinator-match-booked")


# -- (d) umbrella → dashboard → funder report ------------------------------------------------------------------


@journey("umbrella", pages=("umbrella-home", "umbrella-regions", "umbrella-dashboard"))
def umbrella_report(run: Run) -> None:
    make = run.make
    umbrella = make.umbrella(name="Dachprojekt CIMIS II", email="dachprojekt@cimis.example")
    cohort = make.cohort(name="CIMIS II 2024/25")
    match = make.match(HOME, cohort, title="Alte Brauerei × Prozessberatung: Onboarding")
    make.milestone(match, title="Onboarding-Prozess entworfen")
    make.ledger_entry(match, "payment", "450.00", purpose="Material")
    make.event(HOME, title="Fachveranstaltung Digitalisierung", type="expert")

    reader = run.tab(umbrella.email)
    reader.open("/")
    run.look(reader, "umbrella-home")
    reader.open(run.url("core.umbrella"))
    run.look(reader, "umbrella-regions")
    reader.follow(run.url("reports.umbrella_dashboard", cohort=cohort.id))
    run.look(reader, "umbrella-dashboard")
    report = reader.page.locator(f'main a[href$="{run.url("reports.umbrella_funder_report", cohort_id=cohort.id)}"]')
    assert report.count(), "the dashboard links to the funder report"
    pdf = reader.context.request.get(run.base + report.first.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"].startswith("application/pdf"), pdf.status
    assert pdf.body().startswith(b"%PDF")


# -- (e) visitor → landing → request access (→ the coordination accepts → an invitation goes out) -------------


@journey(
    "access", pages=("visitor-landing", "visitor-request-access", "visitor-request-sent", "coordinator-access-requests")
)
def request_access(run: Run) -> None:
    make = run.make
    coordinator = make.coordinator(HOME, name="Koordination Erzgebirge", email="koordination@erzgebirge.example")
    make.event(HOME, title="Offene Werkstatt: Kreative treffen Unternehmen", audience="public")
    email = "besucherin@example.org"

    visitor = run.tab()
    visitor.open("/")
    run.look(visitor, "visitor-landing")
    ask = run.url(ACCESS_ASK, region=HOME)  # a BuildError here: the feature has not landed yet
    visitor.follow(ask)
    run.look(visitor, "visitor-request-access")
    form = visitor.page.locator("main form").filter(has=visitor.page.locator("[name=message]"))
    form.locator("[name=name]").fill("Textilgestaltung Muster")
    form.locator("[name=email]").fill(email)
    form.locator("[name=message]").fill(
        "Ich gestalte Stoffe und suche Betriebe im Erzgebirge für ein gemeinsames Projekt."
    )
    form.locator("[name=consent]").check()
    visitor.submit(form)
    assert not visitor.page.locator("main .form-errors").count(), visitor.text()
    run.look(visitor, "visitor-request-sent")

    office = run.tab(coordinator.email)
    office.open(run.url(ACCESS_LIST, region=HOME))
    run.look(office, "coordinator-access-requests")
    office.submit_confirmed("/accept")
    assert run.mail_link(email, "/invitations/"), "the invitation goes out to the person who asked"


# The journeys of issue 18 live beside this module (each file stays readable); importing them registers them.
from tests.browser import journeys_network  # noqa: E402, F401
