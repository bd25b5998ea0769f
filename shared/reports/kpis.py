"""The program's key figures for a set of regions and a period: what the dashboards, exports, funder
report and KPI API show.

Every figure comes from aggregate SQL (GROUP BY region and category): twelve statements for a
whole dashboard, whatever the number of regions or rows.

The figures cross region borders (contacts and visits between regions), so the computation opts out
of the wall with ``all_regions(read_only=True)`` and names the regions it counts in every statement
(``region_ids``); only counts and sums leave this module, never a row of another region. A
coordinator's dashboard passes their own region only.

Definitions (the tests count the same things independently):
- participants: profiles not archived, created before the period's end, by kind and region;
  by submarket likewise (a profile in two submarkets counts in both; codes outside the vocabulary
  follow the known ones, alphabetically);
- new profiles: profiles created in the period (archived ones too), by month in Berlin time;
- events: published events starting in the period, by type; "held" = started before now;
  registrations = places taken (status registered); attended = of those, checked in; the
  attendance rate = checked in at held events ÷ registrations at held events (a check-in before
  the doors open does not push it above 100 %);
- matches: the cohort's matches, or without a cohort those running in the period (proposed on or
  before its end, not ended before its start), by their current status;
- overdue milestones: not done, due before today, of active matches in scope;
- funding: matches in scope that were started (they have a start date; a proposal dropped before
  it started has none): budget, committed, paid, remaining = budget − paid;
- cross-region: accepted contact requests between people of two different regions decided in the
  period (for each of the two regions; once in the total); guests = registrations at a region's
  events in the period by people who are not members of that region (registered / attended);
  visits out = attended registrations of a region's members at events of a region they do not
  belong to; contacts between regions = the same contacts by the pair of regions (every active
  region a column, none on the diagonal, no total row); teams across regions (regions/teams): matches of
  the period (as above, any region) with an accepted member of another region count for the funding region
  ("matches across regions", once per match), their accepted members of other regions for the members'
  own region ("own people in other regions' matches", once per membership).

Every statement goes through ``_rows``, which keeps its plain rows in ``Dashboard.results``: a report can be
built again from those rows (``Snapshot``, ``compute(…, snapshot=…)``) without the database, which is how
shared/reports/snapshots.py keeps a dashboard's counts for a few minutes.

Why one module of about 600 lines: each definition above sits beside its one aggregate statement, and
the twelve statements share the scope helpers; a reader checks a figure against its definition here, and
tests/test_dashboard_numbers.py counts the same things independently. No Flask, no I/O beyond the queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from hub.accounts.models import Membership
from hub.core.db import db, utcnow
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region
from hub.core.tenancy.registry import active_regions
from regions.events.models import Event, Registration
from regions.events.vocab import TYPE_LABELS, EventStatus, EventType, RegistrationStatus
from regions.matches.models import Match, Milestone
from regions.matches.vocab import STATUS_LABELS, MatchStatus
from regions.profiles.models import Profile
from regions.profiles.vocab import SUBMARKETS, ProfileKind
from regions.teams.models import GuestStatus, MatchGuest
from shared.contacts.models import ContactRequest, ContactStatus
from shared.directory.models import DirectoryTerm
from shared.reports.period import Period, day_start
from shared.reports.tables import Column, Table, rate

REGION_COLUMN = Column("region", _l("Region"), "text")


@dataclass
class Dashboard:
    """The figures of one report: its frame, the regions it counts and its tables by key."""

    period: Period
    regions: list[Region]
    tables: dict[str, Table] = field(default_factory=dict)
    months: list[date] = field(default_factory=list)
    contact_pairs: dict[frozenset, int] | None = field(default=None, repr=False)  # shared by two tables
    # When the figures were counted ("held" events are those started before), and each statement's rows in
    # the order they were run: what shared/reports/snapshots.py keeps, and gives back through ``replay``.
    counted_at: datetime = field(default_factory=utcnow)
    results: list[list[tuple]] = field(default_factory=list, repr=False)
    replay: Iterator[list[tuple]] | None = field(default=None, repr=False)

    def __getitem__(self, key: str) -> Table:
        return self.tables[key]

    def headline(self) -> list[tuple[str, object, object, str]]:
        """The few numbers at the top of a dashboard: (key, label, value, kind)."""
        participants, events = self["participants"].total, self["events"].total
        matches, funding, cross = self["matches"].total, self["funding"].total, self["cross_region"].total
        return [
            ("participants", _l("Participants"), participants["total"], "int"),
            ("creatives", _l("Creatives"), participants[ProfileKind.CREATIVE.value], "int"),
            ("organisations", _l("Organisations"), participants[ProfileKind.ORGANISATION.value], "int"),
            ("events_held", _l("Events held"), events["held"], "int"),
            ("attended", _l("Attended"), events["attended"], "int"),
            ("active_matches", _l("Active matches"), matches[MatchStatus.ACTIVE.value], "int"),
            ("completed_matches", _l("Completed matches"), matches[MatchStatus.COMPLETED.value], "int"),
            ("overdue_milestones", _l("Overdue milestones"), len(self["overdue"].rows), "int"),
            ("funding_paid", _l("Funding paid"), funding["paid"], "money"),
            ("funding_remaining", _l("Funding remaining"), funding["remaining"], "money"),
            ("cross_region_contacts", _l("Contacts across regions"), cross["contacts"], "int"),
            ("cross_region_matches", _l("Matches across regions"), cross["team_matches"], "int"),
        ]


def compute(regions: list[Region], period: Period, *, snapshot: Snapshot | None = None) -> Dashboard:
    """All tables of a dashboard for these regions (in their order) and this period; from a snapshot's
    rows instead of the database when one is given (counted for the same regions and period)."""
    report = Dashboard(period=period, regions=list(regions), months=period.months())
    if snapshot is not None:
        report.counted_at, report.replay = snapshot.counted_at, iter(snapshot.results)
    ids = [r.id for r in regions]
    with all_regions(read_only=True):
        builders = (
            _participants,
            _submarkets,
            _new_profiles,
            _events,
            _matches,
            _overdue,
            _funding,
            _cross_region,
            _contact_pairs,
        )
        for build in builders:
            table = build(report, ids)
            report.tables[table.key] = table
    report.tables["comparison"] = _comparison(report)
    return report


@dataclass(frozen=True)
class Snapshot:
    """A report's statement results (plain tuples) and when they were counted: enough to build it again."""

    counted_at: datetime
    results: list[list[tuple]]

    @classmethod
    def of(cls, report: Dashboard) -> Snapshot:
        return cls(report.counted_at, report.results)


# -- helpers -----------------------------------------------------------------------------------------


def _rows(report: Dashboard, statement) -> list[tuple]:
    """The rows of one of the report's statements: run now (and kept in ``report.results``), or the next
    result of the snapshot it is built from. The builders run their statements in a fixed order."""
    if report.replay is not None:
        return next(report.replay)
    rows = [tuple(row) for row in db.session.execute(statement)]
    report.results.append(rows)
    return rows


def _region_rows(report: Dashboard, counts: dict[int, dict], keys: list[str]) -> tuple[list[dict], dict]:
    """One row per region (zeros where nothing was counted) and the total row."""
    rows = []
    for region in report.regions:
        found = counts.get(region.id, {})
        rows.append({"region": region.name, "region_slug": region.slug, **{k: found.get(k, 0) for k in keys}})
    total = {"region": _l("Total"), "region_slug": None, **{k: sum(r[k] for r in rows) for k in keys}}
    return rows, total


def _with_totals(found, vocabulary) -> dict[int, dict]:
    """(region id, category, count) rows → {region id: {category: count, …, "total": sum}}."""
    counts: dict[int, dict] = defaultdict(dict)
    for region_id, category, n in found:
        counts[region_id][vocabulary(category).value] = n
    for values in counts.values():
        values["total"] = sum(values.values())
    return counts


def matches_in_scope(period: Period, ids: list[int]):
    """The condition on Match for the matches a report covers."""
    return and_(Match.region_id.in_(ids), _matches_in_period(period))


def _matches_in_period(period: Period):
    """The condition on Match for the matches of the period (the cohort's, or those running in it)."""
    if period.cohort is not None:
        return Match.cohort_id == period.cohort.id
    return and_(Match.proposed_on <= period.end, or_(Match.ended_on.is_(None), Match.ended_on >= period.start))


def _month_bucket(column, months: list[date]):
    """A CASE expression: the index of the (Berlin) month a timestamp falls in."""
    bounds = [day_start(m) for m in months[1:]]
    if not bounds:
        return literal(0)
    return case(*[(column < bound, literal(i)) for i, bound in enumerate(bounds)], else_=literal(len(bounds)))


# -- the tables --------------------------------------------------------------------------------------


def _participants(report: Dashboard, ids: list[int]) -> Table:
    rows = _rows(
        report,
        select(Profile.region_id, Profile.kind, func.count())
        .where(
            Profile.region_id.in_(ids),
            Profile.archived_at.is_(None),
            Profile.created_at < report.period.ends_at,
        )
        .group_by(Profile.region_id, Profile.kind),
    )
    counts = _with_totals(rows, ProfileKind)
    kinds = [k.value for k in ProfileKind]
    table_rows, total = _region_rows(report, counts, [*kinds, "total"])
    return Table(
        "participants",
        _l("Participants by kind"),
        [
            REGION_COLUMN,
            Column("creative", _l("Creatives")),
            Column("organisation", _l("Organisations")),
            Column("total", _l("Total")),
        ],
        table_rows,
        total,
    )


def _submarkets(report: Dashboard, ids: list[int]) -> Table:
    # The directory's terms carry their profile's region, archived flag and creation time, so this
    # count reads one index and never the profiles.
    found = _rows(
        report,
        select(DirectoryTerm.region_id, DirectoryTerm.value, func.count())
        .where(
            DirectoryTerm.facet == "submarket",
            DirectoryTerm.region_id.in_(ids),
            DirectoryTerm.archived.is_(False),
            DirectoryTerm.created_at < report.period.ends_at,
        )
        .group_by(DirectoryTerm.region_id, DirectoryTerm.value),
    )
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for region_id, code, n in found:
        counts[code][region_id] = n
    columns = [Column("submarket", _l("Submarket"), "text")]
    columns += [Column(r.slug, r.name) for r in report.regions]
    columns.append(Column("total", _l("Total")))
    rows = []
    for code in [*SUBMARKETS, *sorted(set(counts) - set(SUBMARKETS))]:
        row = {"submarket": SUBMARKETS.get(code, code), "code": code}
        row.update({r.slug: counts.get(code, {}).get(r.id, 0) for r in report.regions})
        row["total"] = sum(row[r.slug] for r in report.regions)
        rows.append(row)
    total = {"submarket": _l("Total"), "code": None}
    total.update({c.key: sum(r[c.key] for r in rows) for c in columns[1:]})
    return Table(
        "submarkets",
        _l("Participants by submarket"),
        columns,
        rows,
        total,
        note=_l("A participant active in several submarkets counts in each of them."),
    )


def _new_profiles(report: Dashboard, ids: list[int]) -> Table:
    months = report.months
    bucket = _month_bucket(Profile.created_at, months).label("bucket")
    found = _rows(
        report,
        select(Profile.region_id, bucket, func.count())
        .where(
            Profile.region_id.in_(ids),
            Profile.created_at >= report.period.starts_at,
            Profile.created_at < report.period.ends_at,
        )
        .group_by(Profile.region_id, bucket),
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for region_id, index, n in found:
        counts[int(index)][region_id] = n
    columns = [Column("month", _l("Month"), "text")]
    columns += [Column(r.slug, r.name) for r in report.regions]
    columns.append(Column("total", _l("Total")))
    rows = []
    for i, month in enumerate(months):
        row = {"month": month.strftime("%m/%Y"), "month_start": month}
        row.update({r.slug: counts.get(i, {}).get(r.id, 0) for r in report.regions})
        row["total"] = sum(row[r.slug] for r in report.regions)
        rows.append(row)
    total = {"month": _l("Total"), "month_start": None}
    total.update({c.key: sum(r[c.key] for r in rows) for c in columns[1:]})
    return Table("new_profiles", _l("New profiles by month"), columns, rows, total)


EVENT_KEYS = ("events", "held", "registrations", "at_held", "attended", "attended_at_held")
EVENT_COLUMNS = [
    Column("events", _l("Events")),
    Column("held", _l("Held")),
    Column("registrations", _l("Registrations")),
    Column("attended", _l("Attended")),
    Column("attendance", _l("Attendance rate"), "percent"),
]


def _events(report: Dashboard, ids: list[int]) -> Table:
    """Events by type (this table) and by region (the next one), from the same two statements."""
    period, now = report.period, report.counted_at
    in_period = and_(
        Event.region_id.in_(ids),
        Event.status == EventStatus.PUBLISHED,
        Event.starts_at >= period.starts_at,
        Event.starts_at < period.ends_at,
    )
    held = Event.starts_at < now
    counted = _rows(
        report,
        select(Event.region_id, Event.type, func.count(), func.coalesce(func.sum(case((held, 1), else_=0)), 0))
        .where(in_period)
        .group_by(Event.region_id, Event.type),
    )
    taken = Registration.status == RegistrationStatus.REGISTERED
    visits = _rows(
        report,
        select(
            Event.region_id,
            Event.type,
            func.count(),
            func.coalesce(func.sum(case((held, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Registration.checked_in_at.is_not(None), 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(held, Registration.checked_in_at.is_not(None)), 1), else_=0)), 0),
        )
        .join(Event, Event.id == Registration.event_id)
        .where(in_period, taken)
        .group_by(Event.region_id, Event.type),
    )
    by_type: dict[str, dict] = defaultdict(lambda: dict.fromkeys(EVENT_KEYS, 0))
    by_region: dict[int, dict] = defaultdict(lambda: dict.fromkeys(EVENT_KEYS, 0))
    for region_id, kind, n, n_held in counted:
        for bucket in (by_type[EventType(kind).value], by_region[region_id]):
            bucket["events"] += n
            bucket["held"] += int(n_held)
    for region_id, kind, n, n_at_held, n_attended, n_attended_at_held in visits:
        for bucket in (by_type[EventType(kind).value], by_region[region_id]):
            bucket["registrations"] += n
            bucket["at_held"] += int(n_at_held)
            bucket["attended"] += int(n_attended)
            bucket["attended_at_held"] += int(n_attended_at_held)
    rows = [{"type": TYPE_LABELS[kind], "code": kind.value, **by_type[kind.value]} for kind in EventType]
    region_rows, region_total = _region_rows(report, by_region, list(EVENT_KEYS))
    total = {"type": _l("Total"), "code": None, **{k: region_total[k] for k in EVENT_KEYS}}
    for row in [*rows, total, *region_rows, region_total]:
        row["attendance"] = rate(row["attended_at_held"], row["at_held"])
    report.tables["events_by_region"] = Table(
        "events_by_region", _l("Events by region"), [REGION_COLUMN, *EVENT_COLUMNS], region_rows, region_total
    )
    return Table(
        "events",
        _l("Events by type"),
        [Column("type", _l("Type"), "text"), *EVENT_COLUMNS],
        rows,
        total,
        note=_l("Attendance rate: checked in, of the registrations for events that have taken place."),
    )


def _matches(report: Dashboard, ids: list[int]) -> Table:
    found = _rows(
        report,
        select(Match.region_id, Match.status, func.count())
        .where(matches_in_scope(report.period, ids))
        .group_by(Match.region_id, Match.status),
    )
    counts = _with_totals(found, MatchStatus)
    statuses = [s.value for s in MatchStatus]
    rows, total = _region_rows(report, counts, [*statuses, "total"])
    columns = [REGION_COLUMN] + [Column(s.value, STATUS_LABELS[s]) for s in MatchStatus]
    return Table("matches", _l("Matches by status"), [*columns, Column("total", _l("Total"))], rows, total)


def _overdue(report: Dashboard, ids: list[int]) -> Table:
    today = report.period.today
    found = _rows(
        report,
        select(Match.region_id, Match.id, Match.title, Milestone.title, Milestone.due_on)
        .join(Match, Match.id == Milestone.match_id)
        .where(
            matches_in_scope(report.period, ids),
            Match.status == MatchStatus.ACTIVE,
            Milestone.done_on.is_(None),
            Milestone.due_on < today,
        )
        .order_by(Milestone.due_on, Milestone.id),
    )
    names = {r.id: r.name for r in report.regions}
    slugs = {r.id: r.slug for r in report.regions}
    rows = [
        {
            "region": names[region_id],
            "region_slug": slugs[region_id],
            "match_id": match_id,
            "match": match_title,
            "milestone": title,
            "due_on": due_on,
            "days_overdue": (today - due_on).days,
        }
        for region_id, match_id, match_title, title, due_on in found
    ]
    return Table(
        "overdue",
        _l("Overdue milestones"),
        [
            REGION_COLUMN,
            Column("match", _l("Match"), "text"),
            Column("milestone", _l("Milestone"), "text"),
            Column("due_on", _l("Due on"), "date"),
            Column("days_overdue", _l("Days overdue")),
        ],
        rows,
        None,
    )


def _funding(report: Dashboard, ids: list[int]) -> Table:
    found = _rows(
        report,
        select(
            Match.region_id,
            func.count(),
            func.coalesce(func.sum(Match.budget_cents), 0),
            func.coalesce(func.sum(Match.committed_cents), 0),
            func.coalesce(func.sum(Match.paid_cents), 0),
        )
        .where(matches_in_scope(report.period, ids), Match.started_on.is_not(None))
        .group_by(Match.region_id),
    )
    counts = {
        region_id: {"matches": n, "budget": int(b), "committed": int(c), "paid": int(p), "remaining": int(b) - int(p)}
        for region_id, n, b, c, p in found
    }
    rows, total = _region_rows(report, counts, ["matches", "budget", "committed", "paid", "remaining"])
    return Table(
        "funding",
        _l("Funding"),
        [
            REGION_COLUMN,
            Column("matches", _l("Funded matches")),
            Column("budget", _l("Budget"), "money"),
            Column("committed", _l("Committed"), "money"),
            Column("paid", _l("Paid"), "money"),
            Column("remaining", _l("Remaining"), "money"),
        ],
        rows,
        total,
        note=_l("Funded matches are those that have started; remaining = budget − paid."),
    )


def _cross_region(report: Dashboard, ids: list[int]) -> Table:
    period = report.period
    pairs = _contact_pair_counts(report, ids)

    event_in_period = and_(
        Event.status == EventStatus.PUBLISHED, Event.starts_at >= period.starts_at, Event.starts_at < period.ends_at
    )
    taken = Registration.status == RegistrationStatus.REGISTERED
    home = aliased(Membership)
    member_of_event_region = exists().where(home.user_id == Registration.user_id, home.region_id == Event.region_id)
    guests = _rows(
        report,
        select(
            Event.region_id,
            func.count(),
            func.coalesce(func.sum(case((Registration.checked_in_at.is_not(None), 1), else_=0)), 0),
        )
        .join(Event, Event.id == Registration.event_id)
        .where(event_in_period, taken, Event.region_id.in_(ids), ~member_of_event_region)
        .group_by(Event.region_id),
    )
    visits_out = _rows(
        report,
        select(Membership.region_id, func.count())
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .join(Membership, and_(Membership.user_id == Registration.user_id, Membership.region_id != Event.region_id))
        .where(
            event_in_period,
            taken,
            Registration.checked_in_at.is_not(None),
            Membership.region_id.in_(ids),
            ~member_of_event_region,
        )
        .group_by(Membership.region_id),
    )
    counts: dict[int, dict] = defaultdict(dict)
    for pair, n in pairs.items():
        for region_id in pair & set(ids):
            counts[region_id]["contacts"] = counts[region_id].get("contacts", 0) + n
    for region_id, n, n_attended in guests:
        counts[region_id].update(guest_registrations=n, guests_attended=int(n_attended))
    for region_id, n in visits_out:
        counts[region_id]["visits_out"] = n
    teams = _teams_across(report, ids)
    for region_id, values in teams.items():
        counts[region_id].update(values)
    keys = ["contacts", "guest_registrations", "guests_attended", "visits_out", "team_matches", "team_members_out"]
    rows, total = _region_rows(report, counts, keys)
    total["contacts"] = sum(pairs.values())  # each contact once, though it counts for both its regions
    total["visits_out"] = None  # a member of two regions visits out of both; the network total is the guests
    return Table(
        "cross_region",
        _l("Across regions"),
        [
            REGION_COLUMN,
            Column("contacts", _l("Contacts with other regions")),
            Column("guest_registrations", _l("Guests from other regions registered")),
            Column("guests_attended", _l("Guests from other regions attended")),
            Column("visits_out", _l("Own members at other regions' events")),
            Column("team_matches", _l("Matches across regions (funded here)")),
            Column("team_members_out", _l("Own people in other regions' matches")),
        ],
        rows,
        total,
        note=_l(
            "Contacts: accepted contact requests between two regions, counted for both regions and once in the "
            "total. Guests: people who are not members of the region holding the event. A match across regions "
            "counts as a match of the region that funds it; its members of other regions count for their own region."
        ),
    )


def _teams_across(report: Dashboard, ids: list[int]) -> dict[int, dict]:
    """Teams across regions (regions/teams), in one statement: per funding region its matches of the period
    with an accepted member of another region; per region its people accepted into other regions' matches."""
    found = _rows(
        report,
        select(MatchGuest.region_id, MatchGuest.guest_region_id, MatchGuest.match_id)
        .join(Match, Match.id == MatchGuest.match_id)
        .where(
            MatchGuest.status == GuestStatus.ACCEPTED,
            _matches_in_period(report.period),
            or_(MatchGuest.region_id.in_(ids), MatchGuest.guest_region_id.in_(ids)),
        ),
    )
    matches: dict[int, set] = defaultdict(set)
    members: dict[int, int] = defaultdict(int)
    for funding_region, guest_region, match_id in found:
        matches[funding_region].add(match_id)
        members[guest_region] += 1
    counts: dict[int, dict] = defaultdict(dict)
    for region_id in ids:
        counts[region_id] = {"team_matches": len(matches[region_id]), "team_members_out": members[region_id]}
    return counts


def _contact_pair_counts(report: Dashboard, ids: list[int]) -> dict[frozenset, int]:
    """Accepted contacts between two regions decided in the period, with at least one end in ``ids``, by
    the pair of regions. One statement per report: the cross-region table and the pairs table share it."""
    if report.contact_pairs is None:
        period = report.period
        found = _rows(
            report,
            select(ContactRequest.sender_region_id, ContactRequest.recipient_region_id, func.count())
            .where(
                ContactRequest.status == ContactStatus.ACCEPTED,
                ContactRequest.sender_region_id != ContactRequest.recipient_region_id,
                ContactRequest.decided_at >= period.starts_at,
                ContactRequest.decided_at < period.ends_at,
                or_(ContactRequest.sender_region_id.in_(ids), ContactRequest.recipient_region_id.in_(ids)),
            )
            .group_by(ContactRequest.sender_region_id, ContactRequest.recipient_region_id),
        )
        pairs: dict[frozenset, int] = defaultdict(int)
        for sender, recipient, n in found:
            pairs[frozenset((sender, recipient))] += n
        report.contact_pairs = dict(pairs)
    return report.contact_pairs


def _contact_pairs(report: Dashboard, ids: list[int]) -> Table:
    """Which regions meet: accepted contacts between each region of the report and every other region."""
    pairs = _contact_pair_counts(report, ids)
    others = active_regions()
    rows = []
    for region in report.regions:
        row = {"region": region.name, "region_slug": region.slug}
        for other in others:
            row[other.slug] = None if other.id == region.id else pairs.get(frozenset((region.id, other.id)), 0)
        rows.append(row)
    return Table(
        "contact_pairs",
        _l("Contacts between regions"),
        [REGION_COLUMN, *[Column(other.slug, other.name) for other in others]],
        rows,
        None,
        note=_l("Accepted contact requests decided in the period, by the regions of the two people."),
    )


def _comparison(report: Dashboard) -> Table:
    """The regions side by side: the headline of every region, from the tables above (no more SQL)."""
    by_slug = {
        key: {row["region_slug"]: row for row in report[key].rows}
        for key in ("participants", "events_by_region", "matches", "funding", "cross_region")
    }
    new_total = {r.slug: sum(row[r.slug] for row in report["new_profiles"].rows) for r in report.regions}
    overdue = defaultdict(int)
    for row in report["overdue"].rows:
        overdue[row["region_slug"]] += 1
    rows = []
    for region in report.regions:
        p, m = by_slug["participants"][region.slug], by_slug["matches"][region.slug]
        f, x = by_slug["funding"][region.slug], by_slug["cross_region"][region.slug]
        e = by_slug["events_by_region"][region.slug]
        rows.append(
            {
                "region": region.name,
                "region_slug": region.slug,
                "participants": p["total"],
                "creatives": p["creative"],
                "organisations": p["organisation"],
                "new_profiles": new_total[region.slug],
                "events": e["events"],
                "registrations": e["registrations"],
                "attended": e["attended"],
                "matches": m["total"],
                "active": m["active"],
                "completed": m["completed"],
                "overdue": overdue[region.slug],
                "budget": f["budget"],
                "paid": f["paid"],
                "remaining": f["remaining"],
                "contacts": x["contacts"],
                "guests_attended": x["guests_attended"],
            }
        )
    keys = [k for k in rows[0] if k not in ("region", "region_slug")] if rows else []
    total = {"region": _l("Total"), "region_slug": None, **{k: sum(r[k] for r in rows) for k in keys}}
    if rows:
        total["contacts"] = report["cross_region"].total["contacts"]
    return Table(
        "comparison",
        _l("Regions compared"),
        [
            REGION_COLUMN,
            Column("participants", _l("Participants")),
            Column("creatives", _l("Creatives")),
            Column("organisations", _l("Organisations")),
            Column("new_profiles", _l("New profiles")),
            Column("events", _l("Events")),
            Column("registrations", _l("Registrations")),
            Column("attended", _l("Attended")),
            Column("matches", _l("Matches")),
            Column("active", _l("Active")),
            Column("completed", _l("Completed")),
            Column("overdue", _l("Overdue milestones")),
            Column("budget", _l("Budget"), "money"),
            Column("paid", _l("Paid"), "money"),
            Column("remaining", _l("Remaining"), "money"),
            Column("contacts", _l("Contacts with other regions")),
            Column("guests_attended", _l("Guests from other regions attended")),
        ],
        rows,
        total,
    )
