"""Suggested matches from a speed-dating session's ratings and the profiles' fit: work them out, accept one as a
proposed match, or set it aside. Routes of the matches blueprint (``regions.matches.views.bp``)."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _

from hub.cohorts.services import list_cohorts
from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.db import db
from hub.core.glue import page_action
from regions.matches import actions, suggesting
from regions.matches.models import MatchSuggestion
from regions.matches.schemas import AcceptSuggestionSchema, SuggestionRunSchema
from regions.matches.views import bp
from regions.speeddating.services import default_cohort, get_session


def _suggestions_page(session, errors=None):
    return render_template(
        "matches/suggestions.html",
        session=session,
        suggestions=suggesting.suggestions_of(session),
        wording=suggesting.wording,
        cohorts=list_cohorts(),
        default_cohort=default_cohort(session),
        errors=errors or {},
    )


@bp.get("/from-session/<int:session_id>")
@coordinator_required
def suggestions(session_id: int):
    """Suggested matches from a session's ratings and the profiles' fit."""
    return _suggestions_page(get_session(session_id) or abort(404))


@bp.post("/from-session/<int:session_id>")
@coordinator_required
def run_suggestions(session_id: int):
    """Work out suggestions again (decided ones are kept)."""
    session = get_session(session_id) or abort(404)
    return page_action(
        lambda data: actions.run_suggestions(Actor.current(), session_id, **data),
        schema=SuggestionRunSchema(),
        refused=lambda errors: _suggestions_page(session, errors),
        message=lambda made: _("%(n)s suggestions.", n=len(made)),
        done=url_for(".suggestions", session_id=session_id),
    )


@bp.post("/suggestions/<int:suggestion_id>/accept")
@coordinator_required
def accept(suggestion_id: int):
    """Turn a suggestion into a proposed match."""
    suggestion = db.session.get(MatchSuggestion, suggestion_id) or abort(404)
    session_id = suggestion.session_id
    return page_action(
        lambda data: actions.accept_suggestion(Actor.current(), suggestion_id, **data),
        schema=AcceptSuggestionSchema(),
        refused=lambda errors: _suggestions_page(get_session(session_id), errors),
        message=_("The match has been proposed. Add the challenge, goals and milestones."),
        done=lambda match: url_for(".show", match_id=match.id),
    )


@bp.post("/suggestions/<int:suggestion_id>/reject")
@coordinator_required
def reject(suggestion_id: int):
    """Set a suggestion aside; later runs leave the pair out."""
    suggestion = db.session.get(MatchSuggestion, suggestion_id) or abort(404)
    back = url_for(".suggestions", session_id=suggestion.session_id)
    return page_action(
        lambda data: actions.reject_suggestion(Actor.current(), suggestion_id),
        refused=back,
        done=back,
    )
