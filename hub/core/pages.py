"""One paginator for the hub's lists: a `Page` of a SELECT, and the page links of ``_pagination.html``.

A list view asks for ``paginate(select(...).order_by(...), page=requested_page(), per_page=50)`` (a service
takes the page number as an argument, it knows no request) and hands the `Page` to its template, which
shows the links with ``{% from "_pagination.html" import pager %}{{ pager(page, "mail.outbox") }}``.
A page past the last one is empty, never an error; the page number is clamped to 1..MAX_PAGE, so the
offset stays a small number whatever a visitor sends. A list that counts in its own SQL (the directory
search) builds its `Page` from its own numbers and still shares the arithmetic and the links.

The audit log pages by keyset instead (`hub.audit.services`): it says why there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from hub.core.db import db

T = TypeVar("T")
# The highest page number a list answers; beyond it a list is empty, and the offset stays a small number.
MAX_PAGE = 10_000


def clamp(page: int | None, highest: int = MAX_PAGE) -> int:
    """A page number between 1 and ``highest``, whatever was asked for."""
    return min(max(page or 1, 1), highest)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, its number (from 1), the page size and how many items there are."""

    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one, also when it is empty)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def paginate(statement: Select, *, page: int, per_page: int) -> Page:
    """One page of a SELECT (ordered by the caller): its rows and the count of all rows, in two queries."""
    page = clamp(page)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total or 0)
