"""A person's data across the hub: find it (through the registry), export it, erase it.

Every function here crosses regions on purpose and says so with ``all_regions()``: a person's data lies
in every region they belong to. What is read is only what the registry's owner columns tie to the person.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import PurePosixPath

from sqlalchemy import func, or_, select

from hub.accounts.models import Membership, User
from hub.accounts.passwords import verify_password
from hub.accounts.services import normalise_email
from hub.core import storage
from hub.core.acting import current_actor
from hub.core.audit_log import Audited, AuditEntry, plain, scrub
from hub.core.db import db, utcnow
from hub.core.personal_data import (
    DELETE,
    KEEP,
    PERSON_TABLES,
    PSEUDONYM,
    PSEUDONYMISE,
    SCRUB,
    SECRET_COLUMNS,
    Personal,
    declared_models,
    replacement,
)
from hub.core.roles import Role
from hub.core.schemas import Message, ServiceError, _m
from hub.core.tenancy import all_regions

EXPORT_FORMAT = "cimis-hub-export/1"


class PrivacyError(ServiceError):
    """A request about personal data that cannot be carried out; ``field`` names the culprit."""


@dataclass
class Erasure:
    """What an erasure did: the keys of the stored files it deleted, and the counts."""

    files: list[str] = field(default_factory=list)
    deleted: int = 0
    pseudonymised: int = 0
    audit_scrubbed: int = 0


# -- finding a person's rows -------------------------------------------------------------------------------


def _condition(cls, declaration: Personal, refs: dict[str, set], columns: dict[str, str]):
    """The WHERE that picks the rows tied to the person through these columns (None when nothing can match)."""
    terms = []
    for name, kind in columns.items():
        values = refs.get(kind) or set()
        if not values:
            continue
        column = getattr(cls, name)
        terms.append(func.lower(column).in_(sorted(values)) if kind == "email" else column.in_(sorted(values)))
    return or_(*terms) if terms else None


def references(user: User) -> dict[str, set]:
    """The person's references of every kind: account id, e-mail, profile ids (any region), participant ids."""
    refs: dict[str, set] = {"user": {user.id}, "email": {normalise_email(user.email)}}
    declared = {cls.__table__.name: (cls, d) for cls, d in declared_models()}
    with all_regions():
        # Profiles are found by account and address, participants by profile: the order of PERSON_TABLES.
        for table, kind in PERSON_TABLES.items():
            if kind == "user" or table not in declared:
                continue
            cls, declaration = declared[table]
            condition = _condition(cls, declaration, refs, declaration.owners)
            refs[kind] = set(db.session.scalars(select(cls.id).where(condition))) if condition is not None else set()
    return refs


def _rows(cls, declaration: Personal, refs: dict[str, set], region_id: int | None, about: bool = False):
    columns = declaration.about if about else declaration.owners
    condition = _condition(cls, declaration, refs, columns)
    if condition is None:
        return []
    stmt = select(cls).where(condition)
    if about and declaration.owners:
        mine = _condition(cls, declaration, refs, declaration.owners)
        if mine is not None:
            stmt = stmt.where(~mine)
    if region_id is not None:
        stmt = stmt.where(cls.region_id == region_id)
    return list(db.session.scalars(stmt.order_by(*cls.__table__.primary_key.columns)))


def _dump(row, names=None) -> dict:
    names = names or [c.key for c in row.__mapper__.column_attrs if c.key not in SECRET_COLUMNS]
    return {name: plain(getattr(row, name)) for name in names}


# -- export (Art. 15 and 20) ------------------------------------------------------------------------------


def export_data(user: User, *, region_id: int | None = None) -> dict:
    """Everything the hub holds about the person, table by table, as plain JSON-ready data.

    With ``region_id`` (a coordinator's export on request) only that region's rows and the account itself.
    """
    refs = references(user)
    sections, subjects = [], defaultdict(set)
    with all_regions(read_only=True):
        for cls, declaration in declared_models():
            if not declaration.owners or declaration.derived or declaration.erase == SCRUB:
                continue
            if region_id is not None and cls is not User and not _region_scoped(cls):
                continue
            rows = _rows(cls, declaration, refs, None if cls is User else region_id)
            about = _rows(cls, declaration, refs, region_id, about=True) if declaration.about else []
            if issubclass(cls, Audited):
                subjects[cls.__table__.name].update(row.id for row in rows)
            if rows or about:
                sections.append(
                    {
                        "table": cls.__table__.name,
                        "title": str(declaration.title),
                        "rows": [_dump(row) for row in rows],
                        "about_you": [_dump(row, declaration.about_fields) for row in about],
                    }
                )
        audit = _audit_rows(user, subjects, region_id)
        if audit:
            sections.append({"table": "audit_entry", "title": str(AuditEntry.personal_data.title), "rows": audit})
    return {
        "format": EXPORT_FORMAT,
        "created_at": plain(utcnow()),
        "person": {"id": user.id},
        "region_id": region_id,
        "sections": sections,
    }


def _region_scoped(cls) -> bool:
    from hub.core.tenancy import RegionScoped

    return issubclass(cls, RegionScoped)


def _audit_rows(user: User, subjects: dict[str, set], region_id: int | None) -> list[dict]:
    """Audit entries about the person: those they made, and those about their own rows."""
    about = [
        (AuditEntry.subject_type == table) & AuditEntry.subject_id.in_(sorted(ids)) for table, ids in subjects.items()
    ]
    stmt = select(AuditEntry).where(or_(AuditEntry.actor_id == user.id, *about))
    if region_id is not None:
        stmt = stmt.where(AuditEntry.region_id == region_id)
    return [_dump(entry) for entry in db.session.scalars(stmt.order_by(AuditEntry.id))]


def export_json(user: User, *, region_id: int | None = None) -> bytes:
    """The export as one UTF-8 JSON file (Art. 20: structured, common, machine-readable)."""
    return json.dumps(export_data(user, region_id=region_id), ensure_ascii=False, indent=2).encode()


def export_zip(user: User) -> bytes:
    """The export with the files the person uploaded (documents, profile pictures) in one ZIP archive."""
    data = export_data(user)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", json.dumps(data, ensure_ascii=False, indent=2))
        for name, key in _own_files(user):
            content = storage.read(key)
            if content is not None:
                archive.writestr(f"dateien/{name}", content)
    return out.getvalue()


def _own_files(user: User) -> list[tuple[str, str]]:
    """(name in the archive, key in the store) of every file tied to the person through the registry."""
    refs, found = references(user), []
    with all_regions(read_only=True):
        for cls, declaration in declared_models():
            if not declaration.on_erase or not declaration.owners:
                continue
            for row in _rows(cls, declaration, refs, None):
                for key in getattr(row, declaration.on_erase)(user, dry_run=True):
                    label = getattr(row, "filename", None) or PurePosixPath(key).name
                    found.append((f"{cls.__table__.name}-{row.id}-{PurePosixPath(label).name}", key))
    return found


# -- erasure (Art. 17) ------------------------------------------------------------------------------------


def erasure_refusal(user: User) -> Message | None:
    """Why this account cannot be erased (administrators and the umbrella: the hub cannot do without them), or None."""
    if user.global_role in (Role.ADMIN, Role.UMBRELLA):
        return _m("Accounts of administrators and of the umbrella project are closed by an administrator, not here.")
    if user.erased_at is not None:
        return _m("This account has been erased already.")
    return None


def check_erasure(user: User) -> None:
    """Refuse to erase an account the hub cannot do without (administrators and the umbrella)."""
    refusal = erasure_refusal(user)
    if refusal is not None:
        raise PrivacyError(refusal)


def confirm_own_erasure(user: User, password: str, confirmation: str) -> None:
    """The person's own confirmation: their password and their e-mail address typed out."""
    if not user.password_hash or not verify_password(user.password_hash, password or ""):
        raise PrivacyError(_m("The password is wrong."), "password")
    if normalise_email(confirmation or "") != normalise_email(user.email):
        raise PrivacyError(_m("Please type your e-mail address exactly to confirm."), "confirmation")


def check_erasure_by_coordinator(person: User, region_id: int, coordinator: User) -> None:
    """A coordinator erases only someone who belongs to their region alone, and never themselves."""
    check_erasure(person)
    if person.id == coordinator.id:
        raise PrivacyError(_m("Delete your own account on your account page."))
    with all_regions(read_only=True):
        regions = set(db.session.scalars(select(Membership.region_id).where(Membership.user_id == person.id)))
    if regions != {region_id}:
        raise PrivacyError(
            _m(
                "This person belongs to other regions too: they can delete their account themselves, or you can "
                "remove them from your region."
            )
        )


def erase_person(user: User, *, region_ids: list[int] | None = None) -> Erasure:
    """Erase the person in the caller's transaction: delete or pseudonymise every row the registry ties to them.

    Rows the program must keep (registrations, memberships, match memberships, ratings, contact counts) stay
    under the nameless account and profile, so every figure stays exact; the audit log is scrubbed of their
    name and personal values, and one entry per region says that the account was erased (by number only).
    The person's stored files are deleted in the same transaction by the ``on_erase`` hooks (a rollback keeps
    them, a commit leaves no copy in the store); ``result.files`` names their keys.
    """
    check_erasure(user)
    refs = references(user)
    result, subjects = Erasure(), defaultdict(set)
    blank: dict[str, frozenset[str]] = {}
    with all_regions():
        regions = region_ids or sorted(
            set(db.session.scalars(select(Membership.region_id).where(Membership.user_id == user.id)))
        )
        for cls, declaration in declared_models():
            if not declaration.owners or declaration.derived or declaration.erase == SCRUB:
                continue
            table = cls.__table__.name
            blank[table] = frozenset(declaration.columns) | frozenset(declaration.replace)
            for row in _rows(cls, declaration, refs, None):
                if isinstance(row, Audited):
                    subjects[table].add(row.id)
                if declaration.erase == KEEP or (declaration.keep_if and getattr(row, declaration.keep_if)):
                    continue
                if declaration.on_erase:
                    result.files += getattr(row, declaration.on_erase)(user) or []
                if declaration.erase == DELETE:
                    db.session.delete(row)
                    result.deleted += 1
                elif declaration.erase == PSEUDONYMISE:
                    for name, value in declaration.replace.items():
                        setattr(row, name, replacement(value, row))
                    result.pseudonymised += 1
        db.session.flush()
        result.audit_scrubbed = scrub(subjects, PSEUDONYM, blank)
        _record_erasure(user, regions)
    return result


def _record_erasure(user: User, region_ids: list[int]) -> None:
    """One audit entry per region of the person: who erased, when, whom (by account number only)."""
    _record(User.__tablename__, user.id, "delete", region_ids, PSEUDONYM)


def record_export(user: User, region_id: int) -> None:
    """Log a coordinator's export of a person's data: who, when, for whom (by account number only)."""
    _record("data_export", user.id, "create", [region_id], f"#{user.id}")


def _record(subject_type: str, subject_id: int, action: str, region_ids: list[int], label: str) -> None:
    actor, at = current_actor(), utcnow()
    rows = [
        {
            "at": at,
            "actor_id": actor.user_id,
            "region_id": region_id,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "subject_label": label,
            "action": action,
            "changes": {},
            "via": actor.via,
        }
        for region_id in region_ids
    ]
    if rows:
        db.session.connection().execute(AuditEntry.__table__.insert(), rows)


def person_of_membership(membership: Membership) -> User:
    """The person behind a membership of the region in scope."""
    return db.session.get(User, membership.user_id)


def export_filename(user: User, suffix: str) -> str:
    """The download's file name: the hub, the account number and the day (no name or address in it)."""
    return f"cimis-hub-daten-{user.id}-{utcnow().astimezone(UTC):%Y-%m-%d}.{suffix}"
