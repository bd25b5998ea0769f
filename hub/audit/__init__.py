"""The audit log (issue 6): every change of the audited models, who made it, when and in which region.

Models opt in with the ``Audited`` mixin; ``recorder`` writes the entries at every flush (who acted comes
from ``hub.core.acting``), ``purge`` is the one way to delete old ones. Browsing lives in ``services``, the
pages in ``views``, the API in ``api``.
"""

from hub.audit.models import AuditEntry
from hub.audit.recorder import Audited, AuditLogError, record_update, related, snapshot
from hub.audit.retention import purge, scrub
from hub.core.acting import acting_as, current_actor  # who acts is the framework's; the log records it
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
