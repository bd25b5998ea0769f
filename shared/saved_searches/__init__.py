"""Saved searches of the directory: a person keeps a search (its words and filters) under a name, opens it again,
renames it, switches its notice on or off, deletes it; a job tells them when a new profile fits (by their e-mail
choice, topic ``saved_searches``)."""

from hub.core.features import Feature

FEATURE = Feature(
    "shared.saved_searches",
    pages=("shared.saved_searches.views:bp",),
    api=("shared.saved_searches.api:blp",),
    jobs="shared.saved_searches.jobs",
    demo="shared.saved_searches.demo:load_demo",
)
