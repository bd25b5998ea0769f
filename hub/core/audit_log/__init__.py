"""The audit log (issue 6): every change of the audited models, who made it, when and in which region.

Models opt in with the ``Audited`` mixin; ``recorder`` writes the entries at every flush (who acted comes
from ``hub.core.acting``), ``purge`` is the one way to delete old ones and ``scrub`` the one way to erase a
person from them. It is the framework's, as every model's changes are recorded, the framework's own
included; reading the log (the umbrella's and coordinators' pages, the API) is the feature ``hub.audit``.
"""

from hub.core.audit_log.models import AuditEntry
from hub.core.audit_log.recorder import Audited, AuditLogError, plain, record_update, related, snapshot
from hub.core.audit_log.retention import purge, scrub

__all__ = [
    "AuditEntry",
    "AuditLogError",
    "Audited",
    "plain",
    "purge",
    "record_update",
    "related",
    "scrub",
    "snapshot",
]
