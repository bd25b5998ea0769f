"""Everything that changes a profile, written once for the pages, the API, the CLI and jobs.

Each action takes plain values and the acting person, loads what it names through
``regions.profiles.access`` (who may), applies the rules of ``services`` (consent, one address per
region), ``pictures`` and ``transfer`` (the import) and raises ``ServiceError`` naming the field. None
commits: ``hub.core.glue`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from hub.core.actions import Actor, Conflict
from hub.core.schemas import ServiceError, _m
from regions.profiles import access, pictures, services, transfer
from regions.profiles.models import Profile

# -- one's own profile and the coordination's -----------------------------------------------------------


def save_own_profile(actor: Actor, data: dict, *, picture=None, remove_picture: bool = False) -> Profile:
    """Create the actor's own profile in the region, or change it; the consent box gives or withdraws consent."""
    profile = access.own_profile(actor)
    if profile is None:
        return _with_picture(lambda: services.create_profile(data, user=actor.user, acting_user=actor.user), picture)
    return _with_picture(
        lambda: services.update_profile(profile, data, acting_user=actor.user), picture, remove_picture
    )


def create_profile(actor: Actor, data: dict, *, picture=None) -> Profile:
    """A profile kept by the coordination, also for someone without an account."""
    actor.require_coordination()
    return _with_picture(lambda: services.create_profile(data, acting_user=actor.user), picture)


def update_profile(actor: Actor, profile_id: int, data: dict, *, picture=None, remove_picture: bool = False) -> Profile:
    """The coordination changes a profile of its region."""
    profile = access.managed_profile(actor, profile_id)
    return _with_picture(
        lambda: services.update_profile(profile, data, acting_user=actor.user), picture, remove_picture
    )


def archive_profile(actor: Actor, profile_id: int) -> Profile:
    """Take a profile out of the directory and the lists (it stays for the program's records)."""
    profile = access.managed_profile(actor, profile_id)
    services.archive(profile)
    return profile


def unarchive_profile(actor: Actor, profile_id: int) -> Profile:
    """Bring an archived profile back."""
    profile = access.managed_profile(actor, profile_id)
    services.unarchive(profile)
    return profile


def _with_picture(save: Callable[[], Profile], upload, remove: bool = False) -> Profile:
    """Save a profile with a new picture (checked and stored first), or without its picture.

    The picture is stored in the save's transaction: a refused save (rolled back) keeps no new file; the old
    picture goes once the new one has taken its place.
    """
    new = pictures.store_picture(upload.stream) if upload is not None and upload.filename else None
    profile = save()
    if new or remove:
        pictures.remove_picture(profile.picture)
        profile.picture = new
    return profile


# -- the coordination's import --------------------------------------------------------------------------


class ImportRefused(ServiceError):
    """A confirmation or cancellation of an upload that is not there (any more): a bad request (400)."""

    status = 400


@dataclass
class Preview:
    """What an import would do with an upload, and the name under which the upload waits (None: nothing to do)."""

    plan: transfer.ImportPlan
    token: str | None


@dataclass
class Imported:
    """A confirmation: the plan checked once more, and what the import made (None: the file has problems)."""

    plan: transfer.ImportPlan
    result: transfer.ImportResult | None


@contextmanager
def _refused_as(kind: type[ServiceError]) -> Iterator[None]:
    """The import's refusals as the action layer's: another confirmation at the same moment is a Conflict."""
    try:
        yield
    except transfer.ImportConflict as exc:
        raise Conflict(exc.message) from exc
    except transfer.TransferError as exc:
        raise kind(exc.message) from exc


def preview_import(actor: Actor, upload) -> Preview:
    """Read an uploaded CSV or XLSX file and plan its import; a clean plan keeps the upload for the confirmation."""
    actor.require_coordination()
    if upload is None or not upload.filename:
        raise ServiceError(_m("Please choose a CSV file or an Excel workbook (.xlsx)."))
    data = upload.stream.read(transfer.MAX_BYTES + 1)
    with _refused_as(ServiceError):
        table = transfer.read_table(data, upload.filename)
        plan = transfer.plan_import(table)
        token = transfer.keep_upload(data, table.kind) if plan.ok and plan.new_rows else None
    return Preview(plan, token)


def confirm_import(actor: Actor, token: str) -> Imported:
    """Import the previewed upload: every new row, or nothing if any row has a problem (checked again now).

    The upload is claimed once, after the check (a claim is a write, and SQLite lets one writer at a time); a
    confirmation that imports nothing gives the claim up again, and the upload is gone.
    """
    actor.require_coordination()
    with _refused_as(ImportRefused):
        table = transfer.read_upload(token)
    imported = False
    try:
        with _refused_as(ImportRefused):
            plan = transfer.plan_import(table)
            transfer.claim_upload(token)
            if not plan.ok:
                return Imported(plan, None)
            result = transfer.import_profiles(plan)
        imported = True
        return Imported(plan, result)
    finally:
        if not imported:
            transfer.release_upload(token)  # nothing was imported: the claim must not say otherwise


def cancel_import(actor: Actor, token: str) -> None:
    """Drop a previewed upload without importing it (a confirmed one cannot be cancelled)."""
    actor.require_coordination()
    with _refused_as(ImportRefused):
        transfer.discard_upload(token)
