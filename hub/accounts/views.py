"""Login, logout, invitations, password reset and the user's own account page."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from hub.accounts import actions, schemas, security_log, services, sessions, throttle, two_factor
from hub.accounts.models import AccessToken
from hub.core import rate_limits
from hub.core.access import personal, public
from hub.core.actions import Actor
from hub.core.db import db, utcnow
from hub.core.glue import Confirmation, page_action, run_action, safe_next
from hub.core.logs import log_refusal
from hub.core.schemas import load_buttons, load_form

bp = Blueprint("accounts", __name__, template_folder="templates")


def _user_agent() -> str:
    return request.headers.get("User-Agent", "")


@bp.route("/login", methods=["GET", "POST"])
@rate_limits.login_per_client
@public
def login():
    """Log in with e-mail and password (and then a code, where the second factor is on)."""
    next_url = safe_next(request.values.get("next"), url_for("core.index"))
    if current_user.is_authenticated:
        return redirect(next_url)
    if request.method == "GET":
        return render_template("accounts/login.html", errors={}, form={}, next=next_url)
    client = get_remote_address()
    wait = throttle.login_wait(request.form.get("email", ""), client)
    if wait:
        return _login_refused(wait, request.form, next_url)
    data, errors = load_form(schemas.LoginSchema(), request.form)
    if data:
        user = run_action(
            lambda: actions.sign_in(
                data["email"], data["password"], client=client, remember=data["remember"], user_agent=_user_agent()
            )
        )
        if user is None:
            errors = {"_form": [_("E-mail address or password is wrong.")]}
        elif user.two_factor_enabled:
            session.clear()
            session[PENDING] = {
                "user": user.id,
                "remember": data["remember"],
                "next": next_url,
                "at": utcnow().timestamp(),
            }
            return redirect(url_for("accounts.login_code"))
        else:
            return redirect(_signed_in(user, data["remember"], next_url))
    return render_template("accounts/login.html", errors=errors, form=request.form, next=next_url), 422


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
    if request.method == "GET":
        return render_template("accounts/login_code.html", errors={})
    client = get_remote_address()
    wait = throttle.login_wait(user.email, client)
    if wait:
        return _login_refused(wait, {}, "/", "accounts/login_code.html")
    data, errors = load_form(schemas.TwoFactorCodeSchema(), request.form)
    if data:
        remember = bool(pending.get("remember"))
        confirmed = run_action(
            lambda: actions.confirm_code(user, data["code"], client=client, remember=remember, user_agent=_user_agent())
        )
        if confirmed:
            return redirect(_signed_in(user, remember, safe_next(pending.get("next"), "/")))
        errors = {"code": [_("This code is not valid. Please enter the current code from your app.")]}
    return render_template("accounts/login_code.html", errors=errors), 422


def _signed_in(user, remember: bool, next_url: str) -> str:
    """After the login session is open: a fresh cookie session (and CSRF token) for it; where to go next."""
    session.clear()
    login_user(user, remember=remember)
    if user.locale:
        session["lang"] = user.locale
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    if two_factor.must_set_up(user):
        return url_for("accounts.two_factor_setup")
    return next_url


@bp.post("/logout")
@personal
def logout():
    """Log out: the login session ends on the server, so no copy of the cookies opens anything any more."""
    if current_user.is_authenticated and not g.get("authenticated_by_token"):
        run_action(lambda: actions.log_out(Actor.current()))
    return redirect(_signed_out(_("You have been logged out."), to=url_for("core.index")))


def _signed_out(message: str, *, to: str | None = None) -> str:
    """The cookies of this browser open nothing any more (the language stays); the message is shown next."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(message, "info")
    return to or url_for("accounts.login")


@bp.route("/password/forgot", methods=["GET", "POST"])
@rate_limits.password_reset_per_client
@rate_limits.password_reset_per_address
@public
def forgot_password():
    """Ask for a password reset link."""

    def form(errors=None):
        return render_template(
            "accounts/forgot_password.html", errors=errors or {}, form=request.form if errors else {}
        )

    if request.method == "GET":
        return form()
    return page_action(
        lambda data: actions.request_password_reset(data["email"]),
        schema=schemas.ForgotPasswordSchema(),
        refused=form,
        done=lambda _none: _told(
            _("If an account exists for this address, we have sent a link to reset the password."),
            url_for("accounts.login"),
        ),
    )


def _told(message: str, target: str) -> str:
    flash(message, "info")
    return target


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@rate_limits.password_reset_per_client
@public
def reset_password(token: str):
    """Choose a new password through an e-mailed link."""
    if services.user_for_reset_token(token) is None:
        return render_template("accounts/link_invalid.html"), 404

    def form(errors=None):
        return render_template("accounts/reset_password.html", errors=errors or {}, token=token)

    if request.method == "GET":
        return form()
    return page_action(
        lambda data: actions.reset_password(token, data["password"]),
        schema=schemas.NewPasswordSchema(),
        refused=form,
        done=lambda _user: _password_reset(),
    )


def _password_reset() -> str:
    """Every login session of the account ended with the new password: this browser's too."""
    logout_user()
    session.clear()
    flash(_("Your password has been changed. Please log in."), "success")
    return url_for("accounts.login")


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """Accept an invitation into a region and set a password."""
    invitation = services.find_open_invitation(token)
    if invitation is None:
        return render_template("accounts/link_invalid.html"), 404
    existing = services.user_by_email(invitation.email)

    def form(errors=None):
        values = request.form if request.method == "POST" else {"name": invitation.name}
        return render_template(
            "accounts/accept_invitation.html",
            invitation=invitation,
            existing=existing,
            errors=errors or {},
            form=values,
        )

    def joined(user) -> str:
        home = url_for("region.home.index", region=invitation.region.slug)
        # A new account is signed in at once; an existing one signs in with its own password.
        target = _signed_in(user, False, home) if existing is None else url_for("accounts.login", next=home)
        flash(_("Welcome to the network %(region)s.", region=invitation.region.name), "success")
        return target

    if request.method == "GET":
        return form()
    return page_action(
        lambda data: actions.accept_invitation(
            token, name=data.get("name", ""), password=data.get("password"), user_agent=_user_agent()
        ),
        schema=schemas.AcceptInvitationSchema() if existing is None else None,
        refused=form,
        done=joined,
    )


def _account_page(errors=None, new_token: str | None = None):
    """The account page with everything on it; ``errors`` belong to the form that was sent."""
    tokens = db.session.scalars(
        select(AccessToken).where(AccessToken.user_id == current_user.id).order_by(AccessToken.created_at.desc())
    ).all()
    return render_template(
        "accounts/account.html",
        tokens=tokens,
        new_token=new_token,
        errors=errors or {},
        login_sessions=sessions.active_sessions(current_user),
        current_session=current_user.login_session,
        security_events=security_log.events_of(current_user),
        recovery_codes_left=two_factor.recovery_codes_left(current_user),
        two_factor_required=two_factor.required_for(current_user),
    )


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
    return page_action(
        lambda data: actions.change_password(Actor.current(), data["current_password"], data["password"]),
        schema=schemas.ChangePasswordSchema(),
        refused=_account_page,
        message=_("Your password has been changed."),
        done=url_for("accounts.account"),
    )


@bp.post("/account/sessions/<int:login_session_id>/end")
@login_required
@personal
def end_session(login_session_id: int):
    """End one of one's own sessions (another device, or this one)."""

    def ended(row) -> str:
        if current_user.login_session is not None and row.id == current_user.login_session.id:
            return _signed_out(_("You have been logged out."))
        flash(_("The session has been ended."), "success")
        return url_for("accounts.account", _anchor="sessions")

    def question(data) -> Confirmation | None:
        row = next((s for s in sessions.active_sessions(current_user) if s.id == login_session_id), None)
        if row is None:
            return None  # someone else's or gone: the action answers
        this_one = current_user.login_session is not None and row.id == current_user.login_session.id
        return Confirmation(
            _("End the session on “%(device)s”?", device=row.device or _("unknown browser")),
            _("This is the device you are using: you will be logged out.")
            if this_one
            else _("That device is signed out and has to sign in again."),
            _("Yes, end the session"),
        )

    return page_action(
        lambda data: actions.end_session(Actor.current(), login_session_id),
        refused=url_for("accounts.account"),
        done=ended,
        confirm=question,
    )


@bp.post("/account/sessions/end-all")
@login_required
@personal
def end_all_sessions():
    """Sign out everywhere: every session of the account ends, this one too."""
    return page_action(
        lambda data: actions.end_all_sessions(Actor.current()),
        refused=url_for("accounts.account"),
        done=lambda count: _signed_out(_("You have been signed out on every device.")),
        confirm=Confirmation(
            _("Sign out on every device?"),
            _("Every session of your account ends, this one too: you have to sign in again everywhere."),
            _("Yes, sign out everywhere"),
        ),
    )


@bp.post("/account/tokens")
@login_required
@personal
def create_token():
    """Create a personal access token for the API; its value is shown once."""

    def shown_once(raw: str) -> str:
        session["new_token"] = raw
        return url_for("accounts.account")

    return page_action(
        lambda data: actions.create_token(Actor.current(), data["name"]),
        schema=schemas.AccessTokenCreateSchema(),
        refused=_account_page,
        done=shown_once,
    )


@bp.post("/account/tokens/<int:access_token_id>/revoke")
@login_required
@personal
def revoke_token(access_token_id: int):
    """Revoke one of one's own tokens."""
    back = url_for("accounts.account")

    def question(data) -> Confirmation | None:
        token = db.session.scalar(
            select(AccessToken).where(AccessToken.id == access_token_id, AccessToken.user_id == current_user.id)
        )
        if token is None or token.revoked_at is not None:
            return None  # someone else's (the action answers 404), or revoked already (nothing to lose)
        return Confirmation(
            _("Revoke the token “%(name)s”?", name=token.name),
            _("Programs that use it lose their access at once. This cannot be undone; you can create a new token."),
            _("Yes, revoke"),
        )

    return page_action(
        lambda data: actions.revoke_token(Actor.current(), access_token_id),
        refused=back,
        message=_("The token has been revoked."),
        done=back,
        confirm=question,
    )


@bp.post("/language")
@public
@personal
def set_language():
    """Switch the interface language (remembered in the session and on the account)."""
    data = load_buttons(schemas.LanguageSchema(), request.form)
    session["lang"] = data["lang"]
    if current_user.is_authenticated:
        run_action(lambda: actions.set_language(Actor.current(), data["lang"]))
    return redirect(safe_next(data["next"]))


from hub.accounts import two_factor_views  # noqa: E402,F401  (its routes on this blueprint)
