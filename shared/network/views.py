"""The network: the four regions side by side, open to everyone."""

from __future__ import annotations

from flask import Blueprint, render_template

from hub.core.access import public
from hub.core.tenancy.registry import active_regions

bp = Blueprint("network", __name__, url_prefix="/network", template_folder="templates")


@bp.get("/")
@public
def index():
    """All regional networks with their organisations and contacts."""
    return render_template("network/index.html", regions=active_regions())
