"""The coordinator's member management: members, roles, invitations (and word when one ran out unused)."""

from hub.core.features import Feature

FEATURE = Feature(
    "regions.members",
    region_pages={"members": "regions.members.views:bp"},
    api=("regions.members.api:blp",),
    jobs="regions.members.jobs",
)
