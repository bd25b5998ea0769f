"""The accounts, invitations, login sessions and security events the hub no longer needs to keep.

(Telling a coordinator that an invitation ran out unused is the member management's: regions.members.jobs.)"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func

from hub.accounts.models import Invitation, LoginSession, Membership, User
from hub.accounts.security_log import SecurityEvent
from hub.core.jobs import delete_older_than, each_region, job
from hub.core.tenancy import all_regions


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
