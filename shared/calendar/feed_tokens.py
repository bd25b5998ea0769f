"""Private calendar feeds' secrets: a feed token per person, kept with the other access tokens.

The secret in a private feed's URL is an ``AccessToken`` named "calendar feed". Only a hash of a keyed
derivation (HMAC with the app's SECRET_KEY) is stored, so the URL's secret is no API token: a leaked
feed URL reveals the calendar but cannot call the API, and an API token does not open a feed.
``renew`` replaces the person's token (the old URLs answer 404 from then on) and returns the raw
secret, which is shown once; ``switch_off`` ends it. Changing SECRET_KEY ends every feed URL.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select

from hub.accounts.models import AccessToken, User
from hub.accounts.services import external_url, user_for_access_token
from hub.core.actions import Actor, NotFound
from hub.core.db import db, utcnow

FEED_TOKEN_NAME = "calendar feed"
MAX_TOKEN_LENGTH = 100


def _derived(raw: str) -> str:
    """The value whose hash is stored: keyed with SECRET_KEY, so the URL's secret is no API token."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    return hmac.new(key, b"calendar-feed:" + raw.encode(), hashlib.sha256).hexdigest()


def _stored_hash(raw: str) -> str:
    # The same digest as hub.accounts.services uses for access tokens (checked by tests/test_ics.py).
    return hashlib.sha256(_derived(raw).encode()).hexdigest()


def feed_owner(raw: str) -> User | None:
    """The active user behind a valid, unrevoked feed token; None for anything else."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return user_for_access_token(_derived(raw))


def active_feed_token(user: User) -> AccessToken | None:
    """The user's current feed token (for "created on …, last used …"), or None."""
    return db.session.scalar(
        select(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.name == FEED_TOKEN_NAME, AccessToken.revoked_at.is_(None))
        .order_by(AccessToken.created_at.desc())
        .limit(1)
    )


def revoke_feed_tokens(user: User) -> int:
    """End the user's private feed URLs; the number of tokens revoked. The caller commits."""
    now = utcnow()
    tokens = db.session.scalars(
        select(AccessToken).where(
            AccessToken.user_id == user.id, AccessToken.name == FEED_TOKEN_NAME, AccessToken.revoked_at.is_(None)
        )
    ).all()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


def new_feed_token(user: User) -> str:
    """A new secret for the user's private feeds; the previous one stops working at once.

    Returns the raw secret, which is not stored: show the feed URLs (``feed_urls``) once, right after
    this call. The caller commits.
    """
    revoke_feed_tokens(user)
    raw = secrets.token_urlsafe(32)
    db.session.add(AccessToken(user_id=user.id, name=FEED_TOKEN_NAME, token_hash=_stored_hash(raw), prefix=raw[:8]))
    return raw


def feed_urls(raw: str) -> dict[str, str]:
    """The absolute URLs of the private feeds for a raw token: ``mine`` and ``network``."""
    return {
        "mine": external_url("calendar_feeds.private_mine", token=raw),
        "network": external_url("calendar_feeds.private_network", token=raw),
    }


def renew(actor: Actor) -> dict[str, str]:
    """A new secret for the person's private feeds (the previous one stops working): its feed URLs."""
    if actor.user is None:
        raise NotFound()
    return feed_urls(new_feed_token(actor.user))


def switch_off(actor: Actor) -> int:
    """End the person's private feed URLs."""
    if actor.user is None:
        raise NotFound()
    return revoke_feed_tokens(actor.user)
