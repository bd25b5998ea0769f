"""The shared directory: search the profiles of all regions, see a profile, ask for contact (the contacts' action);
its search index follows every change of a profile (``index.install``), and `hub directory reindex` rebuilds it."""

from hub.core.features import Feature

FEATURE = Feature(
    "shared.directory",
    pages=("shared.directory.views:bp",),
    api=("shared.directory.api:blp",),
    cli=("shared.directory.cli:directory_cli",),
    install=("shared.directory.index:install",),
)
