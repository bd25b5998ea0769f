"""Consent to an older privacy notice ends: the profile leaves the directory until its person consents again."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from hub.core.db import db
from hub.core.jobs import each_region, job
from regions.profiles import services


@job("profiles.outdated_consent", every=timedelta(hours=1), title=_l("Ask again for consent to a new privacy notice"))
def outdated_consent() -> dict[str, int]:
    """Profiles consented to an older version of the privacy notice leave the directory; the person is asked again."""
    ended = 0
    for _region in each_region():
        ended += services.end_outdated_consents()
        db.session.commit()
    return {"ended": ended}
