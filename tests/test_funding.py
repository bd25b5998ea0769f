"""The funding ledger of a match: exact amounts, shown the German way, never beyond the budget — also when
many payments arrive at the same moment from several processes (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import multiprocessing
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hub.accounts.models import User
from hub.cohorts import services as cohorts
from hub.cohorts.models import Cohort
from hub.core.db import db, in_transaction
from hub.core.i18n import money
from hub.core.tenancy import all_regions, region_scope
from regions.matches import funding, services
from regions.matches.funding import FundingError
from regions.matches.models import LedgerEntry, Match
from regions.matches.vocab import LedgerKind, MatchStatus

REGION = "erzgebirge"


def shown(amount) -> str:
    """An amount as a page shows it, with an ordinary space before the euro sign."""
    return money(amount).replace("\xa0", " ")


def totals(app, match_id: int) -> dict[str, Decimal]:
    with app.app_context(), all_regions():
        return funding.balance(db.session.get(Match, match_id))


def entries(app, match_id: int) -> list[tuple[str, Decimal]]:
    with app.app_context(), all_regions():
        return [
            (e.kind.value, e.amount)
            for e in db.session.scalars(
                select(LedgerEntry).where(LedgerEntry.match_id == match_id).order_by(LedgerEntry.id)
            )
        ]


@pytest.fixture
def coordinator(make):
    return make.coordinator(REGION, name="Koordination Erzgebirge")


@pytest.fixture
def match(make):
    """An active match of a cohort with 2,500.00 € per match."""
    return make.match(REGION, make.cohort(funding="2500.00"))


def book(make, match, coordinator, amount, kind: str = "payment", purpose: str = "Material"):
    """Book an entry the way the ledger page does: refused ones raise FundingError and change nothing."""
    with make.inside(REGION):
        try:
            entry = funding.add_entry(
                services.get_match(match.id),
                LedgerKind(kind),
                Decimal(amount),
                booked_on=date.today(),
                purpose=purpose,
                by=db.session.get(User, coordinator.id),
            )
            db.session.commit()
            return entry.id
        except FundingError:
            db.session.rollback()
            raise


# -- exact amounts ----------------------------------------------------------------------------------------


def test_amounts_add_up_exactly(app, make, match, coordinator):
    book(make, match, coordinator, "0.10")
    book(make, match, coordinator, "0.20")
    balance = totals(app, match.id)
    assert balance["paid"] == Decimal("0.30") and str(balance["paid"]) == "0.30"
    assert balance["remaining"] == Decimal("2499.70")
    assert sum(amount for _, amount in entries(app, match.id)) == Decimal("0.30")


@pytest.mark.parametrize(
    "amount,text",
    [
        (Decimal("1234.56"), "1.234,56 €"),
        (Decimal("2500"), "2.500,00 €"),
        (Decimal("0.3"), "0,30 €"),
        (Decimal("-40.00"), "-40,00 €"),
        (Decimal("1234567.89"), "1.234.567,89 €"),
    ],
)
def test_amounts_are_shown_the_german_way(amount, text):
    assert shown(amount) == text


# -- within the budget ----------------------------------------------------------------------------------


def test_a_payment_beyond_what_remains_is_refused_and_names_the_remaining_amount(app, make, match, coordinator):
    book(make, match, coordinator, "2400.00")
    with pytest.raises(FundingError) as refused:
        book(make, match, coordinator, "100.01")
    assert refused.value.message == "This payment exceeds the remaining budget of {left}."
    with app.test_request_context():
        assert "100,00 €" in str(refused.value.message).replace("\xa0", " ")
    assert refused.value.field == "amount"
    assert totals(app, match.id)["paid"] == Decimal("2400.00")
    assert entries(app, match.id) == [("payment", Decimal("2400.00"))]
    # Exactly what remains can still be paid.
    book(make, match, coordinator, "100.00")
    assert totals(app, match.id)["remaining"] == Decimal("0.00")


def test_commitments_stay_within_the_budget(app, make, match, coordinator):
    book(make, match, coordinator, "1500.00", kind="commitment", purpose="Workshops")
    book(make, match, coordinator, "1000.00", kind="commitment", purpose="Honorar")
    with pytest.raises(FundingError) as refused:
        book(make, match, coordinator, "0.01", kind="commitment")
    assert refused.value.message == "This commitment exceeds the budget still free of {left}."
    with app.test_request_context():
        assert "0,00 €" in str(refused.value.message).replace("\xa0", " ")
    balance = totals(app, match.id)
    assert (balance["committed"], balance["paid"], balance["remaining"]) == (
        Decimal("2500.00"),
        Decimal("0.00"),
        Decimal("2500.00"),
    )


def test_a_correction_takes_an_entry_back_but_never_below_zero(app, make, match, coordinator):
    book(make, match, coordinator, "100.00")
    book(make, match, coordinator, "-40.00", purpose="Storno: Teilbetrag zurück")
    assert totals(app, match.id)["paid"] == Decimal("60.00")
    with pytest.raises(FundingError) as refused:
        book(make, match, coordinator, "-60.01", purpose="Storno")
    assert refused.value.message == "A correction cannot take the total below zero."
    book(make, match, coordinator, "-60.00", purpose="Storno: Rest")
    assert totals(app, match.id)["paid"] == Decimal("0.00")
    assert [amount for _, amount in entries(app, match.id)] == [
        Decimal("100.00"),
        Decimal("-40.00"),
        Decimal("-60.00"),
    ]


@pytest.mark.parametrize(
    "amount,message",
    [
        ("0", "The amount must not be zero."),
        ("0.00", "The amount must not be zero."),
        ("0.001", "Not a valid amount."),
        ("12.345", "Not a valid amount."),
        ("NaN", "Not a valid amount."),
        ("Infinity", "Not a valid amount."),
    ],
)
def test_amounts_that_are_no_cents_are_refused(app, make, match, coordinator, amount, message):
    with pytest.raises(FundingError) as refused:
        book(make, match, coordinator, amount)
    assert refused.value.message == message
    assert entries(app, match.id) == []
    assert totals(app, match.id)["paid"] == Decimal("0.00")


def test_a_discontinued_match_takes_no_new_money_but_corrections(app, make, match, coordinator):
    book(make, match, coordinator, "300.00")
    with make.inside(REGION):
        services.change_status(services.get_match(match.id), MatchStatus.DISCONTINUED)
        db.session.commit()
    with pytest.raises(FundingError) as refused:
        book(make, match, coordinator, "10.00")
    assert refused.value.message == "This match was discontinued: no new money can be booked."
    book(make, match, coordinator, "-300.00", purpose="Rückforderung")
    assert totals(app, match.id)["paid"] == Decimal("0.00")


def test_a_receipt_must_belong_to_the_same_match(app, make, match, coordinator):
    other = make.match(REGION, title="Anderes Team")
    receipt = make.document(other, filename="Beleg.pdf", is_receipt=True)
    with pytest.raises(FundingError) as refused:
        make.ledger_entry(match, amount="50.00", receipt=receipt)
    assert refused.value.message == "The receipt belongs to another match."
    own = make.document(match, filename="Beleg.pdf", is_receipt=True)
    entry = make.ledger_entry(match, amount="50.00", receipt=own)
    with app.app_context(), all_regions():
        assert db.session.get(LedgerEntry, entry.id).receipt.filename == "Beleg.pdf"


def test_the_budget_is_the_cohorts_funding_when_the_match_is_made(app, make):
    cohort = make.cohort(name="CIMIS II 2026/27", funding="2500.00")
    earlier = make.match(REGION, cohort)
    with app.app_context():
        the_cohort = db.session.get(Cohort, cohort.id)
        cohorts.save_cohort(
            the_cohort,
            {
                "name": the_cohort.name,
                "starts_on": the_cohort.starts_on,
                "ends_on": the_cohort.ends_on,
                "funding_per_match": Decimal("3000.00"),
            },
        )
        db.session.commit()
    later = make.match(REGION, cohort)
    assert totals(app, earlier.id)["budget"] == Decimal("2500.00")
    assert totals(app, later.id)["budget"] == Decimal("3000.00")


# -- payments under concurrency ---------------------------------------------------------------------------


def _pay_naively(match_id: int, cents: int, by_id: int) -> None:
    """The read-check-write a ledger must not do: check the total read before, then write a new total."""
    match = db.session.get(Match, match_id)
    db.session.refresh(match)
    if match.paid_cents + cents > match.budget_cents:
        raise FundingError("This payment exceeds the remaining budget of {left}.", "amount")
    match.paid_cents += cents  # computed in Python from what was read: the last writer wins
    db.session.add(
        LedgerEntry(
            match_id=match_id,
            kind=LedgerKind.PAYMENT,
            booked_on=date.today(),
            amount_cents=cents,
            purpose="Honorar",
            by_id=by_id,
        )
    )
    db.session.flush()


def _pay_many(
    database_url: str, region_id: int, by_id: int, runs: list[tuple[int, int, bool]], barrier
) -> list[list[str]]:
    """One worker process: its own app and connections; for each run (match, payments, naive?) it waits for
    the others, then books 100.00 € payments as fast as it can."""
    from hub import create_app
    from tests.conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    outcomes: list[list[str]] = []
    with app.app_context(), app.test_request_context():
        for match_id, payments, naive in runs:
            outcomes.append([])
            barrier.wait(timeout=30)  # a worker that failed to start breaks the barrier instead of hanging
            for _ in range(payments):
                with region_scope(region_id):

                    def work(match_id=match_id, naive=naive):
                        if naive:
                            return _pay_naively(match_id, 10000, by_id)
                        return funding.add_entry(
                            db.session.get(Match, match_id),
                            LedgerKind.PAYMENT,
                            Decimal("100.00"),
                            booked_on=date.today(),
                            purpose="Honorar",
                            by=db.session.get(User, by_id),
                        )

                    try:
                        in_transaction(work)
                        outcomes[-1].append("booked")
                    except FundingError:
                        db.session.rollback()
                        outcomes[-1].append("refused")
        db.engine.dispose()
    return outcomes


@pytest.fixture(scope="module")
def race(app):
    """Four processes pay 100.00 € at once, ten times each, into a match with 2,500.00 € through the ledger; then
    the same processes, on the same start signal, into a second such match through the naive read-check-write.

    Run once for the module (starting processes is the slow part); returns, per ledger, the outcomes and what
    the database holds afterwards.
    """
    from hub.core.tenancy.models import Region
    from tests.factories import Factory

    with app.app_context():
        found = {r.slug: r for r in db.session.scalars(select(Region))}
        db.session.expunge_all()
    make = Factory(app, found)
    cohort = make.cohort(funding="2500.00")
    ledger, naive = make.match(REGION, cohort), make.match(REGION, cohort)
    by = make.coordinator(REGION)
    workers = 4
    runs = [(ledger.id, 10, False), (naive.id, 10, True)]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(workers)
        with context.Pool(workers) as pool:
            results = pool.starmap_async(
                _pay_many,
                [(app.config["SQLALCHEMY_DATABASE_URI"], found[REGION].id, by.id, runs, barrier)] * workers,
            ).get(timeout=180)
    outcome = {}
    for n, (name, made) in enumerate((("ledger", ledger), ("naive", naive))):
        with app.app_context(), all_regions():
            rows, cents = db.session.execute(
                select(func.count(), func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                    LedgerEntry.match_id == made.id
                )
            ).one()
            stored = funding.balance(db.session.get(Match, made.id))
        outcome[name] = {
            "outcomes": [o for worker in results for o in worker[n]],
            "rows": rows,
            "paid_out": Decimal(cents) / 100,
            **stored,
        }
    return outcome


@pytest.mark.slow
@pytest.mark.processes
def test_40_simultaneous_payments_from_4_processes_never_overdraw_the_budget(race):
    run = race["ledger"]
    assert run["outcomes"].count("booked") == 25 and run["outcomes"].count("refused") == 15
    assert run["rows"] == 25 and run["paid_out"] == Decimal("2500.00")
    assert (run["paid"], run["remaining"]) == (Decimal("2500.00"), Decimal("0.00"))


@pytest.mark.slow
@pytest.mark.processes
def test_the_same_load_overdraws_a_naive_read_check_write_ledger(race):
    """The control: the harness does race, so a ledger that checks what it read before writing fails under it."""
    run = race["naive"]
    booked = run["outcomes"].count("booked")
    # More payments "succeed" than the budget allows, and the stored total no longer matches the entries.
    assert run["paid_out"] > Decimal("2500.00"), f"no overdraw: {booked} of {run['rows']} payments booked"
    assert booked > 25 and run["paid"] < run["paid_out"]
