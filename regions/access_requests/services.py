"""Access requests of the region in scope: listing them, recording one, answering it, and who hears of it.

Everything here reads and writes inside the region in scope (the tenancy wall filters every query); the
actions (``regions.access_requests.actions``) decide who may and enter the scope a visitor's request writes in.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hub.accounts.models import Invitation, Membership, User
from hub.accounts.services import external_url, normalise_email, user_by_email
from hub.core.db import db, utcnow
from hub.core.mail.services import queue_mail
from hub.core.roles import Role
from hub.core.tenancy.models import Region
from hub.notifications.services import notify
from regions.access_requests.models import AccessRequest
from regions.access_requests.vocab import ACCESS_REQUESTS, REGION_ACCESS_REQUESTS, AccessStatus

ANSWERED_SHOWN = 30  # the most recent answered requests on the coordination's page


def open_requests() -> list[AccessRequest]:
    """The region's requests still waiting for an answer, oldest first (who asked first hears first)."""
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(AccessRequest.status == AccessStatus.OPEN)
            .order_by(AccessRequest.created_at, AccessRequest.id)
        )
    )


def answered_requests(limit: int = ANSWERED_SHOWN) -> list[AccessRequest]:
    """The region's most recently answered requests, with who answered."""
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(AccessRequest.status != AccessStatus.OPEN)
            .options(selectinload(AccessRequest.decided_by))
            .order_by(AccessRequest.decided_at.desc(), AccessRequest.id.desc())
            .limit(limit)
        )
    )


def requests_with_status(status: AccessStatus) -> list[AccessRequest]:
    """The region's requests in one state (the API's list)."""
    if status == AccessStatus.OPEN:
        return open_requests()
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(AccessRequest.status == status)
            .order_by(AccessRequest.decided_at.desc(), AccessRequest.id.desc())
        )
    )


def open_count() -> int:
    """How many requests of the region wait for an answer (one COUNT)."""
    return db.session.scalar(
        select(func.count()).select_from(AccessRequest).where(AccessRequest.status == AccessStatus.OPEN)
    )


def find_open(email: str) -> AccessRequest | None:
    """The open request of this address in the region, if there is one."""
    return db.session.scalar(select(AccessRequest).where(AccessRequest.open_key == normalise_email(email)))


def has_access(region: Region, email: str) -> User | None:
    """The account of this address when it may enter the region already (a member, or a network-wide role)."""
    user = user_by_email(email)
    return user if user is not None and user.active and user.role_in(region) is not None else None


def record(
    region: Region, *, name: str, email: str, organisation: str, message: str, consent_version: str, locale: str
) -> AccessRequest:
    """Store a new open request of the region in scope; the person and the coordination are told."""
    email = normalise_email(email)
    access_request = AccessRequest(
        name=name.strip(),
        email=email,
        organisation=organisation.strip(),
        message=message.strip(),
        consent_version=consent_version,
        locale=locale,
        open_key=email,
    )
    db.session.add(access_request)
    db.session.flush()
    queue_mail(
        email,
        "access_request_received",
        locale=locale,
        topic=ACCESS_REQUESTS.key,
        region=region,
        access_request=access_request,
    )
    tell_coordination(region, access_request)
    return access_request


def tell_coordination(region: Region, access_request: AccessRequest) -> int:
    """Tell the region's coordinators of a new request (in the hub, and by e-mail unless they turned it off)."""
    coordinators = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.COORDINATOR, User.active, User.erased_at.is_(None))
    ).all()
    link = external_url("region.access.index", region=region.slug)
    for coordinator in coordinators:
        notify(
            coordinator,
            REGION_ACCESS_REQUESTS.key,
            "access_request_for_region",
            link=link,
            region=region,
            network=region,
            access_request=access_request,
        )
    return len(coordinators)


def tell_existing_member(region: Region, user: User, locale: str) -> None:
    """Someone asked for access with the address of an account that has it: its owner hears how to get in."""
    queue_mail(
        user.email,
        "access_request_member",
        locale=user.locale or locale,
        topic=ACCESS_REQUESTS.key,
        region=region,
        user=user,
        login_link=external_url("accounts.login"),
        reset_link=external_url("accounts.forgot_password"),
    )


def _answered(access_request: AccessRequest, status: AccessStatus, by: User | None) -> None:
    access_request.status = status
    access_request.decided_at = utcnow()
    access_request.decided_by = by
    access_request.open_key = None


def mark_accepted(access_request: AccessRequest, invitation: Invitation, by: User | None) -> None:
    """The request is answered with an invitation (the invitation's e-mail is the person's answer)."""
    _answered(access_request, AccessStatus.ACCEPTED, by)
    access_request.invitation = invitation


def decline(region: Region, access_request: AccessRequest, reason: str, by: User | None) -> None:
    """The request is declined; the person hears so politely, with the reason when one is given."""
    _answered(access_request, AccessStatus.DECLINED, by)
    access_request.decline_reason = reason.strip()
    queue_mail(
        access_request.email,
        "access_request_declined",
        locale=access_request.locale,
        topic=ACCESS_REQUESTS.key,
        region=region,
        access_request=access_request,
        reason=access_request.decline_reason,
        calendar_link=external_url("calendar.index"),
    )
