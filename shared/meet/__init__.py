"""People to meet (issue 18): people of all four regions whose offers answer a person's needs and whose needs
their offers answer, ranked by fit with the reason in words; hide a person, save a person (favourites), and a
daily notice when new people fit. The index of offered and sought tags follows every change of a profile
(``index.install``); the jobs refresh stale lists and send the notices."""

from hub.core.features import Feature

FEATURE = Feature(
    "shared.meet",
    pages=("shared.meet.views:bp",),
    api=("shared.meet.api:blp",),
    jobs="shared.meet.jobs",
    install=("shared.meet.index:install",),
)
