"""The words of teams across regions."""

from flask_babel import lazy_gettext as _l

from regions.teams.models import GuestStatus

STATUS_LABELS = {
    GuestStatus.REQUESTED: _l("asked, waiting for the person's region"),
    GuestStatus.ACCEPTED: _l("member of the team"),
    GuestStatus.DECLINED: _l("declined by the person's region"),
    GuestStatus.WITHDRAWN: _l("request withdrawn"),
    GuestStatus.REMOVED: _l("removed from the team"),
}
