"""The people a person hid or saved: marking, unmarking, and the lists of both (newest first, only those the
person may still see). Cross-region by nature: behind ``all_regions()`` and the directory's rule."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from hub.accounts.models import User
from hub.core.db import db
from hub.core.pages import Page, clamp
from hub.core.tenancy import all_regions
from regions.profiles.models import Profile
from shared.directory.models import DirectoryEntry as E
from shared.directory.search import Viewer, visible_to
from shared.meet.models import HiddenPerson, SavedPerson, Suggestion, SuggestionState

PER_PAGE = 20


def hide(user: User, profile: Profile) -> HiddenPerson:
    """Never suggest this person again (until undone); it leaves the list at once."""
    with all_regions():
        found = db.session.get(HiddenPerson, (user.id, profile.id))
        if found is None:
            found = HiddenPerson(user_id=user.id, profile_id=profile.id)
            db.session.add(found)
        db.session.execute(delete(Suggestion).where(Suggestion.user_id == user.id, Suggestion.profile_id == profile.id))
    return found


def unhide(user: User, profile_id: int) -> None:
    """Suggest this person again: the list is computed anew on the next visit (without counting them as new)."""
    with all_regions():
        db.session.execute(
            delete(HiddenPerson).where(HiddenPerson.user_id == user.id, HiddenPerson.profile_id == profile_id)
        )
        db.session.execute(delete(SuggestionState).where(SuggestionState.user_id == user.id))


def is_marked(model, user: User, profile_id: int) -> bool:
    with all_regions(read_only=True):
        return db.session.get(model, (user.id, profile_id)) is not None


def save(user: User, profile: Profile) -> SavedPerson:
    """Save a person as a favourite (saving twice keeps one)."""
    with all_regions():
        found = db.session.get(SavedPerson, (user.id, profile.id))
        if found is None:
            found = SavedPerson(user_id=user.id, profile_id=profile.id)
            db.session.add(found)
    return found


def unsave(user: User, profile_id: int) -> None:
    with all_regions():
        db.session.execute(
            delete(SavedPerson).where(SavedPerson.user_id == user.id, SavedPerson.profile_id == profile_id)
        )


def _marked_page(model, viewer: Viewer, page: int, per_page: int) -> Page:
    """One page of the people the person hid or saved that they may still see, newest first (two statements)."""
    statement = (
        select(Profile, model.created_at)
        .join(model, model.profile_id == Profile.id)
        .join(E, E.profile_id == Profile.id)
        .where(model.user_id == viewer.user_id, visible_to(viewer))
        .options(selectinload(Profile.region))
        .order_by(model.created_at.desc(), Profile.id.desc())
    )
    page = clamp(page)
    with all_regions(read_only=True):
        total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(rows), page=page, per_page=per_page, total=total or 0)


def saved_people(viewer: Viewer, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The person's favourites: (profile, saved at) rows."""
    return _marked_page(SavedPerson, viewer, page, per_page)


def hidden_people(viewer: Viewer, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The people the person hid: (profile, hidden at) rows."""
    return _marked_page(HiddenPerson, viewer, page, per_page)
