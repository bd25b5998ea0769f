"""People to meet and favourites as pages: the full ranked list ("Menschen, die passen"), the hidden people
with their undo, the saved people in the directory's area, and the buttons to hide and save (on the home's
cards, the list and a profile's page in the directory)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core.actions import Actor
from hub.core.glue import page_action
from hub.core.schemas import load_buttons
from shared.directory.search import Viewer
from shared.meet import actions, marks, services
from shared.meet.models import SavedPerson
from shared.meet.schemas import BackSchema

bp = Blueprint("meet", __name__, template_folder="templates")


@bp.app_template_global()
def person_saved(profile) -> bool:
    """For a profile's page: whether the viewer saved this person (the star)."""
    return current_user.is_authenticated and marks.is_marked(SavedPerson, current_user, profile.id)


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@bp.get("/people/")
@login_required
def index():
    """Everyone who fits the person's offers and needs, best first, with the reasons."""
    services.ensure(Viewer.of(current_user))
    page = services.page_of(Viewer.of(current_user), _page_number())
    return render_template("meet/index.html", page=page, state=services.state_of(current_user))


@bp.get("/people/hidden")
@login_required
def hidden():
    """The people the person hid from their suggestions, each with the undo."""
    return render_template("meet/hidden.html", page=marks.hidden_people(Viewer.of(current_user), _page_number()))


@bp.get("/directory/favourites/")
@login_required
def favourites():
    """The person's saved people (favourites) that they may still see."""
    return render_template("meet/favourites.html", page=marks.saved_people(Viewer.of(current_user), _page_number()))


def _back(profile_id: int) -> str:
    """Where a button sends the person back to: one of the known places (never an address from the form)."""
    places = {
        "home": lambda: url_for("core.index") + "#people",
        "list": lambda: url_for(".index"),
        "hidden": lambda: url_for(".hidden"),
        "favourites": lambda: url_for(".favourites"),
        "profile": lambda: url_for("directory.profile", profile_id=profile_id),
    }
    return places[load_buttons(BackSchema(), request.form)["back"]]()  # a button's hidden value: forged if bad (400)


def _mark(work, profile_id: int, message: str, back: str | None = None):
    checked = _back(profile_id)  # the button's hidden value is checked even where the page names the way back
    back = back or checked
    return page_action(lambda data: work(Actor.current(), profile_id), refused=back, message=message, done=back)


@bp.post("/people/<int:profile_id>/hide")
@login_required
def hide_person(profile_id: int):
    """Do not suggest this person again."""
    return _mark(actions.hide_person, profile_id, _("We will not suggest this person again."))


@bp.post("/people/<int:profile_id>/unhide")
@login_required
def unhide_person(profile_id: int):
    """Suggest this person again."""
    return _mark(actions.unhide_person, profile_id, _("This person may be suggested again."), url_for(".hidden"))


@bp.post("/directory/profiles/<int:profile_id>/save")
@login_required
def save_person(profile_id: int):
    """Save this person (a favourite)."""
    return _mark(actions.save_person, profile_id, _("Saved: you find this person under your saved people."))


@bp.post("/directory/profiles/<int:profile_id>/unsave")
@login_required
def unsave_person(profile_id: int):
    """Remove this person from the saved people."""
    return _mark(actions.unsave_person, profile_id, _("Removed from your saved people."))
