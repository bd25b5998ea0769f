"""Profiles as people meet them: a participant's own profile, consent, who sees what, pictures,
the coordination's profile tools, validation on pages and in the JSON API.

Visible texts are compared in the language of the page through ``shown()`` and
``shown_field_message()``: they translate the English msgid with the app's catalogue, so a test
checks the German text once it exists and the msgid until then.
"""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from hub.core.db import db
from hub.core.tenancy import all_regions
from regions.profiles.models import ConsentRecord, Profile
from regions.profiles.vocab import LANGUAGES, SUBMARKETS
from shared.contacts.models import ContactRequest, ContactStatus
from tests.concurrency import all_pass_before_any_goes_on, at_once
from tests.factories import PASSWORD, stored_files, tiny_png
from tests.pages import CONFIRMED, bearer, field_error, flashes, said, said_field_message, shown, shown_field_message

# Helpers ---------------------------------------------------------------------------------------

# The version line of config/legal/privacy.md: what a consent refers to.
CONSENT_VERSION = "2026-11"


def profile_form(**fields) -> dict:
    """What a person types into the profile form; ``None`` leaves a field out."""
    data = {
        "kind": "creative",
        "display_name": "Atelier Holzwurm",
        "pitch": "Wir bauen Möbel aus Erzgebirgsholz.",
        "town": "Annaberg-Buchholz",
        "visibility": "private",
        "contact_visibility": "on_request",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def stored(app, profile_id: int) -> dict | None:
    """Every column of a profile as the database holds it (None once it is gone)."""
    with app.app_context(), all_regions():
        profile = db.session.get(Profile, profile_id)
        if profile is None:
            return None
        return {column.key: getattr(profile, column.key) for column in Profile.__table__.columns}


def profile_of(app, user) -> dict | None:
    """A user's own profile (any region), as stored."""
    with app.app_context(), all_regions():
        found = db.session.scalar(select(Profile.id).where(Profile.user_id == user.id))
    return stored(app, found) if found else None


def profile_count(app) -> int:
    with app.app_context(), all_regions():
        return db.session.scalar(select(func.count()).select_from(Profile))


def consent_records(app, profile_id: int) -> list[tuple[str, str, int | None]]:
    with app.app_context(), all_regions():
        rows = db.session.scalars(
            select(ConsentRecord).where(ConsentRecord.profile_id == profile_id).order_by(ConsentRecord.id)
        )
        return [(r.action, r.version, r.by_user_id) for r in rows]


def directory_ids(client, **query) -> set[int]:
    """The profiles a directory search lists for the client's user."""
    response = client.get("/directory/", query_string={"per_page": 100, **query})
    assert response.status_code == 200
    return {int(i) for i in re.findall(r'href="/directory/profiles/(\d+)"', response.get_data(as_text=True))}


def png(size=(1200, 800), color=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's calling card)."""
    data = bytearray(tiny_png(size=(4, 4)))
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


def png_of_many_pixels(width: int, height: int) -> bytes:
    """A real, small file (a few kB) that unpacks into ``width`` × ``height`` pixels."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


def stored_pictures(app) -> list[str]:
    """The names of the pictures kept in the store."""
    return sorted(key.removeprefix("profiles/") for key in stored_files(app, "profiles/"))


@pytest.fixture
def browser(app):
    """A separate, logged-in browser per person: browser(user) -> test client."""

    def login(user):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, "the login works"
        return client

    return login


@pytest.fixture
def creative(make):
    """A participant of Erzgebirge without a profile yet."""
    return make.participant("erzgebirge", name="Frieda Holzwurm")


@pytest.fixture
def outsider(make):
    """A participant of Lausitz: another region's member looking at the directory."""
    return make.participant("lausitz", name="Lars Lausitz")


# The own profile -------------------------------------------------------------------------------


def test_a_participant_creates_a_profile_with_all_the_form_fields(app, client, auth, creative):
    auth.login(creative)
    response = client.post(
        "/erzgebirge/profile",
        data=profile_form(
            organisation_name="Holzwurm GbR",
            description="Seit 1998 in Annaberg.",
            submarkets=["design", "art"],
            languages=["de", "cs"],
            offer_tags="Möbelbau, Holz , Restaurierung",
            need_tags="Website",
            offers_text="Einzelstücke",
            needs_text="Eine neue Website",
            website="https://holzwurm.example",
            contact_email="post@holzwurm.example",
            contact_phone="+49 3733 123456",
        ),
    )

    assert response.status_code == 302 and response.headers["Location"].endswith("/erzgebirge/profile")
    saved = profile_of(app, creative)
    assert saved["display_name"] == "Atelier Holzwurm"
    assert saved["organisation_name"] == "Holzwurm GbR"
    assert saved["submarkets"] == ["design", "art"]
    assert saved["languages"] == ["de", "cs"]
    assert saved["offer_tags"] == ["Möbelbau", "Holz", "Restaurierung"]
    assert saved["need_tags"] == ["Website"]
    assert saved["website"] == "https://holzwurm.example"
    assert saved["contact_email"] == "post@holzwurm.example"
    assert saved["contact_phone"] == "+49 3733 123456"
    page = client.get("/erzgebirge/profile").get_data(as_text=True)
    assert shown(app, "Your profile has been saved.") in flashes(page)
    assert 'value="Atelier Holzwurm"' in page


def test_a_new_profile_is_private_and_not_in_the_directory_for_others(app, client, auth, make, browser, creative):
    auth.login(creative)
    client.post("/erzgebirge/profile", data=profile_form())

    saved = profile_of(app, creative)
    assert saved["visibility"].value == "private"
    assert saved["consent_given_at"] is None
    page = client.get("/erzgebirge/profile").get_data(as_text=True)
    assert shown(app, "Your profile is not in the directory: you have not given your consent.") in page
    for other in (make.participant("lausitz"), make.participant("erzgebirge")):
        assert browser(other).get(f"/directory/profiles/{saved['id']}").status_code == 404
        assert saved["id"] not in directory_ids(browser(other), q="Holzwurm")
    coordination = browser(make.coordinator("erzgebirge"))
    assert coordination.get(f"/directory/profiles/{saved['id']}").status_code == 200
    assert client.get(f"/directory/profiles/{saved['id']}").status_code == 200, "the owner sees it"


def test_network_visibility_without_consent_keeps_the_profile_out_of_the_directory(
    app, client, auth, browser, creative, outsider
):
    auth.login(creative)
    client.post("/erzgebirge/profile", data=profile_form(visibility="network"))

    saved = profile_of(app, creative)
    assert saved["visibility"].value == "network" and saved["consent_given_at"] is None
    assert browser(outsider).get(f"/directory/profiles/{saved['id']}").status_code == 404
    assert consent_records(app, saved["id"]) == []


def test_consent_and_network_visibility_put_the_profile_before_another_regions_members(
    app, client, auth, browser, creative, outsider
):
    auth.login(creative)
    client.post("/erzgebirge/profile", data=profile_form(visibility="network", consent="true"))

    saved = profile_of(app, creative)
    assert saved["consent_version"] == CONSENT_VERSION and saved["consent_given_at"] is not None
    viewer = browser(outsider)
    assert saved["id"] in directory_ids(viewer, q="Holzwurm")
    page = viewer.get(f"/directory/profiles/{saved['id']}")
    assert page.status_code == 200 and "Atelier Holzwurm" in page.get_data(as_text=True)
    assert shown(app, "Your profile is in the directory.") in client.get("/erzgebirge/profile").get_data(as_text=True)


def test_region_visibility_shows_the_profile_to_the_own_region_only(app, client, auth, make, browser, creative):
    auth.login(creative)
    client.post("/erzgebirge/profile", data=profile_form(visibility="region", consent="true"))

    profile_id = profile_of(app, creative)["id"]
    neighbour = browser(make.participant("erzgebirge"))
    assert neighbour.get(f"/directory/profiles/{profile_id}").status_code == 200
    assert profile_id in directory_ids(neighbour)
    stranger = browser(make.participant("dresden"))
    assert stranger.get(f"/directory/profiles/{profile_id}").status_code == 404
    assert profile_id not in directory_ids(stranger)


def test_giving_and_withdrawing_consent_is_recorded_with_the_wordings_version(
    app, client, auth, browser, creative, outsider
):
    auth.login(creative)
    client.post("/erzgebirge/profile", data=profile_form(visibility="network", consent="true"))
    profile_id = profile_of(app, creative)["id"]
    viewer = browser(outsider)
    assert viewer.get(f"/directory/profiles/{profile_id}").status_code == 200

    response = client.post("/erzgebirge/profile", data=profile_form(visibility="network"))  # box unticked

    assert response.status_code == 302
    assert consent_records(app, profile_id) == [
        ("given", CONSENT_VERSION, creative.id),
        ("withdrawn", CONSENT_VERSION, creative.id),
    ]
    saved = stored(app, profile_id)
    assert saved["consent_given_at"] is None and saved["consent_version"] is None
    assert viewer.get(f"/directory/profiles/{profile_id}").status_code == 404, "gone at once"
    assert profile_id not in directory_ids(viewer, q="Holzwurm")


def test_saving_again_with_consent_adds_no_second_record(app, client, auth, creative):
    auth.login(creative)
    client.post("/erzgebirge/profile", data=profile_form(visibility="network", consent="true"))
    client.post("/erzgebirge/profile", data=profile_form(visibility="network", consent="true", pitch="Neu"))

    profile_id = profile_of(app, creative)["id"]
    assert [action for action, _, _ in consent_records(app, profile_id)] == ["given"]
    assert stored(app, profile_id)["pitch"] == "Neu"


@pytest.mark.parametrize(("contact_visibility", "stranger_sees_details"), [("members", True), ("on_request", False)])
def test_contact_details_follow_the_chosen_contact_visibility(
    app, client, auth, browser, creative, outsider, contact_visibility, stranger_sees_details
):
    auth.login(creative)
    client.post(
        "/erzgebirge/profile",
        data=profile_form(
            visibility="network",
            consent="true",
            contact_visibility=contact_visibility,
            contact_email="post@holzwurm.example",
            contact_phone="+49 3733 123456",
        ),
    )
    profile_id = profile_of(app, creative)["id"]

    page = browser(outsider).get(f"/directory/profiles/{profile_id}").get_data(as_text=True)
    assert ("post@holzwurm.example" in page) is stranger_sees_details
    assert ("+49 3733 123456" in page) is stranger_sees_details
    asks_for_request = shown(
        app, "Contact details are shown after %(name)s accepts a contact request.", name="Atelier Holzwurm"
    )
    assert (asks_for_request in page) is not stranger_sees_details
    own_view = client.get(f"/directory/profiles/{profile_id}").get_data(as_text=True)
    assert "post@holzwurm.example" in own_view, "the owner always sees the own details"


def test_the_umbrella_holds_no_profile(client, auth, make):
    auth.login(make.umbrella())
    assert client.get("/erzgebirge/profile").status_code == 403
    assert client.post("/erzgebirge/profile", data=profile_form()).status_code == 403


# The coordination's profile tools --------------------------------------------------------------


def test_a_coordinator_creates_a_profile_for_someone_without_an_account(app, client, auth, make, browser, outsider):
    coordinator = make.coordinator("erzgebirge")
    auth.login(coordinator)

    response = client.post(
        "/erzgebirge/profiles/new",
        data=profile_form(display_name="Bäckerei Ohnekonto", kind="organisation", sector="Handwerk"),
    )

    assert response.status_code == 302 and response.headers["Location"].endswith("/erzgebirge/profiles/")
    listing = client.get("/erzgebirge/profiles/").get_data(as_text=True)
    assert "Bäckerei Ohnekonto" in listing
    assert shown(app, "The profile has been created.") in flashes(listing)
    with app.app_context(), all_regions():
        profile_id = db.session.scalar(select(Profile.id).where(Profile.display_name == "Bäckerei Ohnekonto"))
    saved = stored(app, profile_id)
    assert saved["user_id"] is None and saved["sector"] == "Handwerk"
    assert saved["visibility"].value == "private"
    edit_page = client.get(f"/erzgebirge/profiles/{profile_id}/edit").get_data(as_text=True)
    assert shown(app, "Kept by the coordination (no account).") in edit_page
    assert browser(outsider).get(f"/directory/profiles/{profile_id}").status_code == 404


def test_a_coordinator_edits_a_profile_of_the_region(app, client, auth, make):
    profile = make.profile("erzgebirge", name="Musikschule Zwönitz", pitch="Alt")
    auth.login(make.coordinator("erzgebirge"))

    response = client.post(
        f"/erzgebirge/profiles/{profile.id}/edit",
        data=profile_form(display_name="Musikschule Zwönitz", pitch="Unterricht für alle", submarkets="music"),
    )

    assert response.status_code == 302
    saved = stored(app, profile.id)
    assert saved["pitch"] == "Unterricht für alle" and saved["submarkets"] == ["music"]
    assert shown(app, "The profile has been saved.") in flashes(
        client.get("/erzgebirge/profiles/").get_data(as_text=True)
    )


def test_the_edit_page_shows_the_consent_history(app, client, auth, make):
    profile = make.profile("erzgebirge", name="Theater am Markt", visibility="network")
    auth.login(make.coordinator("erzgebirge"))

    page = client.get(f"/erzgebirge/profiles/{profile.id}/edit").get_data(as_text=True)

    assert shown(app, "Consent history") in page
    assert shown(app, "wording %(version)s", version=CONSENT_VERSION) in page


def test_archiving_takes_a_profile_out_of_directory_and_list_and_unarchiving_brings_it_back(
    app, client, auth, make, browser, outsider
):
    profile = make.profile("erzgebirge", name="Glasbläserei Lauscha", visibility="network")
    viewer = browser(outsider)
    assert viewer.get(f"/directory/profiles/{profile.id}").status_code == 200
    auth.login(make.coordinator("erzgebirge"))

    response = client.post(f"/erzgebirge/profiles/{profile.id}/archive", data=CONFIRMED)

    assert response.status_code == 302
    assert stored(app, profile.id)["archived_at"] is not None
    assert viewer.get(f"/directory/profiles/{profile.id}").status_code == 404
    assert profile.id not in directory_ids(viewer, q="Glasbläserei")
    assert "Glasbläserei Lauscha" not in client.get("/erzgebirge/profiles/").get_data(as_text=True)
    assert "Glasbläserei Lauscha" in client.get("/erzgebirge/profiles/?archived=1").get_data(as_text=True)

    response = client.post(f"/erzgebirge/profiles/{profile.id}/unarchive")

    assert response.status_code == 302 and "archived=1" in response.headers["Location"]
    assert stored(app, profile.id)["archived_at"] is None
    assert viewer.get(f"/directory/profiles/{profile.id}").status_code == 200
    assert "Glasbläserei Lauscha" in client.get("/erzgebirge/profiles/").get_data(as_text=True)
    assert "Glasbläserei Lauscha" not in client.get("/erzgebirge/profiles/?archived=1").get_data(as_text=True)


def test_a_coordinator_of_another_region_cannot_reach_a_foreign_profile(app, client, auth, make):
    foreign = make.profile("erzgebirge", name="Erzgebirgische Holzkunst", pitch="Original")
    before = stored(app, foreign.id)
    auth.login(make.coordinator("meissen"))

    assert client.get(f"/meissen/profiles/{foreign.id}/edit").status_code == 404
    response = client.post(f"/meissen/profiles/{foreign.id}/edit", data=profile_form(pitch="Übernommen"))
    assert response.status_code == 404
    assert client.post(f"/meissen/profiles/{foreign.id}/archive").status_code == 404
    assert client.get(f"/erzgebirge/profiles/{foreign.id}/edit").status_code == 403
    assert "Erzgebirgische Holzkunst" not in client.get("/meissen/profiles/").get_data(as_text=True)
    assert stored(app, foreign.id) == before


@pytest.mark.parametrize("path", ["/erzgebirge/profiles/", "/erzgebirge/profiles/new"])
def test_participants_may_not_use_the_coordinations_profile_tools(client, auth, creative, path):
    auth.login(creative)
    assert client.get(path).status_code == 403


def test_a_participant_may_not_create_profiles_through_the_coordinations_form(app, client, auth, creative):
    auth.login(creative)
    assert client.post("/erzgebirge/profiles/new", data=profile_form()).status_code == 403
    assert profile_count(app) == 0


# Pictures --------------------------------------------------------------------------------------


def test_a_real_png_is_stored_resized_and_served_as_jpeg(app, client, auth, creative):
    auth.login(creative)

    response = client.post(
        "/erzgebirge/profile", data=profile_form(picture=(io.BytesIO(png((1200, 800))), "atelier.png"))
    )

    assert response.status_code == 302
    saved = profile_of(app, creative)
    assert saved["picture"] and stored_pictures(app) == [saved["picture"]]
    served = client.get(f"/directory/profiles/{saved['id']}/picture")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= 512
        assert image.size == (512, 341), "resized keeping the aspect ratio"


def test_a_new_picture_replaces_the_old_file_and_remove_deletes_it(app, client, auth, creative):
    auth.login(creative)
    client.post("/erzgebirge/profile", data=profile_form(picture=(io.BytesIO(png()), "one.png")))
    first = profile_of(app, creative)["picture"]

    client.post("/erzgebirge/profile", data=profile_form(picture=(io.BytesIO(png(color=(0, 0, 0))), "two.png")))

    second = profile_of(app, creative)["picture"]
    assert second != first and stored_pictures(app) == [second]

    client.post("/erzgebirge/profile", data=profile_form(remove_picture="1"))

    assert profile_of(app, creative)["picture"] is None
    assert stored_pictures(app) == []


def test_the_picture_is_served_only_to_those_who_may_see_the_profile(app, client, auth, make, browser, outsider):
    owner = make.participant("erzgebirge")
    private = make.profile("erzgebirge", user=owner, name="Privates Atelier", picture=True)
    url = f"/directory/profiles/{private.id}/picture"

    assert browser(outsider).get(url).status_code == 404
    assert browser(make.participant("erzgebirge")).get(url).status_code == 404
    assert browser(owner).get(url).status_code == 200
    assert browser(make.coordinator("erzgebirge")).get(url).status_code == 200
    assert browser(make.coordinator("meissen")).get(url).status_code == 404
    visitor = client.get(url)
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]

    public = make.profile("erzgebirge", name="Offenes Atelier", visibility="network", picture=True)
    assert browser(outsider).get(f"/directory/profiles/{public.id}/picture").status_code == 200
    no_picture = make.profile("erzgebirge", name="Ohne Bild", visibility="network")
    assert browser(outsider).get(f"/directory/profiles/{no_picture.id}/picture").status_code == 404


def bmp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 10, 10)).save(out, "BMP")
    return out.getvalue()


NOT_READABLE = "This file is not a picture we can read."
TOO_MANY_PIXELS = "The picture has too many pixels (at most 40 megapixels)."
BAD_PICTURES = {  # what is uploaded (made when needed), the message beside the field
    "a text file named .png": (lambda: b"Hallo, ich bin kein Bild.\n" * 10, NOT_READABLE),
    "an empty file": (lambda: b"", "The file is empty."),
    "a file over 5 MB": (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), "The picture is larger than 5 MB."),
    "a header claiming 100000 x 100000 pixels": (lambda: png_claiming(100_000, 100_000), TOO_MANY_PIXELS),
    "a small file unpacking into 90 million pixels": (lambda: png_of_many_pixels(10_000, 9_000), TOO_MANY_PIXELS),
    "a real BMP picture": (bmp, "Please upload a JPEG, PNG, WebP or GIF picture."),
    "a PNG cut in half": (lambda: png()[: len(png()) // 2], NOT_READABLE),
}


@pytest.mark.parametrize("upload", list(BAD_PICTURES), ids=list(BAD_PICTURES))
def test_a_bad_picture_is_refused_beside_the_field_and_nothing_changes(app, client, auth, make, creative, upload):
    content, msgid = BAD_PICTURES[upload]
    make.profile("erzgebirge", user=creative, name="Atelier Holzwurm", pitch="Alt", picture=True)
    before = profile_of(app, creative)
    files_before = stored_pictures(app)
    auth.login(creative)

    response = client.post(
        "/erzgebirge/profile", data=profile_form(pitch="Neu", picture=(io.BytesIO(content()), "portrait.png"))
    )

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "picture") == shown_field_message(app, msgid)
    assert profile_of(app, creative) == before
    assert stored_pictures(app) == files_before


def test_a_picture_is_judged_by_its_content_not_by_its_name(app, client, auth, creative):
    auth.login(creative)

    response = client.post("/erzgebirge/profile", data=profile_form(picture=(io.BytesIO(png()), "notes.txt")))

    assert response.status_code == 302
    assert profile_of(app, creative)["picture"] in stored_pictures(app)


def test_a_transparent_png_is_stored_on_white(app, client, auth, creative):
    out = io.BytesIO()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(out, "PNG")
    auth.login(creative)
    client.post("/erzgebirge/profile", data=profile_form(picture=(io.BytesIO(out.getvalue()), "logo.png")))

    served = client.get(f"/directory/profiles/{profile_of(app, creative)['id']}/picture")

    with Image.open(io.BytesIO(served.data)) as image:
        assert image.mode == "RGB"
        assert all(channel > 245 for channel in image.getpixel((32, 32)))


def test_a_picture_of_more_than_40_million_pixels_is_refused(app, client, auth, creative):
    auth.login(creative)

    response = client.post(
        "/erzgebirge/profile",
        data=profile_form(picture=(io.BytesIO(png_of_many_pixels(8_000, 6_000)), "48-megapixel.png")),
    )

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "picture") == shown_field_message(
        app, "The picture has too many pixels (at most 40 megapixels)."
    )
    assert profile_of(app, creative) is None
    assert stored_pictures(app) == []


def test_a_refused_picture_creates_no_profile(app, client, auth, creative):
    auth.login(creative)

    response = client.post("/erzgebirge/profile", data=profile_form(picture=(io.BytesIO(b"not a picture"), "fake.png")))

    assert response.status_code == 422
    assert profile_of(app, creative) is None
    assert stored_pictures(app) == []


def test_an_upload_over_the_request_limit_answers_413_and_changes_nothing(app, client, auth, make, creative):
    make.profile("erzgebirge", user=creative, name="Atelier Holzwurm", pitch="Alt")
    before = profile_of(app, creative)
    auth.login(creative)
    huge = b"\x89PNG\r\n\x1a\n" + b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1)

    response = client.post("/erzgebirge/profile", data=profile_form(pitch="Neu", picture=(io.BytesIO(huge), "x.png")))

    assert response.status_code == 413
    assert profile_of(app, creative) == before


# Validation ------------------------------------------------------------------------------------

INVALID_FIELDS = {
    "display name of 121 characters": (
        {"display_name": "N" * 121},
        "display_name",
        "Length must be between {min} and {max}.",
        {"min": 2, "max": 120},
    ),
    "pitch of 281 characters": (
        {"pitch": "P" * 281},
        "pitch",
        "Longer than the maximum length of {max}.",
        {"max": 280},
    ),
    "16 offer tags": (
        {"offer_tags": ", ".join(f"Tag{i:02d}" for i in range(16))},
        "offer_tags",
        "At most {max} tags.",
        {"max": 15},
    ),
    "16 need tags": (
        {"need_tags": ", ".join(f"Bedarf{i:02d}" for i in range(16))},
        "need_tags",
        "At most {max} tags.",
        {"max": 15},
    ),
    "website with ftp://": ({"website": "ftp://holzwurm.example"}, "website", "Not a valid web address.", {}),
    "website with javascript:": ({"website": "javascript:alert(1)"}, "website", "Not a valid web address.", {}),
    "e-mail without an @": (
        {"contact_email": "post.holzwurm.example"},
        "contact_email",
        "Not a valid e-mail address.",
        {},
    ),
    "phone with letters": (
        {"contact_phone": "0351 CALL ME"},
        "contact_phone",
        "Only digits, spaces and + ( ) / - . are allowed.",
        {},
    ),
    "unknown kind": (
        {"kind": "dragon"},
        "kind",
        "Must be one of: {choices}.",
        {"choices": "creative, organisation"},
    ),
    "unknown visibility": (
        {"visibility": "everyone"},
        "visibility",
        "Must be one of: {choices}.",
        {"choices": "private, region, network"},
    ),
}


@pytest.mark.parametrize("case", list(INVALID_FIELDS), ids=list(INVALID_FIELDS))
def test_an_invalid_field_is_explained_beside_it_and_nothing_changes(app, client, auth, make, creative, case):
    fields, name, msgid, params = INVALID_FIELDS[case]
    make.profile("erzgebirge", user=creative, name="Atelier Holzwurm", pitch="Alt")
    before = profile_of(app, creative)
    auth.login(creative)

    response = client.post("/erzgebirge/profile", data=profile_form(**{"pitch": "Neu", **fields}))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, name) == shown_field_message(app, msgid, **params)
    assert profile_of(app, creative) == before


# The list fields (tags, submarkets, languages) report an error of one entry as a mapping from the
# entry's position to its messages; the page prints that mapping as it is.
LIST_ENTRY_BUG = (
    "BUG: hub/core/schemas.py load_form() keeps marshmallow's per-entry errors of a list field as a dict keyed by "
    "the entry's position ({1: [...]}) inside the field's message list, and hub/templates/_forms.html prints "
    'it with |join, so the page shows "{1: [&#39;Muss eines davon sein: music, books, …&#39;]}" beside the '
    "field instead of the message."
)

INVALID_LIST_ENTRIES = {
    "a tag of 61 characters": (
        {"offer_tags": "Holz, " + "T" * 61},
        "offer_tags",
        "Length must be between {min} and {max}.",
        {"min": 2, "max": 60},
    ),
    "an unknown submarket": (
        {"submarkets": ["design", "dragons"]},
        "submarkets",
        "Must be one of: {choices}.",
        {"choices": ", ".join(SUBMARKETS)},
    ),
    "an unknown language": (
        {"languages": ["de", "klingon"]},
        "languages",
        "Must be one of: {choices}.",
        {"choices": ", ".join(LANGUAGES)},
    ),
}


@pytest.mark.parametrize("case", list(INVALID_LIST_ENTRIES), ids=list(INVALID_LIST_ENTRIES))
def test_an_invalid_list_entry_is_refused_and_nothing_changes(app, client, auth, make, creative, case):
    fields, name, _msgid, _params = INVALID_LIST_ENTRIES[case]
    make.profile("erzgebirge", user=creative, name="Atelier Holzwurm", pitch="Alt")
    before = profile_of(app, creative)
    auth.login(creative)

    response = client.post("/erzgebirge/profile", data=profile_form(**{"pitch": "Neu", **fields}))

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), name)
    assert profile_of(app, creative) == before


@pytest.mark.parametrize("case", list(INVALID_LIST_ENTRIES), ids=list(INVALID_LIST_ENTRIES))
def test_an_invalid_list_entry_is_explained_in_words_beside_the_field(app, client, auth, creative, case):
    fields, name, msgid, params = INVALID_LIST_ENTRIES[case]
    auth.login(creative)

    response = client.post("/erzgebirge/profile", data=profile_form(**fields))

    assert field_error(response.get_data(as_text=True), name) == shown_field_message(app, msgid, **params)


def test_an_invalid_form_creates_no_profile_and_keeps_what_was_typed(app, client, auth, creative):
    auth.login(creative)

    response = client.post("/erzgebirge/profile", data=profile_form(display_name="Atelier Holzwurm", pitch="P" * 281))

    assert response.status_code == 422
    assert profile_of(app, creative) is None
    assert 'value="Atelier Holzwurm"' in response.get_data(as_text=True)


def test_the_coordinations_form_explains_invalid_fields_too(app, client, auth, make):
    profile = make.profile("erzgebirge", name="Musikschule Zwönitz", pitch="Alt")
    before = stored(app, profile.id)
    auth.login(make.coordinator("erzgebirge"))

    response = client.post(
        f"/erzgebirge/profiles/{profile.id}/edit", data=profile_form(website="javascript:alert(1)", pitch="Neu")
    )

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "website") == shown_field_message(
        app, "Not a valid web address."
    )
    assert stored(app, profile.id) == before
    response = client.post("/erzgebirge/profiles/new", data=profile_form(display_name="X" * 121))
    assert response.status_code == 422 and field_error(response.get_data(as_text=True), "display_name")
    assert profile_count(app) == 1


# One profile per e-mail address and region ---------------------------------------------------------

EMAIL_TAKEN = "A profile with this e-mail address exists in this region already."


def test_the_coordinations_form_refuses_an_email_the_region_has_already_beside_the_field_in_german(
    app, client, auth, make
):
    make.profile("erzgebirge", name="Atelier Holzwurm", contact_email="Post@Holzwurm.example")
    other = make.profile("erzgebirge", name="Musikschule Zwönitz", contact_email="info@musikschule.example")
    before = stored(app, other.id)
    auth.login(make.coordinator("erzgebirge"))

    created = client.post("/erzgebirge/profiles/new", data=profile_form(contact_email="post@holzwurm.example "))
    edited = client.post(
        f"/erzgebirge/profiles/{other.id}/edit",
        data=profile_form(display_name="Musikschule Zwönitz", contact_email="POST@holzwurm.example"),
    )

    for response in (created, edited):
        assert response.status_code == 422
        message = field_error(response.get_data(as_text=True), "contact_email")
        assert message == shown(app, EMAIL_TAKEN) and message != EMAIL_TAKEN, "in German, beside the field"
    assert profile_count(app) == 2 and stored(app, other.id) == before


def test_the_same_email_in_another_region_or_a_profile_keeping_its_own_is_fine(app, client, auth, make):
    make.profile("meissen", name="Atelier in Meißen", contact_email="post@holzwurm.example")
    auth.login(make.coordinator("erzgebirge"))

    assert (
        client.post("/erzgebirge/profiles/new", data=profile_form(contact_email="post@holzwurm.example")).status_code
        == 302
    )
    for _ in range(2):  # profiles without an address never collide
        assert (
            client.post("/erzgebirge/profiles/new", data=profile_form(display_name="Ohne Adresse")).status_code == 302
        )
    with app.app_context(), all_regions():
        own = db.session.scalar(select(Profile.id).where(Profile.display_name == "Atelier Holzwurm"))
    response = client.post(
        f"/erzgebirge/profiles/{own}/edit", data=profile_form(pitch="Neu", contact_email="Post@Holzwurm.example")
    )
    assert response.status_code == 302
    assert stored(app, own)["contact_email"] == "Post@Holzwurm.example"
    assert profile_count(app) == 4


def test_a_participant_cannot_take_an_email_another_profile_of_the_region_has(app, client, auth, make, creative):
    make.profile("erzgebirge", name="Atelier Holzwurm", contact_email="post@holzwurm.example")
    auth.login(creative)

    response = client.post("/erzgebirge/profile", data=profile_form(contact_email="post@holzwurm.example"))

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "contact_email") == shown(app, EMAIL_TAKEN)
    assert profile_of(app, creative) is None


def test_api_refuses_an_email_the_region_has_already_with_422_naming_the_field(app, client, make, creative, token):
    make.profile("erzgebirge", name="Atelier Holzwurm", contact_email="post@holzwurm.example")
    other = make.profile("erzgebirge", name="Musikschule Zwönitz", contact_email="info@musikschule.example")
    before = stored(app, other.id)
    headers = token(make.coordinator("erzgebirge"))
    taking_it = {**PROFILE_JSON, "contact_email": "Post@Holzwurm.example"}

    answers = [
        client.post("/api/v1/regions/erzgebirge/profiles/", json=taking_it, headers=headers),
        client.patch(
            f"/api/v1/regions/erzgebirge/profiles/{other.id}",
            json={"contact_email": "post@holzwurm.example"},
            headers=headers,
        ),
        client.put("/api/v1/regions/erzgebirge/profile", json=taking_it, headers=token(creative)),
    ]

    for response in answers:
        assert response.status_code == 422
        assert response.get_json()["errors"]["json"] == {"contact_email": [said(app, EMAIL_TAKEN)]}
    assert profile_count(app) == 2 and stored(app, other.id) == before


def test_api_two_creates_with_one_email_at_the_same_moment_make_one_profile(app, make, token, monkeypatch):
    from regions.profiles import services

    headers = token(make.coordinator("erzgebirge"))
    clients = [app.test_client() for _ in range(2)]
    # Both requests have found the address free before either writes: the database decides.
    all_pass_before_any_goes_on(monkeypatch, services, "_check_email_free", 2)

    answers = at_once(
        *(
            lambda c=c: c.post("/api/v1/regions/erzgebirge/profiles/", json=PROFILE_JSON, headers=headers)
            for c in clients
        )
    )

    assert sorted(a.status_code for a in answers) == [201, 422]
    refused = next(a for a in answers if a.status_code == 422)
    assert refused.get_json()["errors"]["json"] == {"contact_email": [said(app, EMAIL_TAKEN)]}
    assert profile_count(app) == 1


def test_field_messages_are_english_after_switching_the_language(app, client, auth, creative):
    auth.login(creative)
    client.post("/language", data={"lang": "en", "next": "/erzgebirge/profile"})

    response = client.post(
        "/erzgebirge/profile", data=profile_form(pitch="P" * 281, picture=(io.BytesIO(b""), "empty.png"))
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<html lang="en">' in page
    assert field_error(page, "pitch") == "Longer than the maximum length of 280."
    response = client.post("/erzgebirge/profile", data=profile_form(picture=(io.BytesIO(b""), "empty.png")))
    assert field_error(response.get_data(as_text=True), "picture") == "The file is empty."


def test_field_messages_are_german_by_default(app, client, auth, creative):
    auth.login(creative)

    response = client.post("/erzgebirge/profile", data=profile_form(pitch="P" * 281))

    message = field_error(response.get_data(as_text=True), "pitch")
    assert message == shown_field_message(app, "Longer than the maximum length of {max}.", max=280)
    assert message != "Longer than the maximum length of 280.", "the German catalogue has this message"


# The JSON API ----------------------------------------------------------------------------------

# Every writable field: PUT replaces a profile and needs them all.
PROFILE_JSON = {
    "kind": "creative",
    "display_name": "Atelier Holzwurm",
    "organisation_name": "",
    "pitch": "Wir bauen Möbel aus Erzgebirgsholz.",
    "description": "",
    "submarkets": ["design"],
    "sector": "",
    "offer_tags": ["Möbelbau", "Holz"],
    "offers_text": "",
    "need_tags": [],
    "needs_text": "",
    "town": "",
    "website": "",
    "contact_email": "post@holzwurm.example",
    "contact_phone": "+49 3733 123456",
    "languages": [],
    "visibility": "private",
    "contact_visibility": "on_request",
    "consent": False,
}


@pytest.fixture
def token(make):
    """token(user) -> the Authorization header of a fresh personal access token."""
    return lambda user: bearer(make.access_token(user).extra)


def test_api_own_profile_is_missing_until_put_creates_it_privately(app, client, creative, token):
    headers = token(creative)
    assert client.get("/api/v1/regions/erzgebirge/profile", headers=headers).status_code == 404

    response = client.put("/api/v1/regions/erzgebirge/profile", json=PROFILE_JSON, headers=headers)

    assert response.status_code == 200
    body = response.get_json()
    assert body["display_name"] == "Atelier Holzwurm"
    assert body["visibility"] == "private" and body["consent_given_at"] is None
    assert body["region"] == "erzgebirge"
    assert profile_of(app, creative)["user_id"] == creative.id
    again = client.get("/api/v1/regions/erzgebirge/profile", headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]


def test_api_put_with_consent_lists_the_profile_and_records_the_consent(
    app, client, creative, outsider, token, browser
):
    response = client.put(
        "/api/v1/regions/erzgebirge/profile",
        json={**PROFILE_JSON, "visibility": "network", "consent": True},
        headers=token(creative),
    )

    assert response.status_code == 200
    profile_id = response.get_json()["id"]
    assert consent_records(app, profile_id) == [("given", CONSENT_VERSION, creative.id)]
    assert browser(outsider).get(f"/directory/profiles/{profile_id}").status_code == 200

    response = client.put(
        "/api/v1/regions/erzgebirge/profile", json={**PROFILE_JSON, "visibility": "network"}, headers=token(creative)
    )

    assert response.status_code == 200 and response.get_json()["consent_given_at"] is None
    assert [a for a, _, _ in consent_records(app, profile_id)] == ["given", "withdrawn"]
    assert browser(outsider).get(f"/directory/profiles/{profile_id}").status_code == 404


def test_api_the_umbrella_has_no_own_profile(app, client, make, token):
    headers = token(make.umbrella())
    assert client.get("/api/v1/regions/erzgebirge/profile", headers=headers).status_code == 403
    assert client.put("/api/v1/regions/erzgebirge/profile", json=PROFILE_JSON, headers=headers).status_code == 403
    assert profile_count(app) == 0


def test_api_a_member_of_another_region_has_no_own_profile_there(app, client, outsider, token):
    response = client.put("/api/v1/regions/erzgebirge/profile", json=PROFILE_JSON, headers=token(outsider))
    assert response.status_code == 403
    assert profile_count(app) == 0


def test_api_the_coordination_lists_creates_reads_changes_and_archives_profiles(app, client, make, token):
    existing = make.profile("erzgebirge", name="Musikschule Zwönitz")
    headers = token(make.coordinator("erzgebirge"))

    created = client.post("/api/v1/regions/erzgebirge/profiles/", json=PROFILE_JSON, headers=headers)

    assert created.status_code == 201
    body = created.get_json()
    assert body["display_name"] == "Atelier Holzwurm" and body["contact_email"] == "post@holzwurm.example"
    assert stored(app, body["id"])["user_id"] is None
    listing = client.get("/api/v1/regions/erzgebirge/profiles/", headers=headers)
    assert listing.status_code == 200
    assert {p["id"] for p in listing.get_json()} == {existing.id, body["id"]}

    one = client.get(f"/api/v1/regions/erzgebirge/profiles/{body['id']}", headers=headers)
    assert one.status_code == 200 and one.get_json()["pitch"] == PROFILE_JSON["pitch"]

    patched = client.patch(
        f"/api/v1/regions/erzgebirge/profiles/{body['id']}", json={"pitch": "Neu gesagt"}, headers=headers
    )
    assert patched.status_code == 200 and patched.get_json()["pitch"] == "Neu gesagt"
    saved = stored(app, body["id"])
    assert saved["pitch"] == "Neu gesagt" and saved["display_name"] == "Atelier Holzwurm", "only the given field"
    assert saved["offer_tags"] == ["Möbelbau", "Holz"]

    archived = client.post(f"/api/v1/regions/erzgebirge/profiles/{body['id']}/archive", headers=headers)
    assert archived.status_code == 200 and archived.get_json()["archived_at"]
    listing = client.get("/api/v1/regions/erzgebirge/profiles/", headers=headers)
    assert {p["id"] for p in listing.get_json()} == {existing.id}


def test_api_participants_may_not_use_the_coordinations_endpoints(app, client, make, creative, token):
    existing = make.profile("erzgebirge", name="Musikschule Zwönitz", pitch="Alt")
    before = stored(app, existing.id)
    headers = token(creative)

    assert client.post("/api/v1/regions/erzgebirge/profiles/", json=PROFILE_JSON, headers=headers).status_code == 403
    assert client.get("/api/v1/regions/erzgebirge/profiles/", headers=headers).status_code == 403
    assert client.get(f"/api/v1/regions/erzgebirge/profiles/{existing.id}", headers=headers).status_code == 403
    response = client.patch(f"/api/v1/regions/erzgebirge/profiles/{existing.id}", json={"pitch": "X"}, headers=headers)
    assert response.status_code == 403
    assert client.post(f"/api/v1/regions/erzgebirge/profiles/{existing.id}/archive", headers=headers).status_code == 403
    assert profile_count(app) == 1 and stored(app, existing.id) == before


def test_api_the_coordination_of_another_region_gets_404_for_a_foreign_profile(app, client, make, token):
    foreign = make.profile("erzgebirge", name="Erzgebirgische Holzkunst", pitch="Original")
    before = stored(app, foreign.id)
    headers = token(make.coordinator("meissen"))

    assert client.get(f"/api/v1/regions/meissen/profiles/{foreign.id}", headers=headers).status_code == 404
    response = client.patch(f"/api/v1/regions/meissen/profiles/{foreign.id}", json={"pitch": "X"}, headers=headers)
    assert response.status_code == 404
    assert client.post(f"/api/v1/regions/meissen/profiles/{foreign.id}/archive", headers=headers).status_code == 404
    assert stored(app, foreign.id) == before


def test_api_bad_fields_answer_422_naming_each_field_in_german(app, client, creative, token):
    response = client.put(
        "/api/v1/regions/erzgebirge/profile",
        json={**PROFILE_JSON, "pitch": "P" * 281, "website": "ftp://holzwurm.example", "kind": "dragon"},
        headers=token(creative),
    )

    assert response.status_code == 422 and response.mimetype == "application/json"
    errors = response.get_json()["errors"]["json"]
    assert set(errors) == {"pitch", "website", "kind"}
    assert errors["pitch"] == [said_field_message(app, "Longer than the maximum length of {max}.", max=280)]
    assert errors["pitch"] != ["Longer than the maximum length of 280."], "German by default"
    assert errors["website"] == [said_field_message(app, "Not a valid web address.")]
    assert errors["kind"] == [said_field_message(app, "Must be one of: {choices}.", choices="creative, organisation")]
    assert profile_count(app) == 0


def test_api_messages_follow_the_users_language(app, client, auth, creative, token):
    auth.login(creative)
    client.post("/language", data={"lang": "en", "next": "/"})

    response = client.put(
        "/api/v1/regions/erzgebirge/profile", json={**PROFILE_JSON, "pitch": "P" * 281}, headers=token(creative)
    )

    assert response.get_json()["errors"]["json"]["pitch"] == ["Longer than the maximum length of 280."]


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"display_name": "N" * 121}, "display_name"),
        ({"offer_tags": [f"Tag{i:02d}" for i in range(16)]}, "offer_tags"),
        ({"offer_tags": ["T" * 61]}, "offer_tags"),
        ({"contact_email": "post.holzwurm.example"}, "contact_email"),
        ({"contact_phone": "0351 CALL ME"}, "contact_phone"),
        ({"submarkets": ["dragons"]}, "submarkets"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"visibility": "everyone"}, "visibility"),
        ({"consent": "perhaps"}, "consent"),
    ],
)
def test_api_patch_with_a_bad_field_answers_422_and_changes_nothing(app, client, make, token, fields, name):
    profile = make.profile("erzgebirge", name="Musikschule Zwönitz", pitch="Alt")
    before = stored(app, profile.id)

    response = client.patch(
        f"/api/v1/regions/erzgebirge/profiles/{profile.id}",
        json={"pitch": "Neu", **fields},
        headers=token(make.coordinator("erzgebirge")),
    )

    assert response.status_code == 422
    assert list(response.get_json()["errors"]["json"]) == [name]
    assert stored(app, profile.id) == before


def test_api_a_profile_without_a_name_is_refused(app, client, make, token):
    response = client.post(
        "/api/v1/regions/erzgebirge/profiles/",
        json={"kind": "creative"},
        headers=token(make.coordinator("erzgebirge")),
    )

    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["display_name"] == [said_field_message(app, "This field is required.")]
    assert profile_count(app) == 0


def test_api_shows_each_profile_exactly_as_the_pages_do(app, client, make, browser, outsider, token):
    """For one viewer: the same profiles reachable, the same ones with contact details."""
    own = make.profile(
        "lausitz", user=outsider, name="Eigenes Profil", visibility="network", contact_email="own@example.org"
    )
    answered_owner = make.participant("meissen")
    answered = make.profile("meissen", user=answered_owner, visibility="network", contact_email="answered@example.org")
    profiles = {
        "network, on request": make.profile("erzgebirge", visibility="network", contact_email="a@example.org"),
        "network, members": make.profile(
            "erzgebirge", visibility="network", contact_visibility="members", contact_email="b@example.org"
        ),
        "region of another": make.profile("erzgebirge", visibility="region", contact_email="c@example.org"),
        "region of the own": make.profile("lausitz", visibility="region", contact_email="d@example.org"),
        "private of the own": make.profile("lausitz", visibility="private", contact_email="e@example.org"),
        "no consent": make.profile("dresden", visibility="network", consent=False, contact_email="f@example.org"),
        "own": own,
        "accepted contact": answered,
    }
    own.owner, answered.owner = outsider, answered_owner
    request = make.contact_request(own, answered)
    with app.app_context(), all_regions():
        db.session.get(ContactRequest, request.id).status = ContactStatus.ACCEPTED
        db.session.commit()
    page_viewer, headers = browser(outsider), token(outsider)

    for label, profile in profiles.items():
        page = page_viewer.get(f"/directory/profiles/{profile.id}")
        api = client.get(f"/api/v1/directory/profiles/{profile.id}", headers=headers)
        assert page.status_code == api.status_code, label
        if api.status_code == 200:
            email = stored(app, profile.id)["contact_email"]
            assert ("contact_email" in api.get_json()) is (email in page.get_data(as_text=True)), label
    statuses = {
        label: client.get(f"/api/v1/directory/profiles/{p.id}", headers=headers).status_code
        for label, p in profiles.items()
    }
    assert statuses == {
        "network, on request": 200,
        "network, members": 200,
        "region of another": 404,
        "region of the own": 200,
        "private of the own": 404,
        "no consent": 404,
        "own": 200,
        "accepted contact": 200,
    }
    with_details = {
        label
        for label, p in profiles.items()
        if statuses[label] == 200
        and "contact_email" in client.get(f"/api/v1/directory/profiles/{p.id}", headers=headers).get_json()
    }
    assert with_details == {"network, members", "own", "accepted contact"}
