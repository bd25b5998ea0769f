"""Telling coordinators that an invitation they sent ran out unused.

The job keeps its id ``accounts.expired_invitations`` (its runs and the keys that keep it from telling twice are
recorded under it); it lives with the member management, whose page it links to.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.accounts.models import Invitation
from hub.accounts.services import external_url
from hub.core.db import db, in_transaction, utcnow
from hub.core.jobs import each_region, effects, job
from hub.core.mail.topics import register_topic
from hub.notifications.services import notify

MEMBERS = register_topic(
    "members",
    _l("Invitations of your region"),
    _l("When an invitation you sent ran out without being accepted."),
    coordinators_only=True,
)


@job("accounts.expired_invitations", every=timedelta(hours=1), title=_l("Tell coordinators of unused invitations"))
def expired_invitations() -> dict[str, int]:
    """Tell whoever sent an invitation that it ran out unused (once per invitation)."""
    told = 0
    now = utcnow()
    for region in each_region():
        expired = db.session.scalars(
            select(Invitation)
            .where(
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at <= now,
                Invitation.expires_at > now - timedelta(days=current_app.config["RETENTION_INVITATION_DAYS"]),
                Invitation.invited_by_id.is_not(None),
            )
            .options(selectinload(Invitation.invited_by))
        ).all()
        done = effects.done("accounts.expired_invitations", ((f"invitation:{i.id}", "expired") for i in expired))
        for invitation in expired:
            if (f"invitation:{invitation.id}", "expired") not in done and invitation.invited_by.active:
                told += in_transaction(partial(_tell_inviter, invitation, region)) is not None
    return {"told": told}


def _tell_inviter(invitation: Invitation, region):
    return notify(
        invitation.invited_by,
        MEMBERS.key,
        "invitation_expired",
        link=external_url("region.members.index", region=region.slug),
        region=region,
        effect=("accounts.expired_invitations", f"invitation:{invitation.id}", "expired"),
        invitation=invitation,
        region_obj=region,
    )
