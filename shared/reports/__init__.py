"""Reports across regions: key figures, dashboards, the program timeline, exports and the funder report."""

from hub.core.features import Feature

FEATURE = Feature("shared.reports", pages=("shared.reports.views:bp",), api=("shared.reports.api:blp",))
