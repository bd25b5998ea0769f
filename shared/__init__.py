"""The cross-region commons: the network overview, the directory and contact requests; the calendar follows."""

import shared.contacts.jobs  # noqa: F401  (declares the clean-up of declined contact requests)
import shared.digest.jobs  # noqa: F401  (declares the coordinators' digest)
import shared.directory.index  # noqa: F401  (keeps the directory index in step with the profiles)
from shared.blueprints.views import bp as blueprints_bp
from shared.calendar.feeds import feeds_bp
from shared.calendar.views import bp as calendar_bp
from shared.contacts.views import contacts_bp, region_contacts_bp
from shared.directory.views import bp as directory_bp
from shared.network.views import bp as network_bp
from shared.reports.views import bp as reports_bp

blueprints = [
    network_bp,
    directory_bp,
    contacts_bp,
    region_contacts_bp,
    calendar_bp,
    feeds_bp,
    blueprints_bp,
    reports_bp,
]
