"""A region's events: create, change, cancel; registrations, waiting list, check-in, export; reminders."""

from hub.core.features import Feature

FEATURE = Feature(
    "regions.events",
    region_pages={"events": "regions.events.views:bp"},
    api=("regions.events.api:blp",),
    jobs="regions.events.jobs",
    demo="regions.events.demo:load_demo",
)
