"""Invitations that ran out, and the accounts and invitations the hub no longer needs to keep."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from hub.accounts.models import Invitation, LoginSession, Membership, User
from hub.accounts.security_log import SecurityEvent
from hub.accounts.services import external_url
from hub.core.db import db, in_transaction, utcnow
from hub.core.jobs import delete_older_than, each_region, effects, job
from hub.core.tenancy import all_regions
from hub.notifications.services import notify
from hub.notifications.topics import register_topic

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


@job("accounts.retention", every=timedelta(hours=6), title=_l("Delete unused accounts and old invitations"))
def retention() -> dict[str, int]:
    """Delete accounts never used (no password, never signed in, in no region) and invitations long past their
    end."""
    cfg = current_app.config
    ended = func.coalesce(Invitation.accepted_at, Invitation.revoked_at, Invitation.expires_at)
    invitations = sum(
        delete_older_than(Invitation, ended, cfg["RETENTION_INVITATION_DAYS"]) for _region in each_region()
    )
    # An account that cannot sign in (no password, never signed in) and belongs nowhere (no region, no
    # global role): what is left when an invitation's account was never completed. Accounts with a
    # membership stay, whatever their state: they may hold profiles and registrations.
    never_used = (
        User.password_hash.is_(None),
        User.last_login_at.is_(None),
        User.global_role.is_(None),
        ~exists().where(Membership.user_id == User.id),
    )
    with all_regions():  # accounts span regions: "in no region" looks at every region's memberships
        accounts = delete_older_than(User, User.created_at, cfg["RETENTION_UNCONFIRMED_ACCOUNT_DAYS"], *never_used)
    return {"invitations": invitations, "accounts": accounts}


@job(
    "accounts.session_retention",
    every=timedelta(hours=1),
    title=_l("Delete ended login sessions and old security events"),
)
def session_retention() -> dict[str, int]:
    """Delete login sessions past their end, and security events after RETENTION_SECURITY_EVENT_DAYS."""
    ended = delete_older_than(LoginSession, LoginSession.expires_at, 0)
    events = delete_older_than(SecurityEvent, SecurityEvent.at, current_app.config["RETENTION_SECURITY_EVENT_DAYS"])
    return {"sessions": ended, "events": events}
