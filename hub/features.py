"""The features of the hub, in order: adding a feature is one line here and one ``FEATURE = Feature(...)`` in
its package (see hub.core.features).

The order is the order of the URL map and of the demo data: accounts (the demo's people) before profiles,
profiles before events, events before speed-dating and matches.
"""

FEATURES = (
    # the network-wide features
    "hub.home",
    "hub.accounts",
    "hub.notifications",
    "hub.cohorts",
    "hub.audit",
    "hub.privacy",
    # inside a region, at /<region>/…
    "regions.home",
    "regions.members",
    "regions.access_requests",
    "regions.profiles",
    "regions.events",
    "regions.speeddating",
    "regions.matches",
    "regions.teams",
    # the cross-region commons
    "shared.network",
    "shared.directory",
    "shared.contacts",
    "shared.saved_searches",
    "shared.conversations",
    "shared.meet",
    "shared.calendar",
    "shared.meetings",
    "shared.blueprints",
    "shared.reports",
    "shared.digest",
    "shared.home",
)
