"""`make screenshots`: PNGs of the hub's main pages per role, on a phone (360 × 800) and a desktop (1280 × 800).

    .venv/bin/python -m tests.browser.screenshots [folder]   # default docs/screenshots; --full-page for whole pages

Loads the demo network (hub/core/demo.py, the README's demo logins) into a throw-away SQLite database, serves it
on a free loopback port, logs each role in with Debian's Chromium (tests/browser/harness.py) and writes
`<role>-<page>-<phone|desktop>.png`, e.g. participant-home-phone.png. Nothing comes from the internet. Pages
whose feature is not there (yet) are left out with a line saying so.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from flask import url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from tests.browser import harness

HOME = "erzgebirge"
LOGINS = {  # the README's demo logins
    "visitor": None,
    "participant": "alte-brauerei@cimis-hub.example",
    "coordinator": f"koordination.{HOME}@cimis-hub.example",
    "umbrella": "dachprojekt@cimis-hub.example",
}


def _demo_app(folder: Path):
    from flask_migrate import upgrade

    from hub import create_app
    from hub.core.demo import load_demo

    app = create_app(
        {
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite3'}",
            "INSTANCE_PATH": str(folder),
            "MAIL_SERVER": "",
            "PASSWORD_HASH_PROFILE": "cheapest",
        }
    )
    with app.app_context():
        upgrade()
        load_demo()
    return app


def _pages(app) -> dict[str, list[tuple[str, str, dict]]]:
    """(name, endpoint, values) per role; ids are looked up in the demo data."""
    from hub.accounts.models import User
    from hub.core.db import db
    from hub.core.tenancy import all_regions
    from regions.matches.models import Match, MatchMember
    from regions.profiles.models import Profile
    from regions.speeddating.models import SessionParticipant

    with app.app_context(), all_regions():
        participant = db.session.scalar(select(User).where(User.email == LOGINS["participant"]))
        profile_ids = select(Profile.id).where(Profile.user_id == participant.id)
        match_id = db.session.scalar(
            select(Match.id).join(MatchMember).where(MatchMember.profile_id.in_(profile_ids)).order_by(Match.id)
        )
        place = db.session.scalar(
            select(SessionParticipant)
            .where(SessionParticipant.profile_id.in_(profile_ids))
            .order_by(SessionParticipant.id)
        )
        rating = (
            ("rating", "region.speeddating.participation", {"region": HOME, "participant_id": place.id})
            if place
            else None
        )
        session_id = place.session_id if place else None
        network = _network_pages(participant.id)
    match = ("match", "region.matches.show", {"region": HOME, "match_id": match_id}) if match_id else None
    return {
        "visitor": [
            ("home", "core.index", {}),
            ("calendar", "calendar.index", {}),
            ("network", "network.index", {}),
            ("request-access", "region.access.ask", {"region": HOME}),
            ("login", "accounts.login", {}),
        ],
        "participant": [
            ("home", "core.index", {}),
            ("region", "region.home.index", {"region": HOME}),
            ("directory", "directory.index", {}),
            ("profile", "region.profiles.own", {"region": HOME}),
            ("speed-dating", "region.speeddating.index", {"region": HOME}),
            *filter(None, [rating, match]),
            ("calendar-subscribe", "calendar_feeds.subscribe", {}),
            ("contacts", "contacts.contact_list", {}),
            *network["participant"],
        ],
        "coordinator": [
            ("home", "core.index", {}),
            ("dashboard", "reports.region_dashboard", {"region": HOME}),
            ("members", "region.members.index", {"region": HOME}),
            ("events", "region.events.index", {"region": HOME}),
            ("matches", "region.matches.index", {"region": HOME}),
            *([("match", *match[1:])] if match else []),
            *(
                [("speed-dating", "region.speeddating.show", {"region": HOME, "session_id": session_id})]
                if session_id
                else []
            ),
            *network["coordinator"],
        ],
        "umbrella": [
            ("home", "core.index", {}),
            ("regions", "core.umbrella", {}),
            ("dashboard", "reports.umbrella_dashboard", {}),
        ],
    }


def _network_pages(user_id: int) -> dict[str, list[tuple[str, str, dict]]]:
    """The pages of issue 18 (conversations, meetings at events, saved searches) on the demo's data: the
    participant's conversation and the network event with meetings (shared/*/demo.py)."""
    from hub.core.db import db
    from regions.events.models import Event
    from shared.conversations.models import ConversationMember
    from shared.meetings.models import MeetingSetup

    conversation = db.session.scalar(
        select(ConversationMember.conversation_id)
        .where(ConversationMember.user_id == user_id)
        .order_by(ConversationMember.conversation_id)
    )
    event_id = db.session.scalar(
        select(Event.id).join(MeetingSetup, MeetingSetup.event_id == Event.id).order_by(Event.id)
    )
    participant = [
        ("messages", "conversations.index", {}),
        *([("conversation", "conversations.thread", {"conversation_id": conversation})] if conversation else []),
        *([("event-meetings", "meetings.event_meetings", {"event_id": event_id})] if event_id else []),
        ("my-meetings", "meetings.mine", {}),
        ("directory-search", "directory.index", {"q": "Holz"}),
        ("saved-searches", "saved_searches.index", {}),
    ]
    coordinator = [
        *([("meeting-setup", "region_meetings.setup", {"region": HOME, "event_id": event_id})] if event_id else []),
        ("conversation-reports", "region.conversation_reports.index_reports", {"region": HOME}),
    ]
    return {"participant": participant, "coordinator": coordinator}


def take(out: Path, full_page: bool = False) -> list[Path]:
    from hub.core.demo import DEMO_PASSWORD

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="hub-screenshots-") as tmp:
        print("loading the demo network …", flush=True)
        app = _demo_app(Path(tmp))
        pages = _pages(app)
        with harness.serve(app) as base, harness.chromium() as browser:
            for role, wanted in pages.items():
                for width in (harness.PHONE, harness.DESKTOP):
                    tab = harness.Tab(
                        browser, base, width, password=DEMO_PASSWORD, scale=2 if width == harness.PHONE else 1
                    )
                    try:
                        if LOGINS[role]:
                            tab.login(LOGINS[role])
                        for name, endpoint, values in wanted:
                            try:
                                with app.test_request_context():
                                    path = url_for(endpoint, **values)
                            except BuildError:
                                print(f"  left out {role}-{name}: {endpoint} does not exist (yet)")
                                continue
                            response = tab.page.goto(base + path, wait_until="load")
                            if response is None or response.status != 200:
                                print(f"  left out {role}-{name}: {path} answered {response and response.status}")
                                continue
                            target = out / f"{role}-{name}-{width}.png"
                            tab.page.screenshot(path=str(target), full_page=full_page)
                            written.append(target)
                            print(f"  {target}")
                    finally:
                        tab.close()
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="docs/screenshots")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    args = parser.parse_args(argv)
    if not shutil.which(harness.CHROMIUM) or harness.sync_playwright is None:
        print(
            "make screenshots needs Debian's chromium (/usr/bin/chromium) and Playwright (make setup)", file=sys.stderr
        )
        return 1
    written = take(Path(args.folder), full_page=args.full_page)
    print(f"{len(written)} screenshots in {args.folder}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
