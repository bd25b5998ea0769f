"""Speed-dating at an event: the coordination's tools, the schedule, each participant's own plan and ratings."""

from hub.core.features import Feature

FEATURE = Feature(
    "regions.speeddating",
    region_pages={"speeddating": "regions.speeddating.views:bp"},
    api=("regions.speeddating.api:blp",),
    jobs="regions.speeddating.jobs",
)
