"""The personal-data registry as the privacy feature reads it; it lives in the framework (hub.core.personal_data),
since every model declares its personal data there. Import from hub.core.personal_data in new code."""

from hub.core.personal_data import (
    DELETE,
    KEEP,
    LOOKS_PERSONAL,
    OWNER_KINDS,
    PERSON_TABLES,
    PSEUDONYM,
    PSEUDONYMISE,
    SCRUB,
    SECRET_COLUMNS,
    Personal,
    audit_hidden_columns,
    declared_models,
    not_personal,
    replacement,
    undeclared_problems,
)

__all__ = [
    "DELETE",
    "KEEP",
    "LOOKS_PERSONAL",
    "OWNER_KINDS",
    "PERSON_TABLES",
    "PSEUDONYM",
    "PSEUDONYMISE",
    "SCRUB",
    "SECRET_COLUMNS",
    "Personal",
    "audit_hidden_columns",
    "declared_models",
    "not_personal",
    "replacement",
    "undeclared_problems",
]
