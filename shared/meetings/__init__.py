"""Meetings at events: two people registered for the same event (of any region) agree on a slot and a table or
place; accepted meetings appear in both people's agenda and private calendar feed; no person and no table is
booked twice at once; the event's coordination sets the slots and places and sees how many meetings it produced."""

from hub.core.features import Feature

FEATURE = Feature(
    "shared.meetings",
    pages=("shared.meetings.views:bp", "shared.meetings.views:region_bp"),
    api=("shared.meetings.api:blp",),
    demo="shared.meetings.demo:load_demo",
    install=("shared.meetings.access:install", "shared.meetings.hooks:install"),
)
