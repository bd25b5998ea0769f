"""The funding ledger of a match: commitments and payments in exact cents, never beyond the budget.

Each entry moves the match's running total with one conditional UPDATE (``… WHERE paid + amount
BETWEEN 0 AND budget``); two payments arriving at once are serialised by the database on that row,
and the second one that would overdraw the budget finds no row to update and is refused. A CHECK
constraint on the table holds the same rule as a last line.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, update

from hub.accounts.models import User
from hub.core.db import db
from hub.core.i18n import money
from hub.core.money import from_cents, to_cents
from hub.core.schemas import ServiceError, _m
from regions.matches.models import LedgerEntry, Match, MatchDocument
from regions.matches.vocab import LedgerKind, MatchStatus

TOTAL_COLUMN = {LedgerKind.PAYMENT: Match.paid_cents, LedgerKind.COMMITMENT: Match.committed_cents}


class FundingError(ServiceError):
    """A ledger entry that cannot be booked."""


def add_entry(
    match: Match,
    kind: LedgerKind,
    amount: Decimal,
    *,
    booked_on: date,
    purpose: str,
    by: User,
    receipt: MatchDocument | None = None,
) -> LedgerEntry:
    """Book a commitment or a payment (a negative amount corrects an earlier one). The caller commits."""
    try:
        cents = to_cents(amount)
    except (InvalidOperation, ValueError) as exc:
        raise FundingError(_m("Not a valid amount."), "amount") from exc
    if cents == 0:
        raise FundingError(_m("The amount must not be zero."), "amount")
    if match.status == MatchStatus.DISCONTINUED and cents > 0:
        raise FundingError(_m("This match was discontinued: no new money can be booked."), "amount")
    if receipt is not None and receipt.match_id != match.id:
        raise FundingError(_m("The receipt belongs to another match."), "receipt_id")
    column = TOTAL_COLUMN[kind]
    booked = db.session.execute(
        update(Match)
        .where(Match.id == match.id, column + cents >= 0, column + cents <= Match.budget_cents)
        .values({column: column + cents})
        .execution_options(synchronize_session=False)
    )
    if booked.rowcount != 1:
        db.session.refresh(match)
        if cents < 0:
            raise FundingError(_m("A correction cannot take the total below zero."), "amount")
        left = match.budget_cents - (match.paid_cents if kind == LedgerKind.PAYMENT else match.committed_cents)
        message = (
            _m("This payment exceeds the remaining budget of {left}.")
            if kind == LedgerKind.PAYMENT
            else _m("This commitment exceeds the budget still free of {left}.")
        )
        raise FundingError(message.format(left=money(from_cents(left))), "amount")
    entry = LedgerEntry(
        match_id=match.id,
        region_id=match.region_id,
        kind=kind,
        booked_on=booked_on,
        amount_cents=cents,
        purpose=purpose,
        receipt=receipt,
        by_id=by.id,
    )
    db.session.add(entry)
    db.session.flush()
    db.session.refresh(match)
    return entry


def ledger(match: Match) -> list[LedgerEntry]:
    return list(
        db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.match_id == match.id).order_by(LedgerEntry.booked_on, LedgerEntry.id)
        )
    )


def balance(match: Match) -> dict[str, Decimal]:
    """Budget, committed, paid and what remains, as exact amounts."""
    return {
        "budget": match.budget,
        "committed": match.committed,
        "paid": match.paid,
        "remaining": match.remaining,
    }
