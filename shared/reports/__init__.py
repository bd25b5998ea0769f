"""Reports across regions: key figures, dashboards, the program timeline, exports and the funder report."""
