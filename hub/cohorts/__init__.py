"""Cohorts (network-wide, kept by administrators): the program periods and their funding per match."""

from hub.core.features import Feature

FEATURE = Feature("hub.cohorts", pages=("hub.cohorts.views:bp",), api=("hub.cohorts.api:blp",))
