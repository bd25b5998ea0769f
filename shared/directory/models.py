"""The directory's search index: one entry per profile, kept in step with the profiles on every flush."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, PrimaryKeyConstraint, String, Text, false
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import db
from hub.core.personal_data import Personal
from hub.core.tenancy import RegionScoped

# Joins facet, value and label in DirectoryEntry.facets; facets and values never contain it.
FACET_SEP = "\t"


class DirectoryEntry(RegionScoped, db.Model):
    """What the directory knows of a profile: who may see it, its facets and its folded text.

    On SQLite the FTS5 table ``directory_fts`` mirrors ``body`` and ``filters`` through triggers; on
    PostgreSQL the generated column ``search_tsv`` (GIN-indexed) does. Both are made by the migration.
    """

    __tablename__ = "directory_entry"
    personal_data = Personal(
        columns=("town", "name_key", "body"), owners={"profile_id": "profile", "user_id": "user"}, derived=True
    )

    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))
    visibility: Mapped[str] = mapped_column(String(20))
    listed: Mapped[bool]  # consent given and not archived
    archived: Mapped[bool]
    town: Mapped[str] = mapped_column(String(120), default="")
    sector: Mapped[str] = mapped_column(String(120), default="")
    name_key: Mapped[str] = mapped_column(String(120), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    filters: Mapped[str] = mapped_column(Text, default="")
    # The rows of DirectoryTerm again, as "facet<TAB>value<TAB>label", so that the search counts them with
    # the hits in one pass: a JSON array on SQLite (json_each), a text[] on PostgreSQL (unnest, faster).
    facets: Mapped[list[str]] = mapped_column(JSON().with_variant(ARRAY(Text), "postgresql"), default=list)
    # When what the search sees of the profile last changed (its text, facets, visibility, listing); NULL for
    # entries of before migration 0021. Saved searches look only at entries changed since they last looked.
    changed_at: Mapped[datetime | None]

    __table_args__ = (
        # A search without words walks one of these in name order and stops after its page (migration 0023);
        # the first also serves PostgreSQL's search with a kind or region filter (intersected with the GIN index).
        Index("ix_directory_entry_kind_region_name", "kind", "region_id", "name_key"),
        Index("ix_directory_entry_region_name", "region_id", "name_key"),
        Index("ix_directory_entry_kind_name", "kind", "name_key"),
        # A town or sector filter reads its hits in name order (and stops after the bound).
        Index("ix_directory_entry_town_name", "town", "name_key"),
        Index("ix_directory_entry_sector_name", "sector", "name_key"),
        Index("ix_directory_entry_name_key", "name_key"),
        Index("ix_directory_entry_changed_at", "changed_at"),
    )


class DirectoryTerm(RegionScoped, db.Model):
    """A multi-valued facet of a profile: a submarket or a tag, for counting and filtering."""

    __tablename__ = "directory_term"
    personal_data = Personal(columns=("label",), owners={"profile_id": "profile"}, derived=True)

    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), primary_key=True)
    facet: Mapped[str] = mapped_column(String(12), primary_key=True)  # submarket | tag
    value: Mapped[str] = mapped_column(String(120), primary_key=True)  # folded key
    label: Mapped[str] = mapped_column(String(120))  # as the participant wrote it
    # Copied from the profile, so that the reports count submarkets from this table alone.
    archived: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_directory_term_facet_value", "facet", "value"),
        # Submarkets per region in index order: no sort for the GROUP BY.
        Index("ix_directory_term_counting", "facet", "region_id", "value", "archived", "created_at"),
    )


class DirectoryCount(RegionScoped, db.Model):
    """How many entries of one region, kind, visibility and listing carry one facet value (kept with the index).

    ``key`` is a facet value as ``facet<TAB>value<TAB>label`` (region and kind: the empty key, every entry once).
    Archived entries are not counted: nobody sees them. The search adds up the rows of the categories a viewer
    sees (``shared.directory.counts``), so a search without words knows its facet counts without reading its hits.
    Rows that reach 0 are deleted, so no label outlives the last profile that wrote it.
    """

    __tablename__ = "directory_count"
    personal_data = Personal(derived=True, reason="counts per facet value, rebuilt from the index")

    kind: Mapped[str] = mapped_column(String(20))
    visibility: Mapped[str] = mapped_column(String(20))
    listed: Mapped[bool]
    key: Mapped[str] = mapped_column(Text)
    n: Mapped[int]

    __table_args__ = (
        PrimaryKeyConstraint("region_id", "kind", "visibility", "listed", "key"),
        # How common a filter is, over every category (shared.directory.search._reach).
        Index("ix_directory_count_key", "key"),
    )
