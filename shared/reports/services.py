"""What the report pages need beyond the figures: the charts drawn from the tables, and the timeline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_, select

from hub.core.db import db
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region
from regions.events.models import Event
from regions.events.vocab import TYPE_LABELS, EventStatus
from regions.matches.models import Match, Milestone
from regions.matches.vocab import STATUS_LABELS, MatchStatus
from regions.profiles.vocab import KIND_LABELS, ProfileKind
from shared.reports import charts
from shared.reports.kpis import Dashboard, matches_in_scope
from shared.reports.period import BERLIN, Period
from shared.reports.tables import Column, Table, display

# Above this many marks the timeline shows weeks (one mark per region, week and kind, with its count).
MAX_MARKS = 600


def _money(cents: float) -> str:
    return display(int(cents), "money")


def _count(value: float) -> str:
    return display(int(round(value)), "int")


def dashboard_charts(report: Dashboard) -> dict[str, Markup]:
    """The charts of a dashboard, by the key of the table each one draws (its table alternative)."""
    regions = report.regions
    many = len(regions) > 1
    out: dict[str, Markup] = {}
    participants = report["participants"]
    if many:
        out["participants"] = charts.bars(
            str(participants.title),
            [r.name for r in regions],
            [charts.Series(str(KIND_LABELS[kind]), participants.values(kind.value)) for kind in ProfileKind],
            fmt=_count,
        )
    else:
        row = participants.rows[0]
        out["participants"] = charts.bars(
            str(participants.title),
            [str(KIND_LABELS[kind]) for kind in ProfileKind],
            [charts.Series(regions[0].name, [row[kind.value] for kind in ProfileKind])],
            fmt=_count,
        )
    submarkets = report["submarkets"]
    out["submarkets"] = charts.bars(
        str(submarkets.title),
        [str(row["submarket"]) for row in submarkets.rows],
        [charts.Series(str(_l("Total")), submarkets.values("total"))],
        fmt=_count,
    )
    new = report["new_profiles"]
    series = [charts.Series(r.name, new.values(r.slug)) for r in regions]
    if many:
        series.append(charts.Series(str(_l("Total")), new.values("total")))
    out["new_profiles"] = charts.lines(str(new.title), [row["month"] for row in new.rows], series, fmt=_count)
    events = report["events"]
    out["events"] = charts.bars(
        str(_l("Registrations and attendance by event type")),
        [str(row["type"]) for row in events.rows],
        [
            charts.Series(str(events.column("registrations").label), events.values("registrations")),
            charts.Series(str(events.column("attended").label), events.values("attended")),
        ],
        fmt=_count,
    )
    matches = report["matches"]
    out["matches"] = charts.bars(
        str(matches.title),
        [r.name for r in regions],
        [charts.Series(str(STATUS_LABELS[s]), matches.values(s.value)) for s in MatchStatus],
        fmt=_count,
    )
    funding = report["funding"]
    out["funding"] = charts.bars(
        str(funding.title),
        [r.name for r in regions],
        [charts.Series(str(funding.column(k).label), funding.values(k)) for k in ("budget", "committed", "paid")],
        fmt=_money,
    )
    cross = report["cross_region"]
    out["cross_region"] = charts.bars(
        str(cross.title),
        [r.name for r in regions],
        [
            charts.Series(str(cross.column(k).label), cross.values(k))
            for k in ("contacts", "guests_attended", "visits_out")
        ],
        fmt=_count,
    )
    return out


@dataclass
class Timeline:
    svg: Markup
    table: Table
    binned: bool


def timeline(regions: list[Region], period: Period) -> Timeline:
    """Events and match milestones of these regions on one time axis, as a chart and as a table."""
    ids = [r.id for r in regions]
    today = period.today
    with all_regions(read_only=True):  # a cross-region overview: only these regions' rows are read
        events = db.session.execute(
            select(Event.region_id, Event.starts_at, Event.title, Event.type)
            .where(
                Event.region_id.in_(ids),
                Event.status == EventStatus.PUBLISHED,
                Event.starts_at >= period.starts_at,
                Event.starts_at < period.ends_at,
            )
            .order_by(Event.starts_at, Event.id)
        ).all()
        milestones = db.session.execute(
            select(Match.region_id, Milestone.due_on, Milestone.title, Match.title, Milestone.done_on, Match.status)
            .join(Match, Match.id == Milestone.match_id)
            .where(
                and_(matches_in_scope(period, ids), Match.status != MatchStatus.DISCONTINUED),
                Milestone.due_on >= period.start,
                Milestone.due_on <= period.end,
            )
            .order_by(Milestone.due_on, Milestone.id)
        ).all()
    names = {r.id: r.name for r in regions}
    type_names = {kind: str(label) for kind, label in TYPE_LABELS.items()}  # translated once, not per event
    items: list[tuple[int, date, str, str]] = []
    for region_id, starts_at, title, kind in events:
        items.append((region_id, starts_at.astimezone(BERLIN).date(), "event", f"{title} ({type_names[kind]})"))
    for region_id, due_on, title, match_title, done_on, status in milestones:
        late = done_on is None and due_on < today and status == MatchStatus.ACTIVE
        items.append((region_id, due_on, "overdue" if late else "milestone", f"{match_title}: {title}"))
    binned = len(items) > MAX_MARKS
    lanes: dict[int, list[charts.Mark]] = defaultdict(list)
    if binned:
        counts: dict[tuple[int, date, str], int] = defaultdict(int)
        for region_id, day, kind, _text in items:
            counts[(region_id, day - timedelta(days=day.weekday()), kind)] += 1
        words = {"event": _("events"), "milestone": _("milestones"), "overdue": _("overdue milestones")}
        for (region_id, week, kind), n in sorted(counts.items()):
            lanes[region_id].append(charts.Mark(week, kind, f"{n} {words[kind]}", n))
        table = Table(
            "timeline",
            _l("Program timeline by week"),
            [
                Column("week", _l("Week from"), "date"),
                Column("region", _l("Region"), "text"),
                Column("events", _l("Events")),
                Column("milestones", _l("Milestones")),
                Column("overdue", _l("Overdue milestones")),
            ],
        )
        weekly: dict[tuple[date, int], dict] = {}
        for (region_id, week, kind), n in counts.items():
            row = weekly.setdefault(
                (week, region_id),
                {"week": week, "region": names[region_id], "events": 0, "milestones": 0, "overdue": 0},
            )
            row[{"event": "events", "milestone": "milestones", "overdue": "overdue"}[kind]] += n
        order = {r.id: i for i, r in enumerate(regions)}
        table.rows = [weekly[k] for k in sorted(weekly, key=lambda k: (k[0], order[k[1]]))]
    else:
        kinds = {"event": _l("Event"), "milestone": _l("Milestone"), "overdue": _l("Overdue milestone")}
        for region_id, day, kind, text in items:
            lanes[region_id].append(charts.Mark(day, kind, text))
        table = Table(
            "timeline",
            _l("Program timeline"),
            [
                Column("day", _l("Date"), "date"),
                Column("region", _l("Region"), "text"),
                Column("kind", _l("Kind"), "text"),
                Column("what", _l("What"), "text"),
            ],
            [
                {"day": day, "region": names[region_id], "kind": kinds[kind], "what": text}
                for region_id, day, kind, text in sorted(items, key=lambda i: (i[1], i[0]))
            ],
        )
    svg = charts.timeline(
        str(table.title),
        [(r.name, lanes.get(r.id, [])) for r in regions],
        period.start,
        period.end,
        legend={"event": _("Event"), "milestone": _("Milestone"), "overdue": _("Overdue milestone")},
        month_label=lambda d: format_date(d, "MMM yy"),
    )
    return Timeline(svg=svg, table=table, binned=binned)
