"""The account's second factor (set up, recovery codes, turn off) and the admins' list of security events.

Only the set-up page's GET and the actions write: a refused form shows the set-up under way as it is
(or asks to start it again), it never starts a new one.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.accounts import actions, schemas, security_log, two_factor
from hub.accounts.views import bp
from hub.core.access import admin_required, personal
from hub.core.actions import Actor
from hub.core.glue import page_action, run_action
from hub.core.schemas import load_form


def _page(errors=None, recovery_codes=None):
    """The second factor's page: its state, or the set-up under way (QR code and key) while it is off."""
    user = current_user._get_current_object()
    setting_up = not user.two_factor_enabled and bool(user.totp_secret)
    return render_template(
        "accounts/two_factor.html",
        errors=errors or {},
        qr_code=two_factor.qr_code_data_uri(user) if setting_up else None,
        secret=user.totp_secret if setting_up else None,
        recovery_codes=recovery_codes,
        recovery_codes_left=two_factor.recovery_codes_left(user),
        required=two_factor.required_for(user),
    )


@bp.get("/account/two-factor")
@login_required
def two_factor_setup():
    """Set up the second factor (QR code and secret), or see and manage it."""
    if not current_user.two_factor_enabled:
        run_action(lambda: actions.begin_two_factor(Actor.current()))
    return _page()


@bp.post("/account/two-factor/enable")
@login_required
@personal
def two_factor_enable():
    """Confirm the set-up with a first code; the recovery codes are shown this once."""
    return page_action(
        lambda data: actions.enable_two_factor(Actor.current(), data["code"]),
        schema=schemas.TwoFactorCodeSchema(),
        refused=_page,
        message=_("Two-factor authentication is on."),
        show=lambda codes: _page(recovery_codes=codes),
    )


@bp.post("/account/two-factor/disable")
@login_required
@personal
def two_factor_disable():
    """Turn the second factor off with the password or a current code."""
    return page_action(
        lambda data: actions.disable_two_factor(Actor.current(), data["password_or_code"]),
        schema=schemas.TwoFactorDisableSchema(),
        refused=_page,
        message=_("Two-factor authentication is off."),
        done=url_for("accounts.account"),
    )


@bp.post("/account/two-factor/recovery-codes")
@login_required
@personal
def two_factor_recovery_codes():
    """Make ten new recovery codes (the old ones stop working), after the password."""
    return page_action(
        lambda data: actions.renew_recovery_codes(Actor.current(), data["password"]),
        schema=schemas.PasswordCheckSchema(),
        refused=_page,
        show=lambda codes: _page(recovery_codes=codes),
    )


@bp.get("/admin/security")
@admin_required
def security_events():
    """Every account's security events, newest first, optionally of one kind or address."""
    data, errors = load_form(schemas.SecurityEventQuerySchema(), request.args)
    page = security_log.browse(**(data or {}))
    return render_template(
        "accounts/security_events.html", page=page, kinds=security_log.KINDS, errors=errors, form=request.args
    ), 422 if errors else 200
