"""Profiles inside a region: the participant's own profile, the coordination's profile tools, import and export."""

from hub.core.features import Feature

FEATURE = Feature(
    "regions.profiles",
    region_pages={"profiles": "regions.profiles.views:bp", "transfer": "regions.profiles.transfer_views:bp"},
    api=("regions.profiles.api:blp",),
    jobs="regions.profiles.jobs",
    demo="regions.profiles.demo:load_demo_profiles",
)
