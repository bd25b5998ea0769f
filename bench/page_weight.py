"""Page weight and SQL statements of the main pages per role, on the demo network (issue 17).

    .venv/bin/python -m bench.page_weight

Loads the demo network into a throw-away SQLite database (as `make screenshots` does), signs each role in
with the test client and fetches the same pages the screenshots show: the HTML's bytes, raw and gzip-compressed,
plus the stylesheet and scripts every page loads (fetched once, cached by the browser afterwards), and the
number of SQL statements each page runs. No wall-clock figures: the weights are what a phone downloads.
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from pathlib import Path

from sqlalchemy import event

from tests.browser.screenshots import LOGINS, _demo_app, _pages

PASSWORD = "cimis-demo-2024"


def _assets(client, html: str) -> dict[str, bytes]:
    found = re.findall(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html)
    return {path: client.get(path).get_data() for path in found}


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        app = _demo_app(Path(folder))
        app.config["WTF_CSRF_ENABLED"] = False
        app.config["RATELIMIT_ENABLED"] = False
        statements = []
        with app.app_context():
            from hub.core.db import db

            event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
            pages = _pages(app)
        print(f"{'page':45} {'HTML kB':>8} {'gzip kB':>8} {'SQL':>5}")
        assets: dict[str, bytes] = {}
        for role, entries in pages.items():
            client = app.test_client()
            if LOGINS[role]:
                client.post("/login", data={"email": LOGINS[role], "password": PASSWORD})
            for name, endpoint, values in entries:
                with app.test_request_context():
                    from flask import url_for

                    url = url_for(endpoint, **values)
                statements.clear()
                response = client.get(url)
                body = response.get_data()
                n = len(statements)
                print(
                    f"{role + ' ' + name:45} {len(body) / 1000:8.1f} {len(gzip.compress(body)) / 1000:8.1f} {n:5d}"
                    + ("" if response.status_code == 200 else f"  ({response.status_code})")
                )
                if not assets:
                    assets = _assets(client, body.decode())
        total = sum(len(b) for b in assets.values())
        zipped = sum(len(gzip.compress(b)) for b in assets.values())
        print(f"{'stylesheets and scripts (once, then cached)':45} {total / 1000:8.1f} {zipped / 1000:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
