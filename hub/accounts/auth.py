"""Flask-Login wiring: sessions, bearer tokens for the API, what happens to visitors."""

from __future__ import annotations

from flask import g, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l

from hub.accounts import services


def install(login_manager, app) -> None:
    """Configure Flask-Login for the app."""
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(services.load_user_for_session)
    login_manager.request_loader(_user_from_bearer_token)
    login_manager.unauthorized_handler(_unauthorized)
    app.session_interface = TokenAwareSessionInterface()


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
    from hub.web import error_response, is_api_request

    if is_api_request():
        response, code = error_response(401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="CIMIS Hub"'
        return response, code
    from flask import flash

    flash(str(_l("Please log in to see this page.")), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
