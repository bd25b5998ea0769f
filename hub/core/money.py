"""Money as exact amounts: stored in integer cents, handled as Decimal, never as float.

Amounts are read in exactly one of two notations, never guessed from the text: the API takes
"1234.56" (a dot, no thousands separators), forms take the German "1.234,56 €". A text that would
mean something else in the other notation ("1.234", "1,234") is refused by the one that does not
read it, instead of being read the other way.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
# The cents columns are BIGINT; amounts stay far below their range, so that totals summed in SQL
# (budget, committed, paid) cannot overflow either.
MAX_AMOUNT = Decimal("9999999999.99")

# [0-9], not \d: \d would take other scripts' digits, which Decimal() reads too.
_API = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
_GERMAN = re.compile(r"(-?)([0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,([0-9]+))?(?:\s*€)?")


def api_pattern(negative: bool) -> str:
    """The API notation as a regular expression for the OpenAPI document (what ``parse_api_amount`` takes)."""
    return rf"^{'-?' if negative else ''}[0-9]+(\.[0-9]{{1,2}})?$"


class AmountError(ValueError):
    """A text that is not an amount; ``reason`` says why: format, precision, negative or too_large."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_api_amount(text: str, *, negative: bool = False) -> Decimal:
    """An amount as the API writes it: "1234.56", "-12.5", "12"."""
    found = _API.fullmatch(text)
    if not found:
        raise AmountError("format")
    sign, whole, decimals = found.groups()
    return _amount(sign, whole, decimals, negative)


def parse_german_amount(text: str, *, negative: bool = False) -> Decimal:
    """An amount as a German form writes it: "1.234,56", "1234,56", "12", "-12,50 €".

    A dot only groups thousands, and only in the exact German pattern: "1.234" is 1234, "1.5" is refused.
    """
    found = _GERMAN.fullmatch(text)
    if not found:
        raise AmountError("format")
    sign, whole, decimals = found.groups()
    return _amount(sign, whole.replace(".", ""), decimals, negative)


def _amount(sign: str, whole: str, decimals: str | None, negative: bool) -> Decimal:
    if decimals is not None and len(decimals) > 2:
        raise AmountError("precision")
    value = Decimal(f"{sign}{whole}.{decimals or '0'}")
    if value < 0 and not negative:
        raise AmountError("negative")
    # Compared before rounding: quantize() cannot hold more than 28 digits and raised on 10**30.
    if abs(value) > MAX_AMOUNT:
        raise AmountError("too_large")
    return value.quantize(CENT)


def to_cents(amount: Decimal | int | str) -> int:
    """An exact amount in euros → integer cents; refuses more than two decimals instead of rounding."""
    value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    if not value.is_finite():
        raise InvalidOperation(f"not an amount: {amount!r}")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidOperation(f"more than two decimals: {amount!r}")
    if abs(value) > MAX_AMOUNT:
        raise InvalidOperation(f"beyond the largest amount: {amount!r}")
    return int(value * 100)


def from_cents(cents: int | None) -> Decimal:
    """Integer cents → an exact Decimal amount in euros."""
    return (Decimal(cents or 0) / 100).quantize(CENT)
