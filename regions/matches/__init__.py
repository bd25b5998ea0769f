"""Matches: suggestions, the coordination's overview and tools, each team's own page (journal, documents,
funding, case study)."""

from hub.core.features import Feature

FEATURE = Feature(
    "regions.matches",
    region_pages={"matches": "regions.matches.views:bp"},
    api=("regions.matches.api:suggestions_blp", "regions.matches.api:blp"),
    jobs="regions.matches.jobs",
    demo="regions.matches.demo:load_demo_matches",
)
