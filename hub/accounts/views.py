"""Login, logout, invitations, password reset and the user's own account page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from hub import rate_limits
from hub.access import personal, public
from hub.accounts import schemas, services, throttle
from hub.accounts.models import AccessToken
from hub.accounts.passwords import verify_password
from hub.db import db
from hub.logs import log_refusal
from hub.schemas import load_form

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
    """Log in with e-mail and password."""
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
                errors = {"_form": [_("E-mail address or password is wrong.")]}
            else:
                throttle.record_success(data["email"], client)
                db.session.commit()
                session.clear()
                login_user(user, remember=data["remember"])
                if user.locale:
                    session["lang"] = user.locale
                flash(_("Welcome, %(name)s.", name=user.name), "success")
                return redirect(next_url)
        return render_template("accounts/login.html", errors=errors, form=form, next=next_url), 422
    return render_template("accounts/login.html", errors=errors, form=form, next=next_url)


def _login_refused(wait: int, form, next_url: str):
    """The login form again, saying how long this client must wait (429 with Retry-After)."""
    log_refusal("login_backoff")
    message = _("Too many failed attempts. Please wait %(wait)s before trying again.", wait=rate_limits.wait_text(wait))
    page = render_template("accounts/login.html", errors={"_form": [message]}, form=form, next=next_url)
    return page, 429, {"Retry-After": str(wait)}


@bp.post("/logout")
@personal
def logout():
    """Log out and forget the session."""
    lang = session.get("lang")
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
                if existing is None:
                    session.clear()
                    login_user(user)
                    return redirect(url_for("region.home.index", region=invitation.region.slug))
                home = url_for("region.home.index", region=invitation.region.slug)
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


@bp.get("/account")
@login_required
def account():
    """The user's own page: regions, language, password, API tokens."""
    tokens = db.session.scalars(
        select(AccessToken).where(AccessToken.user_id == current_user.id).order_by(AccessToken.created_at.desc())
    ).all()
    new_token = session.pop("new_token", None)
    return render_template("accounts/account.html", tokens=tokens, new_token=new_token, errors={})


@bp.post("/account/password")
@login_required
@personal
def change_password():
    """Change one's own password (ends the other sessions)."""
    data, errors = load_form(schemas.ChangePasswordSchema(), request.form)
    if data and not verify_password(current_user.password_hash, data["current_password"]):
        data, errors = None, {"current_password": [_("The current password is wrong.")]}
    if data:
        try:
            services.set_password(current_user, data["password"])
        except services.AccountError as exc:
            data, errors = None, {exc.field or "_form": [str(exc.message)]}
    if not data:
        tokens = db.session.scalars(select(AccessToken).where(AccessToken.user_id == current_user.id)).all()
        return render_template("accounts/account.html", tokens=tokens, new_token=None, errors=errors), 422
    db.session.commit()
    login_user(current_user._get_current_object())
    flash(_("Your password has been changed."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/tokens")
@login_required
@personal
def create_token():
    """Create a personal access token for the API; its value is shown once."""
    data, errors = load_form(schemas.AccessTokenCreateSchema(), request.form)
    if not data:
        tokens = db.session.scalars(select(AccessToken).where(AccessToken.user_id == current_user.id)).all()
        return render_template("accounts/account.html", tokens=tokens, new_token=None, errors=errors), 422
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
