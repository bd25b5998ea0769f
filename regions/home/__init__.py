"""A region's start page, at /<region>/."""

from hub.core.features import Feature

FEATURE = Feature("regions.home", region_pages={"home": "regions.home.views:bp"})
