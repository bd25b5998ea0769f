"""The path of a request: region from the URL, scope, role checks, CSRF, errors."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from flask import Request, current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError
from werkzeug.formparser import FormDataParser
from werkzeug.routing import IntegerConverter

from hub.core.access import SAFE_METHODS, role_allows
from hub.core.db import db
from hub.core.extensions import api, csrf, login_manager
from hub.core.logs import log_refusal, route_of_request
from hub.core.pages import MAX_PAGE, clamp  # noqa: F401 - MAX_PAGE is read from here too
from hub.core.roles import Role
from hub.core.schemas import localize, refill
from hub.core.tenancy.models import Region
from hub.core.tenancy.scope import (
    DOOR_URL_ARGS,
    SCOPED_URL_ARGS,
    ReadOnlyScopeError,
    Scope,
    all_regions,
    enter_scope,
    reset_scope,
)

log = logging.getLogger("hub.core.web")

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check your input.")),
    401: (_l("Please log in"), _l("You need to log in to see this page.")),
    403: (_l("Access denied"), _l("You are not allowed to do this.")),
    404: (_l("Not found"), _l("This page does not exist, or you cannot see it.")),
    405: (_l("Not allowed"), _l("This action is not possible here.")),
    413: (_l("Too large"), _l("The upload is too large.")),
    422: (_l("Invalid input"), _l("Some fields are not valid. Please correct them.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. We have been notified.")),
}


# The largest value of the id columns (INTEGER on PostgreSQL; SQLite's own limit is higher).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a positive number the id columns can hold; anything else is 404.

    Without the bound, /events/2147483648 reached the database and answered 500 on PostgreSQL.
    """

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def requested_page() -> int:
    """The ``?page=`` of a listing, between 1 and MAX_PAGE whatever the visitor sends (`hub.core.pages`)."""
    return clamp(request.args.get("page", 1, type=int))


class UndecodableForm(BadRequest):
    """A form body that is not UTF-8."""


class StrictFormParser(FormDataParser):
    """Reads a form only when it is UTF-8: Werkzeug kept invalid bytes as the text "%E9" (stored as if the
    person had typed it), or, for raw bytes, silently read an empty form that some views act on by default."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        try:
            items = parse_qsl(stream.read().decode(), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError as exc:
            raise UndecodableForm() from exc
        return stream, self.cls(items), self.cls()


class HubRequest(Request):
    """Flask's request with the strict form parser."""

    form_data_parser_class = StrictFormParser


def install_converters(app) -> None:
    """Bound every integer in a URL, before the first route is added (OpenAPI shows the bounds)."""
    from flask_smorest.spec.plugins import integerconverter2paramschema

    app.url_map.converters["int"] = IdConverter
    api.register_converter(IdConverter, integerconverter2paramschema)


def is_api_request() -> bool:
    """Requests to the JSON API get JSON answers."""
    return request.path.startswith("/api/")


def requested_handler():
    """The function that will answer this request: the view, or for a class-based view (the API's
    MethodView routes) the method's handler, which carries the role marks of hub.core.access."""
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    method = request.method.lower()
    handler = getattr(view_class, method, None) or (getattr(view_class, "get", None) if method == "head" else None)
    return handler or view


def _view_flag(name: str) -> bool:
    return bool(getattr(requested_handler(), name, False))


def pull_region(endpoint, values) -> None:
    """Take the region slug out of the URL values; views read g.region instead."""
    if values and "region" in values:
        g.region_slug = values.pop("region")


def add_region(endpoint, values) -> None:
    """url_for() inside a region fills in the region by itself."""
    if "region" in values or not g.get("region"):
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "region"):
        values["region"] = g.region.slug


def enter_request_scope():
    """Start every request with no region; a region URL sets the region the user may enter."""
    g.scope_token = enter_scope(Scope())
    slug = g.pop("region_slug", None)
    read_only_user = current_user.is_authenticated and current_user.is_read_only
    if read_only_user and request.method not in SAFE_METHODS and not _view_flag("hub_personal"):
        return _forbidden_for_read_only()
    refusal = _refuse_global_role()
    if refusal is not None:
        return refusal
    if slug is None:
        return None
    region = db.session.scalar(select(Region).where(Region.slug == slug, Region.active))
    if region is None:
        return error_response(404)
    g.region = region
    role = current_user.role_in(region) if current_user.is_authenticated else None
    g.region_role = role
    if role is None and not _view_flag("hub_public"):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        log_refusal("other_region")
        return error_response(403)
    read_only = role is None or role == Role.UMBRELLA
    reset_scope(g.scope_token)
    g.scope_token = enter_scope(Scope(region_id=region.id, read_only=read_only))
    # Refuse before the view parses anything (for every route alike, whatever the order of its decorators):
    # the role first, then objects of another region.
    if not role_allows(requested_handler(), role, request.method):
        log_refusal("wrong_role")
        return error_response(403)
    for name, value in (request.view_args or {}).items():
        model = SCOPED_URL_ARGS.get(name)
        if model is not None and db.session.get(model, value) is None:
            if _exists_in_another_region(model, value):
                log_refusal("other_region_object")
            return error_response(404)
        reachable = DOOR_URL_ARGS.get(name)
        if reachable is not None and not reachable(value):
            log_refusal("other_region_object")
            return error_response(404)
    return None


def _refuse_global_role():
    """Views for the umbrella or administrators (hub.core.access) refuse others before parsing anything."""
    needed = getattr(requested_handler(), "hub_global_roles", None)
    if needed is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.global_role not in needed:
        log_refusal("wrong_role")
        return error_response(403)
    return None


def _exists_in_another_region(model, value) -> bool:
    """Whether a URL's object lives behind the wall (the request still answers 404, as for no object)."""
    with all_regions(read_only=True):
        return db.session.get(model, value) is not None


def _forbidden_for_read_only():
    log_refusal("read_only")
    return error_response(403, _("The umbrella project reads all regions but changes nothing."))


def leave_request_scope(exc=None) -> None:
    """Restore the scope that was in force before the request."""
    token = g.pop("scope_token", None)
    if token is not None:
        reset_scope(token)


def protect_csrf():
    """CSRF for every state-changing request, except API calls authenticated by a bearer token."""
    if request.method in SAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if current_user.is_authenticated and g.get("authenticated_by_token"):
        return  # a bearer token is never sent by a browser on its own
    if _view_flag("hub_link_credential"):
        return  # the token in the URL is the credential
    if is_api_request() and not current_user.is_authenticated and not _view_flag("hub_public"):
        return login_manager.unauthorized()  # 401 with WWW-Authenticate, not a CSRF complaint
    csrf.protect()


def error_response(code: int, message: str | None = None, errors: dict | None = None):
    """An error as a page in the user's language, or as JSON in the API."""
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500 if code >= 500 else 400])
    if is_api_request():
        body = {"code": code, "status": str(title), "message": message or str(text)}
        if errors:
            body["errors"] = errors
        return jsonify(body), code
    return render_template("errors/error.html", code=code, title=title, message=message or text), code


def too_many_requests(retry_after: int | None, message: str | None = None):
    """A refusal for too many requests: 429 with Retry-After in seconds, saying how long to wait."""
    from hub.core.rate_limits import refusal_message

    if retry_after is not None and message is None:
        message = refusal_message(retry_after)
    response = make_response(error_response(429, message))
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def handle_http_exception(exc: HTTPException):
    """Every HTTP error goes through error_response; the API keeps flask-smorest's field errors."""
    if is_api_request() and exc.code == 422:
        data = getattr(exc, "data", None)
        if data is not None:
            for key in ("messages", "errors"):
                if key in data:
                    data[key] = localize(data[key])
            data.setdefault("message", str(ERROR_TEXTS[422][1]))
        return api.handle_http_exception(exc)
    if exc.code == 403:
        log_refusal("forbidden")  # a view's own check; the hooks and hub.core.access name their reason first
    if exc.code == 429:
        from hub.core.rate_limits import breached_limit_wait

        log_refusal("rate_limited")
        return too_many_requests(breached_limit_wait())
    if isinstance(exc, CSRFError):
        log_refusal("csrf")
        return error_response(400, _("The form has expired. Please reload the page and try again."))
    if isinstance(exc, UndecodableForm):
        return error_response(400, _("The form could not be read: it was not sent as UTF-8 text. Nothing was saved."))
    return error_response(exc.code or 500)


def handle_read_only(exc: ReadOnlyScopeError):
    """A write in a read-only scope is a refused action, not a crash."""
    db.session.rollback()
    return _forbidden_for_read_only()


def handle_unexpected(exc: Exception):
    """Log the error, roll back, answer 500 in the user's language."""
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, route_of_request())
    return error_response(500)


def install(app) -> None:
    """Register the request hooks and error handlers on the app."""
    from hub.core.tenancy.registry import active_regions

    app.request_class = HubRequest
    app.jinja_env.globals["all_regions_nav"] = active_regions
    app.jinja_env.globals["refill"] = refill
    app.url_value_preprocessor(pull_region)
    app.url_defaults(add_region)
    app.before_request(enter_request_scope)
    app.before_request(protect_csrf)
    app.teardown_request(leave_request_scope)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ReadOnlyScopeError, handle_read_only)
    app.register_error_handler(InternalServerError, handle_unexpected)
    if not app.config.get("PROPAGATE_EXCEPTIONS"):
        app.register_error_handler(Exception, handle_unexpected)
