"""What a report covers: a period of whole days in Berlin and, optionally, one cohort.

Query arguments ``cohort``, ``from`` and ``to`` (ISO dates) are read by one schema for the pages,
the exports and the API. Without arguments a report covers the cohort running today, or the last
twelve months where no cohort runs (the timeline: half a year back and ahead). With a cohort,
matches and funding are the cohort's own; the period (the cohort's dates unless ``from``/``to`` say
otherwise) bounds events, new profiles and contacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from marshmallow import ValidationError, fields, validates_schema

from hub.cohorts.models import Cohort
from hub.cohorts.services import cohort_for, require_cohort
from hub.core.db import BERLIN, berlin_today
from hub.core.schemas import BaseSchema, ServiceError, _m

LONGEST = timedelta(days=366 * 10)


def day_start(day: date) -> datetime:
    """The UTC instant at which a day begins in Berlin."""
    return datetime.combine(day, time(0), BERLIN).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """A report's frame: first and last day (inclusive, Berlin) and the cohort, if one was chosen."""

    start: date
    end: date
    cohort: Cohort | None = None
    today: date | None = None

    @property
    def starts_at(self) -> datetime:
        return day_start(self.start)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return day_start(self.end + timedelta(days=1))

    @property
    def cohort_id(self) -> int | None:
        return self.cohort.id if self.cohort else None

    def as_args(self) -> dict:
        """The query arguments that select this period again (for links and exports)."""
        args = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.cohort:
            args["cohort"] = self.cohort.id
        return args

    def months(self) -> list[date]:
        """The first days of the months the period touches."""
        first, out = self.start.replace(day=1), []
        while first <= self.end:
            out.append(first)
            first = (first + timedelta(days=32)).replace(day=1)
        return out


class PeriodSchema(BaseSchema):
    cohort = fields.Integer(load_default=None, strict=False)
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)

    @validates_schema
    def _order(self, data, **kwargs):
        start, end = data.get("from_"), data.get("to")
        if start and end and end < start:
            raise ValidationError(_m("The end must not be before the start."), "to")


def resolve(data: dict, today: date | None = None, *, ahead: int = 0) -> Period:
    """Turn loaded query arguments into a period; an unknown cohort or a too long period is refused.

    Without a cohort or dates, the period is the year up to today, moved ``ahead`` days into the future
    (the timeline looks half a year ahead)."""
    today = today or berlin_today()
    cohort: Cohort | None = None
    if data.get("cohort") is not None:
        cohort = require_cohort(data["cohort"], "cohort", _m("There is no such cohort."))
    elif data.get("from_") is None and data.get("to") is None:
        cohort = cohort_for(today)
    if cohort is not None:
        start, end = data.get("from_") or cohort.starts_on, data.get("to") or cohort.ends_on
    else:
        end = data.get("to") or (today + timedelta(days=ahead))
        start = data.get("from_") or (end - timedelta(days=364))
    if end < start:
        raise ServiceError(_m("The end must not be before the start."), "to")
    if end - start > LONGEST:
        raise ServiceError(_m("Please choose a period of at most ten years."), "from")
    return Period(start=start, end=end, cohort=cohort, today=today)
