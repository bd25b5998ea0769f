"""People to meet: the tags each profile offers and seeks, each person's precomputed suggestions, and the
people a person hid or saved.

None of these is region-scoped: a person meets people of every region. Every query goes through
shared.meet.services, which opts out of the wall with ``all_regions()`` and applies the directory's
visibility rule (shared.directory.search.visible_to) when it reads.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import db, utcnow
from hub.core.mail.topics import register_topic
from hub.core.personal_data import DELETE, Personal

PEOPLE = register_topic(
    "people_to_meet",
    _l("People to meet"),
    _l("New people in the network fit what you offer and look for (at most one e-mail a day)."),
)

OFFER, NEED = "offer", "need"


class MeetTag(db.Model):
    """One tag a profile offers or looks for, in the directory's folded form: the inverted index of fit.

    It carries what the directory's rule needs to tell whom the profile may be suggested to (its region,
    its owner, and its visibility while it is listed), so that working out a list reads this index alone;
    reading a list applies the directory's rule itself again (shared.meet.services.shown_to).
    """

    __tablename__ = "meet_tag"
    personal_data = Personal(
        columns=("label",), owners={"profile_id": "profile", "user_id": "user"}, ordinary=("region_id",), derived=True
    )

    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), primary_key=True)
    side: Mapped[str] = mapped_column(String(5), primary_key=True)  # offer | need
    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # folded, as shared.directory.text.facet_key
    label: Mapped[str] = mapped_column(String(120))  # as the participant wrote it
    region_id: Mapped[int] = mapped_column(default=0)
    user_id: Mapped[int | None]
    # network | region while the profile is listed (consent, not archived, not private); NULL otherwise.
    shown: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (Index("ix_meet_tag_fit", "side", "key", "shown", "region_id", "user_id", "profile_id"),)


class Suggestion(db.Model):
    """One person suggested to another: a row of the person's precomputed, ranked list (at most LIST_SIZE)."""

    __tablename__ = "meet_suggestion"
    personal_data = Personal(
        title=_l("People suggested to you"),
        columns=("reasons",),
        owners={"user_id": "user"},
        # The person suggested learns when they were suggested, never to whom.
        about={"profile_id": "profile"},
        about_fields=("found_at",),
        erase=DELETE,
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), primary_key=True, index=True)
    rank: Mapped[int]
    score: Mapped[int]  # how many tags match, both directions together
    mutual: Mapped[bool]  # they offer what the person seeks AND seek what the person offers
    # [{"side": "offer"|"need", "theirs": "Moebelbau", "yours": "Möbelbau"}]: what they offer (or seek) that
    # the person seeks (or offers), in both people's own spelling.
    reasons: Mapped[list[dict]] = mapped_column(JSON, default=list)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_meet_suggestion_user_rank", "user_id", "rank"),)


class SuggestionState(db.Model):
    """When a person's list was computed, whether a change elsewhere made it stale, and the new people not yet
    announced (the notice job tells them at most once a day)."""

    __tablename__ = "meet_state"
    personal_data = Personal(title=_l("People to meet: state of your list"), owners={"user_id": "user"}, erase=DELETE)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    stale: Mapped[bool] = mapped_column(default=False, index=True)
    size: Mapped[int] = mapped_column(default=0)  # how many people the stored list holds
    new_count: Mapped[int] = mapped_column(default=0)
    notified_at: Mapped[datetime | None]


class HiddenPerson(db.Model):
    """A person one does not want suggested again (undone from the list of hidden people)."""

    __tablename__ = "meet_hidden"
    personal_data = Personal(
        title=_l("People you hid from your suggestions"),
        owners={"user_id": "user"},
        about={"profile_id": "profile"},  # the person hidden learns when, never by whom
        about_fields=("created_at",),
        erase=DELETE,
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedPerson(db.Model):
    """A favourite: a person one saved, to find again in the directory."""

    __tablename__ = "meet_saved"
    personal_data = Personal(
        title=_l("Saved people"),
        owners={"user_id": "user"},
        about={"profile_id": "profile"},  # the person saved learns when, never by whom
        about_fields=("created_at",),
        erase=DELETE,
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
