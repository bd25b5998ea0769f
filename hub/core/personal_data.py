"""The personal-data registry: what each model holds of a person, how a row belongs to them, what erasure does.

A model declares ``personal_data = Personal(...)``. Owner columns say whose a row is, by the kind of
reference they hold: ``"user"`` (an account id), ``"profile"`` (a profile id), ``"participant"`` (a
speed-dating participant id) or ``"email"`` (an address). Erasure then deletes the person's rows,
pseudonymises named columns (the program keeps the row for its figures), or keeps them as they are.

The declaration is part of the framework because every model makes one, the framework's own (regions, the
outbox) included; the privacy feature (``hub.privacy``) walks the declarations to export and erase.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

KEEP = "keep"
DELETE = "delete"
PSEUDONYMISE = "pseudonymise"
# The audit log is append-only; hub.core.audit_log.scrub() is its own door for erasure.
SCRUB = "scrub"
OWNER_KINDS = ("user", "profile", "participant", "email")

# What a pseudonymised person is called wherever the program keeps their traces. It is stored, so it is
# the program's language (German), not the reader's.
PSEUDONYM = "ehemalige:r Teilnehmende:r"

# Column names that look like personal data (a test checks that every such column is declared).
LOOKS_PERSONAL = re.compile(
    r"(^|_)(e?mail|name|phone|message|body|answers?|note|text|comment|ip|user_agent|address|town|website|recipient)(_|$)"
)
# Tables whose ids stand for a person (a foreign key to them makes a row someone's).
PERSON_TABLES = {"user_account": "user", "profile": "profile", "speed_dating_participant": "participant"}
# Never exported: secrets and internal keys.
SECRET_COLUMNS = frozenset(
    {
        "password_hash",
        "token_hash",
        "session_token",
        "password_reset_hash",
        "email_key",
        "stored_name",
        "claim_token",
        "totp_secret",
        "code_hash",
    }
)


@dataclass(frozen=True)
class Personal:
    """One model's declaration: its personal columns, whose rows they are, and what erasure does."""

    title: object = ""
    columns: tuple[str, ...] = ()
    # {column: owner kind}: a row is the person's when one of these holds one of their references.
    owners: dict[str, str] = field(default_factory=dict)
    # Columns naming someone who acted (entered, booked, invited): the row is not theirs, the link stays.
    actors: tuple[str, ...] = ()
    # Rows that concern the person without being theirs (a rating about them): exported with these fields only.
    about: dict[str, str] = field(default_factory=dict)
    about_fields: tuple[str, ...] = ()
    erase: str = KEEP
    # For PSEUDONYMISE: {column: new value, or a callable(row) giving it}.
    replace: dict[str, object] = field(default_factory=dict)
    # For DELETE: a column or property; rows where it is true are kept (funding records, say).
    keep_if: str | None = None
    # Values never written to the audit log (only that they changed).
    audit_hidden: tuple[str, ...] = ()
    # Column names that look personal but are not (a region's name): the test accepts them.
    ordinary: tuple[str, ...] = ()
    # Rebuilt from other rows (a search index): neither exported nor erased on its own.
    derived: bool = False
    # Why rows are kept or pseudonymised rather than deleted (shown on the erasure page).
    reason: object = ""
    # A method of the model called for each row before erasure changes it, with the person being erased
    # (``erased``); it returns the stored files to remove after the commit (called with dry_run=True, it only
    # names them, for the export archive).
    on_erase: str | None = None


def not_personal(reason: str = "", ordinary: tuple[str, ...] = ()) -> Personal:
    """A model that holds nothing about a person, though some column names suggest it."""
    return Personal(ordinary=ordinary, reason=reason)


def declared_models() -> Iterator[tuple[type, Personal]]:
    """Every mapped class with its declaration, in the metadata's dependency order (parents first)."""
    from hub.core.db import db

    by_table = {}
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        declaration = cls.__dict__.get("personal_data")
        if isinstance(declaration, Personal):
            by_table[mapper.local_table.name] = (cls, declaration)
    for table in db.metadata.sorted_tables:
        if table.name in by_table:
            yield by_table[table.name]


def undeclared_problems(metadata=None, declarations: dict[str, Personal] | None = None) -> list[str]:
    """What a reader of the registry would miss: tables or columns that look personal and are not declared.

    By default the hub's own tables and the declarations on their models.
    """
    from hub.core.db import db

    if declarations is None:
        declarations = {m.local_table.name: m.class_.__dict__.get("personal_data") for m in db.Model.registry.mappers}
    problems = []
    for table in (metadata or db.metadata).sorted_tables:
        declaration = declarations.get(table.name)
        suspicious = [c.name for c in table.columns if LOOKS_PERSONAL.search(c.name)]
        person_links = [c.name for c in table.columns for fk in c.foreign_keys if fk.column.table.name in PERSON_TABLES]
        if not suspicious and not person_links:
            continue
        if not isinstance(declaration, Personal):
            problems.append(f"{table.name}: no personal_data = Personal(...) declared")
            continue
        known = set(declaration.columns) | set(declaration.ordinary) | set(declaration.owners)
        problems += [f"{table.name}.{name}: looks personal, not declared" for name in suspicious if name not in known]
        linked = set(declaration.owners) | set(declaration.actors) | set(declaration.about)
        problems += [
            f"{table.name}.{name}: links a person, not declared" for name in person_links if name not in linked
        ]
        named = (
            set(declaration.columns)
            | set(declaration.owners)
            | set(declaration.actors)
            | set(declaration.about)
            | set(declaration.about_fields)
            | set(declaration.replace)
            | set(declaration.audit_hidden)
        )
        problems += [f"{table.name}.{name}: declared but no such column" for name in named - set(table.columns.keys())]
        problems += [
            f"{table.name}.{name}: unknown owner kind {kind!r}"
            for name, kind in {**declaration.owners, **declaration.about}.items()
            if kind not in OWNER_KINDS
        ]
    return problems


def replacement(value: object | Callable, row) -> object:
    """The value a pseudonymised column gets for this row."""
    return value(row) if callable(value) else value


def audit_hidden_columns() -> dict[str, frozenset[str]]:
    """{table: columns whose values the audit log never keeps}."""
    return {cls.__table__.name: frozenset(d.audit_hidden) for cls, d in declared_models() if d.audit_hidden}
