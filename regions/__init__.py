"""What a region's people do inside their tenant, mounted at /<region>/…"""

from flask import Blueprint

from regions.events.views import bp as events_bp
from regions.home.views import bp as home_bp
from regions.matches.views import bp as matches_bp
from regions.members.views import bp as members_bp
from regions.profiles.transfer_views import bp as transfer_bp
from regions.profiles.views import bp as profiles_bp
from regions.speeddating.views import bp as speeddating_bp

bp = Blueprint("region", __name__, url_prefix="/<region>")
bp.register_blueprint(home_bp, name="home")
bp.register_blueprint(members_bp, name="members")
bp.register_blueprint(profiles_bp, name="profiles")
bp.register_blueprint(events_bp, name="events")
bp.register_blueprint(transfer_bp, name="transfer")
bp.register_blueprint(speeddating_bp, name="speeddating")
bp.register_blueprint(matches_bp, name="matches")

import regions.events.demo  # noqa: E402,F401  (registers the demo events)
import regions.events.jobs  # noqa: E402,F401  (declares the event reminders and waiting-list notices)
import regions.matches.demo  # noqa: E402,F401  (registers the demo cohort, speed-dating and matches)
import regions.matches.jobs  # noqa: E402,F401  (declares the milestone reminders)
import regions.profiles.demo  # noqa: E402,F401  (registers the demo profiles)
import regions.profiles.jobs  # noqa: E402,F401  (declares the end of consents to an older privacy notice)
import regions.speeddating.jobs  # noqa: E402,F401  (declares the rating reminders and deadline notices)
