"""The cross-region commons: the network overview, the directory and contact requests, the calendar, blueprints,
reports and the coordinators' digest (one package per feature; hub/features.py lists them)."""
