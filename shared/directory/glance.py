"""What the directory shows on a person's home: new profiles carrying tags the person cares about."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select

from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.profiles.models import Profile
from shared.directory.models import DirectoryEntry as E
from shared.directory.models import DirectoryTerm as T
from shared.directory.search import Viewer, visible_to


def new_profiles_with_tags(
    viewer: Viewer, tag_keys: Collection[str], since: datetime, limit: int = 40
) -> list[Profile]:
    """Profiles the viewer may see, made since a moment, with any of these tags (folded keys, as the index
    keeps them), newest first; never the viewer's own. One statement under the directory's visibility rule."""
    if viewer.user_id is None or not tag_keys:
        return []
    tagged = select(T.profile_id).where(T.facet == "tag", T.value.in_(list(tag_keys)))
    with all_regions(read_only=True):
        return list(
            db.session.scalars(
                select(Profile)
                .join(E, E.profile_id == Profile.id)
                .where(
                    visible_to(viewer),
                    E.listed,
                    Profile.id.in_(tagged),
                    Profile.created_at >= since,
                    _not_own(viewer),
                )
                .order_by(Profile.created_at.desc(), Profile.id.desc())
                .limit(limit)
            )
        )


def _not_own(viewer: Viewer):
    """Not the viewer's own profiles (those without an account are nobody's)."""
    return (Profile.user_id.is_(None)) | (Profile.user_id != viewer.user_id)
