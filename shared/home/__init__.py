"""A person's home at / after login: their own things across their regions, what needs a coordination now, the
network at a glance for the umbrella (the hub's front page shows it through hub.home.personal)."""

from hub.core.features import Feature

FEATURE = Feature("shared.home", pages=("shared.home.views:bp",), install=("shared.home.views:install",))
