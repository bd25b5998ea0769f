"""The region: the tenant of the hub."""

from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import db
from hub.core.personal_data import not_personal


class Region(db.Model):
    """A regional network (Erzgebirge, Meißen, …), synchronised from config/regions.toml."""

    __tablename__ = "region"
    personal_data = not_personal("a regional network and its office", ordinary=("name", "contact_email", "town"))

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(300))
    supporters: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    town: Mapped[str] = mapped_column(String(120), default="")
    accent_color: Mapped[str] = mapped_column(String(7), default="#444444")
    is_umbrella_lead: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Region {self.slug}>"
