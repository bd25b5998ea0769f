"""What the match pages ask before they take something away (``hub.core.glue.page_action(confirm=…)``).

Each function gives the question, what will happen and the button's words, or None when the request loses
nothing or is not possible: then the action runs at once and says why it refuses.
"""

from __future__ import annotations

from flask_babel import gettext as _

from hub.core.glue import Confirmation
from regions.matches import vocab
from regions.matches.models import Match, MatchDocument, MatchMember, MatchSuggestion
from regions.matches.vocab import MatchStatus, SuggestionStatus


def final_status(match: Match, status: MatchStatus) -> Confirmation | None:
    """Completed and discontinued are final: a match does not leave them again."""
    if status not in (MatchStatus.COMPLETED, MatchStatus.DISCONTINUED) or status not in vocab.TRANSITIONS[match.status]:
        return None  # not final, or not possible (the action says why)
    return Confirmation(
        _("Mark the match “%(title)s” as %(status)s?", title=match.title, status=vocab.STATUS_LABELS[status]),
        _("This is final: a completed or discontinued match cannot be reopened."),
        _("Yes, change the status"),
    )


def remove_member(member: MatchMember) -> Confirmation:
    return Confirmation(
        _("Remove %(name)s from the match “%(title)s”?", name=member.profile.display_name, title=member.match.title),
        _("The person is no longer part of the team and no longer sees its page. What they wrote and uploaded stays."),
        _("Yes, remove"),
    )


def delete_document(document: MatchDocument) -> Confirmation | None:
    if document.is_receipt:
        return None  # a receipt of the ledger stays: the action says so
    return Confirmation(
        _("Delete the document “%(name)s”?", name=document.filename),
        _("The file is deleted for the whole team. This cannot be undone."),
        _("Yes, delete"),
    )


def reject(suggestion: MatchSuggestion) -> Confirmation | None:
    if suggestion.status != SuggestionStatus.OPEN:
        return None  # decided already: the action says so
    return Confirmation(
        _(
            "Reject the suggestion %(creative)s and %(organisation)s?",
            creative=suggestion.creative.display_name,
            organisation=suggestion.organisation.display_name,
        ),
        _("The suggestion is set aside for good; later runs of the suggestions leave this pair out."),
        _("Yes, reject"),
    )
