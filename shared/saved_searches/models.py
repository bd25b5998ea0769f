"""A person's saved searches of the directory, and the profiles each one has told them about."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.accounts.models import User
from hub.core.db import db, utcnow
from hub.core.mail.topics import register_topic
from hub.core.personal_data import DELETE, Personal

SAVED_SEARCHES = register_topic(
    "saved_searches",
    _l("Saved searches"),
    _l("New profiles in the directory fit one of your saved searches."),
)


class SavedSearch(db.Model):
    """A directory search (``query``: its words and filters, as the directory's schema loads them) kept under a
    name by one person, with or without a notice when new profiles fit.

    A person's own, across regions like the directory itself: not region-scoped; every read filters by the person
    (shared.saved_searches.access).
    """

    __tablename__ = "saved_search"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_search_user_name"),)
    personal_data = Personal(
        title=_l("Saved searches"), columns=("name", "query"), owners={"user_id": "user"}, erase=DELETE
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[dict] = mapped_column(JSON, default=dict)
    notify: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Until when the notice job has looked at the directory's changes for this search (its creation at first).
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class SavedSearchHit(db.Model):
    """A profile a saved search knows already: it fitted when the search was saved, or the person was told.

    A profile is announced once per saved search, however often it changes or hides and shows itself again.
    """

    __tablename__ = "saved_search_hit"
    personal_data = Personal(
        owners={"profile_id": "profile"},
        derived=True,
        reason=_l("What a saved search has announced; deleted with the saved search or the profile."),
    )

    saved_search_id: Mapped[int] = mapped_column(ForeignKey("saved_search.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), primary_key=True, index=True)
    noticed_at: Mapped[datetime | None]  # None: it fitted already when the search was saved
