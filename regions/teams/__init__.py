"""Teams across regions (issue 18): a match of one region with a member of another, when both coordinations
agree; the funding region owns the match and its ledger. The one door in the wall is ``regions.teams.access``."""

from hub.core.features import Feature

FEATURE = Feature(
    "regions.teams",
    region_pages={"teams": "regions.teams.views:bp"},
    api=("regions.teams.api:blp",),
    demo="regions.teams.demo:load_demo_teams",
)
