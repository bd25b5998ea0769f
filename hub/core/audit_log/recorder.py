"""Writes the audit log: every flush that creates, changes or deletes an audited object adds its entries.

A model opts in by mixing in ``Audited``. An ``after_flush`` listener compares the column attributes of
the audited objects of the flush (old and new values from SQLAlchemy's attribute history) and writes
all entries of that flush with one Core INSERT on the flush's own connection, so an entry commits or
rolls back with the change it describes.

That INSERT is a visible door in the tenancy wall: it goes past the ORM (objects cannot be added while
a flush runs), so the wall's listeners do not see it. Each entry takes its region from the audited
object, which the wall has already checked at ``before_flush``.

Known bypass: bulk UPDATE and DELETE statements do not go through the flush. The hub uses them for
derived totals (an event's counters, a match's paid and committed cents), whose causes (registrations,
ledger entries) are audited; where a bulk UPDATE changes an audited row itself, the service records
the change with ``snapshot()`` and ``record_update()``.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, object_session

from hub.core.acting import Acting, current_actor
from hub.core.audit_log.models import AuditEntry
from hub.core.db import utcnow

# Never written to the log, whatever the model: timestamps of the row itself and secrets.
EXCLUDED = frozenset({"updated_at", "password_hash", "token_hash", "session_token"})
# The entry names the object and its region already; a create or delete does not repeat them.
IDENTITY = frozenset({"id", "region_id"})
LABEL_LENGTH = 200
# Stands for a value the log does not keep (contact details, answers: hub.privacy's audit_hidden).
HIDDEN = "•••"
_hidden_by_table: dict[str, frozenset[str]] | None = None


def _hidden(obj) -> frozenset[str]:
    """The columns of this object's table whose values the log never keeps (from the privacy registry)."""
    global _hidden_by_table
    if _hidden_by_table is None:
        from hub.core.personal_data import audit_hidden_columns

        _hidden_by_table = audit_hidden_columns()
    return _hidden_by_table.get(inspect(obj).mapper.local_table.name, frozenset())


def _hide(obj, changes: dict) -> dict:
    hidden = _hidden(obj)
    return {
        key: [None if old is None else HIDDEN, None if new is None else HIDDEN] if key in hidden else [old, new]
        for key, (old, new) in changes.items()
    }


class AuditLogError(RuntimeError):
    """An attempt to change or delete an entry of the append-only audit log."""


class Audited:
    """Mixin: every create, update and delete of this model is written to the audit log.

    ``__audit_exclude__`` names columns left out (derived counters, say); ``audit_label`` is the short
    name the log keeps of the object (a model overrides it; the default is its id); ``audit_regions`` the
    regions whose log gets the entry (the object's own; a model that two regions decide on names both).
    """

    __audit_exclude__: frozenset[str] = frozenset()

    @property
    def audit_label(self) -> str:
        return f"#{self.id}"

    @property
    def audit_regions(self) -> tuple[int, ...]:
        return (self.region_id,)


def related(obj, name: str):
    """A many-to-one neighbour of ``obj`` for its label, also while the flush that creates ``obj`` runs.

    SQLAlchemy does not lazy-load for an object that is still pending, so the neighbour is then taken
    by its key (from the identity map, or with one SELECT in the scope in force).
    """
    value = getattr(obj, name)
    if value is not None:
        return value
    prop = inspect(obj).mapper.relationships[name]
    key = getattr(obj, next(iter(prop.local_columns)).key)
    session = object_session(obj)
    return None if key is None or session is None else session.get(prop.mapper.class_, key)


# -- who: hub.core.acting names the actor of every change (acting_as, current_actor) -----------------


# -- what ----------------------------------------------------------------------------------------------


def plain(value):
    """A value as JSON keeps it: enums by value, times as ISO text in UTC, exact amounts as text."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _audited_keys(obj) -> list[str]:
    skip = EXCLUDED | type(obj).__audit_exclude__
    return [prop.key for prop in inspect(obj).mapper.column_attrs if prop.key not in skip]


def snapshot(obj) -> dict:
    """The audited columns of an object as the log keeps them (loaded values only, nothing is fetched)."""
    loaded = inspect(obj).dict
    return {key: plain(loaded[key]) for key in _audited_keys(obj) if key in loaded}


def _created(obj) -> dict:
    return {key: [None, value] for key, value in snapshot(obj).items() if key not in IDENTITY and not _empty(value)}


def _deleted(obj) -> dict:
    return {key: [value, None] for key, value in snapshot(obj).items() if key not in IDENTITY and not _empty(value)}


def _updated(obj) -> dict:
    attrs = inspect(obj).attrs
    changes = {}
    for key in _audited_keys(obj):
        history = attrs[key].history
        if not history.has_changes():
            continue
        old = plain(history.deleted[0]) if history.deleted else None
        new = plain(history.added[0]) if history.added else None
        if old != new:
            changes[key] = [old, new]
    return changes


def _rows(obj, action: str, changes: dict, actor: Acting, at: datetime) -> list[dict]:
    return [_row(obj, region_id, action, changes, actor, at) for region_id in dict.fromkeys(obj.audit_regions)]


def _row(obj, region_id: int, action: str, changes: dict, actor: Acting, at: datetime) -> dict:
    return {
        "at": at,
        "actor_id": actor.user_id,
        "region_id": region_id,
        "subject_type": inspect(obj).mapper.local_table.name,
        "subject_id": obj.id,
        "subject_label": str(obj.audit_label or "")[:LABEL_LENGTH],
        "action": action,
        "changes": _hide(obj, changes),
        "via": actor.via,
    }


def _write(session: Session, rows: list[dict]) -> None:
    # The door in the wall (see the module's docstring): a Core INSERT on the flush's connection.
    session.connection().execute(AuditEntry.__table__.insert(), rows)


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, flush_context) -> None:
    """Write one entry per audited object that this flush created, really changed or deleted."""
    found = []
    new = session.new
    for obj in new:
        if isinstance(obj, Audited):
            found.append((obj, "create", _created(obj)))
    for obj in session.dirty:
        if isinstance(obj, Audited) and obj not in new:
            changes = _updated(obj)
            if changes:
                found.append((obj, "update", changes))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            found.append((obj, "delete", _deleted(obj)))
    if found:
        actor, at = current_actor(), utcnow()
        _write(session, [row for obj, action, changes in found for row in _rows(obj, action, changes, actor, at)])


def record_update(obj, before: dict, session: Session | None = None) -> None:
    """Log a change that a bulk UPDATE made to an audited object (the flush never sees those).

    ``before`` is ``snapshot(obj)`` taken before the UPDATE; call this after refreshing the object.
    """
    from hub.core.db import db

    after = snapshot(obj)
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    if changes:
        _write(session or db.session, _rows(obj, "update", changes, current_actor(), utcnow()))


# -- append-only ------------------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _refuse_changed_entries(session: Session, flush_context, instances) -> None:
    """The ORM never updates or deletes an audit entry."""
    for obj in session.deleted:
        if isinstance(obj, AuditEntry):
            raise AuditLogError("the audit log is append-only: entries are never deleted (see hub.audit.purge)")
    for obj in session.dirty:
        if isinstance(obj, AuditEntry) and session.is_modified(obj):
            raise AuditLogError("the audit log is append-only: entries are never changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    """Nor does a bulk UPDATE or DELETE through the session (purge uses the connection)."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == AuditEntry.__tablename__:
        raise AuditLogError("the audit log is append-only: no UPDATE or DELETE of audit_entry")
