"""Saved searches' pages: save the directory's current search (the form sits on the directory's results), the list
„Gespeicherte Suchen" to open, rename, switch the notice on or off and delete them."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core.access import personal
from hub.core.actions import Actor
from hub.core.glue import Confirmation, load, page_action
from hub.core.schemas import load_buttons
from shared.saved_searches import access, actions, services
from shared.saved_searches.schemas import NoticeSchema, RenameSchema, SavedSearchInputSchema

bp = Blueprint("saved_searches", __name__, url_prefix="/directory/saved", template_folder="templates")


@bp.app_template_global()
def saved_search_form(query) -> dict:
    """For the directory's results: the search to save (its words and filters) and the name it would get."""
    kept = query.kept()
    return {"kept": kept, "name": services.default_name(kept) if kept else ""}


@bp.app_template_global()
def saved_search_parts(kept: dict) -> list[str]:
    """A search's words and filters in words, for chips."""
    return services.describe(kept)


def _list_page(errors: dict | None = None, editing: int | None = None, status: int = 200):
    searches = services.searches_of(current_user)
    regions = services.active_regions()
    described = {s.id: services.describe(s.query, regions) for s in searches}
    page = render_template(
        "saved_searches/index.html",
        searches=searches,
        described=described,
        limit=services.LIMIT,
        errors=errors or {},
        editing=editing,
        form=request.form if errors else {},
    )
    return page, status


@bp.get("/")
@login_required
def index():
    """The person's saved searches."""
    return _list_page()


@bp.post("/")
@login_required
@personal
def create():
    """Save the directory's current search under a name (with its notice on, unless switched off)."""
    return page_action(
        lambda data: actions.save_search(Actor.current(), **data),
        schema=SavedSearchInputSchema(),
        refused=lambda errors: render_template("saved_searches/new.html", errors=errors, form=request.form),
        message=lambda search: _("Your search has been saved as „%(name)s“.", name=search.name),
        done=lambda search: url_for("directory.index", **search.query),
    )


@bp.get("/<int:saved_search_id>")
@login_required
def open_search(saved_search_id: int):
    """Run a saved search: the directory with its words and filters."""
    search = load(access.own_search, Actor.current(), saved_search_id)
    return redirect(url_for("directory.index", **search.query))


@bp.post("/<int:saved_search_id>/rename")
@login_required
@personal
def rename(saved_search_id: int):
    """Give a saved search another name."""
    load(access.own_search, Actor.current(), saved_search_id)
    return page_action(
        lambda data: actions.update_search(Actor.current(), saved_search_id, **data),
        schema=RenameSchema(),
        refused=lambda errors: _list_page(errors, editing=saved_search_id)[0],
        message=_("The saved search has been renamed."),
        done=url_for(".index"),
    )


@bp.post("/<int:saved_search_id>/notice")
@login_required
@personal
def notice(saved_search_id: int):
    """Switch the notice of new fitting profiles on or off."""
    load(access.own_search, Actor.current(), saved_search_id)
    notify = load_buttons(NoticeSchema(), request.form)["notify"]  # a button's hidden value: forged if bad (400)
    return page_action(
        lambda data: actions.update_search(Actor.current(), saved_search_id, notify=notify),
        refused=url_for(".index"),
        message=lambda search: (
            _("You will be told when new profiles fit „%(name)s“.", name=search.name)
            if search.notify
            else _("No more notices for „%(name)s“.", name=search.name)
        ),
        done=url_for(".index"),
    )


@bp.post("/<int:saved_search_id>/delete")
@login_required
@personal
def delete(saved_search_id: int):
    """Delete a saved search (asks first)."""
    search = load(access.own_search, Actor.current(), saved_search_id)
    return page_action(
        lambda data: actions.delete_search(Actor.current(), saved_search_id),
        refused=url_for(".index"),
        message=_("The saved search has been deleted."),
        done=url_for(".index"),
        confirm=Confirmation(
            _("Delete the saved search „%(name)s“?", name=search.name),
            _("Its notices stop. The profiles it finds stay in the directory."),
            _("Yes, delete"),
        ),
    )
