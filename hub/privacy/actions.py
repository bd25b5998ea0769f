"""A person's own erasure (Art. 17), written once for the page and any later way in. None commits (hub.core.glue).

The export changes nothing and needs no action: pages and API read ``services.export_data``.
"""

from __future__ import annotations

from hub.core.actions import Actor
from hub.privacy import services


def erase_own_account(actor: Actor, password: str, confirmation: str) -> services.Erasure:
    """Erase one's own account after the password and the e-mail address typed out.

    The person's stored files are deleted in the same transaction (``result.files`` names them).
    """
    user = actor.require_person()
    services.check_erasure(user)
    services.confirm_own_erasure(user, password, confirmation)
    return services.erase_person(user)
