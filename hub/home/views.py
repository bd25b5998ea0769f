"""Pages of the hub itself: start page, region colours, the umbrella's overview."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_login import current_user
from sqlalchemy import func, select

from hub.accounts.models import Membership
from hub.cohorts.services import list_cohorts
from hub.core.access import public, umbrella_required
from hub.core.db import db
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region
from hub.core.tenancy.registry import active_regions
from hub.home.landing import landing
from hub.home.personal import personal_home

bp = Blueprint("core", __name__)


@bp.get("/")
@public
def index():
    """The start page: a signed-in person's own home, or for visitors what the network does and how to join."""
    if not current_user.is_authenticated:
        return landing()
    if (home := personal_home()) is not None:
        return home
    regions = active_regions()
    mine = [m.region for m in current_user.memberships] if current_user.is_authenticated else []
    return render_template("core/index.html", regions=regions, my_regions=mine)


@bp.get("/regions.css")
@public
def region_css():
    """Each region's accent colour as a CSS class, so templates need no inline styles."""
    rules = [f".region-{r.slug}{{--accent:{r.accent_color}}}" for r in db.session.scalars(select(Region))]
    response = Response("\n".join(rules) + "\n", mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/umbrella")
@umbrella_required
def umbrella():
    """The umbrella project's overview of all regions: members by role per region."""
    with all_regions():
        rows = db.session.execute(
            select(Membership.region_id, Membership.role, func.count()).group_by(Membership.region_id, Membership.role)
        ).all()
    counts: dict[int, dict[str, int]] = {}
    for region_id, role, n in rows:
        counts.setdefault(region_id, {})[Role(role).value] = n
    return render_template("core/umbrella.html", regions=active_regions(), counts=counts, cohorts=list_cohorts())
