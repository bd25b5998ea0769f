"""Requests for access are kept while they are open and for a while after their answer, then deleted."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hub.core.db import db, in_transaction, utcnow
from hub.core.jobs import each_region, job
from regions.access_requests.models import AccessRequest
from regions.access_requests.vocab import AccessStatus


@job("access_requests.retention", every=timedelta(days=1), title=_l("Delete answered requests for access"))
def retention() -> dict[str, int]:
    """Delete the requests answered longer ago than RETENTION_ACCESS_REQUEST_DAYS (the audit log keeps that
    they were made and answered, without their address or message)."""
    before = utcnow() - timedelta(days=current_app.config["RETENTION_ACCESS_REQUEST_DAYS"])
    deleted = 0
    for _region in each_region():
        old = db.session.scalars(
            select(AccessRequest).where(AccessRequest.status != AccessStatus.OPEN, AccessRequest.decided_at < before)
        ).all()
        if old:
            deleted += in_transaction(lambda old=old: _delete(old))
    return {"deleted": deleted}


def _delete(rows: list[AccessRequest]) -> int:
    for row in rows:
        db.session.delete(row)
    return len(rows)
