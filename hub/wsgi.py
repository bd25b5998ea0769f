"""The WSGI entry point for production servers: `gunicorn hub.wsgi:app`.

After the app is built, ``gc.freeze()`` moves its objects (about 200,000: routes, templates, models,
translations) out of the garbage collector's reach, so a full collection no longer walks them — on
the benchmark machine that took a 100 ms pause out of every few requests (docs/BENCHMARKS.md). With
gunicorn's pre-forking, the frozen objects also stay shared between the workers' memory pages.
"""

from __future__ import annotations

import gc

from sqlalchemy.orm import configure_mappers

from hub import create_app

app = create_app()
configure_mappers()  # here, not at the first request: the workers share the mappers' configuration too
gc.freeze()
