"""The one paginator of the hub's lists (hub.core.pages) and its page links (_pagination.html).

The outbox, the notifications, the security events and the directory count and link their pages the same
way: "Seite 2 von 3", a link back and a link on that keep the list's filters, nothing when one page holds
all, an empty page (not an error) past the end.
"""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from sqlalchemy import select

from hub.accounts import security_log
from hub.core.db import db
from hub.core.mail.models import OutboxMessage
from hub.core.pages import MAX_PAGE, Page, clamp, paginate

PAGER = '{% from "_pagination.html" import pager %}{{ pager(p, endpoint, args, *labels) }}'


def links(html: str) -> dict[str, str]:
    """The pager's links by their rel (prev, next), with &amp; read as &."""
    return {rel: href.replace("&amp;", "&") for href, rel in re.findall(r'<a href="([^"]+)" rel="(\w+)"', html)}


def test_a_page_knows_its_neighbours():
    middle = Page(items=["k", "l"], page=2, per_page=2, total=5)
    assert (middle.pages, middle.has_prev, middle.has_next, middle.prev_num, middle.next_num) == (3, True, True, 1, 3)
    last = Page(items=["m"], page=3, per_page=2, total=5)
    assert (last.has_next, last.next_num, last.prev_num) == (False, None, 2)
    empty = Page(items=[], page=1, per_page=20, total=0)
    assert (empty.pages, empty.has_prev, empty.has_next) == (1, False, False)


@pytest.mark.parametrize(("asked", "given"), [(None, 1), (0, 1), (-3, 1), (7, 7), (10**9, MAX_PAGE)])
def test_a_page_number_is_clamped(asked, given):
    assert clamp(asked) == given
    assert clamp(asked, 5) == min(given, 5)


def test_paginate_counts_all_rows_and_returns_one_page_newest_first(app):
    with app.app_context():
        db.session.add_all(OutboxMessage(recipient=f"p{n}@example.org", subject=f"{n}", body="x") for n in range(7))
        db.session.commit()
        newest_first = select(OutboxMessage).order_by(OutboxMessage.id.desc())
        second = paginate(newest_first, page=2, per_page=3)
        assert (second.total, second.pages, [m.subject for m in second.items]) == (7, 3, ["3", "2", "1"])
        beyond = paginate(newest_first, page=9, per_page=3)
        assert beyond.items == [] and beyond.total == 7 and beyond.page == 9


def test_the_links_keep_the_filters_and_say_where_one_is(app):
    with app.test_request_context():
        html = render_template_string(
            PAGER,
            p=Page(items=[1], page=2, per_page=1, total=3),
            endpoint="directory.index",
            args={"q": "Holz", "town": "Dresden"},
            labels=("Zurück", "Weiter"),
        )
    assert "Seite 2 von 3" in html
    assert links(html) == {
        "prev": "/directory/?page=1&q=Holz&town=Dresden",
        "next": "/directory/?page=3&q=Holz&town=Dresden",
    }
    assert ">Zurück</a>" in html and ">Weiter</a>" in html


def test_one_page_needs_no_links(app):
    with app.test_request_context():
        html = render_template_string(
            PAGER, p=Page(items=[1], page=1, per_page=20, total=1), endpoint="mail.outbox", args={}, labels=()
        )
    assert html.strip() == ""


def test_the_notifications_are_paged_by_thirty(app, client, auth, make):
    person = make.participant("erzgebirge")
    for n in range(31):
        make.notification(person, subject=f"Mitteilung {n:02d}")
    auth.login(person)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Seite 1 von 2" in first and links(first) == {"next": "/notifications?page=2"}
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Mitteilung 00" in second and "Mitteilung 01" not in second
    assert links(second) == {"prev": "/notifications?page=1"}


def test_the_security_events_keep_their_filter_on_the_next_page(app, client, auth, make, monkeypatch):
    monkeypatch.setattr(security_log, "PAGE_SIZE", 2)
    admin = make.admin()
    for n in range(3):  # three failed sign-ins, each from a client of its own (no back-off for the admin's)
        app.test_client().post(
            "/login",
            data={"email": make.participant("erzgebirge").email, "password": "wrong horse battery staple"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"},
        )
    auth.login(admin)
    html = client.get("/admin/security", query_string={"kind": "login_failed"}).get_data(as_text=True)
    assert "Seite 1 von 2" in html
    assert links(html) == {"next": "/admin/security?page=2&kind=login_failed"}
