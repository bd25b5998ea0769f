"""Login sessions kept in the database: opened at login, found by the cookies' raw id, ended for good.

The cookies (Flask's session and Flask-Login's remember-me cookie) carry only a random id; the row behind
it decides whether it still opens anything. Several web hosts share the database, so ending a session
holds on all of them at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from hub.accounts.models import LoginSession, Membership, User
from hub.core.db import db, utcnow
from hub.core.tenancy import all_regions

# last_seen_at moves on at most this often: a write per request would cost more than it tells.
LAST_SEEN_STEP = timedelta(minutes=5)
MAX_RAW_LENGTH = 100


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def start_session(user: User, *, remember: bool = False, user_agent: str = "") -> str:
    """Open a login session for the user and return its raw id (for the cookies; never stored)."""
    config = current_app.config
    lifetime = config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    row = LoginSession(
        user=user,
        token_hash=_digest(raw),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        device=device_label(user_agent),
        remember=remember,
    )
    db.session.add(row)
    user.login_session, user.login_session_raw = row, raw
    return raw


def load_user(raw: str) -> User | None:
    """The active user of a live login session, with the session attached; None when it ended or expired."""
    if not raw or len(raw) > MAX_RAW_LENGTH:
        return None
    now = utcnow()
    # The session, its account, the account's memberships and their regions in one statement: this runs on
    # every signed-in request (a person has a handful of memberships, so the joined rows stay few).
    with all_regions():
        found = (
            db.session.execute(
                select(LoginSession, User)
                .join(User, User.id == LoginSession.user_id)
                .where(LoginSession.token_hash == _digest(raw), LoginSession.expires_at > now, User.active)
                .options(joinedload(User.memberships).joinedload(Membership.region))
            )
            .unique()
            .first()
        )
    if found is None:
        return None
    row, user = found
    if now - row.last_seen_at > LAST_SEEN_STEP:
        db.session.execute(update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now))
        db.session.commit()
    user.login_session, user.login_session_raw = row, raw
    return user


def load_account(user_id: int) -> User | None:
    """An active account with all its memberships, which span regions by nature."""
    with all_regions():
        return (
            db.session.scalars(
                select(User)
                .where(User.id == user_id, User.active)
                .options(joinedload(User.memberships).joinedload(Membership.region))
            )
            .unique()
            .first()
        )


def active_sessions(user: User) -> list[LoginSession]:
    """The account's sessions that still open something, most recently seen first."""
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.expires_at > utcnow())
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
        )
    )


def end_session(user: User, session_id: int) -> LoginSession | None:
    """End one of the user's own sessions; None if there is no such session of theirs."""
    row = db.session.scalar(select(LoginSession).where(LoginSession.id == session_id, LoginSession.user_id == user.id))
    if row is not None:
        db.session.delete(row)
    return row


def end_current_session(user: User) -> None:
    """End the session the user is signed in with (logout)."""
    if user.login_session is not None:
        db.session.execute(delete(LoginSession).where(LoginSession.id == user.login_session.id))
        user.login_session = user.login_session_raw = None


def end_all_sessions(user: User, *, keep_current: bool = False) -> int:
    """End every session of the account (but the current one if asked); returns how many ended."""
    statement = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_current and user.login_session is not None:
        statement = statement.where(LoginSession.id != user.login_session.id)
    return db.session.execute(statement).rowcount


def delete_expired_sessions(now: datetime | None = None) -> int:
    """Delete the rows of sessions past their end (the retention job)."""
    return db.session.execute(delete(LoginSession).where(LoginSession.expires_at <= (now or utcnow()))).rowcount


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def device_label(user_agent: str) -> str:
    """A short, harmless name of a browser from its User-Agent, e.g. "Firefox (Linux)" (the same in every language)."""
    agent = _PRINTABLE.sub("", user_agent or "")[:500]
    browser = next((name for marker, name in _BROWSERS if marker in agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in agent), "")
    if browser and system:
        return f"{browser} ({system})"
    return browser or system or agent[:40]
