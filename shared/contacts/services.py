"""Contact requests: ask, accept, decline; an accepted one shows both people each other's contact details.

Contact requests join two regions, so this module opts out of the wall (all_regions()) and checks
every caller itself: only the two people involved see a request, only the addressee decides.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from hub.accounts.models import User
from hub.accounts.services import external_url
from hub.core.db import db, utcnow
from hub.core.schemas import ServiceError, _m
from hub.core.tenancy import all_regions
from hub.notifications.services import notify
from regions.profiles.models import Profile
from shared.contacts.models import CONTACTS, ContactRequest, ContactStatus
from shared.directory.access import own_profiles
from shared.directory.search import Viewer, find_visible_profile


class ContactError(ServiceError):
    """A contact request that cannot be made or decided."""


# Other features' say in contact requests (installed once per app, like the directory's grants).
_ACCEPTED = "contacts.on_accepted"
_REFUSALS = "contacts.refusals"


def on_accepted(app: Flask, listener: Callable[[ContactRequest, User, User], None]) -> None:
    """Call ``listener(contact, sender, addressee)`` in the transaction that accepts a contact request."""
    found = app.extensions.setdefault(_ACCEPTED, [])
    if listener not in found:
        found.append(listener)


def refuse_requests(app: Flask, rule: Callable[[User, User], str | None]) -> None:
    """Let ``rule(asker, addressee)`` refuse a new contact request with a message (a block, say)."""
    found = app.extensions.setdefault(_REFUSALS, [])
    if rule not in found:
        found.append(rule)


def request_contact(user: User, recipient_id: int, message: str, sender_profile_id: int | None = None):
    """Ask the owner of a visible profile for contact; they are told by e-mail."""
    viewer = Viewer.of(user)
    recipient = find_visible_profile(viewer, recipient_id)
    if recipient is None:
        raise ContactError(_m("This profile does not exist or is not visible to you."))
    mine = own_profiles(user)
    if not mine:
        raise ContactError(_m("Please create your own profile first, so that the other side knows who asks."))
    if recipient.user_id == user.id:
        raise ContactError(_m("This is your own profile."))
    if recipient.user_id is None:
        raise ContactError(_m("This profile has no account yet; please ask its region's coordination."))
    with all_regions():
        addressee = db.session.get(User, recipient.user_id)
    for rule in current_app.extensions.get(_REFUSALS, ()):
        refusal = rule(user, addressee)
        if refusal:
            raise ContactError(refusal)
    # The addressee must be able to see who asks, or "both see each other's details" would not hold.
    addressee_view = Viewer.of(addressee)
    seen_by_addressee = [p for p in mine if find_visible_profile(addressee_view, p.id) is not None]
    sender = next((p for p in seen_by_addressee if p.id == sender_profile_id), None) or next(
        iter(seen_by_addressee), None
    )
    if sender is None:
        raise ContactError(
            _m("Your profile is not visible to this person. Make it visible to the network (with your consent) first.")
        )
    with all_regions():
        existing = db.session.scalar(
            select(ContactRequest).where(
                or_(
                    (ContactRequest.sender_profile_id == sender.id)
                    & (ContactRequest.recipient_profile_id == recipient.id),
                    (ContactRequest.sender_profile_id == recipient.id)
                    & (ContactRequest.recipient_profile_id == sender.id),
                )
            )
        )
        if existing is not None:
            raise ContactError(_m("You are already in contact with this profile, or a request is open."))
        contact = ContactRequest(
            sender=sender,
            recipient=recipient,
            sender_region_id=sender.region_id,
            recipient_region_id=recipient.region_id,
            message=message.strip(),
        )
        db.session.add(contact)
        notify(
            addressee,
            CONTACTS.key,
            "contact_request",
            link=external_url("contacts.contact_list"),
            asker=sender,
            addressee=recipient,
            message=contact.message,
        )
    return contact


def requests_of(user: User) -> tuple[list[ContactRequest], list[ContactRequest]]:
    """(received, sent) contact requests of the user's profiles, newest first."""
    ids = [p.id for p in own_profiles(user)]
    if not ids:
        return [], []
    with all_regions():
        rows = db.session.scalars(
            select(ContactRequest)
            .where(or_(ContactRequest.sender_profile_id.in_(ids), ContactRequest.recipient_profile_id.in_(ids)))
            .options(selectinload(ContactRequest.sender), selectinload(ContactRequest.recipient))
            .order_by(ContactRequest.created_at.desc())
        ).all()
    received = [r for r in rows if r.recipient_profile_id in ids]
    sent = [r for r in rows if r.sender_profile_id in ids]
    return received, sent


def waiting_for_answer(profile_ids: list[int]) -> list[ContactRequest]:
    """Pending requests addressed to these profiles (one person's own), newest first, with the sender's profile
    (one statement; for the person's home)."""
    if not profile_ids:
        return []
    with all_regions(read_only=True):
        return list(
            db.session.scalars(
                select(ContactRequest)
                .where(
                    ContactRequest.recipient_profile_id.in_(profile_ids),
                    ContactRequest.status == ContactStatus.PENDING,
                )
                .options(joinedload(ContactRequest.sender))
                .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
            )
        )


def get_request_for(user: User, contact_request_id: int) -> ContactRequest | None:
    """A contact request that involves the user (another's answers None)."""
    with all_regions():
        contact = db.session.get(ContactRequest, contact_request_id)
        if contact is None:
            return None
        owners = {contact.sender.user_id, contact.recipient.user_id}
    return contact if user.id in owners else None


def decide(user: User, contact_request_id: int, accept: bool) -> ContactRequest:
    """The addressee accepts or declines; on acceptance both see each other's contact details."""
    contact = get_request_for(user, contact_request_id)
    if contact is None:
        raise ContactError(_m("No such contact request."))
    with all_regions():
        if contact.recipient.user_id != user.id:
            raise ContactError(_m("Only the addressee can answer a contact request."))
        if contact.status != ContactStatus.PENDING:
            raise ContactError(_m("This request has been answered already."))
        contact.status = ContactStatus.ACCEPTED if accept else ContactStatus.DECLINED
        contact.decided_at = utcnow()
        if accept and contact.sender.user_id:
            asker = db.session.get(User, contact.sender.user_id)
            for listener in current_app.extensions.get(_ACCEPTED, ()):
                listener(contact, asker, user)
            notify(
                asker,
                CONTACTS.key,
                "contact_accepted",
                link=external_url("directory.profile", profile_id=contact.recipient.id),
                asker=contact.sender,
                addressee=contact.recipient,
            )
    return contact


def request_between(user: User, profile: Profile) -> ContactRequest | None:
    """For a profile's page: the contact request between one of the person's profiles and this one that counts,
    an accepted one before an open one (a declined one counts for nothing there). One statement, once a page."""
    cache = g.setdefault("contact_requests_between", {})
    key = (user.id, profile.id)
    if key not in cache:
        with all_regions(read_only=True):
            mine = select(Profile.id).where(Profile.user_id == user.id)
            rows = db.session.scalars(
                select(ContactRequest)
                .where(
                    ContactRequest.status.in_((ContactStatus.ACCEPTED, ContactStatus.PENDING)),
                    or_(
                        (ContactRequest.sender_profile_id == profile.id)
                        & ContactRequest.recipient_profile_id.in_(mine),
                        (ContactRequest.recipient_profile_id == profile.id)
                        & ContactRequest.sender_profile_id.in_(mine),
                    ),
                )
                .order_by(ContactRequest.id.desc())
            ).all()
        cache[key] = min(rows, key=lambda c: c.status != ContactStatus.ACCEPTED, default=None)
    return cache[key]


def has_accepted_contact(viewer: Viewer, profile: Profile) -> bool:
    """Whether one of the viewer's profiles and this one have an accepted contact request between them: then
    both see each other's contact details (granted to the directory's rule by ``shared.contacts.install``)."""
    with all_regions():
        mine = select(Profile.id).where(Profile.user_id == viewer.user_id)
        return (
            db.session.scalar(
                select(func.count())
                .select_from(ContactRequest)
                .where(
                    ContactRequest.status == ContactStatus.ACCEPTED,
                    or_(
                        (ContactRequest.sender_profile_id == profile.id)
                        & ContactRequest.recipient_profile_id.in_(mine),
                        (ContactRequest.recipient_profile_id == profile.id)
                        & ContactRequest.sender_profile_id.in_(mine),
                    ),
                )
            )
            > 0
        )


def cross_region_counts(region_id: int) -> dict[str, dict[int, int]]:
    """For a region's coordination: accepted and open contacts with each other region (numbers only)."""
    with all_regions():
        rows = db.session.execute(
            select(
                ContactRequest.sender_region_id, ContactRequest.recipient_region_id, ContactRequest.status, func.count()
            )
            .where(
                ContactRequest.sender_region_id != ContactRequest.recipient_region_id,
                or_(ContactRequest.sender_region_id == region_id, ContactRequest.recipient_region_id == region_id),
            )
            .group_by(ContactRequest.sender_region_id, ContactRequest.recipient_region_id, ContactRequest.status)
        ).all()
    out: dict[str, dict[int, int]] = {s.value: {} for s in ContactStatus}
    for sender_region, recipient_region, status, n in rows:
        other = recipient_region if sender_region == region_id else sender_region
        bucket = out[ContactStatus(status).value]
        bucket[other] = bucket.get(other, 0) + n
    return out
