"""The audit log's tables live in the framework (hub.core.audit_log.models); the feature reads them."""

from hub.core.audit_log.models import ACTIONS, CHANNELS, AuditEntry, audit_purge_permit

__all__ = ["ACTIONS", "CHANNELS", "AuditEntry", "audit_purge_permit"]
