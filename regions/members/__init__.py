"""The coordinator's member management: members, roles, invitations."""

from hub.core.features import Feature

FEATURE = Feature(
    "regions.members",
    region_pages={"members": "regions.members.views:bp"},
    api=("regions.members.api:blp",),
)
