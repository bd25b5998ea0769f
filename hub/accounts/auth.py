"""Flask-Login wiring: sessions, bearer tokens for the API, what happens to visitors."""

from __future__ import annotations

from flask import redirect, request, url_for
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


def _user_from_bearer_token(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return services.user_for_access_token(header.removeprefix("Bearer ").strip())


def _unauthorized():
    from hub.web import error_response, is_api_request

    if is_api_request():
        response, code = error_response(401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="CIMIS Hub"'
        return response, code
    from flask import flash

    flash(str(_l("Please log in to see this page.")), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
