"""What the speed-dating pages ask before they take something away (``hub.core.glue.page_action(confirm=…)``).

Each function gives the question, what will happen and the button's words, or None when the request names
nothing of the session: then the action runs at once and says why it refuses.
"""

from __future__ import annotations

from flask_babel import gettext as _

from hub.core.glue import Confirmation
from regions.speeddating.models import SpeedDatingSession


def remove_participant(session: SpeedDatingSession, participant_id: int) -> Confirmation | None:
    person = next((p for p in session.participants if p.id == participant_id), None)
    if person is None:
        return None  # not of this session: the action says so
    return Confirmation(
        _("Take %(name)s out of the session?", name=person.name),
        _("Their meetings leave the schedule, and the meetings wished for or avoided with them are forgotten."),
        _("Yes, remove"),
    )


def remove_pair(session: SpeedDatingSession, pair_id: int) -> Confirmation | None:
    pair = next((p for p in session.pairs if p.id == pair_id), None)
    if pair is None:
        return None  # not of this session: the action says so
    names = {"creative": pair.creative.name, "organisation": pair.organisation.name}
    if pair.kind == "wish":
        return Confirmation(
            _("Forget the wish that %(creative)s and %(organisation)s meet?", **names),
            _("The next schedule no longer plans this meeting for sure."),
            _("Yes, forget it"),
        )
    return Confirmation(
        _("Forget that %(creative)s and %(organisation)s should not meet?", **names),
        _("The next schedule may let the two meet."),
        _("Yes, forget it"),
    )
