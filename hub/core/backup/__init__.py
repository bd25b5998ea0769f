"""Backups (issue 15, item 8): one archive with a consistent database snapshot, the uploaded files and a manifest.

``services`` creates, lists and restores archives; ``databases`` knows how SQLite and PostgreSQL take and
bring back a snapshot; ``archive`` writes and checks the tar file; ``cli`` is `hub backup ...`. Nothing
heavy is imported here, so that `hub --help` stays quick.
"""
