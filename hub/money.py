"""Money as exact amounts: stored in integer cents, handled as Decimal, never as float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_cents(amount: Decimal | int | str) -> int:
    """An exact amount in euros → integer cents; refuses more than two decimals instead of rounding."""
    value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    if not value.is_finite():
        raise InvalidOperation(f"not an amount: {amount!r}")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidOperation(f"more than two decimals: {amount!r}")
    return int(value * 100)


def from_cents(cents: int | None) -> Decimal:
    """Integer cents → an exact Decimal amount in euros."""
    return (Decimal(cents or 0) / 100).quantize(CENT)
