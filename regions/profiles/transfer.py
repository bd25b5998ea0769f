"""The coordination's profile import: a spreadsheet (read by spreadsheets.py) checked as a plan first.

An import is read, checked row by row with ``ProfileInputSchema`` and shown as a plan first; only a
plan without problems is written, all rows in one transaction. "Angebote" and "Bedarfe" cells are read by
the rule of terms.py (terms become tags, sentences text): what they hold never makes a row a problem, unless
its text would grow too long. Between the preview and the confirmation the upload waits in the store
(``hub.core.storage``, in the database every host reaches) under a random key that names its region.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from marshmallow import ValidationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from hub.accounts.services import normalise_email
from hub.core import storage
from hub.core.db import db
from hub.core.schemas import Message, _m
from hub.core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from hub.core.tenancy.scope import current_region_id
from regions.profiles import services
from regions.profiles.models import Profile, is_email_conflict
from regions.profiles.schemas import MAX_TAGS, ProfileInputSchema
from regions.profiles.spreadsheets import (  # noqa: F401 - the views and the benchmark read these from here
    COLUMN_NAMES,
    FIELD_BY_COLUMN,
    FIELD_LABELS,
    KINDS,
    LANGUAGE_CODES,
    MAX_BYTES,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    SUBMARKET_CODES,
    Table,
    TransferError,
    _unescape,
    export_csv,
    export_xlsx,
    fold,
    read_table,
)
from regions.profiles.terms import CellReading, read_cell, text_with
from regions.profiles.vocab import ContactVisibility, Visibility

BATCH = 500
KEEP_UPLOADS_SECONDS = 24 * 3600
TEXT_OF_TERMS = {"offer_tags": "offers_text", "need_tags": "needs_text"}  # where a cell's sentences go
MAX_TEXT = 2000  # ProfileInputSchema's offers_text and needs_text

# -- checking the rows: the plan ---------------------------------------------------------------------


@dataclass
class Problem:
    """Something wrong in one row: the field (None for the row as a whole) and the message."""

    field: str | None
    message: str


@dataclass
class PlannedRow:
    """One participant row of the file and what the import would do with it."""

    number: int
    display_name: str
    email: str
    data: dict | None = None
    present: bool = False
    problems: list[Problem] = field(default_factory=list)
    # offer_tags / need_tags where the cell is more than a plain list (CellReading.plain): what becomes of it
    readings: dict[str, CellReading] = field(default_factory=dict)

    @property
    def plain(self) -> bool:
        """Its Angebote and Bedarfe are taken as written: cut at commas and semicolons into terms, nothing else."""
        return not self.readings


@dataclass
class ImportPlan:
    """What an import would do: new rows, rows already present, problems; and the columns it read."""

    rows: list[PlannedRow]
    columns: dict[str, str]  # field -> the column's heading in the file
    ignored_columns: list[str]
    max_terms = MAX_TAGS  # the tags a profile holds; the preview names it

    @property
    def ok(self) -> bool:
        return not self.problem_rows

    @property
    def new_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if not r.present and not r.problems]

    @property
    def present_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.present]

    @property
    def problem_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.problems]

    @property
    def rows_with_notes(self) -> list[PlannedRow]:
        """New rows whose Angebote or Bedarfe are more than a plain list: the preview says what becomes of them."""
        return [r for r in self.new_rows if not r.plain]

    @staticmethod
    def text_field(terms_field: str) -> str:
        """The text field that takes the sentences of a terms field."""
        return TEXT_OF_TERMS[terms_field]

    def label(self, field_name: str | None) -> str:
        """The field as the file calls it (or its name in the user's language)."""
        if field_name is None:
            return ""
        return self.columns.get(field_name) or str(FIELD_LABELS.get(field_name, field_name))


def plan_import(table: Table) -> ImportPlan:
    """Check every row of the table and compare it with the profiles of the region in scope."""
    columns, ignored, index = {}, [], {}
    for position, heading in enumerate(table.header):
        key = FIELD_BY_COLUMN.get(fold(heading))
        if key is None:
            if heading:
                ignored.append(heading)
        elif key in index:
            raise TransferError(
                _m("The columns {first} and {second} mean the same field.").format(first=columns[key], second=heading)
            )
        else:
            columns[key], index[key] = heading, position
    missing = [str(FIELD_LABELS[key]) for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        raise TransferError(_m("The file has no column for: {columns}.").format(columns=", ".join(missing)))

    existing = set(db.session.scalars(select(func.lower(Profile.contact_email)).where(Profile.contact_email != "")))
    schema = ProfileInputSchema()
    first_row_of = {}
    rows = []
    for number, cells in table.rows:
        raw = {key: _unescape(cells[i]).strip() if i < len(cells) else "" for key, i in index.items()}
        row = _check_row(schema, number, raw)
        key = row.email.lower()
        if key and key in first_row_of:
            row.problems.append(
                Problem("contact_email", _m("The same e-mail address as in row {row}.").format(row=first_row_of[key]))
            )
            row.data = None
        elif key:
            first_row_of[key] = number
            row.present = key in existing
        rows.append(row)
    return ImportPlan(rows=rows, columns=columns, ignored_columns=ignored)


def _check_row(schema: ProfileInputSchema, number: int, raw: dict) -> PlannedRow:
    row = PlannedRow(number=number, display_name=raw.get("display_name", ""), email=raw.get("contact_email", ""))
    own = {}
    if not row.email:
        own["contact_email"] = _m("The e-mail address is missing.")
    kind = raw.pop("kind", "")
    if kind:
        if fold(kind) in KINDS:
            raw["kind"] = KINDS[fold(kind)]
        else:
            own["kind"] = _m("Unknown kind “{value}”: use Kreative or Organisation.").format(value=kind)
    for key, codes, message in (
        ("submarkets", SUBMARKET_CODES, _m("Unknown submarket “{value}”.")),
        ("languages", LANGUAGE_CODES, _m("Unknown language “{value}”.")),
    ):
        values = [v.strip() for v in re.split(r"[,;\n]", raw.pop(key, "")) if v.strip()]
        unknown = [v for v in values if fold(v) not in codes]
        if unknown:
            own[key] = message.format(value=", ".join(unknown))
        raw[key] = list(dict.fromkeys(codes[fold(v)] for v in values if fold(v) in codes))
    # The kind decides between submarkets and sector (services.apply_fields): refused, not dropped.
    if raw.get("kind") == "organisation" and (raw["submarkets"] or "submarkets" in own):
        own["submarkets"] = _m("Submarkets are for creatives; an organisation has a sector instead.")
    if raw.get("kind") == "creative" and raw.get("sector"):
        own["sector"] = _m("A sector is for organisations; a creative has submarkets instead.")
    for key, text_key in TEXT_OF_TERMS.items():
        cell = raw.pop(key, "")
        if not cell:
            continue
        reading = read_cell(cell)
        raw[key] = reading.terms
        if reading.plain:
            continue  # taken as written: the preview need not speak of it
        row.readings[key] = reading
        if not reading.text:
            continue
        text = text_with(raw.get(text_key, ""), reading)
        if len(text) > MAX_TEXT:
            own[key] = _m("With the sentences of this cell the text would be longer than {max} characters.").format(
                max=MAX_TEXT
            )
        else:
            raw[text_key] = text
    website = raw.get("website", "")
    if website and "://" not in website and re.match(r"^[\w.-]+\.[a-z]{2,}(/\S*)?$", website, re.IGNORECASE):
        raw["website"] = f"https://{website}"
    try:
        row.data = schema.load(raw)
    except ValidationError as err:
        for key, messages in err.messages.items():
            if key not in own:
                row.problems += [Problem(None if key == "_schema" else key, m) for m in _flatten(messages)]
    row.problems += [Problem(key, message) for key, message in own.items()]
    if row.problems:
        row.data = None
    row.problems.sort(key=lambda p: list(COLUMN_NAMES).index(p.field) if p.field in COLUMN_NAMES else -1)
    return row


def _flatten(messages) -> list:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, (list, tuple)):
        return [m for value in messages for m in _flatten(value)]
    return [messages]


class ImportConflict(TransferError):
    """The import collides with another one, made or running at the same time (409); nothing was imported."""


@dataclass
class ImportResult:
    """How many profiles an import created, and how many rows it skipped as already present."""

    created: int
    present: int


def import_profiles(plan: ImportPlan) -> ImportResult:
    """Write the new rows of a plan without problems into the region in scope. The caller commits.

    The profiles are kept by the coordination: no account, private, and without consent, which only
    the person can give.
    """
    if not plan.ok:
        raise TransferError(_m("The file has problems; nothing was imported."))
    region_id = current_region_id()
    new_rows = plan.new_rows
    try:
        for start in range(0, len(new_rows), BATCH):
            for row in new_rows[start : start + BATCH]:
                profile = Profile(region_id=region_id, user_id=None, kind=row.data["kind"])
                services.apply_fields(profile, row.data)
                profile.visibility = Visibility.PRIVATE
                profile.contact_visibility = ContactVisibility.ON_REQUEST
                db.session.add(profile)
            db.session.flush()  # one flush per batch: the directory index follows in the same flush
    except IntegrityError as exc:
        if not is_email_conflict(exc):
            raise
        db.session.rollback()  # all or nothing: the batches flushed before go too
        raise ImportConflict(_taken_meanwhile(new_rows)) from exc
    return ImportResult(created=len(new_rows), present=len(plan.present_rows))


def _taken_meanwhile(rows: list[PlannedRow]) -> Message:
    """Why an import lost the race: the first of its rows whose e-mail address another change added since the plan."""
    taken = set(db.session.scalars(select(Profile.email_key).where(Profile.email_key.is_not(None))))
    for row in rows:
        if normalise_email(row.email) in taken:
            return _m(
                "Row {row}: a profile with the e-mail address {email} has been added to this region in the "
                "meantime, perhaps by an import at the same moment. Nothing was imported; upload the file again "
                "to see what is new."
            ).format(row=row.number, email=row.email)
    return _m("Another change at the same moment collided with this import. Nothing was imported; please try again.")


# -- the upload between preview and confirmation -----------------------------------------------------

_TOKEN = re.compile(r"(\d+)-([0-9a-f]{32})\.(csv|xlsx)")
IMPORTS = "imports/"
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}  # as the hub's exports are labelled
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _key(token: str) -> str:
    return f"{IMPORTS}{token}"


def keep_upload(data: bytes, kind: str) -> str:
    """Keep an upload for the confirmation (in the current transaction); the returned name is random and names
    the region in scope. Uploads kept for more than a day are swept."""
    region_id = current_region_id()
    if region_id is None:
        raise TransferError(_m("An import needs a region."))
    token = f"{region_id}-{secrets.token_hex(16)}.{kind}"
    kept = storage.put(_key(token), data, CONTENT_TYPES[kind])
    # Ages are read on the clock that dated the uploads (the new one's time), not on another one.
    db.session.execute(
        delete(storage.StoredFile).where(
            storage.StoredFile.key.startswith(IMPORTS),
            storage.StoredFile.created_at < kept.created_at - timedelta(seconds=KEEP_UPLOADS_SECONDS),
        ),
        execution_options={"synchronize_session": False},
    )
    return token


def _upload_key(token: str) -> str:
    match = _TOKEN.fullmatch(token or "")
    if not match or int(match.group(1)) != current_region_id():
        raise TransferError(_m("This upload is not available in this region (any more). Please upload the file again."))
    return _key(token)


def read_upload(token: str) -> Table:
    """Read the kept upload of the region in scope (not claimed yet: ``claim_upload`` does that)."""
    key = _upload_key(token)
    data = storage.read(key)
    if data is None:
        _refuse_claimed(_claim_marker(key))
        raise TransferError(_m("This upload is not available in this region (any more). Please upload the file again."))
    return read_table(data, token)


def claim_upload(token: str) -> None:
    """Take the kept upload for this confirmation; any further confirmation is refused.

    The claim renames the upload to its marker and empties it in one conditional UPDATE, in the
    confirmation's transaction: of two confirmations at once exactly one changes the row (PostgreSQL makes the
    other wait for its commit, SQLite lets one writer at a time), and the other finds no upload under the name.
    What stays behind is an empty marker: the data is gone, and a later confirmation hears that this import
    has been confirmed already. ``release_upload`` takes the marker away if the import imported nothing; an
    import that fails rolls the claim back with everything else.
    """
    key = _upload_key(token)
    claimed = db.session.execute(
        update(storage.StoredFile)
        .where(storage.StoredFile.key == key)
        .values(key=_claim_marker(key), content=b"", size=0, sha256=EMPTY_SHA256),
        execution_options={"synchronize_session": False},
    ).rowcount
    if claimed != 1:
        _refuse_claimed(_claim_marker(key))
        raise TransferError(_m("This upload is not available in this region (any more). Please upload the file again."))


def release_upload(token: str) -> None:
    """Give up the claim of a confirmation that imported nothing; the file has to be uploaded again."""
    storage.delete(_claim_marker(_upload_key(token)))


def _claim_marker(key: str) -> str:
    return f"{key}.claimed"


def _refuse_claimed(marker: str) -> None:
    if storage.exists(marker):
        raise ImportConflict(
            _m("This import has been confirmed already (or is running right now); nothing was changed.")
        )


def discard_upload(token: str) -> None:
    """Delete a kept upload of the region in scope (cancelled preview); a confirmed one cannot be cancelled."""
    key = _upload_key(token)
    _refuse_claimed(_claim_marker(key))
    storage.delete(key)
