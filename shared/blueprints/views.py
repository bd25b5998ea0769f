"""Blueprints: case studies that teams of every region chose to share with the whole network."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.matches.models import Match, MatchMember

bp = Blueprint("blueprints", __name__, url_prefix="/blueprints", template_folder="templates")


def published_case_studies() -> list[Match]:
    """Every published case study, newest first. Cross-region on purpose: the teams chose to share them."""
    with all_regions(read_only=True):
        return list(
            db.session.scalars(
                select(Match)
                .where(Match.case_study_published_at.is_not(None))
                .options(selectinload(Match.members).selectinload(MatchMember.profile), selectinload(Match.region))
                .order_by(Match.case_study_published_at.desc())
                .limit(200)
            )
        )


@bp.get("/")
@login_required
def index():
    """What other teams learnt, as blueprints for new matches (signed-in members of the network)."""
    return render_template("blueprints/index.html", matches=published_case_studies())
