"""The words of teams across regions."""

from flask_babel import lazy_gettext as _l

from hub.core.mail.topics import register_topic
from regions.teams.models import GuestStatus

TEAMS_ACROSS = register_topic(
    "teams_across_regions",
    _l("Teams across regions"),
    _l("When another region asks for a person of your region for a match, or answers your region's request."),
    coordinators_only=True,
)

STATUS_LABELS = {
    GuestStatus.REQUESTED: _l("asked, waiting for the person's region"),
    GuestStatus.ACCEPTED: _l("member of the team"),
    GuestStatus.DECLINED: _l("declined by the person's region"),
    GuestStatus.WITHDRAWN: _l("request withdrawn"),
    GuestStatus.REMOVED: _l("removed from the team"),
}
