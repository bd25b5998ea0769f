"""Login back-off that protects accounts without locking their owners out.

Each wrong password doubles the wait before the same client may try the same account again (1 s, 2 s,
4 s … capped); a client's wrong passwords for any accounts add a wait of their own after a few free
ones (password spraying); many wrong passwords for one account from many clients lengthen the wait of
those clients only. A client that has not failed is never refused, so nobody can hold a lock on
someone else's account; a successful login resets the client's counters.

The counters live in Flask-Limiter's storage (Redis when configured, so all workers share them). A
wait is stored as a marker that expires when the wait ends; addresses and e-mails are pseudonymised.
"""

from __future__ import annotations

import logging

from flask import current_app
from limits.storage import storage_from_string

from hub.core.extensions import limiter
from hub.core.rate_limits import pseudonym, seconds_until

log = logging.getLogger("hub.accounts.throttle")


def _storage():
    """Flask-Limiter's storage; with the request limits switched off (RATELIMIT_ENABLED=False) the
    limiter has none, and the back-off keeps one of its own on the same URI: it protects accounts,
    which switching off the request limits does not ask to stop."""
    if limiter.enabled and limiter.initialized:
        # limiter.limiter follows Flask-Limiter's switch to memory when Redis cannot be reached.
        return limiter.limiter.storage
    own = current_app.extensions.get("login_backoff_storage")
    if own is None:
        config = current_app.config
        own = storage_from_string(config["RATELIMIT_STORAGE_URI"], **config["RATELIMIT_STORAGE_OPTIONS"])
        current_app.extensions["login_backoff_storage"] = own
    return own


def _keys(email: str, client: str) -> dict[str, str]:
    account = pseudonym("email", email.strip().lower()[:254])
    who = pseudonym("client", client or "")
    return {
        "pair_failures": f"login-backoff/failures/{account}/{who}",
        "pair_wait": f"login-backoff/wait/{account}/{who}",
        "client_failures": f"login-backoff/failures/client/{who}",
        "client_wait": f"login-backoff/wait/client/{who}",
        "account_failures": f"login-backoff/failures/account/{account}",
    }


def _doubling(failures: int, free: int) -> int:
    """The wait after this many failures: none for the free ones, then the base doubling up to the cap."""
    beyond = failures - free
    if beyond <= 0:
        return 0
    base, cap = current_app.config["LOGIN_BACKOFF_BASE_SECONDS"], current_app.config["LOGIN_BACKOFF_MAX_SECONDS"]
    return min(cap, base * 2 ** min(beyond - 1, 32))


def _remaining(storage, key: str) -> int:
    if not storage.get(key):
        return 0
    return seconds_until(storage.get_expiry(key))


def login_wait(email: str, client: str) -> int:
    """Seconds this client must still wait before it may try this account (0: it may try now)."""
    keys, storage = _keys(email, client), _storage()
    try:
        return max(_remaining(storage, keys["pair_wait"]), _remaining(storage, keys["client_wait"]))
    except storage.base_exceptions:
        log.warning("login back-off storage unreachable; the login is not delayed", exc_info=True)
        return 0


def record_failure(email: str, client: str) -> int:
    """Count a wrong password (for an existing account or not, alike) and return the wait it imposes."""
    config = current_app.config
    keys, storage = _keys(email, client), _storage()
    forget = config["LOGIN_BACKOFF_FORGET_HOURS"] * 3600
    try:
        pair = storage.incr(keys["pair_failures"], forget)
        by_client = storage.incr(keys["client_failures"], forget)
        on_account = storage.incr(keys["account_failures"], forget)
        pair_wait = max(_doubling(pair, 0), _doubling(on_account, config["LOGIN_BACKOFF_ACCOUNT_FREE"]))
        client_wait = _doubling(by_client, config["LOGIN_BACKOFF_CLIENT_FREE"])
        for key, wait in ((keys["pair_wait"], pair_wait), (keys["client_wait"], client_wait)):
            if wait:
                storage.clear(key)  # the marker's expiry is the end of the wait, set anew
                storage.incr(key, wait)
    except storage.base_exceptions:
        log.warning("login back-off storage unreachable; the failure is not counted", exc_info=True)
        return 0
    return max(pair_wait, client_wait)


def record_success(email: str, client: str) -> None:
    """A right password: the client's counters start again (the account's own count runs out by itself)."""
    keys, storage = _keys(email, client), _storage()
    try:
        for name in ("pair_failures", "pair_wait", "client_failures", "client_wait"):
            storage.clear(keys[name])
    except storage.base_exceptions:
        log.warning("login back-off storage unreachable; the counters are not reset", exc_info=True)
