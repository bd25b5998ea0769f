"""Who may call a view: markers and decorators read by the request hooks in hub.core.web."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_login import current_user

from hub.core.logs import log_refusal
from hub.core.roles import Role

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def public(view):
    """The view is open to visitors without an account (also inside a region)."""
    view.hub_public = True
    return view


def login_reason(message):
    """What the login page tells a visitor sent there from this view, instead of "Please log in to see this page."
    (the directory says who it is for and how to get an account)."""

    def mark(view):
        view.hub_login_reason = message
        return view

    return mark


def personal(view):
    """The view changes only the caller's own account, so read-only roles may use it too."""
    view.hub_personal = True
    return view


def link_credential(view):
    """The secret token in the URL is the credential (an e-mailed one-click link): no CSRF form token is
    needed, since another site cannot know the token, and mail programs POST without one (RFC 8058)."""
    view.hub_link_credential = True
    return view


def role_allows(view, role, method: str) -> bool:
    """Whether a view restricted with @region_role_required lets this role use this method."""
    allowed = getattr(view, "hub_roles", None)
    if allowed is None:
        return True
    return role in allowed or (role == Role.UMBRELLA and method in SAFE_METHODS)


def region_role_required(*roles: Role, admins: bool = True):
    """Allow the view to the given roles in the current region.

    Admins may always (unless ``admins=False``: what only a region's members hold, such as their own
    profile); the umbrella may read (GET) every region's pages but never change anything.
    """
    allowed = set(roles) | ({Role.ADMIN} if admins else set())

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if role_allows(wrapped, g.get("region_role"), request.method):
                return view(*args, **kwargs)
            log_refusal("wrong_role")
            abort(403)

        wrapped.hub_roles = allowed
        return wrapped

    return decorator


coordinator_required = region_role_required(Role.COORDINATOR)


def admin_required(view):
    """Only administrators."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from hub.core.extensions import login_manager

            return login_manager.unauthorized()
        if not current_user.is_admin:
            log_refusal("wrong_role")
            abort(403)
        return view(*args, **kwargs)

    wrapped.hub_global_roles = frozenset({Role.ADMIN})
    return wrapped


def umbrella_required(view):
    """The umbrella reviewers and administrators."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from hub.core.extensions import login_manager

            return login_manager.unauthorized()
        if current_user.global_role not in (Role.UMBRELLA, Role.ADMIN):
            log_refusal("wrong_role")
            abort(403)
        return view(*args, **kwargs)

    wrapped.hub_umbrella_only = True  # the isolation suite finds these routes by this mark
    wrapped.hub_global_roles = frozenset({Role.UMBRELLA, Role.ADMIN})
    return wrapped
