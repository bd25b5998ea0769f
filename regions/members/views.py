"""The coordinator's member management: members, roles, invitations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.accounts import services as accounts
from hub.accounts.schemas import InvitationSchema
from hub.core import rate_limits
from hub.core.access import coordinator_required
from hub.core.db import db
from hub.core.downloads import download
from hub.core.roles import Role
from hub.core.schemas import load_form
from hub.privacy import services as privacy
from hub.privacy.schemas import CoordinatorErasureSchema
from regions.members import services
from regions.members.schemas import RoleChangeSchema

bp = Blueprint("members", __name__, url_prefix="/members", template_folder="templates")


def _page(errors=None, form=None, status=200, erase_for=None):
    return render_template(
        "region/members.html",
        members=services.list_members(),
        invitations=services.open_invitations(),
        errors=errors or {},
        form=form or {},
        erase_for=erase_for,
    ), status


@bp.get("/")
@coordinator_required
def index():
    """Members of the region and open invitations."""
    return _page()


@bp.post("/invitations")
@coordinator_required
@rate_limits.invitations_per_coordinator
def invite():
    """Invite someone by e-mail into the region."""
    data, errors = load_form(InvitationSchema(), request.form)
    if data:
        try:
            accounts.invite(g.region, data["email"], data["name"], data["role"], current_user._get_current_object())
        except accounts.AccountError as exc:
            errors = {exc.field or "_form": [str(exc.message)]}
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=data["email"]), "success")
            return redirect(url_for(".index"))
    db.session.rollback()
    return _page(errors, request.form, 422)


@bp.post("/invitations/<int:invitation_id>/revoke")
@coordinator_required
def revoke_invitation(invitation_id: int):
    """Withdraw an invitation."""
    invitation = services.get_invitation(invitation_id) or abort(404)
    try:
        accounts.revoke_invitation(invitation)
    except accounts.AccountError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("The invitation has been withdrawn."), "success")
    return redirect(url_for(".index"))


@bp.post("/<int:membership_id>/role")
@coordinator_required
def change_role(membership_id: int):
    """Make a member coordinator or participant."""
    membership = services.get_membership(membership_id) or abort(404)
    data, errors = load_form(RoleChangeSchema(), request.form)
    if data:
        try:
            services.change_role(membership, data["role"], current_user._get_current_object())
        except accounts.AccountError as exc:
            errors = {"role": [str(exc.message)]}
        else:
            db.session.commit()
            flash(_("The role has been changed."), "success")
            return redirect(url_for(".index"))
    db.session.rollback()
    return _page(errors, status=422)


@bp.post("/<int:membership_id>/remove")
@coordinator_required
def remove(membership_id: int):
    """Take a member out of the region."""
    membership = services.get_membership(membership_id) or abort(404)
    try:
        services.remove_member(membership, current_user._get_current_object())
    except accounts.AccountError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("The member has been removed from the region."), "success")
    return redirect(url_for(".index"))


@bp.get("/<int:membership_id>/export")
@coordinator_required
def export(membership_id: int):
    """Export a member's data of this region on their request (logged in the audit log)."""
    if g.region_role == Role.UMBRELLA:
        abort(403)  # the umbrella reads the region's work, not a person's whole file
    membership = services.get_membership(membership_id) or abort(404)
    person = privacy.person_of_membership(membership)
    body = privacy.export_json(person, region_id=g.region.id)
    privacy.record_export(person, g.region.id)
    db.session.commit()
    return download(body, "application/json", privacy.export_filename(person, "json"))


@bp.post("/<int:membership_id>/erase")
@coordinator_required
def erase(membership_id: int):
    """Erase a member's account on their request: only someone of this region alone; the e-mail typed confirms."""
    membership = services.get_membership(membership_id) or abort(404)
    person = privacy.person_of_membership(membership)
    data, errors = load_form(CoordinatorErasureSchema(), request.form)
    try:
        if not data:
            raise privacy.PrivacyError(_("Please type the person's e-mail address exactly to confirm."))
        if accounts.normalise_email(data["confirmation"]) != accounts.normalise_email(person.email):
            raise privacy.PrivacyError(_("Please type the person's e-mail address exactly to confirm."))
        privacy.check_erasure_by_coordinator(person, g.region.id, current_user._get_current_object())
        result = privacy.erase_person(person, region_ids=[g.region.id])
    except privacy.PrivacyError as exc:
        db.session.rollback()
        return _page({"confirmation": [str(exc.message)]}, status=422, erase_for=membership.id)
    db.session.commit()
    privacy.remove_files(result.files)
    flash(_("The account has been deleted; the program's records keep it without a name."), "success")
    return redirect(url_for(".index"))
