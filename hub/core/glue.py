"""The one web glue: how a page, an API call, the CLI or a job runs an action.

``run_action`` (``transaction()`` for a block) commits what the action did, or rolls all of it back
when it raises, and turns a database conflict (a unique row written a moment ago by someone else) into
``Conflict``. Pages and API then only translate the outcome:

=====================  ===========================================  =============================================
the action             a page (``page_action``)                     the API (``@api_action``)
=====================  ===========================================  =============================================
succeeds               flash, redirect             the view's response (200/201)
``ServiceError``       the form again, field errors beside it, 422  422 ``{"errors": {"json": {field: [text]}}}``
``Conflict``           the form again with the message, 409         409, the same body
``Forbidden``          the error page, 403                          403
``NotFound``           the error page, 404                          404
=====================  ===========================================  =============================================

A destructive action asks first: ``page_action(…, confirm=…)`` answers a POST without ``confirmed=1`` with
one confirmation page (the question, what will happen, "Ja, …" sending the same form again with
``confirmed=1``, "Abbrechen" back to where the person came from) and changes nothing. The API asks nothing:
a program's DELETE or POST is meant as sent.

A read whose query may be refused (an unknown region in a filter) goes through ``page_query`` or
``@api_query``: the page shows the fields beside its filters, the API answers 422 naming the query argument.

No view or API function commits, rolls back or converts an error by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_smorest import abort as api_abort
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from hub.core.actions import Conflict
from hub.core.db import db
from hub.core.schemas import ServiceError, _m, load_form

T = TypeVar("T")

CONFLICT_MESSAGE = _m("Someone changed this at the same moment. Nothing was saved; please look and try again.")


@contextmanager
def transaction():
    """Commit what the block did, or roll all of it back when it raises (a database conflict as ``Conflict``)."""
    try:
        yield
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE) from exc
    except BaseException:
        db.session.rollback()
        raise


def run_action(work: Callable[[], T]) -> T:
    """Run an action as one transaction (the CLI and jobs use ``transaction()`` around theirs)."""
    with transaction():
        return work()


def load(loader: Callable[..., T], *args, **kwargs) -> T:
    """Load what a request names through its feature's access rules: NotFound is 404, Forbidden 403."""
    try:
        return loader(*args, **kwargs)
    except ServiceError as exc:
        if exc.status in (403, 404):
            abort(exc.status)
        raise


# -- pages ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page of a destructive action says: the question ("Das Dokument „Plan.pdf“
    löschen?"), what will happen, and the words of the button that does it ("Ja, löschen")."""

    question: str
    consequence: str = ""
    button: str = ""


# A form sends this field with the value "1" when the person has answered the question with yes.
CONFIRMED_FIELD = "confirmed"

Confirm = Confirmation | str | Callable[[dict], "Confirmation | str | None"]


def page_action(
    work: Callable[[dict], T],
    *,
    refused: Callable[[dict], Any] | str,
    done: Callable[[T], str] | str | None = None,
    message: Callable[[T], str] | str | None = None,
    schema=None,
    show: Callable[[T], Any] | None = None,
    confirm: Confirm | None = None,
) -> Any:
    """Run an action for a submitted form and answer as a page.

    ``schema`` loads ``request.form`` (a form's German notation); its field errors are refused before the
    action runs. ``work(data)`` is the action. On success ``message`` is flashed and the browser goes to
    ``done`` (a URL, or a function of the action's result); ``show(result)`` instead answers with a page
    at once, for what is shown only this once (new recovery codes). When it is refused, ``refused(errors)``
    renders the form again with ``{field: [text]}`` beside its fields (422, 409 for a conflict); a URL
    instead sends the browser back there with the message flashed (for a button without a form).

    ``confirm`` makes a destructive action ask first: unless the form says ``confirmed=1``, nothing runs and
    the confirmation page answers (200). It is a ``Confirmation``, a question, or a function of the loaded
    form giving one (or ``None`` when this request needs no question, e.g. a status that is not final). Let
    the view load what the URL names through its access rules before (or inside ``confirm``), so that
    someone else's object answers 404, not a question. Forms with files cannot be asked again this way.
    """
    data: dict = {}
    if schema is not None:
        data, errors = load_form(schema, request.form)
        if errors:
            return _refused_page(refused, errors, 422)
    if confirm is not None and request.form.get(CONFIRMED_FIELD) != "1":
        asked = confirm(data) if callable(confirm) else confirm
        if asked is not None:
            return confirmation_page(asked)
    try:
        result = run_action(lambda: work(data))
    except ServiceError as exc:
        if exc.status in (403, 404):
            abort(exc.status)
        return _refused_page(refused, exc.errors(), exc.status)
    if message is not None:
        flash(message(result) if callable(message) else message, "success")
    if show is not None:
        return show(result)
    target = done(result) if callable(done) else done
    return redirect(target)


def _refused_page(refused, errors: dict, status: int):
    if isinstance(refused, str):
        for texts in errors.values():
            for text in texts:
                flash(text, "error")
        return redirect(refused)
    page = refused(errors)
    if isinstance(page, tuple):
        page = page[0]
    return page, status


def confirmation_page(asked: Confirmation | str):
    """The one confirmation page: the question, what will happen, "Ja, …" sending this form again with
    ``confirmed=1`` (a fresh CSRF token instead of the old one), and "Abbrechen" back where the person came from."""
    if not isinstance(asked, Confirmation):
        asked = Confirmation(question=str(asked))
    if request.files:
        raise RuntimeError("a form with files cannot be confirmed by sending it again")
    fields = [
        (name, value)
        for name, values in request.form.lists()
        if name not in ("csrf_token", CONFIRMED_FIELD)
        for value in values
    ]
    page = render_template(
        "core/confirm.html",
        confirmation=asked,
        button=asked.button or YES,
        action=request.script_root + (request.full_path if request.query_string else request.path),
        fields=fields,
        back=back_url(),
        confirmed_field=CONFIRMED_FIELD,
    )
    return page, 200


YES = _l("Yes, go ahead")


def back_url(default: str = "/") -> str:
    """Where "Abbrechen" leads: the form's ``next``, or the page the form was on (the referrer), on this host
    only; never an address that answers POST only (such as the one the form was sent to)."""
    candidates = [request.form.get("next"), _same_host_path(request.referrer)]
    for candidate in candidates:
        target = safe_next(candidate, "")
        if target and urlsplit(target).path != request.path and _answers_get(urlsplit(target).path):
            return target
    return default


def _answers_get(path: str) -> bool:
    """Whether a page of the hub answers GET at this path (by the URL map; a slash redirect counts)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(path, method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True


def _same_host_path(url: str | None) -> str | None:
    """The path (and query and fragment) of an absolute URL on this very host, else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    if parts.fragment:
        target += "#" + parts.fragment
    return target


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target on this host only (no scheme, no host, no protocol-relative //)."""
    if not target:
        return default
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def page_query(work: Callable[[], T]) -> tuple[T | None, dict]:
    """Run a read whose query may be refused (an unknown region, too long a period) for a page.

    Gives ``(result, {})``, or ``(None, {field: [text]})`` for the page to show beside its filters, as
    ``load_form`` does; NotFound and Forbidden answer 404 and 403. Nothing is committed: a read changes nothing.
    """
    try:
        return work(), {}
    except ServiceError as exc:
        if exc.status in (403, 404):
            abort(exc.status)
        return None, exc.errors()


# -- the API -------------------------------------------------------------------------------------------


def api_refusal(exc: ServiceError, location: str = "json"):
    """Answer a refused action in the API: the status of its kind, the field named (of the body, or the query)."""
    if exc.status in (403, 404):
        abort(exc.status)
    api_abort(exc.status, errors={location: exc.errors()}, message=str(exc.message))


def api_action(view: Callable) -> Callable:
    """Run a state-changing API view as one action: committed when it returns, refused as ``api_refusal`` says.

    Put it right above the function, below ``@blp.response``: the answer is written after the commit.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return run_action(lambda: view(*args, **kwargs))
        except ServiceError as exc:
            api_refusal(exc)

    return wrapped


def api_query(view: Callable) -> Callable:
    """Run a reading API view whose query may be refused: 422 with the query argument named (``errors.query``).

    Put it right above the function, below ``@blp.response``, as ``@api_action``; nothing is committed.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except ServiceError as exc:
            api_refusal(exc, location="query")

    return wrapped
