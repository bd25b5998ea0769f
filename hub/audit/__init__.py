"""Reading the audit log: the umbrella's (/umbrella/audit) and each coordination's (/<region>/audit) pages, and the
API. The log itself (the ``Audited`` mixin, the recorder, purge and scrub) is the framework's,
``hub.core.audit_log``; its names are offered here too, as they were.
"""

from hub.core.acting import acting_as, current_actor
from hub.core.audit_log import Audited, AuditEntry, AuditLogError, purge, record_update, related, scrub, snapshot
from hub.core.features import Feature

FEATURE = Feature(
    "hub.audit",
    pages=("hub.audit.views:bp", "hub.audit.views:region_bp"),
    api=("hub.audit.api:blp",),
)

__all__ = [
    "AuditEntry",
    "AuditLogError",
    "Audited",
    "acting_as",
    "current_actor",
    "purge",
    "scrub",
    "record_update",
    "related",
    "snapshot",
]
