"""A generated network of the four regions, written down as plain records for an independent count.

`build_network(app, seed, now)` makes users with memberships, profiles, events with registrations, contact
requests, two cohorts, matches and milestones straight through the ORM, from a seeded random generator, and
writes down what it made in plain records (dicts). The data is varied on purpose: members of two regions and
people of none, archived profiles, submarket codes from before the vocabulary, drafts and cancelled events,
waiting lists, cancellations after a check-in, an early check-in at an event that has not started yet,
proposals dropped before they started, and timestamps right at the edges that matter — the bounds of every
period the tests ask for, Berlin month boundaries in winter and summer time, the instant "now".

tests/independent_count.py counts the dashboard's figures from these records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hub.accounts.models import Membership, User
from hub.cohorts.models import Cohort
from hub.core.db import db
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region
from regions.events.models import Event, Registration
from regions.events.vocab import Audience, EventStatus, EventType, RegistrationStatus
from regions.matches.models import Match, MatchMember, Milestone
from regions.matches.vocab import MatchStatus, MemberRole
from regions.profiles.models import Profile
from regions.profiles.vocab import SUBMARKETS, ProfileKind
from shared.contacts.models import ContactRequest, ContactStatus

BERLIN = ZoneInfo("Europe/Berlin")
SLUGS = ("erzgebirge", "meissen", "lausitz", "dresden")
TINY = timedelta(microseconds=1)
LEGACY_SUBMARKET = "kunsthandwerk"  # a code from before the vocabulary was fixed, still on old profiles
STATUSES = ("proposed", "active", "completed", "discontinued")


def berlin_midnight(day: date) -> datetime:
    """The UTC instant at which a day begins in Berlin (written here again, not taken from the reports)."""
    return datetime.combine(day, time(0), tzinfo=BERLIN).astimezone(UTC)


def months_between(start: date, end: date) -> list[date]:
    """The first days of the months from the one holding ``start`` to the one holding ``end``."""
    year, month, out = start.year, start.month, []
    while date(year, month, 1) <= end:
        out.append(date(year, month, 1))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return out


@dataclass
class Frame:
    """What one report should cover: its days (Berlin, inclusive), its cohort, "today", and the query asking for it."""

    name: str
    start: date
    end: date
    cohort: dict | None
    today: date
    asks_cohort: bool = False
    asks_dates: bool = False

    @property
    def args(self) -> dict[str, str]:
        """The query arguments a person sends for this report."""
        out = {"cohort": str(self.cohort["id"])} if self.asks_cohort else {}
        if self.asks_dates:
            out.update({"from": self.start.isoformat(), "to": self.end.isoformat()})
        return out

    @property
    def starts_at(self) -> datetime:
        return berlin_midnight(self.start)

    @property
    def ends_at(self) -> datetime:
        return berlin_midnight(self.end + timedelta(days=1))


@dataclass
class Network:
    """What the generator made, as plain records. Records point to each other (a registration holds its event)."""

    seed: int
    now: datetime
    today: date
    regions: dict[str, dict]  # slug → {"id", "slug", "name"}
    users: list[dict] = field(default_factory=list)  # {"id", "regions": {slug, …}}
    profiles: list[dict] = field(default_factory=list)  # {"id", "region", "kind", "submarkets", "created_at", …}
    events: list[dict] = field(default_factory=list)  # {"id", "region", "type", "status", "starts_at"}
    registrations: list[dict] = field(default_factory=list)  # {"event", "user", "status", "checked_in"}
    contacts: list[dict] = field(default_factory=list)  # {"sender", "recipient", "status", "decided_at"}
    cohorts: list[dict] = field(default_factory=list)  # {"id", "name", "starts_on", "ends_on", "funding"}
    matches: list[dict] = field(default_factory=list)  # {"id", "region", "cohort", "title", "status", dates, cents}
    milestones: list[dict] = field(default_factory=list)  # {"id", "match", "title", "due_on", "done_on"}
    guests: list[dict] = field(default_factory=list)  # {"match", "profile", "status"}: teams across regions
    frames: list[Frame] = field(default_factory=list)

    def frame(self, name: str) -> Frame:
        return next(f for f in self.frames if f.name == name)


# -- the generator ----------------------------------------------------------------------------------------


class _Builder:
    """Makes the records and their ORM objects side by side; ids are copied into the records after the flush."""

    def __init__(self, net: Network, rnd: random.Random, region_ids: dict[str, int]):
        self.net, self.rnd, self.region_ids = net, rnd, region_ids
        self.made: list[tuple[dict, object]] = []
        self.n = 0
        self.contact_pairs: set[tuple[int, int]] = set()
        self.earliest = net.now - timedelta(days=560)

    def _keep(self, record: dict, obj) -> dict:
        self.made.append((record, obj))
        db.session.add(obj)
        return record

    def _next(self) -> int:
        self.n += 1
        return self.n

    def instant(self, start: datetime, end: datetime) -> datetime:
        """A random instant between two others, to the second."""
        seconds = max(int((end - start).total_seconds()), 0)
        return start + timedelta(seconds=self.rnd.randint(0, seconds))

    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rnd.randint(0, max((end - start).days, 0)))

    # people

    def user(self, memberships: dict[str, Role]) -> dict:
        n = self._next()
        user = User(email=f"net{self.net.seed}-{n}@example.org", name=f"Person {n}", password_hash=None)
        for slug, role in memberships.items():
            user.memberships.append(Membership(region_id=self.region_ids[slug], role=role))
        record = {"id": None, "regions": set(memberships), "orm": user}
        self.net.users.append(record)
        return self._keep(record, user)

    def profile(self, region: str, *, user: dict | None = None, created_at: datetime, kind: str | None = None) -> dict:
        n = self._next()
        kind = kind or self.rnd.choice([k.value for k in ProfileKind])
        submarkets = self.rnd.sample(list(SUBMARKETS), self.rnd.choice([0, 1, 1, 2, 3]))
        if self.rnd.random() < 0.05:
            submarkets.append(LEGACY_SUBMARKET)
        archived_at = None
        if self.rnd.random() < 0.15:
            archived_at = self.instant(created_at, self.net.now)
        profile = Profile(
            region_id=self.region_ids[region],
            user=user["orm"] if user else None,
            kind=ProfileKind(kind),
            display_name=f"Profil {n}",
            submarkets=submarkets,
            created_at=created_at,
            archived_at=archived_at,
        )
        record = {
            "id": None,
            "region": region,
            "user": user,
            "kind": kind,
            "submarkets": submarkets,
            "created_at": created_at,
            "archived_at": archived_at,
            "orm": profile,
        }
        self.net.profiles.append(record)
        return self._keep(record, profile)

    # events

    def event(self, region: str, starts_at: datetime, *, status: str | None = None, type: str | None = None) -> dict:
        n = self._next()
        status = status or self.rnd.choices(["published", "draft", "cancelled"], [7, 1.5, 1.5])[0]
        type = type or self.rnd.choice([t.value for t in EventType])
        event = Event(
            region_id=self.region_ids[region],
            title=f"Veranstaltung {n}",
            type=EventType(type),
            status=EventStatus(status),
            audience=self.rnd.choice(list(Audience)),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
        )
        record = {"id": None, "region": region, "type": type, "status": status, "starts_at": starts_at, "orm": event}
        self.net.events.append(record)
        return self._keep(record, event)

    def register(self, event: dict, user: dict, status: str, checked_in_at: datetime | None = None) -> dict:
        registration = Registration(
            region_id=self.region_ids[event["region"]],
            event=event["orm"],
            user=user["orm"],
            status=RegistrationStatus(status),
            checked_in_at=checked_in_at,
            cancelled_at=self.net.now if status == "cancelled" else None,
        )
        if status == "registered":
            event["orm"].registered_count = (event["orm"].registered_count or 0) + 1
        if status == "waitlisted":
            event["orm"].waitlisted_count = (event["orm"].waitlisted_count or 0) + 1
        record = {"event": event, "user": user, "status": status, "checked_in": checked_in_at is not None}
        self.net.registrations.append(record)
        return self._keep(record, registration)

    def some_registrations(self, event: dict, *, most: int = 8) -> None:
        """Members of the event's region mostly, people of other regions (or none) sometimes."""
        held = event["starts_at"] < self.net.now
        home = [u for u in self.net.users if event["region"] in u["regions"]]
        chosen: dict[int, dict] = {}
        for _ in range(self.rnd.randint(0, most)):
            person = self.rnd.choice(home if home and self.rnd.random() < 0.6 else self.net.users)
            chosen.setdefault(id(person), person)
        for person in chosen.values():
            status = self.rnd.choices(["registered", "waitlisted", "cancelled"], [7, 1.5, 1.5])[0]
            checked = held and (
                self.rnd.random() < (0.65 if status == "registered" else 0.2 if status == "cancelled" else 0)
            )
            self.register(event, person, status, event["starts_at"] + timedelta(minutes=10) if checked else None)

    # contacts

    def contact(self, sender: dict, recipient: dict, status: str, decided_at: datetime | None) -> dict | None:
        pair = (id(sender), id(recipient))
        if sender is recipient or sender["user"] is recipient["user"] or pair in self.contact_pairs:
            return None
        self.contact_pairs.add(pair)
        created_at = (decided_at or self.net.now) - timedelta(days=self.rnd.randint(0, 20))
        request = ContactRequest(
            sender=sender["orm"],
            recipient=recipient["orm"],
            sender_region_id=self.region_ids[sender["region"]],
            recipient_region_id=self.region_ids[recipient["region"]],
            message="Hallo!",
            status=ContactStatus(status),
            created_at=created_at,
            decided_at=decided_at,
        )
        record = {"sender": sender, "recipient": recipient, "status": status, "decided_at": decided_at}
        self.net.contacts.append(record)
        return self._keep(record, request)

    # cohorts and matches

    def cohort(self, name: str, starts_on: date, ends_on: date) -> dict:
        funding = self.rnd.choice([250000, 300000, 187654])
        cohort = Cohort(name=name, starts_on=starts_on, ends_on=ends_on, funding_per_match_cents=funding)
        record = {
            "id": None,
            "name": name,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "funding": funding,
            "orm": cohort,
        }
        self.net.cohorts.append(record)
        return self._keep(record, cohort)

    def match(
        self,
        region: str,
        cohort: dict,
        status: str,
        proposed_on: date,
        started_on: date | None = None,
        ended_on: date | None = None,
    ) -> dict:
        n = self._next()
        budget = cohort["funding"]
        committed = paid = 0
        if started_on is not None:
            committed = self.rnd.randint(0, budget)
            paid = self.rnd.randint(0, committed)
        elif status == "proposed" and self.rnd.random() < 0.3:
            committed = self.rnd.randint(0, budget)
        match = Match(
            region_id=self.region_ids[region],
            cohort=cohort["orm"],
            title=f"Tandem {n}",
            status=MatchStatus(status),
            proposed_on=proposed_on,
            started_on=started_on,
            ended_on=ended_on,
            budget_cents=budget,
            committed_cents=committed,
            paid_cents=paid,
        )
        for kind, role in (("creative", MemberRole.CREATIVE), ("organisation", MemberRole.ORGANISATION)):
            people = [p for p in self.net.profiles if p["region"] == region and p["kind"] == kind]
            match.members.append(
                MatchMember(region_id=match.region_id, profile=self.rnd.choice(people)["orm"], role=role)
            )
        record = {
            "id": None,
            "region": region,
            "cohort": cohort,
            "title": match.title,
            "status": status,
            "proposed_on": proposed_on,
            "started_on": started_on,
            "ended_on": ended_on,
            "budget": budget,
            "committed": committed,
            "paid": paid,
            "orm": match,
        }
        self.net.matches.append(record)
        return self._keep(record, match)

    def milestone(self, match: dict, due_on: date, done_on: date | None = None) -> dict:
        n = self._next()
        milestone = Milestone(
            region_id=match["orm"].region_id, title=f"Meilenstein {n}", due_on=due_on, done_on=done_on
        )
        match["orm"].milestones.append(milestone)
        record = {"id": None, "match": match, "title": milestone.title, "due_on": due_on, "done_on": done_on}
        self.net.milestones.append(record)
        return self._keep(record, milestone)


def build_network(app, seed: int, now: datetime, *, cohort_runs_today: bool = True) -> Network:
    """Generate a network around ``now`` (frozen by the caller) and store it; see the module's docstring."""
    rnd = random.Random(seed)
    today = now.astimezone(BERLIN).date()
    with app.app_context(), all_regions():
        regions = {r.slug: r for r in db.session.scalars(select(Region)) if r.slug in SLUGS}
        net = Network(
            seed=seed,
            now=now,
            today=today,
            regions={s: {"id": r.id, "slug": s, "name": r.name} for s, r in regions.items()},
        )
        make = _Builder(net, rnd, {s: r.id for s, r in regions.items()})
        _frames(make, cohort_runs_today)
        _people(make)
        _events(make)
        _contacts(make)
        _matches(make)
        _teams(make, random.Random(seed + 18))
        db.session.commit()
        for record, obj in make.made:
            if "id" in record:
                record["id"] = obj.id
        for record, _ in make.made:
            record.pop("orm", None)
    return net


def _people(make: _Builder) -> None:
    """Members of one region (a coordinator each), members of two, people of none; profiles, some made right at
    a month's or a period's edge."""
    rnd, net = make.rnd, make.net
    for slug in SLUGS:
        make.user({slug: Role.COORDINATOR})
        for _ in range(rnd.randint(5, 9)):
            make.user({slug: Role.PARTICIPANT})
    for _ in range(rnd.randint(4, 7)):
        make.user(dict.fromkeys(rnd.sample(SLUGS, 2), Role.PARTICIPANT))
    for _ in range(2):
        make.user({})
    for person in list(net.users):
        for slug in sorted(person["regions"]):
            if rnd.random() < 0.75:
                make.profile(slug, user=person, created_at=make.instant(make.earliest, net.now))
    for slug in SLUGS:
        make.profile(slug, created_at=make.instant(make.earliest, net.now), kind="creative")
        make.profile(slug, created_at=make.instant(make.earliest, net.now), kind="organisation")
        for _ in range(rnd.randint(2, 5)):
            make.profile(slug, created_at=make.instant(make.earliest, net.now))
    # 23:30 UTC on a month's last day is the next month in Berlin all year; 22:30 UTC only in summer time.
    for first in months_between(make.earliest.date(), net.today):
        if rnd.random() < 0.6:
            last_day = first - timedelta(days=1)
            for hour in (22, 23):
                at = datetime.combine(last_day, time(hour, 30), tzinfo=UTC)
                if at <= net.now:
                    make.profile(rnd.choice(SLUGS), created_at=at)
        at = berlin_midnight(first)
        for instant in (at - TINY, at):
            if make.earliest <= instant <= net.now and rnd.random() < 0.3:
                make.profile(rnd.choice(SLUGS), created_at=instant)
    for bound in _bounds(net):
        for instant in (bound - TINY, bound):
            if instant <= net.now:
                make.profile(rnd.choice(SLUGS), created_at=instant)


def _frames(make: _Builder, cohort_runs_today: bool) -> None:
    """Two cohorts (the second running today, or not), and the periods the tests will ask for."""
    rnd, net, today = make.rnd, make.net, make.net.today
    starts = today - timedelta(days=rnd.randint(100, 200))
    ends = (
        today + timedelta(days=rnd.randint(20, 120))
        if cohort_runs_today
        else today - timedelta(days=rnd.randint(1, 30))
    )
    current = make.cohort(f"Durchgang {net.seed}/2", starts, ends)
    ends = starts - timedelta(days=rnd.randint(1, 30))
    previous = make.cohort(f"Durchgang {net.seed}/1", ends - timedelta(days=rnd.randint(200, 300)), ends)

    start = today - timedelta(days=rnd.randint(150, 450))
    if rnd.random() < 0.5:
        start = start.replace(day=1)
    end = min(start + timedelta(days=rnd.randint(40, 330)), today + timedelta(days=30))
    if rnd.random() < 0.5:
        end = months_between(end, end)[0] - timedelta(days=1)  # the last day of the month before
    end = max(end, start)
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)

    net.frames = [
        Frame("current cohort", current["starts_on"], current["ends_on"], current, today, asks_cohort=True),
        Frame("previous cohort", previous["starts_on"], previous["ends_on"], previous, today, asks_cohort=True),
        Frame("custom period", start, end, None, today, asks_dates=True),
        Frame("previous cohort in the custom period", start, end, previous, today, asks_cohort=True, asks_dates=True),
        Frame("last month", last_month, this_month - timedelta(days=1), None, today, asks_dates=True),
    ]
    if cohort_runs_today:
        net.frames.append(Frame("default", current["starts_on"], current["ends_on"], current, today))
    else:
        net.frames.append(Frame("default", today - timedelta(days=364), today, None, today))


def _bounds(net: Network) -> list[datetime]:
    """The instants where a period begins or ends: things made right there test the edges."""
    found = set()
    for frame in net.frames:
        found |= {frame.starts_at, frame.ends_at}
    return sorted(found)


def _events(make: _Builder) -> None:
    rnd, net = make.rnd, make.net
    later = net.now + timedelta(days=150)
    for slug in SLUGS:
        for _ in range(rnd.randint(10, 15)):
            at = make.instant(make.earliest, later)
            if abs(at - net.now) < timedelta(hours=2):
                at += timedelta(hours=4)
            make.some_registrations(make.event(slug, at))
    for bound in _bounds(net):
        for at in (bound - TINY, bound):
            make.some_registrations(make.event(rnd.choice(SLUGS), at, status="published"), most=4)
    # The edge of "held": an event starting this very instant has not been held; one a second ago has.
    for at in (net.now, net.now - timedelta(seconds=1)):
        make.some_registrations(make.event(rnd.choice(SLUGS), at, status="published"), most=4)
    # Doors open half an hour early: people are checked in at an event that has not started yet.
    early = make.event(rnd.choice(SLUGS), net.now + timedelta(minutes=30), status="published")
    for person in rnd.sample(net.users, 3):
        make.register(early, person, "registered", net.now - timedelta(minutes=5))


def _contacts(make: _Builder) -> None:
    rnd, net = make.rnd, make.net
    owned = [p for p in net.profiles if p["user"] is not None]
    for _ in range(rnd.randint(25, 40)):
        sender = rnd.choice(owned)
        others = [p for p in owned if (p["region"] != sender["region"]) == (rnd.random() < 0.65)] or owned
        recipient = rnd.choice(others)
        status = rnd.choices(["accepted", "pending", "declined"], [5, 2.5, 2.5])[0]
        decided_at = None if status == "pending" else make.instant(make.earliest, net.now)
        make.contact(sender, recipient, status, decided_at)
    for bound in _bounds(net):
        for at in (bound - TINY, bound):
            if at <= net.now:
                sender = rnd.choice(owned)
                recipient = rnd.choice([p for p in owned if p["region"] != sender["region"]])
                make.contact(sender, recipient, "accepted", at)


def _matches(make: _Builder) -> None:
    """Matches of both cohorts in every status, dropped proposals, and matches at the edges of the periods."""
    rnd, net, today = make.rnd, make.net, make.net.today
    current, previous = net.cohorts
    for cohort, weights in ((current, [2, 4, 1.5, 1, 1]), (previous, [0.5, 1, 4, 1.5, 1])):
        for slug in SLUGS:
            for _ in range(rnd.randint(2, 5)):
                how = rnd.choices([*STATUSES, "dropped"], weights)[0]
                proposed = min(cohort["starts_on"] + timedelta(days=rnd.randint(0, 45)), today)
                started = ended = None
                if how in ("active", "completed", "discontinued"):
                    started = min(proposed + timedelta(days=rnd.randint(0, 25)), today)
                if how in ("completed", "discontinued"):
                    ended = min(started + timedelta(days=rnd.randint(0, 200)), today)
                if how == "dropped":  # a proposal given up before it started
                    ended = min(proposed + timedelta(days=rnd.randint(0, 25)), today)
                status = "discontinued" if how == "dropped" else how
                match = make.match(slug, cohort, status, proposed, started, ended)
                _milestones(make, match)
    # Without a cohort a report counts the matches running in its period: these sit right at its edges.
    for frame in net.frames:
        if frame.cohort is not None:
            continue
        first, last = frame.start, frame.end
        for ended in (first, first - timedelta(days=1)):
            if ended <= today:
                make.match(
                    rnd.choice(SLUGS),
                    previous,
                    "completed",
                    ended - timedelta(days=60),
                    ended - timedelta(days=50),
                    ended,
                )
        for proposed in (last, last + timedelta(days=1)):
            if proposed <= today:
                make.match(rnd.choice(SLUGS), current, "proposed", proposed)


def _teams(make: _Builder, rnd: random.Random) -> None:
    """People of other regions asked into matches (teams across regions), in every status; with a generator of
    their own, so that the rest of the network stays what the same seed made before."""
    from regions.teams.models import GuestStatus, MatchGuest

    db.session.flush()  # the profiles' ids
    for match in make.net.matches:
        if rnd.random() >= 0.3:
            continue
        others = [p for p in make.net.profiles if p["region"] != match["region"]]
        for profile in rnd.sample(others, k=min(len(others), rnd.randint(1, 2))):
            status = rnd.choice(list(GuestStatus))
            guest = MatchGuest(
                region_id=match["orm"].region_id,
                match=match["orm"],
                profile_id=profile["orm"].id,
                guest_region_id=make.region_ids[profile["region"]],
                role=MemberRole.OTHER,
                status=status,
            )
            make._keep({"match": match, "profile": profile, "status": status.value}, guest)
            make.net.guests.append(make.made[-1][0])


def _milestones(make: _Builder, match: dict) -> None:
    rnd, today, cohort = make.rnd, make.net.today, match["cohort"]
    for _ in range(rnd.randint(0, 4)):
        due = make.day(cohort["starts_on"], cohort["ends_on"])
        done = None
        if rnd.random() < 0.4:
            done = min(due + timedelta(days=rnd.randint(-20, 20)), today)
        make.milestone(match, due, done)
    if match["status"] == "active" and rnd.random() < 0.6:
        make.milestone(match, today)  # due today: not overdue yet
        make.milestone(match, today - timedelta(days=1))  # due yesterday: overdue
