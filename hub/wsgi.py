"""The WSGI entry point for production servers: `gunicorn hub.wsgi:app`.

Before the workers are forked (``preload_app``), every template is compiled once here: compiling the 150
templates costs about 1.4 s of CPU, which each fresh worker otherwise paid on its first pages — seconds of
slow answers after every start, worst when many people arrive at once (the load test's first ten seconds,
docs/BENCHMARKS.md). After the app is built, ``gc.freeze()`` moves its objects (routes, compiled templates,
models, translations) out of the garbage collector's reach, so a full collection no longer walks them — on
the benchmark machine that took a 100 ms pause out of every few requests. With gunicorn's pre-forking, the
frozen objects also stay shared between the workers' memory pages.
"""

from __future__ import annotations

import gc

from sqlalchemy.orm import configure_mappers

from hub import create_app
from hub.core.serve import compile_templates

app = create_app()
configure_mappers()  # here, not at the first request: the workers share the mappers' configuration too
compile_templates(app)
gc.freeze()
