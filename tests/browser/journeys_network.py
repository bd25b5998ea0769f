"""The browser journey of issue 18: a participant finds a person of another region in the shared directory,
asks for contact, the two write in their conversation (the unread badge in the header leads there), and meet at
a network event of one region with meetings switched on; the meeting then shows on both people's "Meine Treffen"
and home. A journey over a `Run` like those of tests/browser/journeys.py, which imports this module to register it.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.browser.journeys import HOME, OTHER, Run, journey

# -- issue 18: find someone of another region → contact → conversation → a meeting at a network event -----


@journey(
    "network",
    pages=(
        "seeker-directory-results",
        "seeker-directory-profile",
        "found-contacts",
        "found-conversation",
        "seeker-conversations",
        "seeker-thread",
        "seeker-event-meetings",
        "found-my-meetings",
        "seeker-my-meetings",
        "seeker-home",
    ),
)
def network_and_meet(run: Run) -> None:
    from shared.conversations.models import Message
    from shared.meetings.models import EventMeeting

    make = run.make
    seeker = make.person(
        HOME, "organisation", name="Soziokulturelles Zentrum Alte Brauerei", visibility="network", town="Annaberg"
    )
    found = make.person(
        OTHER,
        "creative",
        name="Porzellanmalerei Elbtal",
        visibility="network",
        town="Meißen",
        offer_tags=["Porzellanmalerei", "Workshops"],
        pitch="Wir bemalen Porzellan von Hand und geben Workshops für Gruppen.",
    )
    fair = make.event(HOME, title="Netzwerkbörse Kreativwirtschaft", audience="network", hours=3)
    make.meeting_setup(fair, tables=2, places=("Foyer",), minutes=20)

    # the seeker finds the person of Meißen in the shared directory and asks for contact
    mine = run.tab(seeker.email)
    mine.open(run.url("directory.index"))
    search = mine.page.locator("main form[role=search], main form:has([name=q])").first
    search.locator("[name=q]").fill("Porzellanmalerei")
    mine.submit(search)
    run.look(mine, "seeker-directory-results")
    mine.tap(mine.page.get_by_role("link", name=found.name).first)
    assert mine.path == run.url("directory.profile", profile_id=found.id), mine.path
    run.look(mine, "seeker-directory-profile")
    ask = mine.form("/contact")
    ask.locator("[name=message]").fill("Guten Tag, wir planen einen Porzellan-Workshop in der Alte Brauerei.")
    mine.submit(ask)

    # the person of Meißen accepts on the contacts page and writes the first message
    theirs = run.tab(found.email)
    theirs.open(run.url("contacts.contact_list"))
    run.look(theirs, "found-contacts")
    theirs.submit_confirmed("/accept")
    theirs.submit(theirs.form("/conversation"))
    assert theirs.path.startswith("/conversations/"), theirs.path
    run.look(theirs, "found-conversation")
    write = theirs.form("/messages")
    write.locator("[name=body]").fill("Gern! Wann passt es Ihnen? Wir sind auf der Netzwerkbörse in Annaberg.")
    theirs.submit(write)

    # the seeker sees the unread message in the header, opens the thread and answers
    mine.open("/")
    badge = mine.page.locator("a:not(main a):has(.unread-messages):visible")
    assert badge.count(), "no unread badge in the header or the tab bar"
    assert badge.first.locator(".unread-messages [aria-hidden=true]").inner_text() == "1"
    mine.tap(badge.first)  # the badge sits on "Contacts"; the contacts page leads on to the messages
    assert mine.path == run.url("contacts.contact_list"), mine.path
    mine.follow(run.url("conversations.index"))
    run.look(mine, "seeker-conversations")
    mine.tap(mine.page.get_by_role("link", name=found.name).first)
    assert mine.path.startswith("/conversations/"), mine.path
    assert "Netzwerkbörse" in mine.text()
    run.look(mine, "seeker-thread")
    answer = mine.form("/messages")
    answer.locator("[name=body]").fill("Dann treffen wir uns dort – ich schlage einen Tisch vor.")
    mine.submit(answer)
    assert len(run.scalars(select(Message))) == 2

    # both are registered for the network event; the seeker proposes a meeting, the other accepts
    make.registration(fair, seeker.owner)
    make.registration(fair, found.owner)
    mine.open(run.url("meetings.event_meetings", event_id=fair.id))
    mine.follow(f"with={found.id}#propose")
    run.look(mine, "seeker-event-meetings")
    slot = mine.page.locator("#propose form").first
    slot.locator("[name=place]").select_option("Tisch 2")
    slot.locator("summary").click()  # the note is folded away until asked for
    slot.locator("[name=note]").fill("Zum Porzellan-Workshop")
    mine.submit(slot)
    assert not mine.page.locator("main .form-errors").count(), mine.text()

    theirs.open(run.url("meetings.mine"))
    theirs.submit(theirs.form("/accept"))
    run.look(theirs, "found-my-meetings")
    statuses = [(m.place, m.note, m.status.value) for m in run.scalars(select(EventMeeting))]
    assert statuses == [("Tisch 2", "Zum Porzellan-Workshop", "accepted")], statuses
    assert "Soziokulturelles Zentrum Alte Brauerei" in theirs.text()

    mine.open(run.url("meetings.mine"))
    assert found.name in mine.text() and "Tisch 2" in mine.text(), mine.text()
    run.look(mine, "seeker-my-meetings")
    mine.open("/")
    assert found.name in mine.text(), "the meeting is not on the seeker's home"
    run.look(mine, "seeker-home")
    theirs.open("/")
    assert seeker.name in theirs.text(), "the meeting is not on the home of the person of Meißen"
