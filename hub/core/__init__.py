"""The framework every feature stands on: the request's path (web, access, rate limits, headers, logs),
the database and the tenancy wall, the one schema layer, jobs, the mail outbox, money, PDF, i18n, the CLI.

Nothing here imports a feature; the features (``hub.accounts`` … ``regions.*``, ``shared.*``) import it.
"""
