"""The person's data export in the JSON API: the same service as the account page."""

from __future__ import annotations

from flask_login import current_user, login_required
from flask_smorest import Blueprint

from hub.privacy import services
from hub.privacy.schemas import ExportSchema

blp = Blueprint("api_privacy", __name__, url_prefix="/api/v1", description="Your own data (GDPR Art. 15 and 20)")


@blp.get("/me/export")
@blp.response(200, ExportSchema)
@blp.doc(security=[{"bearerAuth": []}])
@login_required
def export():
    """Everything the hub holds about the authenticated person, table by table."""
    return services.export_data(current_user)
