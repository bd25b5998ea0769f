"""People to meet: refresh the lists that changes elsewhere made stale (counting the people new on them), and
tell each person at most once a day how many new people fit (topic "people_to_meet", as they chose)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.accounts.models import User
from hub.accounts.services import external_url
from hub.core.db import berlin_today, db, in_transaction, utcnow
from hub.core.jobs import job
from hub.core.tenancy import all_regions
from hub.notifications.services import notify
from shared.directory.search import Viewer
from shared.meet import services
from shared.meet.models import PEOPLE, SuggestionState

REFRESH_BATCH = 500  # lists per run: a run stays short; the next run goes on
REFRESH_AFTER = timedelta(days=7)  # lists nothing made stale, once a week
NOTICE_EVERY = timedelta(days=1)
REFRESH = "meet.refresh"
NOTICES = "meet.notices"


@job(REFRESH, every=timedelta(minutes=10), title=_l("Work out again who fits whom"))
def refresh() -> dict[str, int]:
    """Compute anew the lists marked stale (and those older than a week); people new on a list are counted
    for that person's next notice."""
    done = new = 0
    for user_id in services.stale_users(utcnow() - REFRESH_AFTER, REFRESH_BATCH):
        with all_regions(read_only=True):
            user = db.session.get(User, user_id)
        if user is None:
            continue
        before = services.state_of(user)
        old = before.new_count if before is not None else 0
        try:
            state = in_transaction(lambda user=user: services.compute(Viewer.of(user)))
        except IntegrityError:
            db.session.rollback()
            continue
        done += 1
        new += max(state.new_count - old, 0)
    return {"refreshed": done, "new": new}


def _tell(user: User, state: SuggestionState, slot: str):
    count = state.new_count
    told = notify(
        user,
        PEOPLE.key,
        "people_to_meet",
        link=external_url("meet.index"),
        effect=(NOTICES, f"user:{user.id}", slot),
        count=count,
    )
    state.new_count = 0
    state.notified_at = utcnow()
    return told


@job(NOTICES, every=timedelta(hours=1), title=_l("Tell people when new people fit them"))
def notices() -> dict[str, int]:
    """One notice per person and day at most, saying how many new people fit since the last one."""
    now, slot = utcnow(), berlin_today().isoformat()
    with all_regions(read_only=True):
        due = db.session.execute(
            select(SuggestionState, User)
            .join(User, User.id == SuggestionState.user_id)
            .where(
                SuggestionState.new_count > 0,
                (SuggestionState.notified_at.is_(None)) | (SuggestionState.notified_at <= now - NOTICE_EVERY),
            )
            .order_by(SuggestionState.user_id)
        ).all()
    told = 0
    for state, user in due:
        if not user.active:
            continue
        with all_regions():
            told += in_transaction(lambda state=state, user=user: _tell(user, state, slot)) is not None
    return {"told": told}
