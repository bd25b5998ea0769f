"""The dashboard's figures counted from the records of a generated network, independently of the code under test.

`expected(network, frame, slugs)` counts every table of the dashboard with plain loops over the records of
tests/generated_network.py, following the definitions written in the docstring of shared/reports/kpis.py.
It never calls the code under test and never runs SQL: that is what makes it an independent count. Where
the docstring leaves a choice open, the choice is written beside the count that makes it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask_babel import lazy_gettext as _l

from regions.events.vocab import TYPE_LABELS, EventType
from regions.profiles.vocab import SUBMARKETS
from tests.generated_network import BERLIN, SLUGS, STATUSES, Frame, Network, months_between

TOTAL = _l("Total")


def expected(net: Network, frame: Frame, slugs: list[str]) -> dict[str, dict]:
    """Every table of the dashboard for these regions (in this order) and this frame: {key: {columns, rows, total}}.

    Rows carry the values of their columns (text as lazy or plain strings, money in cents, rates as fractions)
    and the codes that name them (region_slug, code, month_start, match_id).
    """
    tables = {
        "participants": _participants(net, frame, slugs),
        "submarkets": _submarkets(net, frame, slugs),
        "new_profiles": _new_profiles(net, frame, slugs),
        **_events_tables(net, frame, slugs),
        "matches": _matches_table(net, frame, slugs),
        "overdue": _overdue(net, frame, slugs),
        "funding": _funding(net, frame, slugs),
        "cross_region": _cross_region(net, frame, slugs),
        "contact_pairs": _contact_pairs(net, frame, slugs),
    }
    tables["comparison"] = _comparison(net, slugs, tables)
    return tables


def headline(tables: dict[str, dict]) -> dict[str, int]:
    """The numbers at the top of the dashboard, by key."""
    participants, events = tables["participants"]["total"], tables["events"]["total"]
    matches, funding = tables["matches"]["total"], tables["funding"]["total"]
    return {
        "participants": participants["total"],
        "creatives": participants["creative"],
        "organisations": participants["organisation"],
        "events_held": events["held"],
        "attended": events["attended"],
        "active_matches": matches["active"],
        "completed_matches": matches["completed"],
        "overdue_milestones": len(tables["overdue"]["rows"]),
        "funding_paid": funding["paid"],
        "funding_remaining": funding["remaining"],
        "cross_region_contacts": tables["cross_region"]["total"]["contacts"],
        "cross_region_matches": tables["cross_region"]["total"]["team_matches"],
    }


def _per_region(net: Network, slugs: list[str], counts: dict[str, Counter], keys: list[str]) -> tuple[list, dict]:
    rows = [{"region": net.regions[s]["name"], "region_slug": s, **{k: counts[s][k] for k in keys}} for s in slugs]
    total = {"region": TOTAL, "region_slug": None, **{k: sum(r[k] for r in rows) for k in keys}}
    return rows, total


def _participant_profiles(net: Network, frame: Frame, slugs: list[str]) -> list[dict]:
    """Profiles not archived, created before the period's end."""
    return [
        p for p in net.profiles if p["region"] in slugs and p["archived_at"] is None and p["created_at"] < frame.ends_at
    ]


def _participants(net, frame, slugs) -> dict:
    counts = {s: Counter() for s in slugs}
    for p in _participant_profiles(net, frame, slugs):
        counts[p["region"]][p["kind"]] += 1
        counts[p["region"]]["total"] += 1
    rows, total = _per_region(net, slugs, counts, ["creative", "organisation", "total"])
    return {"columns": ["region", "creative", "organisation", "total"], "rows": rows, "total": total}


def _submarkets(net, frame, slugs) -> dict:
    """A profile in two submarkets counts in both; the vocabulary's order, then unknown codes alphabetically."""
    counts: dict[str, Counter] = {}
    for p in _participant_profiles(net, frame, slugs):
        for code in set(p["submarkets"]):
            counts.setdefault(code, Counter())[p["region"]] += 1
    rows = []
    for code in [*SUBMARKETS, *sorted(c for c in counts if c not in SUBMARKETS)]:
        found = counts.get(code, Counter())
        row = {"submarket": SUBMARKETS.get(code, code), "code": code, **{s: found[s] for s in slugs}}
        row["total"] = sum(found[s] for s in slugs)
        rows.append(row)
    total = {"submarket": TOTAL, "code": None, **{k: sum(r[k] for r in rows) for k in [*slugs, "total"]}}
    return {"columns": ["submarket", *slugs, "total"], "rows": rows, "total": total}


def _new_profiles(net, frame, slugs) -> dict:
    """Profiles created in the period (archived ones too), by the month of their creation in Berlin."""
    counts: dict[date, Counter] = {}
    for p in net.profiles:
        if p["region"] in slugs and frame.starts_at <= p["created_at"] < frame.ends_at:
            month = p["created_at"].astimezone(BERLIN).date().replace(day=1)
            counts.setdefault(month, Counter())[p["region"]] += 1
    rows = []
    for month in months_between(frame.start, frame.end):
        found = counts.pop(month, Counter())
        row = {"month": f"{month.month:02d}/{month.year}", "month_start": month, **{s: found[s] for s in slugs}}
        row["total"] = sum(found[s] for s in slugs)
        rows.append(row)
    assert not counts, f"profiles of the period fell outside its months: {counts}"
    total = {"month": TOTAL, "month_start": None, **{k: sum(r[k] for r in rows) for k in [*slugs, "total"]}}
    return {"columns": ["month", *slugs, "total"], "rows": rows, "total": total}


EVENT_COLUMNS = ["events", "held", "registrations", "attended", "attendance"]


def _events_tables(net, frame, slugs) -> dict:
    """Published events starting in the period; registrations are places taken; attended are checked in.

    The attendance rate divides the people checked in at events that have taken place by the places taken
    at those events (the table's note: "checked in, of the registrations for events that have taken place").
    """
    by_type = {t.value: Counter() for t in EventType}
    by_region = {s: Counter() for s in slugs}

    def add(event, key, n=1):
        by_type[event["type"]][key] += n
        by_region[event["region"]][key] += n

    counted = {
        id(e): e
        for e in net.events
        if e["region"] in slugs and e["status"] == "published" and frame.starts_at <= e["starts_at"] < frame.ends_at
    }
    for event in counted.values():
        add(event, "events")
        add(event, "held", event["starts_at"] < net.now)
    for r in net.registrations:
        event = r["event"]
        if id(event) in counted and r["status"] == "registered":
            held = event["starts_at"] < net.now
            add(event, "registrations")
            add(event, "attended", r["checked_in"])
            add(event, "at_held", held)
            add(event, "attended_at_held", held and r["checked_in"])

    def finish(row: dict, found: Counter) -> dict:
        row.update({k: found[k] for k in EVENT_COLUMNS[:-1]})
        row["attendance"] = found["attended_at_held"] / found["at_held"] if found["at_held"] else None
        return row

    everything = sum(by_region.values(), Counter())
    type_rows = [finish({"type": TYPE_LABELS[t], "code": t.value}, by_type[t.value]) for t in EventType]
    region_rows = [finish({"region": net.regions[s]["name"], "region_slug": s}, by_region[s]) for s in slugs]
    return {
        "events": {
            "columns": ["type", *EVENT_COLUMNS],
            "rows": type_rows,
            "total": finish({"type": TOTAL, "code": None}, everything),
        },
        "events_by_region": {
            "columns": ["region", *EVENT_COLUMNS],
            "rows": region_rows,
            "total": finish({"region": TOTAL, "region_slug": None}, everything),
        },
    }


def _in_scope(match: dict, frame: Frame, slugs: list[str]) -> bool:
    """The cohort's matches, or without a cohort those running in the period."""
    if match["region"] not in slugs:
        return False
    if frame.cohort is not None:
        return match["cohort"] is frame.cohort
    return match["proposed_on"] <= frame.end and (match["ended_on"] is None or match["ended_on"] >= frame.start)


def _matches_table(net, frame, slugs) -> dict:
    counts = {s: Counter() for s in slugs}
    for m in net.matches:
        if _in_scope(m, frame, slugs):
            counts[m["region"]][m["status"]] += 1
            counts[m["region"]]["total"] += 1
    rows, total = _per_region(net, slugs, counts, [*STATUSES, "total"])
    return {"columns": ["region", *STATUSES, "total"], "rows": rows, "total": total}


def _overdue(net, frame, slugs) -> dict:
    """Milestones not done and due before today, of the active matches in scope; the longest overdue first."""
    found = [
        ms
        for ms in net.milestones
        if _in_scope(ms["match"], frame, slugs)
        and ms["match"]["status"] == "active"
        and ms["done_on"] is None
        and ms["due_on"] < frame.today
    ]
    found.sort(key=lambda ms: (ms["due_on"], ms["id"]))
    rows = [
        {
            "region": net.regions[ms["match"]["region"]]["name"],
            "region_slug": ms["match"]["region"],
            "match_id": ms["match"]["id"],
            "match": ms["match"]["title"],
            "milestone": ms["title"],
            "due_on": ms["due_on"],
            "days_overdue": (frame.today - ms["due_on"]).days,
        }
        for ms in found
    ]
    return {"columns": ["region", "match", "milestone", "due_on", "days_overdue"], "rows": rows, "total": None}


def _funding(net, frame, slugs) -> dict:
    """Matches in scope that were started — a proposal dropped before it started was never funded."""
    counts = {s: Counter() for s in slugs}
    for m in net.matches:
        if _in_scope(m, frame, slugs) and m["started_on"] is not None:
            found = counts[m["region"]]
            found["matches"] += 1
            found["budget"] += m["budget"]
            found["committed"] += m["committed"]
            found["paid"] += m["paid"]
            found["remaining"] += m["budget"] - m["paid"]
    keys = ["matches", "budget", "committed", "paid", "remaining"]
    rows, total = _per_region(net, slugs, counts, keys)
    return {"columns": ["region", *keys], "rows": rows, "total": total}


def _cross_region(net, frame, slugs) -> dict:
    """Contacts across regions decided in the period; guests at a region's events; its members' visits elsewhere.

    A visit out is an attended registration of a region's member at an event of a region they are not a
    member of (a member of two regions is at home in both: they are nobody's guest there).
    """
    counts = {s: Counter() for s in slugs}
    network_contacts = 0
    for c in net.contacts:
        ends = {c["sender"]["region"], c["recipient"]["region"]}
        if (
            c["status"] == "accepted"
            and len(ends) == 2
            and frame.starts_at <= c["decided_at"] < frame.ends_at
            and ends & set(slugs)
        ):
            network_contacts += 1
            for s in ends & set(slugs):
                counts[s]["contacts"] += 1
    for r in net.registrations:
        event, person = r["event"], r["user"]
        if not (
            r["status"] == "registered"
            and event["status"] == "published"
            and frame.starts_at <= event["starts_at"] < frame.ends_at
        ):
            continue
        if event["region"] in slugs and event["region"] not in person["regions"]:
            counts[event["region"]]["guest_registrations"] += 1
            counts[event["region"]]["guests_attended"] += r["checked_in"]
        if r["checked_in"] and event["region"] not in person["regions"]:
            for s in person["regions"] & set(slugs):
                counts[s]["visits_out"] += 1
    # Teams across regions: a match of the period (of any region) with an accepted member of another region
    # counts once for its funding region; each such member counts for their own region.
    crossing: dict[str, set] = {s: set() for s in slugs}
    for g in net.guests:
        match = g["match"]
        if g["status"] != "accepted" or not _in_scope(match, frame, [match["region"]]):
            continue
        if match["region"] in slugs:
            crossing[match["region"]].add(id(match))
        if g["profile"]["region"] in slugs:
            counts[g["profile"]["region"]]["team_members_out"] += 1
    for s in slugs:
        counts[s]["team_matches"] = len(crossing[s])
    keys = ["contacts", "guest_registrations", "guests_attended", "visits_out", "team_matches", "team_members_out"]
    rows, total = _per_region(net, slugs, counts, keys)
    total["contacts"] = network_contacts  # a contact between two regions is one contact for the network
    total["visits_out"] = None  # a member of two regions visits out of both
    return {"columns": ["region", *keys], "rows": rows, "total": total}


def _contact_pairs(net, frame, slugs) -> dict:
    """Accepted contacts decided in the period, for each region of the report with every region (all of them)."""
    every = list(SLUGS)  # every active region, in the registry's order
    rows = []
    for s in slugs:
        row = {"region": net.regions[s]["name"], "region_slug": s}
        for t in every:
            row[t] = None if t == s else 0
        for c in net.contacts:
            ends = {c["sender"]["region"], c["recipient"]["region"]}
            if (
                c["status"] == "accepted"
                and s in ends
                and len(ends) == 2
                and frame.starts_at <= c["decided_at"] < frame.ends_at
            ):
                (other,) = ends - {s}
                row[other] += 1
        rows.append(row)
    return {"columns": ["region", *every], "rows": rows, "total": None}


def _comparison(net, slugs, tables) -> dict:
    def of(key, slug):
        return next(r for r in tables[key]["rows"] if r["region_slug"] == slug)

    overdue = Counter(r["region_slug"] for r in tables["overdue"]["rows"])
    rows = []
    for s in slugs:
        p, e, m, f, x = (of(k, s) for k in ("participants", "events_by_region", "matches", "funding", "cross_region"))
        rows.append(
            {
                "region": net.regions[s]["name"],
                "region_slug": s,
                "participants": p["total"],
                "creatives": p["creative"],
                "organisations": p["organisation"],
                "new_profiles": sum(r[s] for r in tables["new_profiles"]["rows"]),
                "events": e["events"],
                "registrations": e["registrations"],
                "attended": e["attended"],
                "matches": m["total"],
                "active": m["active"],
                "completed": m["completed"],
                "overdue": overdue[s],
                "budget": f["budget"],
                "paid": f["paid"],
                "remaining": f["remaining"],
                "contacts": x["contacts"],
                "guests_attended": x["guests_attended"],
            }
        )
    keys = [k for k in rows[0] if k not in ("region", "region_slug")]
    total = {"region": TOTAL, "region_slug": None, **{k: sum(r[k] for r in rows) for k in keys}}
    total["contacts"] = tables["cross_region"]["total"]["contacts"]
    return {"columns": ["region", *keys], "rows": rows, "total": total}
