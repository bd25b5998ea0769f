"""Accounts: people, their roles per region, sign-in (sessions, second factor, back-off), invitations and API tokens."""
