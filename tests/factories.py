"""Small factories that build test data through the services, each in its own region scope."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from uuid import uuid4

from hub.accounts import services
from hub.core.db import berlin_today, db, utcnow
from hub.core.roles import Role
from hub.core.tenancy import all_regions

PASSWORD = "correct horse battery"


def stored_files(app, prefix: str = "") -> dict[str, bytes]:
    """The files kept in the store (hub.core.storage) under keys starting with ``prefix``, by key."""
    from hub.core.storage import StoredFile

    with app.app_context():
        rows = db.session.execute(
            db.select(StoredFile.key, StoredFile.content)
            .where(StoredFile.key.startswith(prefix))
            .order_by(StoredFile.key)
        )
        return {key: content for key, content in rows}


def tiny_png(color=(200, 80, 40), size=(40, 30)) -> bytes:
    """A small real PNG picture."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def tiny_pdf(text: str = "Konzept") -> bytes:
    """A small real PDF with one empty page."""
    body = [
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj",
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj",
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj",
    ]
    out = b"%PDF-1.4\n% " + text.encode() + b"\n"
    offsets = []
    for obj in body:
        offsets.append(len(out))
        out += obj + b"\n"
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer << /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


_seq = itertools.count(1)


@dataclass
class Made:
    """A plain record of what a factory made, safe to use outside the app context."""

    id: int
    email: str = ""
    name: str = ""
    region: str | None = None
    extra: str = ""
    owner: Made | None = None  # who may legitimately reach it, when not the region's coordination


@dataclass
class MadePerson(Made):
    """A participant: ``id`` is what the maker says (profile, session participant or match member)."""

    profile_id: int = 0


@dataclass
class MadeSession(Made):
    """A speed-dating session with its people (ids: session participants) and meeting ids."""

    event: Made | None = None
    creatives: list[MadePerson] = field(default_factory=list)
    organisations: list[MadePerson] = field(default_factory=list)
    meetings: list[int] = field(default_factory=list)


@dataclass
class MadeMatch(Made):
    """A match with its cohort and members (ids: match members)."""

    cohort: Made | None = None
    members: list[MadePerson] = field(default_factory=list)
    milestone: Made | None = None
    document: Made | None = None
    entry: Made | None = None


class Factory:
    """make.user(), make.coordinator('erzgebirge'), make.invitation('lausitz'), …"""

    def __init__(self, app, regions):
        self.app = app
        self.regions = regions
        self._staff_of: dict[str, Made] = {}  # a coordinator per region for factories that need someone acting
        self._samples: dict[tuple, Made] = {}  # sample worlds shared by several URL arguments

    def _region(self, slug):
        return db.session.merge(self.regions[slug], load=False) if slug else None

    def user(
        self,
        role: Role | str = Role.PARTICIPANT,
        region: str | None = None,
        *,
        name: str | None = None,
        email: str | None = None,
        password: str = PASSWORD,
    ) -> Made:
        role = Role(role)
        n = next(_seq)
        email = email or f"person{n}@example.org"
        name = name or f"Person {n}"
        with self.app.app_context(), all_regions():
            user = services.create_user(email, name, password, role=role, region=self._region(region))
            db.session.commit()
            return Made(id=user.id, email=user.email, name=user.name, region=region)

    def participant(self, region: str, **kw) -> Made:
        return self.user(Role.PARTICIPANT, region, **kw)

    def coordinator(self, region: str, **kw) -> Made:
        return self.user(Role.COORDINATOR, region, **kw)

    def umbrella(self, **kw) -> Made:
        return self.user(Role.UMBRELLA, **kw)

    def admin(self, **kw) -> Made:
        return self.user(Role.ADMIN, **kw)

    def membership(self, region: str, **kw) -> Made:
        """A participant's membership in a region (returns the membership's id)."""
        person = self.participant(region, **kw)
        with self.app.app_context(), all_regions():
            from sqlalchemy import select

            from hub.accounts.models import Membership

            membership = db.session.scalar(select(Membership).where(Membership.user_id == person.id))
            return Made(id=membership.id, email=person.email, name=person.name, region=region)

    def invitation(
        self, region: str, *, email: str | None = None, name: str | None = None, role: Role = Role.PARTICIPANT
    ) -> Made:
        """An open invitation into a region; ``extra`` holds the raw token of its link."""
        n = next(_seq)
        email = email or f"invitee{n}@example.org"
        with self.app.app_context(), self.app.test_request_context(), all_regions():
            invitation, raw = services.invite(self._region(region), email, name or f"Invitee {n}", role, None)
            db.session.commit()
            return Made(id=invitation.id, email=invitation.email, name=invitation.name, region=region, extra=raw)

    def access_request(
        self,
        region: str,
        *,
        name: str | None = None,
        email: str | None = None,
        organisation: str = "",
        message: str = "Wir bauen Möbel aus Altholz und suchen Partner für Ausstellungen.",
    ) -> Made:
        """An open request for access to a region, as a visitor's form leaves it (its coordinators are told)."""
        from hub.core.tenancy import region_scope
        from regions.access_requests import services as access_requests

        n = next(_seq)
        with self.app.app_context(), self.app.test_request_context(), region_scope(self.regions[region].id):
            row = access_requests.record(
                self._region(region),
                name=name or f"Visitor {n}",
                email=email or f"visitor{n}@example.org",
                organisation=organisation,
                message=message,
                consent_version="test",
                locale="de",
            )
            db.session.commit()
            return Made(id=row.id, email=row.email, name=row.name, region=region)

    def profile(
        self,
        region: str,
        *,
        user: Made | None = None,
        name: str | None = None,
        kind: str = "creative",
        visibility: str = "private",
        consent: bool | None = None,
        picture: bool = False,
        **fields,
    ) -> Made:
        """A profile in a region (kept by the coordination unless ``user`` is given)."""
        from hub.accounts.models import User
        from hub.core.tenancy import region_scope
        from regions.profiles import pictures
        from regions.profiles import services as profiles
        from regions.profiles.vocab import ContactVisibility, ProfileKind, Visibility

        n = next(_seq)
        data = {
            "kind": ProfileKind(kind),
            "display_name": name or f"Profile {n}",
            "visibility": Visibility(visibility),
            "contact_visibility": ContactVisibility(fields.pop("contact_visibility", "on_request")),
            "consent": visibility != "private" if consent is None else consent,
            **fields,
        }
        with self.app.app_context(), self.app.test_request_context(), region_scope(self.regions[region].id):
            owner = db.session.get(User, user.id) if user else None
            profile = profiles.create_profile(data, user=owner, acting_user=owner)
            if picture:
                profile.picture = pictures.store_picture(io.BytesIO(tiny_png()))
            db.session.commit()
            return Made(id=profile.id, name=profile.display_name, region=region, email=user.email if user else "")

    def contact_request(self, sender: Made, recipient: Made, message: str = "Hallo, lass uns sprechen!") -> Made:
        """A pending contact request between two profiles that belong to accounts."""
        from hub.accounts.models import User
        from shared.contacts import services as contacts

        with self.app.app_context(), self.app.test_request_context():
            asker = db.session.get(User, sender.owner.id)
            contact = contacts.request_contact(asker, recipient.id, message, sender.id)
            db.session.commit()
            return Made(id=contact.id, region=recipient.region, owner=recipient.owner)

    def accepted_contact(self, sender: Made, recipient: Made, message: str = "Hallo, lass uns sprechen!") -> Made:
        """A contact request the addressee accepted (which opens the two people's conversation)."""
        from hub.accounts.models import User
        from shared.contacts import services as contacts

        contact = self.contact_request(sender, recipient, message)
        with self.app.app_context(), self.app.test_request_context():
            contacts.decide(db.session.get(User, recipient.owner.id), contact.id, True)
            db.session.commit()
        return contact

    def conversation(self, sender: Made, recipient: Made, *messages: tuple[Made, str]) -> Made:
        """The conversation of two people in accepted contact (``owner``: the recipient's account, ``extra``: the
        contact request's id), with messages ``(author's account, text)`` in order."""
        from sqlalchemy import select

        from hub.accounts.models import User
        from shared.conversations import services as conversations
        from shared.conversations.models import Conversation, pair_key

        contact = self.accepted_contact(sender, recipient)
        with self.app.app_context(), self.app.test_request_context(), all_regions():
            key = pair_key(sender.owner.id, recipient.owner.id)
            found = db.session.scalar(select(Conversation).where(Conversation.pair_key == key))
            for author, text in messages:
                thread = conversations.thread_of(db.session.get(User, author.id), found.id)
                conversations.send(thread, text)
                db.session.commit()
            return Made(id=found.id, region=recipient.region, owner=recipient.owner, extra=contact.id)

    def conversation_report(
        self, conversation: Made, reporter: Made, reason: str = "Unfreundliche Nachrichten"
    ) -> Made:
        """A report of the reporter about the other person of the conversation (it goes to that person's region)."""
        from hub.accounts.models import User
        from shared.conversations import services as conversations

        with self.app.app_context(), self.app.test_request_context(), all_regions():
            thread = conversations.thread_of(db.session.get(User, reporter.id), conversation.id)
            report = conversations.report(thread, reason)
            db.session.commit()
            return Made(id=report.id, region=conversation.region)  # the coordination's, not the reporter's

    def event(
        self,
        region: str,
        *,
        title: str | None = None,
        start=None,
        hours: float = 2,
        rrule: str | None = None,
        under_way: bool = False,
        **fields,
    ) -> Made:
        """An event in a region (published, visible to the region unless said otherwise); ``under_way``: it began
        three hours ago and lasts ``hours`` more (a speed-dating at its start is over, registrations still open)."""
        from datetime import UTC, datetime, timedelta

        from hub.core.tenancy import region_scope
        from regions.events import services as events
        from regions.events.vocab import Audience, EventStatus, EventType

        n = next(_seq)
        now = datetime.now(UTC).replace(microsecond=0)
        if under_way:
            start, hours = now - timedelta(hours=3), hours + 3
        start = start or now + timedelta(days=14 + n % 30)
        data = {
            "title": title or f"Event {n}",
            "type": EventType(fields.pop("type", "network_meeting")),
            "audience": Audience(fields.pop("audience", "region")),
            "status": EventStatus(fields.pop("status", "published")),
            **fields,
        }
        with self.app.app_context(), self.app.test_request_context(), region_scope(self.regions[region].id):
            event = events.create_event(data, starts_at=start, ends_at=start + timedelta(hours=hours), rrule=rrule)
            db.session.commit()
            return Made(id=event.id, name=event.title, region=region)

    def registration(self, event: Made, user: Made, answers: dict | None = None) -> Made:
        """Register a person for an event (a place, or the waiting list when full)."""
        from hub.accounts.models import User
        from hub.core.tenancy import region_scope
        from regions.events import services as events

        with self.app.app_context(), self.app.test_request_context(), region_scope(self.regions[event.region].id):
            registration = events.register(events.get_event(event.id), db.session.get(User, user.id), answers)
            db.session.commit()
            return Made(id=registration.id, region=event.region, extra=registration.status.value, owner=user)

    def meeting_setup(self, event: Made, *, tables: int = 2, places=("Foyer",), minutes: int = 20) -> Made:
        """Meetings switched on for an event: ``tables`` tables and the named places, slots of ``minutes``."""
        from hub.core.tenancy import region_scope
        from regions.events.models import Event
        from shared.meetings import setups

        with self.app.app_context(), self.app.test_request_context(), region_scope(self.regions[event.region].id):
            data = {"enabled": True, "slot_minutes": minutes, "table_count": tables, "places": list(places)}
            setup = setups.configure(db.session.get(Event, event.id), data)
            db.session.commit()
            return Made(id=setup.id, region=event.region)

    def meeting(
        self,
        event: Made,
        proposer: MadePerson,
        invitee: MadePerson,
        *,
        slot: int = 0,
        place: str = "Tisch 1",
        note: str = "",
        accept: bool = False,
    ) -> Made:
        """A meeting proposed at an event with meetings (both people registered), accepted if ``accept``;
        ``owner`` is the invited person (who answers it)."""
        from hub.accounts.models import User
        from hub.core.tenancy import all_regions
        from regions.events.models import Event
        from regions.profiles.models import Profile
        from shared.meetings import services as meetings
        from shared.meetings.slots import slots

        with self.app.app_context(), self.app.test_request_context():
            with all_regions():
                the_event = db.session.get(Event, event.id)
                other = db.session.get(Profile, invitee.profile_id or invitee.id)
            start = slots(the_event, meetings.setup_of(event.id))[slot].starts_at
            made = meetings.propose(the_event, db.session.get(User, proposer.owner.id), other, start, place, note)
            if accept:
                meetings.accept(made, db.session.get(User, invitee.owner.id))
            db.session.commit()
            return Made(id=made.id, region=event.region, owner=invitee.owner)

    def access_token(self, user: Made, name: str = "script") -> Made:
        """A personal access token; ``extra`` holds the raw token."""
        with self.app.app_context():
            from hub.accounts.models import User

            token, raw = services.create_access_token(db.session.get(User, user.id), name)
            db.session.commit()
            return Made(id=token.id, name=token.name, region=user.region, extra=raw)

    def login_session(self, user: Made, user_agent: str = "") -> Made:
        """A login session of the person (as if they had logged in); ``extra`` holds its raw id."""
        with self.app.app_context():
            from hub.accounts import sessions
            from hub.accounts.models import User

            account = db.session.get(User, user.id)
            raw = sessions.start_session(account, user_agent=user_agent)
            db.session.commit()
            return Made(id=account.login_session.id, region=user.region, extra=raw)

    def notification(self, user: Made, subject: str = "Eine Mitteilung", link: str = "") -> Made:
        """An in-app notification for a person, made by the notification service (its e-mail goes to the
        outbox too); ``owner`` is the person."""
        from types import SimpleNamespace

        from hub.notifications.services import notify

        with self.app.app_context():
            from hub.accounts.models import User

            invitation = SimpleNamespace(email=subject, name=subject, expires_at=utcnow())
            made = notify(
                db.session.get(User, user.id),
                "members",
                "invitation_expired",
                link=link,
                invitation=invitation,
                region_obj=SimpleNamespace(name=subject),
            )
            db.session.commit()
            return Made(id=made.id, name=made.subject, region=user.region, owner=user)

    def saved_search(self, user: Made, name: str | None = None, notify: bool = True, **query) -> Made:
        """A saved search of the directory (``q`` and filters), made by the action as the person would; ``owner``
        is the person."""
        from hub.accounts.models import User
        from hub.core.actions import Actor
        from shared.saved_searches import actions

        with self.app.app_context(), self.app.test_request_context():
            account = db.session.get(User, user.id)
            search = actions.save_search(Actor(account, None), name=name, notify=notify, **(query or {"q": "Holz"}))
            db.session.commit()
            return Made(id=search.id, name=search.name, region=user.region, owner=user)

    # -- speed-dating, cohorts and matches -------------------------------------------------------------

    def inside(self, region: str):
        """``with make.inside(region):`` an app and request context in the region's scope, as a coordinator's
        request has; uncommitted changes are rolled back at the end. For tests that call services."""
        from contextlib import ExitStack

        from hub.core.tenancy import region_scope

        stack = ExitStack()
        stack.enter_context(self.app.app_context())
        stack.enter_context(self.app.test_request_context())
        stack.enter_context(region_scope(self.regions[region].id))
        stack.callback(db.session.rollback)
        return stack

    def _staff(self, region: str) -> Made:
        """The region's coordinator for factories that need someone acting (made once per factory)."""
        if region not in self._staff_of:
            self._staff_of[region] = self.coordinator(region, name=f"Koordination {region}")
        return self._staff_of[region]

    def cohort(
        self,
        *,
        name: str | None = None,
        starts_on=None,
        ends_on=None,
        funding: str = "2500.00",
        planned_expert_events: int = 3,
    ) -> Made:
        """A cohort (network-wide, no region): about seven months around today unless dates are given."""
        from datetime import timedelta
        from decimal import Decimal

        from hub.cohorts import services as cohorts

        n = next(_seq)
        starts_on = starts_on or berlin_today() - timedelta(days=60)
        ends_on = ends_on or starts_on + timedelta(days=212)
        with self.app.app_context():
            cohort = cohorts.save_cohort(
                None,
                {
                    "name": name or f"Durchgang {n}",
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "funding_per_match": Decimal(funding),
                    "planned_expert_events": planned_expert_events,
                    "description": "",
                },
            )
            db.session.commit()
            return Made(id=cohort.id, name=cohort.name, extra=funding)

    def person(self, region: str, kind: str = "creative", *, name: str | None = None, **fields) -> MadePerson:
        """A participant with an account and a profile of the given kind; ``owner`` is the account."""
        n = next(_seq)
        name = name or f"{'Kreative' if kind == 'creative' else 'Organisation'} {n}"
        account = self.participant(region, name=name)
        profile = self.profile(region, user=account, name=name, kind=kind, **fields)
        return MadePerson(
            id=profile.id, name=name, region=region, email=account.email, owner=account, profile_id=profile.id
        )

    def session(
        self,
        region: str,
        event: Made | None = None,
        *,
        creatives: int | list[MadePerson] = 3,
        organisations: int | list[MadePerson] = 2,
        tables: int = 2,
        generate: bool = True,
        rating_deadline=None,
        mode: str = "everyone",
        title: str | None = None,
    ) -> MadeSession:
        """A speed-dating session at an event: people registered for it (profiles with accounts), taken from
        the registrations, with a generated schedule. People lists hold participants (id: session participant)."""
        from regions.events import services as events
        from regions.speeddating import services as speeddating
        from regions.speeddating.vocab import PairingMode

        n = next(_seq)
        title = title or f"Speed-Dating {n}"
        event = event or self.event(region, title=f"{title} Auftakt", type="kickoff")
        if isinstance(creatives, int):
            creatives = [self.person(region, "creative", name=f"{title} Kreative {i + 1}") for i in range(creatives)]
        if isinstance(organisations, int):
            organisations = [
                self.person(region, "organisation", name=f"{title} Organisation {i + 1}") for i in range(organisations)
            ]
        for person in [*creatives, *organisations]:
            self.registration(event, person.owner)
        with self.inside(region):
            session = speeddating.create_session(
                events.get_event(event.id),
                {"title": title, "tables": tables, "mode": PairingMode(mode), "rating_deadline": rating_deadline},
            )
            speeddating.take_from_registrations(session)
            if generate:
                speeddating.generate_schedule(session)
            db.session.commit()
            place = {p.profile_id: p.id for p in session.participants}
            made = MadeSession(id=session.id, name=title, region=region, event=event)
            for people, side in ((creatives, made.creatives), (organisations, made.organisations)):
                side.extend(
                    MadePerson(
                        id=place[p.profile_id],
                        name=p.name,
                        region=region,
                        email=p.email,
                        owner=p.owner,
                        profile_id=p.profile_id,
                    )
                    for p in people
                )
            made.meetings = [m.id for m in session.meetings]
            return made

    def rating(
        self,
        session: MadeSession,
        rater: MadePerson,
        ratee: MadePerson,
        interest: str = "definitely",
        *,
        note: str | None = None,
        entered_by: Made | None = None,
        now=None,
    ) -> Made:
        """What one participant of a session says about a person they met; by default just after the session's
        last round (a meeting can be rated once it has taken place)."""
        from datetime import timedelta

        from hub.accounts.models import User
        from regions.speeddating import services as speeddating
        from regions.speeddating.models import SessionParticipant
        from regions.speeddating.vocab import Interest

        with self.inside(session.region):
            the_session = speeddating.get_session(session.id)
            rating = speeddating.rate(
                the_session,
                db.session.get(SessionParticipant, rater.id),
                ratee.id,
                Interest(interest),
                note=note,
                entered_by=db.session.get(User, entered_by.id) if entered_by else None,
                now=now or the_session.ends_at + timedelta(minutes=1),
            )
            db.session.commit()
            return Made(id=rating.id, region=session.region, extra=interest)

    def suggestions(self, session: MadeSession, cohort: Made, *, method: str = "optimal", limit: int = 1) -> list[Made]:
        """Run the match suggestions of a session for a cohort; one record per open suggestion."""
        from hub.cohorts.models import Cohort
        from regions.matches import suggesting
        from regions.speeddating import services as speeddating

        with self.inside(session.region):
            made = suggesting.run_suggestions(
                speeddating.get_session(session.id), db.session.get(Cohort, cohort.id), method=method, limit=limit
            )
            db.session.commit()
            return [
                Made(id=s.id, name=f"{s.organisation.display_name} × {s.creative.display_name}", region=session.region)
                for s in made
            ]

    def match(
        self,
        region: str,
        cohort: Made | None = None,
        status: str = "active",
        *,
        title: str | None = None,
        creatives: int | list[MadePerson] = 1,
        organisations: int | list[MadePerson] = 1,
        challenge: str = "",
    ) -> MadeMatch:
        """A match of a cohort (a new cohort unless given) with creative and organisation members who have
        accounts; ``members`` hold the member ids (``profile_id`` and ``owner`` the person)."""
        from hub.accounts.models import User
        from hub.cohorts.models import Cohort
        from regions.matches import services as matches
        from regions.matches.vocab import MatchStatus
        from regions.profiles.models import Profile

        n = next(_seq)
        title = title or f"Match {n}"
        cohort = cohort or self.cohort()
        if isinstance(creatives, int):
            creatives = [self.person(region, "creative", name=f"{title} Kreative {i + 1}") for i in range(creatives)]
        if isinstance(organisations, int):
            organisations = [
                self.person(region, "organisation", name=f"{title} Organisation {i + 1}") for i in range(organisations)
            ]
        people = [*creatives, *organisations]
        coordinator = self._staff(region)
        with self.inside(region):
            the_cohort = db.session.get(Cohort, cohort.id)
            match = matches.create_match(
                the_cohort,
                [(db.session.get(Profile, p.profile_id), None) for p in people],
                title=title,
                challenge=challenge or f"{title}: Herausforderung",
                by=db.session.get(User, coordinator.id),
            )
            today = berlin_today()
            on = today if the_cohort.contains(today) else the_cohort.starts_on
            status = MatchStatus(status)
            if status != MatchStatus.PROPOSED:
                if status != MatchStatus.DISCONTINUED:
                    matches.change_status(match, MatchStatus.ACTIVE, on=on)
                if status != MatchStatus.ACTIVE:
                    matches.change_status(match, status, on=on)
            db.session.commit()
            member_of = {m.profile_id: m.id for m in match.members}
            return MadeMatch(
                id=match.id,
                name=title,
                region=region,
                cohort=cohort,
                members=[
                    MadePerson(
                        id=member_of[p.profile_id],
                        name=p.name,
                        region=region,
                        email=p.email,
                        owner=p.owner,
                        profile_id=p.profile_id,
                    )
                    for p in people
                ],
            )

    def guest(self, match: Made, person: MadePerson, *, status: str = "requested", role: str = "creative") -> Made:
        """A person of another region asked for in a match (by its region's coordination), and, with ``status``
        "accepted" or "declined", answered by the person's region's coordination (regions/teams)."""
        from hub.accounts.models import User
        from hub.core.acting import acting_as
        from hub.core.actions import Actor
        from hub.core.roles import Role
        from regions.matches.vocab import MemberRole
        from regions.teams import actions as teams

        asker = self._staff(match.region)
        with self.inside(match.region), acting_as(asker.id, via="web"):
            record = teams.request_guest(
                Actor(db.session.get(User, asker.id), Role.COORDINATOR),
                match.id,
                profile_id=person.profile_id,
                role=MemberRole(role),
            )
            db.session.commit()
        if status in ("accepted", "declined"):
            decider = self._staff(person.region)
            with self.inside(person.region), acting_as(decider.id, via="web"):
                actor = Actor(db.session.get(User, decider.id), Role.COORDINATOR)
                (teams.accept if status == "accepted" else teams.decline)(actor, record.id)
                db.session.commit()
        return Made(id=record.id, name=person.name, region=person.region, owner=person.owner)

    def milestone(self, match: Made, *, title: str | None = None, due_on=None, done_on=None) -> Made:
        """A milestone of a match, due within the cohort (its last day unless given)."""
        from regions.matches import services as matches

        n = next(_seq)
        with self.inside(match.region):
            the_match = matches.get_match(match.id)
            due_on = due_on or the_match.cohort.ends_on
            milestone = matches.add_milestone(the_match, title or f"Meilenstein {n}", due_on)
            if done_on:
                matches.update_milestone(milestone, the_match, {"done_on": done_on})
            db.session.commit()
            return Made(id=milestone.id, name=milestone.title, region=match.region)

    def document(
        self,
        match: Made,
        *,
        filename: str = "Konzept.pdf",
        data: bytes | None = None,
        is_receipt: bool = False,
        by: Made | None = None,
    ) -> Made:
        """An uploaded document of a match (a small PDF unless ``data`` is given)."""
        from werkzeug.datastructures import FileStorage

        from hub.accounts.models import User
        from regions.matches import documents
        from regions.matches import services as matches

        by = by or self._staff(match.region)
        upload = FileStorage(io.BytesIO(data if data is not None else tiny_pdf()), filename=filename)
        with self.inside(match.region):
            document = documents.store_document(
                matches.get_match(match.id), upload, db.session.get(User, by.id), is_receipt=is_receipt
            )
            db.session.commit()
            return Made(id=document.id, name=document.filename, region=match.region, extra=document.content_type)

    def ledger_entry(
        self,
        match: Made,
        kind: str = "payment",
        amount: str = "100.00",
        *,
        purpose: str | None = None,
        booked_on=None,
        receipt: Made | None = None,
        by: Made | None = None,
    ) -> Made:
        """A commitment or payment booked on a match's funding; ``extra`` holds the amount."""
        from decimal import Decimal

        from hub.accounts.models import User
        from regions.matches import funding
        from regions.matches import services as matches
        from regions.matches.models import MatchDocument
        from regions.matches.vocab import LedgerKind

        by = by or self._staff(match.region)
        with self.inside(match.region):
            entry = funding.add_entry(
                matches.get_match(match.id),
                LedgerKind(kind),
                Decimal(amount),
                booked_on=booked_on or berlin_today(),
                purpose=purpose or f"{kind} {amount}",
                by=db.session.get(User, by.id),
                receipt=db.session.get(MatchDocument, receipt.id) if receipt else None,
            )
            db.session.commit()
            return Made(id=entry.id, name=entry.purpose, region=match.region, extra=amount)


# Samples for the isolation suite ---------------------------------------------------------------
# Each URL argument that names an object (``<int:membership_id>``) maps to a function that makes
# such an object in a given region, carrying a marker text. The isolation suite fills every
# route's arguments from here, so a new route is covered without touching the suite.

SAMPLES = {}


def sample(*arg_names: str):
    """Register a factory of sample objects for URL arguments with these names."""

    def register(fn):
        for name in arg_names:
            SAMPLES[name] = fn
        return fn

    return register


@sample("membership_id")
def _sample_membership(make: Factory, region: str, marker: str) -> Made:
    return make.membership(region, name=f"{marker} member", email=f"{marker.lower()}-m@example.org")


@sample("invitation_id")
def _sample_invitation(make: Factory, region: str, marker: str) -> Made:
    return make.invitation(region, name=f"{marker} invitee", email=f"{marker.lower()}-i@example.org")


@sample("access_request_id")
def _sample_access_request(make: Factory, region: str, marker: str) -> Made:
    """An open request for access, answered by the region's coordination."""
    return make.access_request(
        region,
        name=f"{marker} visitor",
        email=f"{marker.lower()}-visitor@example.org",
        organisation=f"{marker} studio",
        message=f"{marker} offers wood design",
    )


@sample("access_token_id")
def _sample_access_token(make: Factory, region: str, marker: str) -> Made:
    owner = make.participant(region, name=f"{marker} token owner", email=f"{marker.lower()}-t@example.org")
    return make.access_token(owner, name=f"{marker} token")


@sample("login_session_id")
def _sample_login_session(make: Factory, region: str, marker: str) -> Made:
    owner = make.participant(region, name=f"{marker} session owner", email=f"{marker.lower()}-s@example.org")
    return make.login_session(owner)


@sample("profile_id")
def _sample_profile(make: Factory, region: str, marker: str) -> Made:
    """A private profile with a picture, kept by the coordination."""
    return make.profile(region, name=f"{marker} profile", picture=True, pitch=f"{marker} pitch")


@sample("contact_request_id")
def _sample_contact_request(make: Factory, region: str, marker: str) -> Made:
    """A pending request between two network-visible participants of the region; its owner is the addressee."""
    asker = make.participant(region, name=f"{marker} asker", email=f"{marker.lower()}-asker@example.org")
    addressee = make.participant(region, name=f"{marker} addressee", email=f"{marker.lower()}-addr@example.org")
    sender = make.profile(region, user=asker, name=f"{marker} sender profile", visibility="network")
    sender.owner = asker
    recipient = make.profile(region, user=addressee, name=f"{marker} recipient profile", visibility="network")
    recipient.owner = addressee
    return make.contact_request(sender, recipient, message=f"{marker} message text")


@sample("saved_search_id")
def _sample_saved_search(make: Factory, region: str, marker: str) -> Made:
    """A saved search of a region's member, named with the marker; only they may open or change it."""
    owner = make.participant(region, name=f"{marker} seeker", email=f"{marker.lower()}-seek@example.org")
    return make.saved_search(owner, name=f"{marker} search", q=f"{marker} words")


def _marker_conversation(make: Factory, region: str, marker: str) -> Made:
    """Two network-visible participants of the region in accepted contact, with one message each way."""

    def build():
        people = []
        for role in ("writer", "reader"):
            account = make.participant(region, name=f"{marker} {role}", email=f"{marker.lower()}-{role}@example.org")
            profile = make.profile(region, user=account, name=f"{marker} {role} profile", visibility="network")
            profile.owner = account
            people.append(profile)
        writer, reader = people
        return make.conversation(
            writer, reader, (writer.owner, f"{marker} first message"), (reader.owner, f"{marker} answer")
        )

    return _shared(make, ("conversation", region, marker), build)


@sample("conversation_id")
def _sample_conversation(make: Factory, region: str, marker: str) -> Made:
    """A conversation between two participants of the region; only they may read or write in it."""
    return _marker_conversation(make, region, marker)


@sample("contact_id")
def _sample_accepted_contact(make: Factory, region: str, marker: str) -> Made:
    """An accepted contact request (the conversation's); its owner, the addressee, may open the conversation."""
    conversation = _marker_conversation(make, region, marker)
    return Made(id=int(conversation.extra), region=region, owner=conversation.owner)


@sample("conversation_report_id")
def _sample_conversation_report(make: Factory, region: str, marker: str) -> Made:
    """An open report about a participant of the region, by their conversation partner."""
    conversation = _marker_conversation(make, region, marker)
    return make.conversation_report(conversation, conversation.owner, reason=f"{marker} report reason")


@sample("notification_id")
def _sample_notification(make: Factory, region: str, marker: str) -> Made:
    """A notification of a region's member; only they may open it."""
    owner = make.participant(region, name=f"{marker} notified", email=f"{marker.lower()}-n@example.org")
    return make.notification(owner, subject=f"{marker} notice")


@sample("event_id")
def _sample_event(make: Factory, region: str, marker: str) -> Made:
    """A draft region-only event with a question (drafts are the coordination's alone)."""
    return make.event(
        region,
        title=f"{marker} event",
        status="draft",
        capacity=10,
        description=f"{marker} description",
        questions=[{"key": "q1", "label": "Org?", "required": False}],
    )


@sample("registration_id")
def _sample_registration(make: Factory, region: str, marker: str) -> Made:
    """A registration of a region member for a published event of the region."""
    person = make.participant(region, name=f"{marker} attendee", email=f"{marker.lower()}-reg@example.org")
    event = make.event(region, title=f"{marker} open event", capacity=5)
    registration = make.registration(event, person)
    registration.owner = None  # reached by the region's coordination, not by the attendee
    return registration


@sample("event_meeting_id")
def _sample_event_meeting(make: Factory, region: str, marker: str) -> Made:
    """A meeting proposed at a fair of the region with meetings on, its note naming the marker; the proposer also
    has an accepted meeting in the next slot (so every table of the feature holds a row). Its owner is the invited
    person: they may accept or decline it; the proposer's withdrawal and a cancellation are refused to them."""
    from datetime import UTC, datetime, timedelta

    start = (datetime.now(UTC) + timedelta(days=30)).replace(hour=15, minute=0, second=0, microsecond=0)
    event = make.event(region, title=f"{marker} fair", start=start, hours=2)
    people = [
        make.person(region, name=f"{marker} {role}", visibility="region") for role in ("proposer", "invitee", "third")
    ]
    for person in people:
        make.registration(event, person.owner)
    make.meeting_setup(event)
    proposer, invitee, third = people
    make.meeting(event, proposer, third, slot=1, note=f"{marker} accepted note", accept=True)
    return make.meeting(event, proposer, invitee, slot=0, note=f"{marker} meeting note")


# Speed-dating and matches: the samples of one kind share one world per region (a session, a match),
# made once per marker, so that the isolation suite builds it only once per test.


def _shared(make: Factory, key: tuple, build):
    if key not in make._samples:
        make._samples[key] = build()
    return make._samples[key]


def _marker_session(make: Factory, region: str, marker: str) -> MadeSession:
    """A generated session without ratings (the schedule may still change), people named with the marker."""
    return _shared(make, ("session", region, marker), lambda: make.session(region, title=f"{marker} session"))


def _marker_match(make: Factory, region: str, marker: str) -> MadeMatch:
    """An active match with two creatives, a milestone, a plain document and a payment."""

    def build():
        match = make.match(region, title=f"{marker} match", creatives=2)
        match.milestone = make.milestone(match, title=f"{marker} milestone")
        match.document = make.document(match, filename=f"{marker}-konzept.pdf")
        match.entry = make.ledger_entry(match, amount="120.00", purpose=f"{marker} purpose")
        return match

    return _shared(make, ("match", region, marker), build)


@sample("session_id")
def _sample_session(make: Factory, region: str, marker: str) -> Made:
    """A session of the region, kept by the coordination."""
    return _marker_session(make, region, marker)


@sample("participant_id")
def _sample_participant(make: Factory, region: str, marker: str) -> Made:
    """A creative of a session; its owner is the creative's account (their own schedule and ratings)."""
    return _marker_session(make, region, marker).creatives[0]


@sample("meeting_id")
def _sample_meeting(make: Factory, region: str, marker: str) -> Made:
    session = _marker_session(make, region, marker)
    return Made(id=session.meetings[0], name=session.name, region=region)


@sample("part")
def _sample_print_part(make: Factory, region: str, marker: str) -> Made:
    """Not an object: which printable of a schedule (the master plan)."""
    return Made(id="master", region=region)  # type: ignore[arg-type]


@sample("fmt")
def _sample_format(make: Factory, region: str, marker: str) -> Made:
    """Not an object: the format of a printable (HTML; the PDF is tested in its own module)."""
    return Made(id="html", region=region)  # type: ignore[arg-type]


@sample("suggestion_id")
def _sample_suggestion(make: Factory, region: str, marker: str) -> Made:
    """An open suggestion: one creative and one organisation who both said "definitely"."""
    session = make.session(region, title=f"{marker} rated session", creatives=1, organisations=1, tables=1)
    creative, organisation = session.creatives[0], session.organisations[0]
    make.rating(session, creative, organisation, "definitely")
    make.rating(session, organisation, creative, "definitely")
    [suggestion] = make.suggestions(session, make.cohort(name=f"Durchgang {region} {uuid4().hex[:8]}"))
    return suggestion


@sample("match_id")
def _sample_match(make: Factory, region: str, marker: str) -> Made:
    return _marker_match(make, region, marker)


@sample("member_id")
def _sample_member(make: Factory, region: str, marker: str) -> Made:
    """The second creative of a match: removing them leaves a valid match (the coordination's task)."""
    member = _marker_match(make, region, marker).members[1]
    return Made(id=member.id, name=member.name, region=region)


@sample("milestone_id")
def _sample_milestone(make: Factory, region: str, marker: str) -> Made:
    return _marker_match(make, region, marker).milestone


@sample("document_id")
def _sample_document(make: Factory, region: str, marker: str) -> Made:
    """A plain document (not a receipt), so that it may be deleted."""
    return _marker_match(make, region, marker).document


@sample("entry_id")
def _sample_ledger_entry(make: Factory, region: str, marker: str) -> Made:
    return _marker_match(make, region, marker).entry


@sample("cohort_id")
def _sample_cohort(make: Factory, region: str, marker: str) -> Made:
    """A cohort: network-wide, so the region only tells the two samples apart."""
    return make.cohort(name=f"{marker} cohort")


# Teams across regions: a sample of region X is a request or membership seen from X. For ``guest_id`` X funds
# the match (the person is of a third region); for ``joint_id`` and ``joined_id`` the person is of X and the
# match of a third region, so that neither sample's other region is the suite's home or foreign region.
THIRD = {"erzgebirge": "lausitz", "meissen": "dresden"}


def _cross_person(make: Factory, region: str, marker: str, what: str) -> MadePerson:
    return make.person(region, "creative", name=f"{marker} {what}", visibility="network")


@sample("guest_id")
def _sample_guest(make: Factory, region: str, marker: str) -> Made:
    """A person of a third region asked for in a match of the region (the coordination withdraws it)."""
    match = make.match(region, title=f"{marker} crossing match")
    guest = make.guest(match, _cross_person(make, THIRD.get(region, "lausitz"), marker, "guest of another region"))
    guest.owner = None  # the funding region's coordination withdraws it
    guest.extra = str(match.id)  # the match, whose page of people of other regions shows the request
    return guest


@sample("joint_id")
def _sample_joint(make: Factory, region: str, marker: str) -> Made:
    """A request of a third region's match for a person of the region, waiting for the region's coordination."""
    match = make.match(THIRD.get(region, "lausitz"), title=f"{marker} joint match")
    guest = make.guest(match, _cross_person(make, region, marker, "asked person"))
    guest.owner = None  # decided by the region's coordination
    return guest


@sample("joined_id")
def _sample_joined(make: Factory, region: str, marker: str) -> Made:
    """An accepted membership of a person of the region in a third region's match; its owner is the person."""
    match = make.match(THIRD.get(region, "lausitz"), title=f"{marker} joined match")
    make.milestone(match, title=f"{marker} joined milestone")
    return make.guest(match, _cross_person(make, region, marker, "joined person"), status="accepted")
