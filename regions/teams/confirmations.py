"""What the pages of teams across regions ask before they take something away (``page_action(confirm=…)``)."""

from __future__ import annotations

from flask_babel import gettext as _

from hub.core.glue import Confirmation
from regions.teams.models import GuestStatus


def withdraw(guest) -> Confirmation | None:
    """Withdrawing a request, or removing an accepted member; None when it has ended (the action says so)."""
    from regions.teams.access import guest_profile

    name = guest_profile(guest).display_name
    if guest.status == GuestStatus.REQUESTED:
        return Confirmation(
            _("Withdraw the request for %(name)s?", name=name),
            _("The person's region no longer sees the request. You may ask again later."),
            _("Yes, withdraw"),
        )
    if guest.status == GuestStatus.ACCEPTED:
        return Confirmation(
            _("Remove %(name)s from the team?", name=name),
            _("The person no longer sees the match. What they wrote stays in the journal."),
            _("Yes, remove"),
        )
    return None


def decline(guest) -> Confirmation | None:
    """Declining a request of another region; None when it is not open (the action says so)."""
    if guest.status != GuestStatus.REQUESTED:
        return None
    return Confirmation(
        _("Decline the request for %(name)s to join “%(title)s”?", name=guest.person, title=guest.match_title),
        _("%(region)s is told that your region does not agree; it may ask again later.", region=guest.funding_region),
        _("Yes, decline"),
    )


def remove_from_team(guest) -> Confirmation | None:
    """The person's region ending its agreement; None when the person is no member (the action says so)."""
    if guest.status != GuestStatus.ACCEPTED:
        return None
    return Confirmation(
        _("Take %(name)s out of the team “%(title)s”?", name=guest.person, title=guest.match_title),
        _(
            "%(region)s is told; the person no longer sees the match. What they wrote stays.",
            region=guest.funding_region,
        ),
        _("Yes, take out"),
    )
