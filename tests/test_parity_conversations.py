"""Conversations through the page and through the API: the same cases end the same way and store the same
(shared/conversations/actions.py).

Lars (Dresden) asked Erika (Erzgebirge) for contact and she accepted; he wrote her one message. Theo is a
third person, in contact with nobody; the umbrella changes nothing. Cases: allowed, forbidden (a third
person: 404; a blocked conversation or a request not accepted yet: 403), bad input, conflict.

When Erika reports Lars, the report is Dresden's (the reported person's region): Dresden's coordination lists
and closes it; Lars himself and the umbrella may not (403, as the pages); for Erzgebirge's coordination it does
not exist (404); a report closed already is a conflict (409) both ways.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.core.db import db
from hub.core.tenancy import all_regions
from tests.parity import CONFLICT, FORBIDDEN, NOT_FOUND, Case, UseCase, check_parity, refused

HELLO = "Hallo Erika, passt Ihnen Donnerstag?"
REASON = "Er schreibt mir unfreundliche Dinge."


def talking(make) -> dict:
    lars = make.person("dresden", name="Lars Festival", visibility="network")
    erika = make.person("erzgebirge", name="Erika Holzbau", visibility="network")
    world = {
        "lars": lars,
        "erika": erika,
        "theo": make.person("erzgebirge", name="Theo Dritter", visibility="network"),
        "umbrella": make.umbrella(name="Dachprojekt"),
    }
    world["talk"] = make.conversation(lars, erika, (lars.owner, "Guten Tag!"))
    return world


def blocked_by_erika(make) -> dict:
    world = talking(make)
    from hub.accounts.models import User
    from shared.conversations import services

    with make.app.app_context(), all_regions():
        thread = services.thread_of(db.session.get(User, world["erika"].owner.id), world["talk"].id)
        services.block(thread)
        db.session.commit()
    return world


def reported_by_erika(make) -> dict:
    world = talking(make)
    make.conversation_report(world["talk"], world["erika"].owner, reason=REASON)
    return world


def reported_to_dresden(make) -> dict:
    """Erika reported Lars: the report is with Lars's coordination (Dresden)."""
    world = reported_by_erika(make)
    world["coord_dd"] = make.coordinator("dresden", name="Koordination Dresden")
    world["coord_erz"] = make.coordinator("erzgebirge", name="Koordination Erzgebirge")
    with make.app.app_context(), all_regions(read_only=True):
        from shared.conversations.models import ConversationReport

        world["report"] = db.session.scalar(select(ConversationReport.id))
    return world


def closed_by_dresden(make) -> dict:
    world = reported_to_dresden(make)
    from hub.accounts.models import User
    from shared.conversations import services
    from shared.conversations.models import ConversationReport

    with make.app.app_context(), all_regions():
        services.close_report(
            db.session.get(ConversationReport, world["report"]), db.session.get(User, world["coord_dd"].id)
        )
        db.session.commit()
    return world


def only_asked(make) -> dict:
    """Lars asked, Erika has not answered yet: no conversation."""
    lars = make.person("dresden", name="Lars Festival", visibility="network")
    erika = make.person("erzgebirge", name="Erika Holzbau", visibility="network")
    return {"lars": lars, "erika": erika, "request": make.contact_request(lars, erika)}


def stored(app, world) -> dict:
    """Messages by author, each side's state (read all, blocked, e-mail waiting), reports, mails, conversations."""
    from hub.core.mail.models import OutboxMessage
    from shared.conversations.models import Conversation, ConversationMember, ConversationReport, Message

    with app.app_context(), all_regions(read_only=True):
        newest = db.session.scalar(select(func.max(Message.id))) or 0
        members = db.session.scalars(select(ConversationMember)).all()
        return {
            "conversations": db.session.scalar(select(func.count()).select_from(Conversation)),
            "messages": [
                (next(m.profile.display_name for m in members if m.user_id == msg.sender_user_id), msg.body)
                for msg in db.session.scalars(select(Message).order_by(Message.id))
            ],
            "members": sorted(
                (m.profile.display_name, m.read_upto >= newest, m.blocked_at is not None, m.mail_waiting)
                for m in members
            ),
            "reports": sorted(
                (r.reporter_profile.display_name, r.reported_profile.display_name, r.reason, r.handled_at is None)
                for r in db.session.scalars(select(ConversationReport))
            ),
            "mails": sorted(db.session.scalars(select(OutboxMessage.topic))),
        }


def on_thread(way: str, world=talking, *, confirmed: bool = False) -> UseCase:
    path = {"send": "messages", "report": "report"}.get(way, way)
    api_path = {"send": "messages", "report": "reports"}.get(way, way)
    return UseCase(
        world=world,
        page=lambda w, values: f"/conversations/{w['talk'].id}/{path}",
        api=lambda w, values: f"/api/v1/conversations/{w['talk'].id}/{api_path}",
        snapshot=stored,
        confirmed=confirmed,
    )


@pytest.mark.parametrize(
    ("use", "case"),
    [
        (on_thread("send"), Case("Lars writes", "lars", {"body": HELLO})),
        (on_thread("send"), Case("Erika answers", "erika", {"body": "Ja, gern!\nBis dann."})),
        (on_thread("send"), Case("an empty message", "lars", {"body": "   "}, refused("body"))),
        (on_thread("send"), Case("a message too long", "lars", {"body": "x" * 2001}, refused("body"))),
        (on_thread("send"), Case("a third person", "theo", {"body": HELLO}, NOT_FOUND)),
        (on_thread("send"), Case("the umbrella", "umbrella", {"body": HELLO}, FORBIDDEN)),
        (on_thread("send", blocked_by_erika), Case("the blocked person", "lars", {"body": HELLO}, FORBIDDEN)),
        (on_thread("send", blocked_by_erika), Case("the one who blocked", "erika", {"body": HELLO}, FORBIDDEN)),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else "",
)
def test_writing(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


@pytest.mark.parametrize(
    ("use", "case"),
    [
        (on_thread("read"), Case("Erika reads", "erika")),
        (on_thread("read"), Case("a third person", "theo", expect=NOT_FOUND)),
        (on_thread("block", confirmed=True), Case("Erika blocks Lars", "erika")),
        (on_thread("block", blocked_by_erika, confirmed=True), Case("blocked already", "erika", expect=CONFLICT)),
        (on_thread("block", confirmed=True), Case("a third person blocks", "theo", expect=NOT_FOUND)),
        (on_thread("unblock", blocked_by_erika), Case("Erika unblocks", "erika")),
        (on_thread("unblock", blocked_by_erika), Case("the blocked one cannot unblock", "lars", expect=CONFLICT)),
        (on_thread("unblock"), Case("nothing to unblock", "erika", expect=CONFLICT)),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else "",
)
def test_reading_and_blocking(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


@pytest.mark.parametrize(
    ("use", "case"),
    [
        (on_thread("report"), Case("Erika reports Lars", "erika", {"reason": REASON})),
        (on_thread("report"), Case("a reason too short", "erika", {"reason": "doof"}, refused("reason"))),
        (on_thread("report"), Case("no reason", "erika", {}, refused("reason"))),
        (on_thread("report", reported_by_erika), Case("reported already", "erika", {"reason": REASON}, CONFLICT)),
        (on_thread("report"), Case("a third person", "theo", {"reason": REASON}, NOT_FOUND)),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else "",
)
def test_reporting(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


def start(world=talking) -> UseCase:
    def contact(w):
        return w["talk"].extra if "talk" in w else w["request"].id

    return UseCase(
        world=world,
        page=lambda w, values: f"/contacts/{contact(w)}/conversation",
        api=lambda w, values: f"/api/v1/contact-requests/{contact(w)}/conversation",
        snapshot=stored,
    )


@pytest.mark.parametrize(
    ("use", "case"),
    [
        (start(), Case("the contact's conversation, found again", "lars")),
        (start(only_asked), Case("before the acceptance", "lars", expect=FORBIDDEN)),
        (start(only_asked), Case("the addressee before answering", "erika", expect=FORBIDDEN)),
        (start(), Case("a third person", "theo", expect=NOT_FOUND)),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else "",
)
def test_starting_from_an_accepted_contact(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


def reports_stored(app, world) -> dict:
    """What ``stored`` reads, and who closed each report."""
    from hub.accounts.models import User
    from shared.conversations.models import ConversationReport

    with app.app_context(), all_regions(read_only=True):
        closers = sorted(
            db.session.get(User, r.handled_by_user_id).name
            for r in db.session.scalars(select(ConversationReport))
            if r.handled_by_user_id
        )
    return {**stored(app, world), "closed by": closers}


def close_report(world=reported_to_dresden, region: str = "dresden") -> UseCase:
    return UseCase(
        world=world,
        page=lambda w, values: f"/{region}/conversation-reports/{w['report']}/close",
        api=lambda w, values: f"/api/v1/regions/{region}/conversation-reports/{w['report']}/close",
        snapshot=reports_stored,
    )


@pytest.mark.parametrize(
    ("use", "case"),
    [
        (close_report(), Case("the reported person's coordination closes it", "coord_dd")),
        (close_report(closed_by_dresden), Case("closed already", "coord_dd", expect=CONFLICT)),
        (close_report(), Case("the reported person himself", "lars", expect=FORBIDDEN)),
        (close_report(), Case("the umbrella's review does not handle reports", "umbrella", expect=FORBIDDEN)),
        (
            close_report(region="erzgebirge"),
            Case("the reporter's coordination: another region's report", "coord_erz", expect=NOT_FOUND),
        ),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else "",
)
def test_closing_a_report(app, regions, client, use, case):
    check_parity(app, regions, client, use, case)


def test_the_coordination_reads_the_same_reports_both_ways(app, make, client, auth):
    """The list through the API names what the page shows (who reported whom, why, open), never a message; the
    reporter's coordination gets an empty list, the reported person and the umbrella 403."""
    world = reported_to_dresden(make)

    def api(person, region="dresden"):
        headers = {"Authorization": f"Bearer {make.access_token(person).extra}"}
        return client.get(f"/api/v1/regions/{region}/conversation-reports", headers=headers)

    answer = api(world["coord_dd"])
    assert answer.status_code == 200
    [report] = answer.get_json()
    assert (report["reported"]["name"], report["reporter"]["name"], report["reporter"]["region"]) == (
        "Lars Festival",
        "Erika Holzbau",
        "erzgebirge",
    )
    assert (report["reason"], report["handled"], report["handled_at"]) == (REASON, False, None)
    assert "Guten Tag" not in answer.get_data(as_text=True)
    auth.login(world["coord_dd"])
    page = client.get("/dresden/conversation-reports/").get_data(as_text=True)
    assert all(text in page for text in ("Lars Festival", "Erika Holzbau", REASON))
    client.post("/logout")

    assert api(world["coord_erz"], "erzgebirge").get_json() == []
    assert api(world["lars"].owner).status_code == 403
    assert api(world["umbrella"]).status_code == 403
