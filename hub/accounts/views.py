"""Login, logout, invitations, password reset and the user's own account page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from hub.accounts import schemas, security_log, services, sessions, throttle, two_factor
from hub.accounts.models import AccessToken
from hub.core import rate_limits
from hub.core.access import personal, public
from hub.core.db import db, utcnow
from hub.core.logs import log_refusal
from hub.core.schemas import load_form

bp = Blueprint("accounts", __name__, template_folder="templates")


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target on this host only (no scheme, no host, no protocol-relative //)."""
    if not target:
        return default
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
@rate_limits.login_per_client
@public
def login():
    """Log in with e-mail and password (and then a code, where the second factor is on)."""
    next_url = safe_next(request.values.get("next"), url_for("core.index"))
    if current_user.is_authenticated:
        return redirect(next_url)
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        client = get_remote_address()
        wait = throttle.login_wait(request.form.get("email", ""), client)
        if wait:
            return _login_refused(wait, form, next_url)
        data, errors = load_form(schemas.LoginSchema(), request.form)
        if data:
            user = services.authenticate(data["email"], data["password"])
            if user is None:
                throttle.record_failure(data["email"], client)
                _record_failed_login(data["email"], "password")
                errors = {"_form": [_("E-mail address or password is wrong.")]}
            elif user.two_factor_enabled:
                throttle.record_success(data["email"], client)
                db.session.commit()
                session.clear()
                session[PENDING] = {
                    "user": user.id,
                    "remember": data["remember"],
                    "next": next_url,
                    "at": utcnow().timestamp(),
                }
                return redirect(url_for("accounts.login_code"))
            else:
                throttle.record_success(data["email"], client)
                return _complete_login(user, data["remember"], next_url)
        return render_template("accounts/login.html", errors=errors, form=form, next=next_url), 422
    return render_template("accounts/login.html", errors=errors, form=form, next=next_url)


# The half-finished login in the cookie session: whose password was right, and since when. It opens
# nothing: the person is not logged in until the code is right.
PENDING = "two_factor_pending"


def _pending_user():
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or two_factor.pending_expired(float(pending.get("at", 0))):
        return None, None
    user = sessions.load_account(int(pending.get("user", 0)))
    return (user, pending) if user is not None and user.two_factor_enabled else (None, None)


def _login_refused(wait: int, form, next_url: str, template: str = "accounts/login.html"):
    """The form again, saying how long this client must wait (429 with Retry-After)."""
    log_refusal("login_backoff")
    message = _("Too many failed attempts. Please wait %(wait)s before trying again.", wait=rate_limits.wait_text(wait))
    page = render_template(template, errors={"_form": [message]}, form=form, next=next_url)
    return page, 429, {"Retry-After": str(wait)}


@bp.route("/login/code", methods=["GET", "POST"])
@rate_limits.login_per_client
@public
def login_code():
    """The second step of a login: the code from the authenticator app, or a recovery code."""
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("accounts.login"))
    errors = {}
    if request.method == "POST":
        # A wrong code counts as a failed login in the same back-off as a wrong password.
        client = get_remote_address()
        wait = throttle.login_wait(user.email, client)
        if wait:
            return _login_refused(wait, {}, "/", "accounts/login_code.html")
        data, errors = load_form(schemas.TwoFactorCodeSchema(), request.form)
        if data:
            if two_factor.verify(user, data["code"]):
                throttle.record_success(user.email, client)
                return _complete_login(user, bool(pending.get("remember")), safe_next(pending.get("next"), "/"))
            throttle.record_failure(user.email, client)
            _record_failed_login(user.email, "code")
            errors = {"code": [_("This code is not valid. Please enter the current code from your app.")]}
        return render_template("accounts/login_code.html", errors=errors), 422
    return render_template("accounts/login_code.html", errors=errors)


def _record_failed_login(email: str, reason: str) -> None:
    security_log.record(
        "login_failed", services.user_by_email(email), email=services.normalise_email(email), reason=reason
    )
    db.session.commit()


def _complete_login(user, remember: bool, next_url: str):
    """Open a login session for the user: a fresh cookie session, a new row, the event logged."""
    sessions.start_session(user, remember=remember, user_agent=request.headers.get("User-Agent", ""))
    security_log.record("login", user)
    db.session.commit()
    session.clear()  # a new cookie session (and CSRF token) for the new login
    login_user(user, remember=remember)
    if user.locale:
        session["lang"] = user.locale
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    if two_factor.must_set_up(user):
        return redirect(url_for("accounts.two_factor_setup"))
    return redirect(next_url)


@bp.post("/logout")
@personal
def logout():
    """Log out: the login session ends on the server, so no copy of the cookies opens anything any more."""
    lang = session.get("lang")
    if current_user.is_authenticated and not g.get("authenticated_by_token"):
        security_log.record("logout", current_user)
        sessions.end_current_session(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have been logged out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@rate_limits.password_reset_per_client
@rate_limits.password_reset_per_address
@public
def forgot_password():
    """Ask for a password reset link."""
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(schemas.ForgotPasswordSchema(), request.form)
        if data:
            services.request_password_reset(data["email"])
            db.session.commit()
            flash(_("If an account exists for this address, we have sent a link to reset the password."), "info")
            return redirect(url_for("accounts.login"))
        return render_template("accounts/forgot_password.html", errors=errors, form=form), 422
    return render_template("accounts/forgot_password.html", errors=errors, form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@rate_limits.password_reset_per_client
@public
def reset_password(token: str):
    """Choose a new password through an e-mailed link."""
    if services.user_for_reset_token(token) is None:
        return render_template("accounts/link_invalid.html"), 404
    errors = {}
    if request.method == "POST":
        data, errors = load_form(schemas.NewPasswordSchema(), request.form)
        if data:
            try:
                services.reset_password(token, data["password"])
            except services.AccountError as exc:
                errors = {exc.field or "_form": [str(exc.message)]}
            else:
                db.session.commit()
                logout_user()
                session.clear()
                flash(_("Your password has been changed. Please log in."), "success")
                return redirect(url_for("accounts.login"))
        return render_template("accounts/reset_password.html", errors=errors, token=token), 422
    return render_template("accounts/reset_password.html", errors=errors, token=token)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """Accept an invitation into a region and set a password."""
    invitation = services.find_open_invitation(token)
    if invitation is None:
        return render_template("accounts/link_invalid.html"), 404
    existing = services.user_by_email(invitation.email)
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        if existing is not None:
            data, errors = {}, {}
        else:
            data, errors = load_form(schemas.AcceptInvitationSchema(), request.form)
        if data is not None and not errors:
            try:
                user = services.accept_invitation(token, data.get("name", ""), data.get("password"))
            except services.AccountError as exc:
                db.session.rollback()
                errors = {exc.field or "_form": [str(exc.message)]}
            else:
                db.session.commit()
                flash(_("Welcome to the network %(region)s.", region=invitation.region.name), "success")
                home = url_for("region.home.index", region=invitation.region.slug)
                if existing is None:
                    return _complete_login(user, False, home)
                return redirect(url_for("accounts.login", next=home))
        return render_template(
            "accounts/accept_invitation.html", invitation=invitation, existing=existing, errors=errors, form=form
        ), 422
    return render_template(
        "accounts/accept_invitation.html",
        invitation=invitation,
        existing=existing,
        errors=errors,
        form={"name": invitation.name},
    )


def _account_page(errors=None, status: int = 200, **extra):
    """The account page with everything on it; ``errors`` belong to the form that was sent."""
    tokens = db.session.scalars(
        select(AccessToken).where(AccessToken.user_id == current_user.id).order_by(AccessToken.created_at.desc())
    ).all()
    return render_template(
        "accounts/account.html",
        tokens=tokens,
        new_token=extra.pop("new_token", None),
        errors=errors or {},
        login_sessions=sessions.active_sessions(current_user),
        current_session=current_user.login_session,
        security_events=security_log.events_of(current_user),
        recovery_codes_left=two_factor.recovery_codes_left(current_user),
        two_factor_required=two_factor.required_for(current_user),
        **extra,
    ), status


@bp.get("/account")
@login_required
def account():
    """The user's own page: regions, password, sessions, second factor, API tokens, security events."""
    return _account_page(new_token=session.pop("new_token", None))


@bp.post("/account/password")
@login_required
@personal
def change_password():
    """Change one's own password (ends the other sessions, this one stays)."""
    data, errors = load_form(schemas.ChangePasswordSchema(), request.form)
    if data:
        try:
            services.change_password(current_user, data["current_password"], data["password"])
        except services.AccountError as exc:
            data, errors = None, {exc.field or "_form": [str(exc.message)]}
    if not data:
        return _account_page(errors, 422)
    db.session.commit()
    flash(_("Your password has been changed."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/sessions/<int:login_session_id>/end")
@login_required
@personal
def end_session(login_session_id: int):
    """End one of one's own sessions (another device, or this one)."""
    ended = sessions.end_session(current_user, login_session_id)
    if ended is None:
        abort(404)
    security_log.record("session_ended", current_user, session=ended.device)
    db.session.commit()
    if current_user.login_session is not None and ended.id == current_user.login_session.id:
        return _signed_out(_("You have been logged out."))
    flash(_("The session has been ended."), "success")
    return redirect(url_for("accounts.account", _anchor="sessions"))


@bp.post("/account/sessions/end-all")
@login_required
@personal
def end_all_sessions():
    """Sign out everywhere: every session of the account ends, this one too."""
    count = sessions.end_all_sessions(current_user)
    security_log.record("signed_out_everywhere", current_user, sessions=count)
    db.session.commit()
    return _signed_out(_("You have been signed out on every device."))


def _signed_out(message: str):
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(message, "info")
    return redirect(url_for("accounts.login"))


@bp.post("/account/tokens")
@login_required
@personal
def create_token():
    """Create a personal access token for the API; its value is shown once."""
    data, errors = load_form(schemas.AccessTokenCreateSchema(), request.form)
    if not data:
        return _account_page(errors, 422)
    token, raw = services.create_access_token(current_user, data["name"])
    db.session.commit()
    session["new_token"] = raw
    return redirect(url_for("accounts.account"))


@bp.post("/account/tokens/<int:access_token_id>/revoke")
@login_required
@personal
def revoke_token(access_token_id: int):
    """Revoke one of one's own tokens."""
    try:
        services.revoke_access_token(current_user, access_token_id)
    except services.AccountError:
        abort(404)
    db.session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/language")
@public
@personal
def set_language():
    """Switch the interface language (remembered in the session and on the account)."""
    data, errors = load_form(schemas.LanguageSchema(), request.form)
    if not data:
        abort(400)
    session["lang"] = data["lang"]
    if current_user.is_authenticated:
        current_user.locale = data["lang"]
        db.session.commit()
    return redirect(safe_next(data["next"]))


from hub.accounts import two_factor_views  # noqa: E402,F401  (its routes on this blueprint)
