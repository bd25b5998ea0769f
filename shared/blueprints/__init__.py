"""Blueprints: case studies that teams of every region chose to share with the whole network."""

from hub.core.features import Feature

FEATURE = Feature("shared.blueprints", pages=("shared.blueprints.views:bp",))
