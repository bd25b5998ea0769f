"""The coordinators' digest, weekly (Mondays) or daily, from DIGEST_HOUR on (Europe/Berlin)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.accounts.models import Membership
from hub.accounts.services import external_url
from hub.core.db import db, in_transaction, utcnow
from hub.core.jobs import each_region, effects, job
from hub.core.roles import Role
from hub.notifications.services import digest_frequency, notify
from hub.notifications.topics import DIGEST
from shared.digest.services import digest_for, due_period


def _send(user, region, digest, effect):
    return notify(
        user,
        DIGEST.key,
        "digest",
        link=external_url("region.home.index", region=region.slug),
        region=region,
        effect=effect,
        digest=digest,
        region_obj=region,
        dashboard=external_url("reports.region_dashboard", region=region.slug),
    )


@job("digest.coordinators", every=timedelta(hours=1), title=_l("Send the coordinators their digest"))
def coordinators_digest() -> dict[str, int]:
    """Send each coordinator the digest of their region for the last week (or day), once per period.

    The key is (coordinator and region, the period's first day): a scheduler that was down on Monday
    sends the week's digest when it is back, and never twice. An empty period sends nothing."""
    now = utcnow()
    today = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    sent = 0
    for region in each_region():
        coordinators = [
            m.user
            for m in db.session.scalars(
                select(Membership).where(Membership.role == Role.COORDINATOR).options(selectinload(Membership.user))
            )
            if m.user.active
        ]
        by_period = defaultdict(list)
        for user in coordinators:
            frequency = digest_frequency(user)
            period = due_period(frequency, now)
            if period is not None:
                by_period[(frequency, period)].append(user)
        for (frequency, period), users in by_period.items():
            keys = {u.id: (f"user:{u.id}:region:{region.id}:{frequency}", period.first.isoformat()) for u in users}
            done = effects.done("digest.coordinators", keys.values())
            waiting = [u for u in users if keys[u.id] not in done]
            if not waiting:
                continue
            digest = digest_for(region, period, today)
            if digest.empty:
                continue
            for user in waiting:
                effect = ("digest.coordinators", *keys[user.id])
                sent += in_transaction(partial(_send, user, region, digest, effect)) is not None
    return {"sent": sent}
