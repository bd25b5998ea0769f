"""A region's start page."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from sqlalchemy import select

from hub.accounts.models import Membership, User
from hub.core.access import public
from hub.core.db import db
from hub.core.roles import Role

bp = Blueprint("region_home", __name__, template_folder="templates")


@bp.get("/")
@public
def index():
    """The region: its organisation, supporters, coordinators and how to reach them."""
    coordinators = db.session.scalars(
        select(User.name).join(Membership).where(Membership.role == Role.COORDINATOR).order_by(User.name)
    ).all()
    return render_template("region/home.html", region=g.region, coordinators=coordinators)
