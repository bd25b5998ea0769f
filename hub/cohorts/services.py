"""Cohorts: the program periods every region's matches belong to."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hub.cohorts.models import Cohort
from hub.core.db import db
from hub.core.money import to_cents
from hub.core.schemas import Message, ServiceError, _m


def list_cohorts() -> list[Cohort]:
    """All cohorts, the newest first."""
    return list(db.session.scalars(select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.id.desc())))


def cohort_for(day: date) -> Cohort | None:
    """The cohort running on a day (the latest-starting one if periods overlap)."""
    return db.session.scalar(
        select(Cohort).where(Cohort.starts_on <= day, Cohort.ends_on >= day).order_by(Cohort.starts_on.desc()).limit(1)
    )


def save_cohort(cohort: Cohort | None, fields: dict) -> Cohort:
    """Create or change a cohort from validated fields (funding_per_match as a Decimal). The caller commits."""
    if fields["ends_on"] < fields["starts_on"]:
        raise ServiceError(_m("The end must not be before the start."), "ends_on")
    name_taken = _cohort_named(fields["name"])
    if name_taken is not None and (cohort is None or name_taken != cohort.id):
        raise ServiceError(_m("A cohort of this name exists already."), "name")
    if cohort is None:
        cohort = Cohort()
        db.session.add(cohort)
    values = dict(fields)
    cohort.funding_per_match_cents = to_cents(values.pop("funding_per_match"))
    for name, value in values.items():
        setattr(cohort, name, value)
    db.session.flush()
    return cohort


def _cohort_named(name: str) -> int | None:
    """The id of the cohort of this name (names are unique; the database holds that at a race, too)."""
    return db.session.scalar(select(Cohort.id).where(Cohort.name == name))


def require_cohort(cohort_id: int | None, field: str = "cohort_id", message: Message | None = None) -> Cohort:
    """The cohort a request names; an unknown one is refused with the field named (and ``message``, where a
    filter rather than a choice names it)."""
    cohort = db.session.get(Cohort, cohort_id) if cohort_id is not None else None
    if cohort is None:
        raise ServiceError(message or _m("Please choose a cohort."), field)
    return cohort
