"""The isolation suite, generated from ``app.url_map``.

For every route and method, pointed at data of another region:
- a coordinator or participant of Erzgebirge, or a visitor, gets 401/403/404 (or the login page),
  never the other region's data in the body, and the database does not change;
- the umbrella role changes nothing anywhere (403), but reads every region;
- a positive control shows the same route works for the other region's own coordinator, so the
  refusals above are the wall's doing and not a broken route.

A new route is covered without editing this file: URL arguments are filled from ``SAMPLES`` in
tests/factories.py (one factory per kind of object). A route that cannot be covered is listed in
UNCOVERED with its reason; an argument that is neither fails the suite.

Some 900 cases, a minute or two together: ``make test`` and CI run them, ``make test-fast`` leaves
them out (marked slow as a whole). Run them alone with ``.venv/bin/pytest tests/test_isolation.py``.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from hub import create_app
from hub.core.db import db
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD, SAMPLES
from tests.rows import all_rows, typed_rows

pytestmark = pytest.mark.slow

HOME, FOREIGN = "erzgebirge", "meissen"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

UNCOVERED = {
    "static": "the hub's own CSS and JS files, the same for everyone",
    "api_docs.docs_asset": "Swagger UI's files from the swagger-ui-bundle package, the same for everyone",
    "accounts.accept_invitation": "the secret token in the URL is the credential; unknown, used and "
    "expired tokens answer 404 (tests/test_accounts.py)",
    "calendar_feeds.private_mine": "the secret feed token in the URL is the credential; unknown, revoked and "
    "API tokens answer 404 (tests/test_ics.py)",
    "calendar_feeds.private_network": "the secret feed token in the URL is the credential; unknown, revoked and "
    "API tokens answer 404 (tests/test_ics.py)",
    "accounts.reset_password": "the random token in the URL is the credential; unknown, older, used and expired "
    "tokens answer 404 (tests/test_accounts.py)",
    "notifications.unsubscribe": "the signed token in the e-mailed link is the credential; forged tokens answer 404 "
    "(tests/test_notifications.py)",
    "notifications.resubscribe": "the signed token in the e-mailed link is the credential "
    "(tests/test_notifications.py)",
    "notifications.unsubscribe_page": "the signed token in the e-mailed link is the credential; the page only "
    "offers the button, forged tokens answer 404 (tests/test_notifications.py)",
}

# URL arguments that name network-wide program data, the same object for every region: not "another
# region's object", so the suite fills them but does not expect them to be refused as foreign.
NETWORK_WIDE = {
    "cohort_id": "cohorts are the program's, not a region's: every signed-in person may read them, only admins "
    "change them (tests/test_matching_api.py, tests/test_matching_pages.py); a region's report of a cohort "
    "holds only that region's figures (tests/test_reports_pages.py)",
}

# Region pages that are not region data but the caller's own: the umbrella has none of them.
NOT_UMBRELLA_READS = {
    "region.profiles.own": "a member's own profile in the region; the umbrella holds no profiles",
    "api_profiles.OwnProfile": "a member's own profile in the region; the umbrella holds no profiles",
    "region.members.export": "a person's whole data on their request is for their coordination, not for the "
    "umbrella's review (tests/test_privacy.py)",
    "region.conversation_reports.index_reports": "reports about a person by their conversation partner are for "
    "the person's coordination only (tests/test_conversations.py)",
    "api_conversations.region_reports": "the same reports in the API: the person's coordination only "
    "(tests/test_parity_conversations.py)",
}

# State-changing routes that only touch the caller's own account: the umbrella may use them.
PERSONAL = {
    "accounts.logout": "ends the caller's own session",
    "accounts.set_language": "the caller's own interface language",
    "accounts.change_password": "the caller's own password",
    "accounts.create_token": "the caller's own API tokens",
    "accounts.revoke_token": "the caller's own API tokens",
    "accounts.end_session": "the caller's own login sessions (another person's answers 404: tests/test_sessions.py)",
    "accounts.end_all_sessions": "the caller's own login sessions",
    "accounts.two_factor_enable": "the caller's own second factor",
    "accounts.two_factor_disable": "the caller's own second factor",
    "accounts.two_factor_recovery_codes": "the caller's own recovery codes",
    "calendar_feeds.change_subscription": "the caller's own private calendar addresses",
    "notifications.mark_all_read": "the caller's own notifications",
    "notifications.save_settings": "the caller's own choice of e-mails",
    "api_notifications.mark_read": "the caller's own notifications",
    "api_notifications.patch_settings": "the caller's own choice of e-mails",
    "saved_searches.create": "the caller's own saved searches of the directory",
    "saved_searches.rename": "the caller's own saved searches (another person's answers 404)",
    "saved_searches.notice": "the caller's own saved searches (another person's answers 404)",
    "saved_searches.delete": "the caller's own saved searches (another person's answers 404)",
    "api_saved_searches.save_search": "the caller's own saved searches of the directory",
    "api_saved_searches.update_saved_search": "the caller's own saved searches (another person's answers 404)",
    "api_saved_searches.delete_saved_search": "the caller's own saved searches (another person's answers 404)",
    "notifications.unsubscribe": "the e-mailed link's own address (also listed in UNCOVERED)",
    "notifications.resubscribe": "the e-mailed link's own address (also listed in UNCOVERED)",
}


def _rules():
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app, sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


_APP, _RULES = _rules()


def _cases(predicate):
    out = []
    for rule in _RULES:
        if rule.endpoint in UNCOVERED:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if predicate(rule, method):
                out.append(pytest.param(rule.rule, rule.endpoint, method, id=f"{method} {rule.rule}"))
    return out


def _rule(endpoint: str):
    return next(r for r in _RULES if r.endpoint == endpoint)


def _object_args(rule) -> set[str]:
    return set(rule.arguments) - {"region"}


def _regional_args(rule) -> set[str]:
    """The arguments that name one region's objects."""
    return _object_args(rule) - set(NETWORK_WIDE)


def test_every_route_argument_can_be_filled():
    unknown = {
        f"{rule.endpoint}: <{arg}>"
        for rule in _RULES
        if rule.endpoint not in UNCOVERED
        for arg in _object_args(rule)
        if arg not in SAMPLES
    }
    assert not unknown, "register a sample in tests/factories.py or list the route in UNCOVERED: " + ", ".join(
        sorted(unknown)
    )


def test_personal_routes_are_exactly_the_views_marked_personal():
    marked = {ep for ep, view in _APP.view_functions.items() if getattr(view, "hub_personal", False)}
    assert marked == set(PERSONAL)


# -- helpers ----------------------------------------------------------------------------------------


class World:
    """Actors in the home region, and one sample of every kind in both regions."""

    def __init__(self, app, make):
        self.app = app
        self.make = make
        self.marker = {HOME: f"HOME{uuid.uuid4().hex[:8]}", FOREIGN: f"FOREIGN{uuid.uuid4().hex[:8]}"}
        self.actors = {
            "coordinator": make.coordinator(HOME),
            "participant": make.participant(HOME),
            "umbrella": make.umbrella(),
            "foreign_coordinator": make.coordinator(FOREIGN),
            "anonymous": None,
        }
        self.samples = {
            region: {arg: factory(make, region, self.marker[region]) for arg, factory in SAMPLES.items()}
            for region in (HOME, FOREIGN)
        }
        # The other region's coordinator keeps an own profile there, as members do.
        make.profile(FOREIGN, user=self.actors["foreign_coordinator"], name="Koordination mit Profil")
        # API tokens belong to a person, not a region: let the actors own one each too.
        for name in ("coordinator", "participant", "umbrella", "foreign_coordinator"):
            make.access_token(self.actors[name], name=f"own token of {name}")

    def url(self, rule_endpoint: str, region: str, objects_from: str, **overrides) -> str:
        rule = next(r for r in self.app.url_map.iter_rules() if r.endpoint == rule_endpoint)
        values = {}
        for arg in rule.arguments:
            if arg == "region":
                values[arg] = region
            else:
                values[arg] = self.samples[objects_from][arg].id
        values.update(overrides)
        with self.app.test_request_context():
            from flask import url_for

            return url_for(rule_endpoint, **values)

    def client_for(self, actor: str):
        """A test client logged in as the actor, through the real login form."""
        client = self.app.test_client()
        person = self.actors[actor]
        if person is not None:
            response = client.post("/login", data={"email": person.email, "password": PASSWORD})
            assert response.status_code == 302, f"login of {actor} failed"
        return client

    def client_for_email(self, email: str):
        """A test client logged in as the person with this e-mail (a sample's owner)."""
        client = self.app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        return client

    def snapshot(self):
        """Every row of every table (tests/rows.py: read with the driver's cursor, the cheapest way; snapshots
        are most of this suite's time)."""
        return all_rows(self.app)

    def keep(self) -> None:
        """Remember the world as built: its rows as Python values (to insert them again) and as the driver gives
        them (to compare with)."""
        self._typed = typed_rows(self.app)
        self._built = self.snapshot()

    def restore(self) -> None:
        """Put the world's rows back, as they were right after it was built (the last test's cleanup
        emptied every table), and prove that the database is exactly that world again."""
        with self.app.app_context(), db.engine.begin() as connection:
            for table in db.metadata.sorted_tables:
                rows = self._typed.get(table.name)
                if table.name == "region" or not rows:
                    continue
                names = [column.name for column in table.columns]
                connection.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
            if connection.dialect.name == "postgresql":  # explicit ids leave the sequences behind
                for table in db.metadata.sorted_tables:
                    if "id" in table.columns and table.name != "region" and table.c.id.type.python_type is int:
                        connection.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                            )
                        )
        assert self.snapshot() == self._built, "the restored world differs from the one that was built"


_BUILT: dict[int, World] = {}


@pytest.fixture
def world(app, make):
    """The world, built once per run and restored row by row before every later test (building it through
    the services for each of the ~800 cases was most of the suite's time)."""
    return built_world(app, make)


def built_world(app, make) -> World:
    """The world of this run: built on first use, restored as built afterwards (also for other suites)."""
    built = _BUILT.get(id(app))
    if built is None:
        fresh = World(app, make)
        fresh.keep()
        _BUILT[id(app)] = fresh
        return fresh
    built.restore()  # uploaded files are rows of stored_file: they come back with the others
    return built


def _call(client, method, url):
    return client.open(url, method=method, data={}, follow_redirects=False)


def _text(response) -> str:
    """The body as text, also for a PDF or a spreadsheet (where a marker would be plain bytes, too)."""
    return response.get_data().decode("utf-8", "replace")


def _refused(response, actor) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    # visitors are sent to the login page
    return actor == "anonymous" and response.status_code == 302 and "/login" in response.headers["Location"]


# -- the suite --------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["coordinator", "participant", "anonymous"])
@pytest.mark.parametrize("path,endpoint,method", _cases(lambda rule, method: bool(_regional_args(rule))))
def test_another_regions_object_is_out_of_reach(world, actor, path, endpoint, method):
    """Own region in the URL, the object from the other region: 404 (or refused), nothing leaks, nothing changes."""
    region_choices = [HOME, FOREIGN] if "region" in path else [HOME]
    client = world.client_for(actor)
    for region in region_choices:
        before = world.snapshot()
        response = _call(client, method, world.url(endpoint, region, objects_from=FOREIGN))
        body = _text(response)
        assert _refused(response, actor), f"{actor} {method} {path} in {region}: {response.status_code}"
        assert world.marker[FOREIGN] not in body
        assert world.snapshot() == before


@pytest.mark.parametrize("actor", ["coordinator", "participant", "anonymous"])
@pytest.mark.parametrize(
    "path,endpoint,method", _cases(lambda rule, method: "region" in rule.arguments and not _regional_args(rule))
)
def test_another_region_cannot_be_entered(world, actor, path, endpoint, method):
    """A region's pages for someone who is not its member: refused, unless public; nothing leaks or changes."""
    client = world.client_for(actor)
    before = world.snapshot()
    response = _call(client, method, world.url(endpoint, FOREIGN, objects_from=FOREIGN))
    view = world.app.view_functions[endpoint]
    if not getattr(view, "hub_public", False):
        assert _refused(response, actor), f"{actor} {method} {path}: {response.status_code}"
    elif method in UNSAFE:
        # A form open to visitors (asking a region for access) refuses the empty form beside its fields.
        assert response.status_code == 422, f"{actor} {method} {path}: {response.status_code}"
    assert world.marker[FOREIGN] not in _text(response)
    assert world.snapshot() == before


@pytest.mark.parametrize(
    "path,endpoint,method", _cases(lambda rule, method: method in UNSAFE and rule.endpoint not in PERSONAL)
)
def test_umbrella_changes_nothing(world, path, endpoint, method):
    """Every state-changing route refuses the umbrella role, in every region."""
    client = world.client_for("umbrella")
    for region in (HOME, FOREIGN):
        before = world.snapshot()
        response = _call(client, method, world.url(endpoint, region, objects_from=region))
        assert response.status_code == 403, f"umbrella {method} {path}: {response.status_code}"
        assert world.snapshot() == before


@pytest.mark.parametrize(
    "path,endpoint,method",
    _cases(
        lambda rule, method: method == "GET" and "region" in rule.arguments and rule.endpoint not in NOT_UMBRELLA_READS
    ),
)
def test_umbrella_reads_every_region(world, path, endpoint, method):
    client = world.client_for("umbrella")
    for region in (HOME, FOREIGN):
        response = _call(client, method, world.url(endpoint, region, objects_from=region))
        assert response.status_code == 200, f"umbrella GET {path} in {region}: {response.status_code}"


@pytest.mark.parametrize(
    "path,endpoint,method",
    _cases(lambda rule, method: ("region" in rule.arguments or _regional_args(rule)) and rule.endpoint not in PERSONAL),
)
def test_positive_control_the_regions_own_coordinator_gets_through(world, path, endpoint, method):
    """The routes refused above work for the other region's coordinator (or the object's owner) on its own data."""
    owners = {m.owner.email for arg in _regional_args(_rule(endpoint)) if (m := world.samples[FOREIGN][arg]).owner}
    client = world.client_for_email(owners.pop()) if owners else world.client_for("foreign_coordinator")
    response = _call(client, method, world.url(endpoint, FOREIGN, objects_from=FOREIGN))
    assert response.status_code not in (401, 403, 404, 500), f"{method} {path}: {response.status_code}"


def _umbrella_only(rule) -> bool:
    return getattr(_APP.view_functions[rule.endpoint], "hub_umbrella_only", False)


@pytest.mark.parametrize("actor", ["coordinator", "participant", "foreign_coordinator", "anonymous"])
@pytest.mark.parametrize("path,endpoint,method", _cases(lambda rule, method: _umbrella_only(rule)))
def test_umbrella_pages_are_refused_to_everyone_else(world, actor, path, endpoint, method):
    """The umbrella's cross-region pages (dashboards, reports, audit log) refuse coordinators and participants."""
    client = world.client_for(actor)
    response = _call(client, method, world.url(endpoint, HOME, objects_from=HOME))
    assert _refused(response, actor), f"{actor} {method} {path}: {response.status_code}"
    body = _text(response)
    assert world.marker[HOME] not in body and world.marker[FOREIGN] not in body


@pytest.mark.parametrize("path,endpoint,method", _cases(lambda rule, method: _umbrella_only(rule) and method == "GET"))
def test_umbrella_reads_its_own_pages(world, path, endpoint, method):
    response = _call(world.client_for("umbrella"), method, world.url(endpoint, HOME, objects_from=HOME))
    assert response.status_code == 200, f"umbrella GET {path}: {response.status_code}"


def test_umbrella_is_refused_the_own_profile_pages(world):
    client = world.client_for("umbrella")
    for endpoint in NOT_UMBRELLA_READS:
        assert _call(client, "GET", world.url(endpoint, FOREIGN, objects_from=FOREIGN)).status_code == 403
