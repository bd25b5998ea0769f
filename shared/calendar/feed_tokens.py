"""Private calendar feeds' secrets: a feed token per person, kept with the other access tokens.

The secret in a private feed's URL is an ``AccessToken`` named "calendar feed". It is not stored: it is
an HMAC with the app's SECRET_KEY of the token row's id and a random nonce kept in the row, so the
subscription page can compute it again for its owner (the address can be shown again), while the
database alone reveals nothing that opens a feed. What is stored, to find the row from a URL, is a hash of
a keyed derivation of the secret, so the URL's secret is no API token: a leaked feed URL reveals the
calendar but cannot call the API, and an API token does not open a feed.

``renew`` replaces the person's token (the old URLs answer 404 from then on); ``switch_off`` ends it.
Only the owner is shown the address (``current_urls`` takes the acting person, nobody else's token).
Changing SECRET_KEY ends every feed URL; a token made before nonces were kept still works but cannot be
shown again (its owner can renew it).
"""

from __future__ import annotations

import base64
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


def _key() -> bytes:
    key = current_app.config["SECRET_KEY"]
    return key if isinstance(key, bytes) else key.encode()


def _derived(raw: str) -> str:
    """The value whose hash is stored: keyed with SECRET_KEY, so the URL's secret is no API token."""
    return hmac.new(_key(), b"calendar-feed:" + raw.encode(), hashlib.sha256).hexdigest()


def _url_secret(token: AccessToken) -> str:
    """The secret in the token's feed URLs: SECRET_KEY's HMAC of the row's id and nonce (43 characters)."""
    message = f"calendar-feed-url:{token.id}:{token.nonce}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


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

    Returns the raw secret (``feed_urls`` makes the addresses); ``current_urls`` computes it again later.
    The caller commits.
    """
    revoke_feed_tokens(user)
    nonce = secrets.token_urlsafe(24)
    # The secret needs the row's id: the row is written first, with a placeholder no URL can match.
    token = AccessToken(
        user_id=user.id,
        name=FEED_TOKEN_NAME,
        nonce=nonce,
        token_hash=hashlib.sha256(b"pending:" + nonce.encode()).hexdigest(),
        prefix="",
    )
    db.session.add(token)
    db.session.flush()
    raw = _url_secret(token)
    token.token_hash, token.prefix = _stored_hash(raw), raw[:8]
    db.session.flush()
    return raw


def shown_again(token: AccessToken) -> str | None:
    """The raw secret of a token, computed again; None if it cannot be (made before nonces were kept, or
    under another SECRET_KEY): then the URL it gives would not be the one that works."""
    if token.nonce is None or token.revoked_at is not None:
        return None
    raw = _url_secret(token)
    return raw if hmac.compare_digest(_stored_hash(raw), token.token_hash) else None


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


def current_urls(actor: Actor) -> dict[str, str] | None:
    """The acting person's own private feed URLs, shown again; None without a token that can be shown."""
    if actor.user is None:
        return None
    token = active_feed_token(actor.user)
    raw = shown_again(token) if token is not None else None
    return feed_urls(raw) if raw else None


def switch_off(actor: Actor) -> int:
    """End the person's private feed URLs."""
    if actor.user is None:
        raise NotFound()
    return revoke_feed_tokens(actor.user)
