"""Demo saved search: Alte Brauerei (Erzgebirge) keeps a search for creatives offering photography, notice on.

Looks for what it would make first, so a second run changes nothing."""

from __future__ import annotations

from flask_babel import force_locale

from hub.accounts.services import user_by_email
from hub.core.db import db
from hub.core.demo import DOMAIN
from shared.saved_searches import services
from shared.saved_searches.models import SavedSearch

# (e-mail local part, the search as the directory's schema loads it)
DEMO_SEARCHES = [("alte-brauerei", {"q": "Fotografie", "kind": "creative"})]


def load_demo() -> int:
    """Add the demo's saved searches that are missing."""
    changes = 0
    for local, query in DEMO_SEARCHES:
        user = user_by_email(f"{local}@{DOMAIN}")
        if user is None:
            continue
        kept = services.kept_query(query)
        if services.same_search(user, kept) is not None:
            continue
        with force_locale("de"):
            name = services.default_name(kept)
        search = SavedSearch(user_id=user.id, name=name, query=kept, notify=True)
        db.session.add(search)
        db.session.flush()
        services.record_baseline(search, user)
        changes += 1
    return changes
