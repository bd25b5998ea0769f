"""The front page of the hub."""

from hub.core.features import Feature

FEATURE = Feature("hub.home", pages=("hub.home.views:bp",))
