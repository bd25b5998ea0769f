"""The server-rendered interface: navigation per role, region switcher, colours, offline assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub import create_app
from tests.conftest import TEST_CONFIG

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [p for d in ("hub", "regions", "shared") for p in (ROOT / d).rglob("templates/**/*.html")]
EXTERNAL_URL = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//""", re.I)


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 10


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_load_nothing_from_other_hosts_and_have_no_inline_code(template):
    source = template.read_text(encoding="utf-8")
    assert not EXTERNAL_URL.search(source), "assets must be served locally"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), "no inline scripts (CSP)"
    assert not re.search(r"""\sstyle\s*=\s*["']""", source), "no inline styles (CSP)"
    assert "<style" not in source


def test_stylesheet_and_region_colours_are_served_locally(client):
    assert client.get("/static/css/hub.css").status_code == 200
    css = client.get("/regions.css").get_data(as_text=True)
    assert ".region-erzgebirge{--accent:#2e6b4f}" in css
    assert ".region-meissen{" in css and ".region-lausitz{" in css and ".region-dresden{" in css


def test_region_pages_carry_their_colour(client):
    page = client.get("/lausitz/").get_data(as_text=True)
    assert 'class="region-lausitz"' in page
    assert "Kreative Lausitz" in page


def test_visitors_see_the_four_networks_and_a_login_link(client):
    page = client.get("/").get_data(as_text=True)
    for name in ("Erzgebirge", "Meißen", "Lausitz", "Dresden"):
        assert name in page
    assert 'href="/login"' in page
    assert "Mitglieder" not in page


def test_coordinator_navigation_shows_the_member_management(client, auth, make):
    coordinator = make.coordinator("meissen")
    auth.login(coordinator)
    page = client.get("/meissen/").get_data(as_text=True)
    assert 'href="/meissen/members/"' in page
    assert 'href="/admin/outbox"' not in page and 'href="/umbrella"' not in page


def test_participant_navigation_has_no_member_management(client, auth, make):
    participant = make.participant("meissen")
    auth.login(participant)
    page = client.get("/meissen/").get_data(as_text=True)
    assert 'href="/meissen/members/"' not in page
    assert "Ihre Rolle hier: Teilnehmende:r" in page


def test_umbrella_and_admin_navigation(client, auth, make):
    auth.login(make.umbrella())
    page = client.get("/").get_data(as_text=True)
    assert 'href="/umbrella"' in page and 'href="/admin/outbox"' not in page
    auth.logout()
    auth.login(make.admin())
    page = client.get("/").get_data(as_text=True)
    assert 'href="/umbrella"' in page and 'href="/admin/outbox"' in page


def test_people_in_several_regions_get_a_region_switcher(client, auth, make, app):
    person = make.participant("dresden")
    from hub.accounts.models import User
    from hub.accounts.services import grant_role
    from hub.core.db import db
    from hub.core.roles import Role
    from hub.core.tenancy import all_regions
    from hub.core.tenancy.models import Region

    with app.app_context(), all_regions():
        user = db.session.get(User, person.id)
        grant_role(user, Role.PARTICIPANT, db.session.query(Region).filter_by(slug="lausitz").one())
        db.session.commit()
    auth.login(person)
    page = client.get("/dresden/").get_data(as_text=True)
    assert "Region wechseln" in page
    assert 'href="/lausitz/"' in page and 'href="/dresden/"' in page


def test_single_region_participants_get_no_switcher(client, auth, make):
    auth.login(make.participant("dresden"))
    assert "Region wechseln" not in client.get("/dresden/").get_data(as_text=True)


def test_umbrella_overview_counts_members_per_region(client, auth, make):
    make.coordinator("lausitz")
    make.participant("lausitz")
    make.participant("lausitz")
    make.participant("dresden")
    auth.login(make.umbrella())
    page = client.get("/umbrella").get_data(as_text=True).split("<main", 1)[1]  # the menu lists the regions too
    row = re.search(r'<a [^>]*href="/lausitz/">Lausitz</a>.*?</tr>', page, re.S).group(0)
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', row) == ["1", "2"]


def test_umbrella_overview_is_not_for_coordinators(client, auth, make):
    auth.login(make.coordinator("lausitz"))
    assert client.get("/umbrella").status_code == 403


def test_unknown_region_answers_404(client):
    assert client.get("/atlantis/").status_code == 404


@pytest.mark.parametrize("lang,text", [("de", "Etwas ist schiefgelaufen"), ("en", "Something went wrong")])
def test_unexpected_errors_answer_a_500_page_in_the_users_language(lang, text, tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})

    @app.get("/boom")
    def boom():
        raise RuntimeError("internal detail 4711")

    client = app.test_client()
    client.post("/language", data={"lang": lang})
    response = client.get("/boom")
    assert response.status_code == 500
    assert text in response.get_data(as_text=True)
    assert "internal detail 4711" not in response.get_data(as_text=True)


def test_unexpected_api_errors_answer_json(tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json()["code"] == 500


def test_scripts_are_small_files_of_the_hub_itself(client):
    """Pages work without JavaScript; where a script helps (closing the menu, copy buttons) it is a file
    of the hub's static folder loaded with defer, never inline and never from elsewhere."""
    script = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)
    for template in TEMPLATES:
        if "api/docs.html" in str(template):
            continue  # the interactive API documentation is Swagger UI (served locally), with a <noscript> link
        for attributes, body in script.findall(template.read_text(encoding="utf-8")):
            assert "url_for('static'" in attributes and "defer" in attributes, (template, attributes)
            assert not body.strip(), template
