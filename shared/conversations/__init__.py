"""Conversations between two people once their contact request is accepted: one thread per pair, the unread
count in the header, an e-mail (by the person's choice) that someone wrote, block and report (the reported
person's coordination sees the report, never the messages), retention, export and erasure."""

from hub.core.features import Feature

FEATURE = Feature(
    "shared.conversations",
    pages=("shared.conversations.views:bp",),
    region_pages={"conversation_reports": "shared.conversations.views:reports_bp"},
    api=("shared.conversations.api:blp",),
    jobs="shared.conversations.jobs",
    demo="shared.conversations.demo:load_demo",
    install=("shared.conversations.access:install", "shared.conversations.views:install"),
)
