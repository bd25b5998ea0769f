"""Words of access requests: their states, and the kinds of e-mail they cause."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from hub.audit.vocab import value_labels
from hub.core.mail.topics import register_topic


class AccessStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


STATUS_LABELS = {
    AccessStatus.OPEN: _l("Open"),
    AccessStatus.ACCEPTED: _l("Accepted"),
    AccessStatus.DECLINED: _l("Declined"),
}
value_labels("access_request", "status", STATUS_LABELS)

# To the person who asked: the confirmation, and the answer when it is "no" (a "yes" is the invitation).
ACCESS_REQUESTS = register_topic(
    "access_requests",
    _l("Requests for access"),
    _l("The confirmation of your request for access to a regional network, and its answer."),
)
# To the coordination: someone asks for access to the region.
REGION_ACCESS_REQUESTS = register_topic(
    "region_access_requests",
    _l("Requests for access to your region"),
    _l("When someone asks for access to your region."),
    coordinators_only=True,
)
