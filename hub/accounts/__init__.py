"""Accounts: people, their roles per region, sign-in (sessions, second factor, back-off), invitations and
API tokens; the demo network's people; `hub users` and `hub tokens`."""

from hub.core.features import Feature

FEATURE = Feature(
    "hub.accounts",
    pages=("hub.accounts.views:bp",),
    jobs="hub.accounts.jobs",
    demo="hub.accounts.demo:load_demo_people",
    cli=("hub.accounts.cli:users_cli", "hub.accounts.cli:tokens_cli"),
)
