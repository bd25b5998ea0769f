"""Rate limits beyond the login back-off: who is counted, which limits apply where, and how a refusal
is answered (429 with Retry-After, as a page in the user's language or as JSON).

The limits live in Flask-Limiter (``hub.core.extensions.limiter``) and its storage, so several workers share
them when HUB_REDIS_URL is set. Routes with a purpose of their own carry a decorator from here; every
other form open to visitors and the whole API are covered by the limits installed below, so a route
added later is limited without anyone remembering to.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import ApplicationLimit, Limit
from flask_limiter.util import get_remote_address
from flask_login import current_user

from hub.core.extensions import limiter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def pseudonym(kind: str, value: str) -> str:
    """A stable key for an address or e-mail in the counters, which keep neither in clear text."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def client_key() -> str:
    """The client: its remote address."""
    return "client:" + pseudonym("client", get_remote_address() or "")


def person_key() -> str:
    """The logged-in person (whichever device or token), else the client."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return client_key()


def reset_address_key() -> str:
    """The e-mail address a reset link is asked for (as typed, compared case-insensitively)."""
    email = request.form.get("email", "").strip().lower()[:254]
    return "reset-address:" + pseudonym("email", email)


def request_address_key() -> str:
    """The e-mail address a request for access is sent with (as typed, compared case-insensitively)."""
    email = request.form.get("email", "").strip().lower()[:254]
    return "access-address:" + pseudonym("email", email)


def _config(name: str):
    return lambda: current_app.config[name]


def _only_post() -> bool:
    return request.method != "POST"


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _not_api() -> bool:
    return not _is_api()


def _not_a_public_form() -> bool:
    """Exempt everything but a state-changing request to a view open to visitors (pages only)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method in SAFE_METHODS or _is_api() or not getattr(view, "hub_public", False)


# Decorators for the routes with limits of their own -------------------------------------------

login_per_client = limiter.limit(_config("LOGIN_LIMIT_PER_IP"), key_func=client_key, exempt_when=_only_post)
password_reset_per_client = limiter.shared_limit(
    _config("PASSWORD_RESET_LIMIT_PER_IP"), scope="password-reset", key_func=client_key, exempt_when=_only_post
)
password_reset_per_address = limiter.limit(
    _config("PASSWORD_RESET_LIMIT_PER_ADDRESS"), key_func=reset_address_key, exempt_when=_only_post
)
# Pages and API share one count per person; the API's general limits still apply (override_defaults).
invitations_per_coordinator = limiter.shared_limit(
    _config("INVITATION_LIMIT_PER_COORDINATOR"), scope="invitations", key_func=person_key, override_defaults=False
)
# A request for access e-mails its address: per address on top of the limit of every public form per client.
access_requests_per_address = limiter.limit(
    _config("ACCESS_REQUEST_LIMIT_PER_ADDRESS"),
    key_func=request_address_key,
    exempt_when=_only_post,
    override_defaults=False,
)
contact_requests_per_person = limiter.shared_limit(
    _config("CONTACT_REQUEST_LIMIT_PER_PERSON"), scope="contact-requests", key_func=person_key, override_defaults=False
)


def install(app) -> None:
    """Limit every public form and the whole API (idempotent: the limiter is one for all apps)."""
    limiter.limit_manager.set_default_limits(
        [
            Limit(_config("PUBLIC_FORM_LIMIT_PER_IP"), key_function=client_key, exempt_when=_not_a_public_form).bind(
                limiter
            )
        ]
    )
    limiter.limit_manager.set_application_limits(
        [
            ApplicationLimit(
                _config("API_LIMIT_PER_USER"), key_function=person_key, exempt_when=_not_api, scope="api-person"
            ).bind(limiter),
            ApplicationLimit(
                _config("API_LIMIT_PER_IP"), key_function=client_key, exempt_when=_not_api, scope="api-client"
            ).bind(limiter),
        ]
    )


# Refusals ---------------------------------------------------------------------------------------


def seconds_until(moment: float) -> int:
    """Whole seconds until a moment, rounded up (a client that waits this long is let in)."""
    return max(1, math.ceil(moment - time.time()))


def breached_limit_wait() -> int | None:
    """Seconds until the limit Flask-Limiter just refused frees a place, if it says which."""
    breached = limiter.current_limit
    if breached is None:
        return None
    return seconds_until(breached.window[0])


def wait_text(seconds: int) -> str:
    """A wait in words: seconds below a minute, else minutes below two hours, else hours (rounded up)."""
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    if seconds < 2 * 3600:
        return ngettext("%(num)d minute", "%(num)d minutes", math.ceil(seconds / 60))
    return ngettext("%(num)d hour", "%(num)d hours", math.ceil(seconds / 3600))


def refusal_message(seconds: int) -> str:
    """What a refused request is told."""
    return _("Too many attempts. Please wait %(wait)s and try again.", wait=wait_text(seconds))
