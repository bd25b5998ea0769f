"""Structured logs: every line carries its request (or job), secrets in it are masked, JSON in production.

Context comes from a LogRecord factory (the logging cookbook's way), so it reaches every handler: the
hub's own, a test's caplog, and the lines of libraries (Werkzeug, Flask-Limiter). Only ids go into the
context, never an e-mail address or a name.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps

from flask import Flask, current_app, g, has_app_context, has_request_context, request, request_started
from flask_login import AnonymousUserMixin
from sqlalchemy import inspect

from hub.core.settings import ConfigError

access_log = logging.getLogger("hub.core.access")
security_log = logging.getLogger("hub.security")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only if it cannot forge a log line or smuggle data: short, plain characters.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
CONTEXT_FIELDS = ("request_id", "method", "route", "region", "user_id", "job")
UNMATCHED = "<unmatched>"

# Path segments that are credentials themselves: the e-mailed one-click links and the private calendar
# feeds. install() adds the prefix of every route with a <token> argument, so a new one is covered too.
SECRET_PATH_PREFIXES = {"/password/reset/", "/invitations/", "/unsubscribe/", "/calendar/feeds/"}
_SECRET_SEGMENT = r"(?!\d+(?![^/\s?#\"'<>]))[^/\s?#\"'<>]+"  # not a plain number id: /members/invitations/12
_ALWAYS_MASKED = [
    (re.compile(r"(?i)\b(bearer\s+)[^\s\"',;]+"), r"\1***"),
    (re.compile(r"(?i)([?&;](?:token|access_token|key|password|secret|signature)=)[^&\s\"'#]+"), r"\1***"),
    (re.compile(r"\b(session|remember_token)=[^;\s\"',]+"), r"\1=***"),
]
# In production an address is personal data wherever it turns up (a library's message, an SMTP error).
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# PostgreSQL's error detail quotes the row or key it refused ("Failing row contains (…)", "Key (email)=(…)"):
# values a form sent, which hide_parameters cannot reach.
_DATABASE_DETAIL = re.compile(r"(?m)^(DETAIL:\s*).*$")

# The development server's demo prints a queued mail here, links included, so they can be clicked.
DEMO_LOGGER = "hub.core.mail.demo"

_job: contextvars.ContextVar[str | None] = contextvars.ContextVar("hub_job", default=None)
_state = {"production": False, "paths": None}


def _secret_paths() -> re.Pattern:
    if _state["paths"] is None:
        prefixes = "|".join(sorted((re.escape(p) for p in SECRET_PATH_PREFIXES), key=len, reverse=True))
        _state["paths"] = re.compile(f"((?:{prefixes}))({_SECRET_SEGMENT})")
    return _state["paths"]


def _production() -> bool:
    if has_app_context():
        return current_app.config.get("ENV") == "production"
    return _state["production"]


def redact(text: str) -> str:
    """Mask the secrets a log line may carry: link tokens in paths, bearer tokens, cookies, and (in
    production) e-mail addresses and the values a database error quotes."""
    text = _secret_paths().sub(r"\1***", text)
    for pattern, replacement in _ALWAYS_MASKED:
        text = pattern.sub(replacement, text)
    if _production():
        text = _DATABASE_DETAIL.sub(r"\1***", _EMAIL.sub("***@***", text))
    return text


# -- context ------------------------------------------------------------------------------------------


def current_request_id() -> str:
    """The request's id: a safe incoming X-Request-ID, or a new one."""
    rid = g.get("request_id")
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_id = rid
    return rid


def route_of_request() -> str:
    """The matched URL rule (``/password/reset/<token>``), never the path with its values."""
    return request.url_rule.rule if request.url_rule is not None else UNMATCHED


def _user_id() -> int | None:
    # Only a user Flask-Login has already loaded, and only its identity: reading an attribute of an
    # expired ORM object would query the database from inside a log call.
    user = g.get("_login_user")
    if user is None or isinstance(user, AnonymousUserMixin):
        return None
    state = inspect(user, raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else None


def _add_context(record: logging.LogRecord) -> None:
    for field in CONTEXT_FIELDS:
        setattr(record, field, None)
    record.job = _job.get()
    if not has_request_context():
        return
    record.request_id = current_request_id()
    record.method = request.method[:16]
    record.route = route_of_request()
    record.region = g.get("log_region")
    record.user_id = _user_id()


_base_factory = logging.getLogRecordFactory()


def _make_record(*args, **kwargs) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    try:
        _add_context(record)
        message = record.getMessage()
        clean = message if record.name == DEMO_LOGGER and not _production() else redact(message)
        if clean != message:
            record._template = record.msg  # what filters may still match on (Werkzeug's request line)
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            # Every formatter reuses exc_text, so the masked traceback is the only one any handler sees.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    except Exception:  # noqa: BLE001 - a log call must never break the request it describes
        pass
    return record


@contextmanager
def job_context(job_id: str):
    """Name the job on every line logged while it runs."""
    token = _job.set(job_id)
    try:
        yield
    finally:
        _job.reset(token)


def as_job(func):
    """Decorate ``func(job_id, ...)`` so that its log lines name the job."""

    @wraps(func)
    def wrapped(job_id, *args, **kwargs):
        with job_context(job_id):
            return func(job_id, *args, **kwargs)

    return wrapped


# -- formatting ---------------------------------------------------------------------------------------


def _context_text(record: logging.LogRecord) -> str:
    parts = [
        f"{label}={value}"
        for label, value in (
            ("req", getattr(record, "request_id", None)),
            ("user", getattr(record, "user_id", None)),
            ("region", getattr(record, "region", None)),
            ("job", getattr(record, "job", None)),
        )
        if value is not None
    ]
    return f" [{' '.join(parts)}]" if parts else ""


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [req=… user=… region=…]: message`` for people reading a terminal."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return f"{self.formatTime(record)} {record.levelname} {record.name}{_context_text(record)}: {record.message}"

    def formatException(self, ei) -> str:  # noqa: N802
        return redact(super().formatException(ei))


_STANDARD_ATTRIBUTES = {*logging.makeLogRecord({}).__dict__, "message", "asctime", "taskName", *CONTEXT_FIELDS}


class JsonFormatter(logging.Formatter):
    """One JSON object per line (for a log collector): time in UTC, level, logger, message, the context
    and the ``extra`` fields of the call (event, reason, status, duration_ms, …)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry.setdefault(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)

    def formatException(self, ei) -> str:  # noqa: N802
        return redact(super().formatException(ei))


FORMATTERS = {"text": TextFormatter, "json": JsonFormatter}


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the moment (a test's capture, a server's redirection)."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _drop_werkzeug_request_line(record: logging.LogRecord) -> bool:
    # The development server's own line prints the whole path, tokens and all; hub.core.access says it instead.
    template = getattr(record, "_template", record.msg)
    return not (isinstance(template, str) and template.endswith('"%s" %s %s'))


def configure(config) -> None:
    """Set up the process's logging from the settings LOG_FORMAT and LOG_LEVEL (replaces basicConfig)."""
    production = config.get("ENV") == "production"
    chosen = str(config.get("LOG_FORMAT") or ("json" if production else "text")).strip().lower()
    if chosen not in FORMATTERS:
        raise ConfigError(f"HUB_LOG_FORMAT must be one of {', '.join(FORMATTERS)}, not {chosen!r}")
    level = logging.getLevelName(str(config.get("LOG_LEVEL") or "INFO").strip().upper())
    if not isinstance(level, int):
        raise ConfigError(f"HUB_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {config.get('LOG_LEVEL')!r}")
    _state["production"] = production
    if logging.getLogRecordFactory() is not _make_record:
        logging.setLogRecordFactory(_make_record)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "hub_handler", False):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.hub_handler = True
    handler.setFormatter(FORMATTERS[chosen]())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # SQLAlchemy logs statements with their parameters (addresses, names) when INFO is on; SQLALCHEMY_ECHO
    # still shows them to a developer who asks.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    werkzeug = logging.getLogger("werkzeug")
    if _drop_werkzeug_request_line not in werkzeug.filters:
        werkzeug.addFilter(_drop_werkzeug_request_line)


# -- requests -----------------------------------------------------------------------------------------


def _begin_request(sender, **extra) -> None:
    g.request_started_at = time.perf_counter()
    current_request_id()


def _note_region(endpoint, values) -> None:
    # Runs before hub.core.web.pull_region takes the slug out of the URL values.
    slug = (values or {}).get("region")
    if isinstance(slug, str):
        g.log_region = slug if _SLUG.fullmatch(slug) else "?"


# A load balancer polls these every few seconds: their access lines only at DEBUG while they answer well.
QUIET_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})


def _finish_request(response):
    """Return the request id, and write the request's access line."""
    rid = current_request_id()
    response.headers[REQUEST_ID_HEADER] = rid
    started = g.get("request_started_at")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    quiet = request.endpoint in QUIET_ENDPOINTS and response.status_code < 400
    access_log.log(
        logging.DEBUG if quiet else logging.INFO,
        "%s %s %s %sms",
        request.method[:16],
        route_of_request(),
        response.status_code,
        duration_ms,
        extra={
            "event": "request",
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )
    return response


def log_refusal(reason: str) -> None:
    """One WARNING line per refused request (its user id, region and route come with the context)."""
    if not has_request_context() or g.get("refusal_logged"):
        return
    g.refusal_logged = True
    security_log.warning(
        "access_denied reason=%s %s %s",
        reason,
        request.method[:16],
        route_of_request(),
        extra={"event": "access_denied", "reason": reason},
    )


def install(app: Flask) -> None:
    """Request ids, the access line and masked link tokens for the app (before hub.core.web.install)."""
    for rule in app.url_map.iter_rules():
        if "token" in rule.arguments and "<" not in rule.rule.partition("<token>")[0]:
            SECRET_PATH_PREFIXES.add(rule.rule.partition("<token>")[0])
    _state["paths"] = None
    request_started.connect(_begin_request, app)
    app.url_value_preprocessor(_note_region)
    app.after_request(_finish_request)
