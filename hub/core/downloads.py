"""A file to be saved that holds personal data: never cached on the way."""

from __future__ import annotations

from flask import Response


def download(body: bytes, mimetype: str, filename: str) -> Response:
    """A file download that is never cached (it holds personal data)."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
