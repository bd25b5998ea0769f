"""The network: the four regions side by side, open to everyone."""

from hub.core.features import Feature

FEATURE = Feature("shared.network", pages=("shared.network.views:bp",))
