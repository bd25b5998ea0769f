"""Dashboards, the region comparison, the program timeline, exports and the funder report.

The umbrella project and admins see all regions (``/umbrella/…``); a region's coordination sees the
same pages for its own region (``/<region>/…``; the umbrella may read those too). Nothing here
changes data: every route is a GET.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, g, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from hub.cohorts import access as cohorts
from hub.cohorts.services import list_cohorts
from hub.core import spreadsheets
from hub.core.access import coordinator_required, umbrella_required
from hub.core.actions import Actor
from hub.core.glue import load, page_query
from hub.core.pdf import pdf_response
from hub.core.schemas import load_form
from hub.core.tenancy.registry import active_regions
from shared.reports import access, funder, kpis, period, services, snapshots
from shared.reports.tables import display

bp = Blueprint("reports", __name__, template_folder="templates")
bp.add_app_template_global(display, "cell")

TABLE_ORDER = (
    "participants",
    "submarkets",
    "new_profiles",
    "events",
    "events_by_region",
    "matches",
    "overdue",
    "funding",
    "cross_region",
    "contact_pairs",
    "comparison",
)


class Scope:
    """Which regions a report page counts, and where its links point."""

    def __init__(self, regions, region=None):
        self.regions = regions
        self.region = region  # the region of a /<region>/ page, else None

    def url(self, endpoint: str, **args) -> str:
        if self.region is not None:
            return url_for(f"reports.region_{endpoint}", region=self.region.slug, **args)
        return url_for(f"reports.umbrella_{endpoint}", **args)


def _umbrella_scope() -> tuple[Scope, dict]:
    """All regions, or the one named by ?region= (an unknown name is a field error)."""
    chosen, errors = page_query(lambda: access.umbrella_regions(request.args.get("region")))
    return Scope(chosen or active_regions()), errors


def _period(errors: dict, *, ahead: int = 0):
    """The period of the query arguments, or None with the errors filled in."""
    data, found = load_form(period.PeriodSchema(), request.args)
    errors.update(found)
    if data is None or errors:
        return None
    chosen, found = page_query(lambda: period.resolve(data, ahead=ahead))
    errors.update(found)
    return chosen


def _filters(scope: Scope, errors: dict, chosen) -> dict:
    region_arg = {"region": request.args["region"]} if scope.region is None and request.args.get("region") else {}
    return {
        "region_arg": region_arg,
        "export_args": {**chosen.as_args(), **region_arg} if chosen else {},
        "scope": scope,
        "errors": errors,
        "cohorts": list_cohorts(),
        "all_regions": active_regions() if scope.region is None else None,
        "args": request.args,
        "link_args": {k: v for k, v in request.args.items() if k != "fresh"},  # the tabs do not count anew
        "period": chosen,
    }


def _figures(scope: Scope, chosen) -> kpis.Dashboard:
    """The figures of a page: kept for a few minutes, or counted anew when the page asks (?fresh=1)."""
    return snapshots.figures(scope.regions, chosen, fresh=bool(request.args.get("fresh")))


def _dashboard(scope: Scope, errors: dict):
    chosen = _period(errors)
    if chosen is None:
        return render_template("reports/dashboard.html", report=None, **_filters(scope, errors, None)), 422
    report = _figures(scope, chosen)
    return render_template(
        "reports/dashboard.html",
        report=report,
        charts=services.dashboard_charts(report),
        order=TABLE_ORDER,
        **_filters(scope, errors, chosen),
    )


@bp.get("/umbrella/dashboard")
@umbrella_required
def umbrella_dashboard():
    """The umbrella's dashboard: all regions (or one), for a cohort or a period."""
    scope, errors = _umbrella_scope()
    return _dashboard(scope, errors)


@bp.get("/<region>/dashboard")
@coordinator_required
def region_dashboard():
    """The same dashboard for the coordination's own region."""
    return _dashboard(Scope([g.region], g.region), {})


@bp.get("/umbrella/compare")
@umbrella_required
def umbrella_compare():
    """The regions side by side."""
    scope, errors = Scope(active_regions()), {}
    chosen = _period(errors)
    if chosen is None:
        return render_template("reports/compare.html", report=None, **_filters(scope, errors, None)), 422
    report = _figures(scope, chosen)
    return render_template("reports/compare.html", report=report, **_filters(scope, errors, chosen))


def _timeline(scope: Scope, errors: dict):
    chosen = _period(errors, ahead=182)
    if chosen is None:
        return render_template("reports/timeline.html", timeline=None, **_filters(scope, errors, None)), 422
    found = services.timeline(scope.regions, chosen)
    return render_template("reports/timeline.html", timeline=found, **_filters(scope, errors, chosen))


@bp.get("/umbrella/timeline")
@umbrella_required
def umbrella_timeline():
    """Events and match milestones of all regions on one time axis."""
    scope, errors = _umbrella_scope()
    return _timeline(scope, errors)


@bp.get("/<region>/timeline")
@coordinator_required
def region_timeline():
    """The program timeline of the own region."""
    return _timeline(Scope([g.region], g.region), {})


def _export(scope: Scope, errors: dict):
    """One table as CSV or XLSX, or every table in one XLSX workbook (?table=all)."""
    chosen = _period(errors)
    fmt, key = request.args.get("format", "xlsx"), request.args.get("table", "all")
    if fmt not in ("csv", "xlsx"):
        errors["format"] = [_("Choose CSV or XLSX.")]
    if key != "all" and key not in TABLE_ORDER:
        errors["table"] = [_("There is no such table.")]
    elif key == "all" and fmt == "csv":
        errors["table"] = [_("A CSV file holds one table; choose a table or XLSX.")]
    if chosen is None or errors:
        return render_template("reports/dashboard.html", report=None, **_filters(scope, errors, chosen)), 422
    report = kpis.compute(scope.regions, chosen)
    place = scope.region.slug if scope.region else "alle-regionen"
    stem = f"cimis-{place}-{chosen.start.isoformat()}-{chosen.end.isoformat()}"
    if fmt == "csv":
        return spreadsheets.csv_response(report[key], f"{stem}-{key}.csv")
    tables = [report[k] for k in TABLE_ORDER] if key == "all" else [report[key]]
    return spreadsheets.xlsx_response(
        tables,
        f"{stem}{'' if key == 'all' else '-' + key}.xlsx",
        title=_("CIMIS Hub – key figures"),
        subtitle_lines=_describe(report),
    )


def _describe(report: kpis.Dashboard) -> list[str]:
    """The lines that say what a report covers."""
    chosen = report.period
    lines = [
        _(
            "Period: %(start)s – %(end)s",
            start=format_date(chosen.start, "medium"),
            end=format_date(chosen.end, "medium"),
        ),
        _("Regions: %(names)s", names=", ".join(r.name for r in report.regions)),
    ]
    if chosen.cohort is not None:
        lines.insert(0, _("Cohort: %(name)s", name=chosen.cohort.name))
    return lines


@bp.get("/umbrella/dashboard/export")
@umbrella_required
def umbrella_export():
    scope, errors = _umbrella_scope()
    return _export(scope, errors)


@bp.get("/<region>/dashboard/export")
@coordinator_required
def region_export():
    return _export(Scope([g.region], g.region), {})


def _funder_report(scope: Scope, cohort_id: int):
    cohort = load(cohorts.readable_cohort, Actor.current(), cohort_id)
    report = kpis.compute(scope.regions, period.resolve({"cohort": cohort.id}))
    data = funder.funder_report_pdf(report, generated_at=datetime.now(UTC))
    place = scope.region.slug if scope.region else "alle-regionen"
    return pdf_response(data, f"Förderbericht {cohort.name} {place}.pdf")


@bp.get("/umbrella/reports/cohort/<int:cohort_id>.pdf")
@umbrella_required
def umbrella_funder_report(cohort_id: int):
    """The funder report of a cohort as PDF, all regions (or ?region=)."""
    scope, errors = _umbrella_scope()
    if errors:
        abort(404)
    return _funder_report(scope, cohort_id)


@bp.get("/<region>/reports/cohort/<int:cohort_id>.pdf")
@coordinator_required
def region_funder_report(cohort_id: int):
    """The funder report of a cohort for the own region."""
    return _funder_report(Scope([g.region], g.region), cohort_id)
