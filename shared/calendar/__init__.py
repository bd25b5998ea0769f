"""The shared calendar: every event a viewer may see across regions, as a month or a list, with
self-registration, and its iCalendar feeds."""

from hub.core.features import Feature

FEATURE = Feature(
    "shared.calendar",
    pages=("shared.calendar.views:bp", "shared.calendar.feeds:feeds_bp"),
    api=("shared.calendar.api:blp",),
    install=("shared.calendar.front_page:install",),
)
