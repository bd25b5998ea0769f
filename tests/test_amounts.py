"""Amounts of money as people and programs write them: forms take the German notation ("1.234,56 €"), the
API a decimal string with a dot ("1234.56"). Nothing is ever read the other way, and an amount that is
ambiguous, too precise or out of range is refused with the field named and nothing booked."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from hub.cohorts.models import Cohort
from hub.core.db import db
from hub.core.schemas import Amount, form_input
from hub.core.tenancy import all_regions
from regions.matches.models import LedgerEntry, Match
from tests.pages import bearer, field_error, page, said_field_message, shown_field_message

REGION = "erzgebirge"
TODAY = date.today()


@pytest.fixture
def match(make):
    """An active match of a cohort with 2,500.00 € per match."""
    return make.match(REGION, make.cohort(funding="2500.00"))


@pytest.fixture
def coordinator(make):
    return make.coordinator(REGION)


def booked(app, match_id: int) -> tuple[list[Decimal], Decimal]:
    """The amounts on the match's ledger and its paid total, as the database holds them."""
    with app.app_context(), all_regions():
        amounts = db.session.scalars(
            select(LedgerEntry.amount_cents).where(LedgerEntry.match_id == match_id).order_by(LedgerEntry.id)
        ).all()
        return [Decimal(c) / 100 for c in amounts], db.session.get(Match, match_id).paid


def payment(amount) -> dict:
    return {"kind": "payment", "amount": amount, "booked_on": TODAY.isoformat(), "purpose": "Material"}


# -- forms: the German notation ---------------------------------------------------------------------------


def book_on_page(client, match, amount):
    return client.post(f"/{REGION}/matches/{match.id}/ledger", data=payment(amount))


def test_the_ledger_form_reads_amounts_the_german_way_and_never_the_english_way(app, client, auth, match, coordinator):
    auth.login(coordinator)
    for typed in ("1.234,56", "1,5", "12", "0,50 €", "-2,00"):
        assert book_on_page(client, match, typed).status_code == 302, typed
    assert book_on_page(client, match, "1.5").status_code == 422
    amounts, paid = booked(app, match.id)
    assert amounts == [Decimal("1234.56"), Decimal("1.50"), Decimal("12"), Decimal("0.50"), Decimal("-2")]
    assert paid == Decimal("1246.56")
    assert "1.234,56\xa0€" in page(client.get(f"/{REGION}/matches/{match.id}"))


@pytest.mark.parametrize(
    "typed,message",
    [
        ("1.5", "Not a valid amount: write it the German way, e.g. 1.234,56 or 1234,56."),  # never read the English way
        ("0.001", "Not a valid amount: write it the German way, e.g. 1.234,56 or 1234,56."),
        ("1234.56", "Not a valid amount: write it the German way, e.g. 1.234,56 or 1234,56."),
        ("1,234", "At most two decimals (cents)."),
        ("0,001", "At most two decimals (cents)."),
        ("1e3", "Not a valid amount: write it the German way, e.g. 1.234,56 or 1234,56."),
        ("NaN", "Not a valid amount: write it the German way, e.g. 1.234,56 or 1234,56."),
        ("12.345.678.901,00", "The number is too large."),
        ("   ", "This field is required."),
    ],
)
def test_the_ledger_form_refuses_what_is_not_a_german_amount_and_books_nothing(
    app, client, auth, match, coordinator, typed, message
):
    auth.login(coordinator)
    response = book_on_page(client, match, typed)
    assert response.status_code == 422
    assert field_error(page(response), "amount") == shown_field_message(app, message)
    assert booked(app, match.id) == ([], Decimal("0.00"))


def test_the_cohort_form_takes_the_amount_it_shows(app, client, auth, make):
    """The edit form is filled with "2.500,00 €" as the hub shows money; saving it unchanged keeps it."""
    cohort = make.cohort(name="CIMIS II Formular", funding="2500.00")
    auth.login(make.admin())
    form = page(client.get(f"/admin/cohorts/{cohort.id}/edit"))
    shown_amount = re.search(r'name="funding_per_match"[^>]*value="([^"]*)"', form).group(1)
    assert shown_amount == "2.500,00\xa0€"
    data = {"name": "CIMIS II Formular", "starts_on": "2026-09-01", "ends_on": "2027-04-30"}
    assert (
        client.post(f"/admin/cohorts/{cohort.id}/edit", data={**data, "funding_per_match": shown_amount}).status_code
        == 302
    )
    response = client.post(f"/admin/cohorts/{cohort.id}/edit", data={**data, "funding_per_match": "3000.00"})
    assert response.status_code == 422 and field_error(page(response), "funding_per_match")
    with app.app_context():
        assert db.session.get(Cohort, cohort.id).funding_per_match_cents == 250000


# -- the API: a decimal string with a dot ---------------------------------------------------------------


def book_by_api(client, make, match, coordinator, amount):
    headers = bearer(make.access_token(coordinator).extra)
    return client.post(f"/api/v1/regions/{REGION}/matches/{match.id}/ledger", json=payment(amount), headers=headers)


def test_the_api_reads_a_dot_as_the_decimal_point_and_never_as_a_thousands_separator(
    app, client, make, match, coordinator
):
    for sent in ("1.5", "1234.56", "12", "-0.50"):
        response = book_by_api(client, make, match, coordinator, sent)
        assert response.status_code == 201, response.get_json()
    assert response.get_json()["entry"]["amount"] == "-0.50"
    assert book_by_api(client, make, match, coordinator, "1.234").status_code == 422
    assert booked(app, match.id) == (
        [Decimal("1.50"), Decimal("1234.56"), Decimal("12"), Decimal("-0.50")],
        Decimal("1247.56"),
    )


API_FORMAT = (
    'Not a valid amount: write it with a dot and at most two decimals, without thousands separators, e.g. "1234.56".'
)


@pytest.mark.parametrize(
    "sent,message",
    [
        ("0.001", "At most two decimals (cents)."),  # not 1,00 €
        ("1.234", "At most two decimals (cents)."),  # not a German thousands separator: 1.234 € is too precise
        ("1,5", API_FORMAT),
        ("1.234,56", API_FORMAT),
        ("1 234.56", API_FORMAT),
        ("1e3", API_FORMAT),
        ("NaN", API_FORMAT),
        ("Infinity", API_FORMAT),
        ("+5", API_FORMAT),
        (".5", API_FORMAT),
        ("12 €", API_FORMAT),
        ("١٢", API_FORMAT),  # digits of another script
        ("12345678901.00", "The number is too large."),
        (10.5, 'Not a valid amount: send it as a string, e.g. "1234.56".'),
        (12, 'Not a valid amount: send it as a string, e.g. "1234.56".'),
        ("", "This field is required."),
    ],
)
def test_the_api_refuses_amounts_that_are_ambiguous_too_precise_or_no_amounts_and_books_nothing(
    app, client, make, match, coordinator, sent, message
):
    response = book_by_api(client, make, match, coordinator, sent)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert list(errors) == ["amount"]
    assert errors["amount"] == [said_field_message(app, message)]
    assert booked(app, match.id) == ([], Decimal("0.00"))


def test_cohort_funding_in_the_api_is_a_decimal_string_with_a_dot_and_never_negative(app, client, make):
    headers = bearer(make.access_token(make.admin()).extra)
    cohort = {
        "name": "CIMIS II API",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=200)).isoformat(),
        "funding_per_match": "2.500",
    }
    for sent, message in (
        ("2.500", "At most two decimals (cents)."),
        ("2.500,00", API_FORMAT),
        ("-1.00", "The amount must not be negative."),
    ):
        response = client.post("/api/v1/cohorts/", json={**cohort, "funding_per_match": sent}, headers=headers)
        assert response.status_code == 422
        assert response.get_json()["errors"]["json"] == {"funding_per_match": [said_field_message(app, message)]}
    with app.app_context():
        assert db.session.scalars(select(Cohort)).all() == []
    response = client.post("/api/v1/cohorts/", json={**cohort, "funding_per_match": "2500"}, headers=headers)
    assert response.status_code == 201 and response.get_json()["funding_per_match"] == "2500.00"


def test_the_openapi_document_says_how_every_amount_is_written(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    money = {
        (name, prop): spec
        for name, schema in schemas.items()
        for prop, spec in schema.get("properties", {}).items()
        if prop in ("amount", "funding_per_match", "budget", "committed", "paid", "remaining")
    }
    assert ("LedgerInput", "amount") in money and ("CohortInput", "funding_per_match") in money
    for where, spec in money.items():
        assert spec["type"] == "string", where
        assert re.fullmatch(spec["pattern"], spec["example"]), where
        assert "dot" in spec["description"] and "thousands" in spec["description"], where
        assert not re.fullmatch(spec["pattern"], "1.234,56") and not re.fullmatch(spec["pattern"], "0.001"), where
    assert re.fullmatch(money[("LedgerInput", "amount")]["pattern"], "-12.50")
    assert not re.fullmatch(money[("CohortInput", "funding_per_match")]["pattern"], "-12.50")


# -- one field, two notations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,amount",
    [
        ("1.234,56", "1234.56"),
        ("1234,56 €", "1234.56"),
        ("1.234.567,89\xa0€", "1234567.89"),
        ("1.234", "1234"),
        ("0,1", "0.10"),
        ("12€", "12"),
    ],
)
def test_a_form_amount_is_read_the_german_way(app, typed, amount):
    with app.test_request_context(), form_input():
        assert Amount().deserialize(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["0.001", "1.5", "12.34", "0.123", "1234.567", "1.23.456", "1,", ",5", "- 1", "-1"])
def test_a_form_never_reads_an_amount_the_english_way(app, typed):
    with app.test_request_context(), form_input(), pytest.raises(ValidationError):
        Amount().deserialize(typed)  # "-1": a cohort's funding is never negative


def test_outside_a_form_an_amount_is_read_as_the_api_writes_it(app):
    with app.test_request_context():
        assert Amount().deserialize("1.5") == Decimal("1.50")
        with pytest.raises(ValidationError):
            Amount().deserialize("1,5")
