"""Cohorts (Durchgänge): the program's periods, as data. Nothing about CIMIS II is hard-coded."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import db, utcnow
from hub.core.money import from_cents
from hub.core.personal_data import not_personal


class Cohort(db.Model):
    """One program period of all regions, e.g. "CIMIS II 2024/25": its dates and its funding per match.

    Cohorts are network-wide (the funder reports per cohort across the regions), so they are not
    region-scoped; admins keep them, everyone signed in may read them.
    """

    __tablename__ = "cohort"
    personal_data = not_personal("a program period", ordinary=("name",))
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("funding_per_match_cents >= 0", name="funding_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    funding_per_match_cents: Mapped[int] = mapped_column(BigInteger)
    planned_expert_events: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def funding_per_match(self) -> Decimal:
        return from_cents(self.funding_per_match_cents)

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def __repr__(self) -> str:
        return f"<Cohort {self.name!r}>"
