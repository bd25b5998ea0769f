"""The coordinator's member management: members, roles, invitations, and a member's data on request."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.accounts.schemas import InvitationSchema
from hub.core import rate_limits
from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.downloads import download
from hub.core.glue import Confirmation, load, page_action
from hub.core.schemas import load_form
from hub.privacy import services as privacy
from hub.privacy.schemas import CoordinatorErasureSchema
from regions.members import access, actions, services
from regions.members.schemas import RoleChangeSchema

bp = Blueprint("members", __name__, url_prefix="/members", template_folder="templates")


def _page(errors=None, form=None, erase_for=None):
    return render_template(
        "region/members.html",
        members=services.list_members(),
        invitations=services.open_invitations(),
        errors=errors or {},
        form=form or {},
        erase_for=erase_for,
    )


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
    return page_action(
        lambda data: actions.invite(Actor.current(), **data),
        schema=InvitationSchema(),
        refused=lambda errors: _page(errors, request.form),
        message=lambda invitation: _("Invitation sent to %(email)s.", email=invitation.email),
        done=url_for(".index"),
    )


@bp.post("/invitations/<int:invitation_id>/revoke")
@coordinator_required
def revoke_invitation(invitation_id: int):
    """Withdraw an invitation."""
    invitation = load(access.managed_invitation, Actor.current(), invitation_id)
    return page_action(
        lambda data: actions.revoke_invitation(Actor.current(), invitation_id),
        refused=url_for(".index"),
        message=_("The invitation has been withdrawn."),
        done=url_for(".index"),
        confirm=None  # accepted or withdrawn already: the action says so
        if invitation.accepted_at or invitation.revoked_at
        else Confirmation(
            _("Withdraw the invitation to %(email)s?", email=invitation.email),
            _("The link in the e-mail stops working. You can invite the person again later."),
            _("Yes, withdraw"),
        ),
    )


@bp.post("/<int:membership_id>/role")
@coordinator_required
def change_role(membership_id: int):
    """Make a member coordinator or participant."""
    return page_action(
        lambda data: actions.change_role(Actor.current(), membership_id, data["role"]),
        schema=RoleChangeSchema(),
        refused=lambda errors: _page(errors),
        message=_("The role has been changed."),
        done=url_for(".index"),
    )


@bp.post("/<int:membership_id>/remove")
@coordinator_required
def remove(membership_id: int):
    """Take a member out of the region."""
    membership = load(access.managed_membership, Actor.current(), membership_id)
    return page_action(
        lambda data: actions.remove_member(Actor.current(), membership_id),
        refused=url_for(".index"),
        message=_("The member has been removed from the region."),
        done=url_for(".index"),
        confirm=None  # oneself: the action says why not
        if membership.user_id == current_user.id
        else Confirmation(
            _("Remove %(name)s from the region?", name=membership.user.name),
            _(
                "The person can no longer open the region's pages. The account stays, and you can invite the "
                "person again."
            ),
            _("Yes, remove"),
        ),
    )


@bp.get("/<int:membership_id>/export")
@coordinator_required
def export(membership_id: int):
    """Export a member's data of this region on their request (logged in the audit log)."""
    return page_action(
        lambda data: actions.export_member_data(Actor.current(), membership_id),
        refused=url_for(".index"),
        show=lambda exported: download(exported.body, "application/json", exported.filename),
    )


@bp.post("/<int:membership_id>/erase")
@coordinator_required
def erase(membership_id: int):
    """Erase a member's account on their request: only someone of this region alone; the e-mail typed confirms."""
    form, _errors = load_form(CoordinatorErasureSchema(), request.form)
    return page_action(
        lambda data: actions.erase_member(
            Actor.current(), membership_id, confirmation=(form or {}).get("confirmation", "")
        ),
        refused=lambda errors: _page(errors, erase_for=membership_id),
        message=_("The account has been deleted; the program's records keep it without a name."),
        done=_after_erasure,
    )


def _after_erasure(erased: privacy.Erasure) -> str:
    """Back to the list once the erasure (files included) is committed."""
    return url_for(".index")
