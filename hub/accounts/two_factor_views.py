"""The account's second factor (set up, recovery codes, turn off) and the admins' list of security events."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.accounts import schemas, security_log, services, two_factor
from hub.accounts.views import bp
from hub.core.access import admin_required, personal
from hub.core.db import db
from hub.core.schemas import load_form


def _page(errors=None, status: int = 200, recovery_codes=None):
    user = current_user._get_current_object()
    qr_code = secret = None
    if not user.two_factor_enabled:
        secret = two_factor.begin_setup(user)
        qr_code = two_factor.qr_code_data_uri(user)
        db.session.commit()
    return render_template(
        "accounts/two_factor.html",
        errors=errors or {},
        qr_code=qr_code,
        secret=secret,
        recovery_codes=recovery_codes,
        recovery_codes_left=two_factor.recovery_codes_left(user),
        required=two_factor.required_for(user),
    ), status


@bp.get("/account/two-factor")
@login_required
def two_factor_setup():
    """Set up the second factor (QR code and secret), or see and manage it."""
    return _page()


@bp.post("/account/two-factor/enable")
@login_required
@personal
def two_factor_enable():
    """Confirm the set-up with a first code; the recovery codes are shown this once."""
    data, errors = load_form(schemas.TwoFactorCodeSchema(), request.form)
    if data:
        try:
            codes = two_factor.enable(current_user, data["code"])
        except services.AccountError as exc:
            errors = {exc.field or "_form": [str(exc.message)]}
        else:
            db.session.commit()
            flash(_("Two-factor authentication is on."), "success")
            return _page(recovery_codes=codes)
    return _page(errors, 422)


@bp.post("/account/two-factor/disable")
@login_required
@personal
def two_factor_disable():
    """Turn the second factor off with the password or a current code."""
    data, errors = load_form(schemas.TwoFactorDisableSchema(), request.form)
    if data:
        try:
            two_factor.disable(current_user, data["password_or_code"])
        except services.AccountError as exc:
            errors = {exc.field or "_form": [str(exc.message)]}
        else:
            db.session.commit()
            flash(_("Two-factor authentication is off."), "success")
            return redirect(url_for("accounts.account"))
    return _page(errors, 422)


@bp.post("/account/two-factor/recovery-codes")
@login_required
@personal
def two_factor_recovery_codes():
    """Make ten new recovery codes (the old ones stop working), after the password."""
    data, errors = load_form(schemas.PasswordCheckSchema(), request.form)
    if data:
        try:
            codes = two_factor.renew_recovery_codes(current_user, data["password"])
        except services.AccountError as exc:
            errors = {exc.field or "_form": [str(exc.message)]}
        else:
            db.session.commit()
            return _page(recovery_codes=codes)
    return _page(errors, 422)


@bp.get("/admin/security")
@admin_required
def security_events():
    """Every account's security events, newest first, optionally of one kind or address."""
    data, errors = load_form(schemas.SecurityEventQuerySchema(), request.args)
    page = security_log.browse(**(data or {}))
    return render_template(
        "accounts/security_events.html", page=page, kinds=security_log.KINDS, errors=errors, form=request.args
    ), 422 if errors else 200
