"""gunicorn's settings for the hub (`make serve`, config/deploy/cimis-hub-web.service):
``gunicorn -c config/gunicorn.conf.py hub.wsgi:app``.

Everything comes from the environment, so one file serves every host:

- ``HUB_BIND`` (e.g. ``0.0.0.0:8000`` or ``unix:/run/cimis-hub/web.sock``), else ``127.0.0.1:$PORT`` (PORT: 8000);
- ``HUB_WORKERS``, else ``WEB_CONCURRENCY``, else 2 × cores + 1 (gunicorn's own rule of thumb: a sync worker
  waiting for the database leaves its core to another). docs/DEPLOY.md, "Sizing", says how to choose.

SIGTERM (systemd's stop, `make serve`'s Ctrl-C) is a graceful stop: the workers take no new connection and finish
the requests they have for up to ``graceful_timeout`` seconds. SIGINT/SIGQUIT would be a quick stop; `make serve`
(hub/core/serve.py) turns a Ctrl-C into SIGTERM.

The access log is the hub's own line (logger ``hub.core.access``, JSON in production): it carries the request id
(X-Request-ID, kept from nginx or made new) and the route instead of the path, so tokens in links and feed
addresses never reach a log. gunicorn's access log stays off; if switched on (``--access-logfile -``) its format
below names the request id too (its lines pass the hub's log record factory, which masks tokens: docs/SECURITY.md).
"""

import multiprocessing
import os

bind = [os.environ.get("HUB_BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"]
workers = int(os.environ.get("HUB_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
# A request that takes longer than this is a bug or a stuck database: the worker is replaced.
timeout = 60
# How long a worker may finish its requests after SIGTERM.
graceful_timeout = 30
# Behind nginx (keepalive to the upstream); without a proxy, clients keep idle connections this long.
keepalive = 5
# Build the app once in the master (hub/wsgi.py: gc.freeze, mappers configured) and fork it: the workers share
# its memory pages and start in milliseconds. Code changes need a restart (systemctl restart), not a HUP.
preload_app = True
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Replace a worker after this many requests (with jitter, so they do not all restart together): bounds slow leaks.
max_requests = 5000
max_requests_jitter = 500

accesslog = None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("HUB_GUNICORN_LOG_LEVEL", "info")
proc_name = "cimis-hub-web"
# gunicorn 27's control socket sits at one path per user (~/.gunicorn/gunicorn.ctl): two instances on one host would
# take it from each other, and the hub needs none of its commands (systemd reloads and stops by signal).
control_socket_disable = True


def post_fork(server, worker):
    """A forked worker must not use the master's database connections: drop the pool it inherited (without closing
    the master's sockets), so the worker opens its own."""
    from hub.core.db import db
    from hub.wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)


def worker_int(worker):
    worker.log.info("worker %s stopping (SIGINT/SIGQUIT)", worker.pid)
