"""The members of a region in the JSON API (coordinators, admins, umbrella)."""

from flask_smorest import Blueprint

from hub.core.access import coordinator_required
from regions.members import services
from regions.members.schemas import MemberSchema

blp = Blueprint(
    "api_members", __name__, url_prefix="/api/v1/regions/<region>/members", description="A region's members"
)


@blp.get("/")
@blp.response(200, MemberSchema(many=True))
@blp.doc(security=[{"bearerAuth": []}])
@coordinator_required
def list_members():
    """The members of the region with their roles."""
    return services.list_members()
