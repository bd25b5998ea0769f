"""Flask-Login wiring: sessions, bearer tokens for the API, what happens to visitors."""

from __future__ import annotations

from flask import g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hub.accounts import services, sessions, two_factor

# What an account that must set up its second factor may still reach.
SETUP_ENDPOINTS = frozenset(
    {"accounts.two_factor_setup", "accounts.two_factor_enable", "accounts.logout", "accounts.set_language", "static"}
)


def install(login_manager, app) -> None:
    """Configure Flask-Login for the app."""
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(sessions.load_user)
    login_manager.request_loader(_user_from_bearer_token)
    login_manager.unauthorized_handler(_unauthorized)
    app.session_interface = TokenAwareSessionInterface()
    app.before_request(forget_ended_session)
    app.before_request(require_second_factor)


def forget_ended_session():
    """A cookie whose login session ended (logout elsewhere, expired) is emptied, CSRF token and all.

    So a form token taken from a session before its logout is refused, even with a copy of the old cookie.
    """
    if "_user_id" in session and not current_user.is_authenticated:
        session.clear()


def require_second_factor():
    """Admins and the umbrella in production set up their second factor before anything else."""
    if not current_user.is_authenticated or g.get("authenticated_by_token"):
        return None
    if request.endpoint in SETUP_ENDPOINTS or not two_factor.must_set_up(current_user):
        return None
    from hub.core.web import error_response, is_api_request

    if is_api_request():
        return error_response(403, str(_l("Please set up two-factor authentication first.")))
    return redirect(url_for("accounts.two_factor_setup"))


class TokenAwareSessionInterface(SecureCookieSessionInterface):
    """An API call with a bearer token is stateless: it neither reads nor writes the session cookie.

    Otherwise a cookie the client kept from a page (a flash message, the chosen language) would fail
    Flask-Login's "strong" session protection, and the request would be anonymous before the token
    is even looked at.
    """

    def open_session(self, app, request):
        if bearer_token(request) is not None and request.path.startswith("/api/"):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if bearer_token(request) is not None and request.path.startswith("/api/"):
            return
        super().save_session(app, session, response)


def bearer_token(req) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (the scheme is case-insensitive)."""
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _user_from_bearer_token(req):
    """Personal access tokens open the JSON API only, never the pages (a leaked token cannot make more)."""
    token = bearer_token(req)
    if token is None or not req.path.startswith("/api/"):
        return None
    user = services.user_for_access_token(token)
    if user is not None:
        g.authenticated_by_token = True
    return user


def _unauthorized():
    from hub.core.web import error_response, is_api_request

    if is_api_request():
        response, code = error_response(401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="CIMIS Hub"'
        return response, code
    from flask import flash

    from hub.core.web import requested_handler

    reason = getattr(requested_handler(), "hub_login_reason", None)
    flash(str(reason or _l("Please log in to see this page.")), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
