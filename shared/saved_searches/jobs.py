"""Tell people when new profiles fit their saved searches."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from hub.core.jobs import job
from shared.saved_searches import notices


@job(
    "saved_searches.notices",
    every=timedelta(minutes=30),
    title=_l("Tell people about new profiles for their saved searches"),
)
def saved_search_notices() -> dict[str, int]:
    """For every saved search with its notice on: the profiles that changed since it last looked and fit it now,
    as its owner may see them in the directory, and that it has not announced before: one notice listing how many."""
    return notices.send_notices()
