"""The tenancy wall: every ORM query and write of a region-scoped model is held to one region.

The current region lives in a context variable. Requests set it from the URL, jobs and the CLI
with ``region_scope(region)``. Code that must see all regions says so with ``all_regions()``:
that is the one visible door in the wall.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import chain

from sqlalchemy import ForeignKey, event, inspect
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    relationship,
    with_loader_criteria,
)
from sqlalchemy.sql import visitors
from sqlalchemy.sql.schema import Table


class TenancyError(RuntimeError):
    """A region-scoped query or write without a region, or across the region's border."""


class ReadOnlyScopeError(TenancyError):
    """A write attempted in a read-only scope (the umbrella reads, it never changes)."""


@dataclass(frozen=True)
class Scope:
    """Which region the current code may touch."""

    region_id: int | None = None
    all_regions: bool = False
    read_only: bool = False


_scope: ContextVar[Scope] = ContextVar("hub_tenancy_scope", default=Scope())  # noqa: B039 - frozen


def current_scope() -> Scope:
    """The scope in force for the running code."""
    return _scope.get()


def current_region_id() -> int | None:
    """The id of the region in scope, or None."""
    return _scope.get().region_id


@contextmanager
def _scoped(scope: Scope) -> Iterator[Scope]:
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def region_scope(region, *, read_only: bool = False):
    """Run the block inside one region (a Region or its id)."""
    region_id = region if isinstance(region, int) else region.id
    if region_id is None:
        raise TenancyError("region_scope() needs a saved region")
    return _scoped(Scope(region_id=region_id, read_only=read_only))


def all_regions(*, read_only: bool = False):
    """Opt out of the region filter for the block: cross-region code says so here."""
    return _scoped(Scope(all_regions=True, read_only=read_only))


def no_region():
    """Run the block with no region: scoped queries raise. Each request starts like this."""
    return _scoped(Scope())


def enter_scope(scope: Scope):
    """Set a scope until reset_scope(token); for request hooks that cannot use a with block."""
    return _scope.set(scope)


def reset_scope(token) -> None:
    """Undo enter_scope()."""
    _scope.reset(token)


class RegionScoped:
    """Mixin for models whose rows belong to one region: adds ``region_id`` and ``region``.

    Every ORM query of such a model is filtered to the region in scope.
    """

    @declared_attr
    def region_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), index=True)

    @declared_attr
    def region(cls) -> Mapped[Region]:  # noqa: F821 - resolved by the registry
        return relationship("Region")


def _scoped_tables() -> dict[str, Table]:
    from hub.core.db import db

    return {
        mapper.local_table.name: mapper.local_table
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, RegionScoped)
    }


_SCOPED_TABLE_NAMES: frozenset[str] | None = None


def scoped_table_names() -> frozenset[str]:
    """Names of the tables of all region-scoped models."""
    global _SCOPED_TABLE_NAMES
    if _SCOPED_TABLE_NAMES is None or not _SCOPED_TABLE_NAMES:
        _SCOPED_TABLE_NAMES = frozenset(_scoped_tables())
    return _SCOPED_TABLE_NAMES


def _touches_scoped_table(statement) -> bool:
    names = scoped_table_names()
    return any(isinstance(element, Table) and element.name in names for element in visitors.iterate(statement))


def _touches_scoped(state: ORMExecuteState) -> bool:
    if any(issubclass(m.class_, RegionScoped) for m in state.all_mappers):
        return True
    return _touches_scoped_table(state.statement)


@event.listens_for(Session, "do_orm_execute")
def _hold_queries_to_region(state: ORMExecuteState) -> None:
    """Add ``region_id = :current`` to every ORM query, bulk UPDATE and bulk DELETE of a scoped model."""
    if state.is_column_load:
        return  # refreshes attributes of an object that was already let through
    if state.is_relationship_load and _crosses_regions(state):
        return
    scope = _scope.get()
    if scope.all_regions:
        if scope.read_only and (state.is_update or state.is_delete or state.is_insert) and _touches_scoped(state):
            raise ReadOnlyScopeError("this scope may not change region data")
        return
    if not _touches_scoped(state):
        return
    if scope.region_id is None:
        raise TenancyError("a query of region-scoped data needs a region (or all_regions())")
    if (state.is_insert or state.is_update or state.is_delete) and scope.read_only:
        raise ReadOnlyScopeError("this scope may not change region data")
    if state.is_insert:
        _check_insert_params(state, scope.region_id)
        return
    region_id = scope.region_id
    state.statement = state.statement.options(
        with_loader_criteria(RegionScoped, lambda cls: cls.region_id == region_id, include_aliases=True)
    )


def _crosses_regions(state: ORMExecuteState) -> bool:
    """A relationship declared with ``info={"all_regions": True}`` loads across the wall, visibly so."""
    prop = getattr(state.loader_strategy_path, "prop", None)
    return bool(prop is not None and prop.info.get("all_regions"))


def _check_insert_params(state: ORMExecuteState, region_id: int) -> None:
    params = state.parameters
    rows = params if isinstance(params, list) else [params or {}]
    for row in rows:
        if row.get("region_id") != region_id:
            raise TenancyError("a bulk insert of region data must name the region in scope")


@event.listens_for(Session, "before_flush")
def _guard_writes(session: Session, flush_context, instances) -> None:
    """Refuse to flush a scoped row into a region other than the one in scope."""
    scope = _scope.get()
    new = set(session.new)  # session.new builds a fresh set on every access
    for obj in chain(new, session.dirty, session.deleted):
        if not isinstance(obj, RegionScoped):
            continue
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if scope.read_only:
            raise ReadOnlyScopeError(f"{type(obj).__name__}: this scope may not change region data")
        if obj in new and obj.region_id is None and getattr(obj, "region", None) is None:
            if scope.region_id is None:
                raise TenancyError(f"{type(obj).__name__} needs a region")
            obj.region_id = scope.region_id
        if scope.all_regions:
            continue
        if scope.region_id is None:
            raise TenancyError(f"writing {type(obj).__name__} needs a region in scope")
        region_ids = {_region_id_of(obj)}
        history = inspect(obj).attrs.region_id.history
        region_ids.update(v for v in history.deleted if v is not None)
        if region_ids != {scope.region_id}:
            raise TenancyError(f"{type(obj).__name__} belongs to another region than the one in scope")


def _region_id_of(obj) -> int | None:
    if obj.region_id is not None:
        return obj.region_id
    region = getattr(obj, "region", None)
    return region.id if region is not None else None


def check_loaded_object(obj):
    """Hide an object of another region that session.get() found in the identity map."""
    if obj is None or not isinstance(obj, RegionScoped):
        return obj
    scope = _scope.get()
    if scope.all_regions:
        return obj
    if scope.region_id is None:
        raise TenancyError("a query of region-scoped data needs a region (or all_regions())")
    return obj if obj.region_id == scope.region_id else None


# URL arguments that name a region-scoped object (``<int:event_id>``): inside a region URL the hub
# looks the object up before the view runs, so another region's object answers 404 before any body
# is parsed or any code of the view runs.
SCOPED_URL_ARGS: dict[str, type] = {}


def scoped_url_arg(name: str, model: type) -> None:
    """Declare that the URL argument ``name`` is the id of a ``model`` of the region in scope."""
    SCOPED_URL_ARGS[name] = model


# URL arguments that name a row of ANOTHER region which this region may reach through a declared door (a
# team across regions: ``regions.teams.access``): ``name -> reachable(id) -> bool``. The request hook asks it
# in the region's scope and answers 404 when the row is not reachable from here, before any body is parsed,
# as it does for SCOPED_URL_ARGS. Each function opens its door itself, visibly.
DOOR_URL_ARGS: dict[str, object] = {}


def door_url_arg(name: str, reachable) -> None:
    """Declare that the URL argument ``name`` is the id of a row behind a door; ``reachable(id)`` says whether
    the region in scope may reach it."""
    DOOR_URL_ARGS[name] = reachable
