"""A person's notifications, their e-mail choices, and the one-click unsubscribe link of every e-mail."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from hub.core.access import link_credential, personal, public
from hub.core.actions import Actor
from hub.core.glue import load, page_action, run_action
from hub.core.web import requested_page
from hub.notifications import access, actions, services
from hub.notifications.models import DIGEST_FREQUENCIES
from hub.notifications.schemas import SettingsSchema
from hub.notifications.topics import label_of

bp = Blueprint("notifications", __name__, template_folder="templates")

DIGEST_LABELS = {"weekly": _l("weekly, on Mondays"), "daily": _l("daily"), "never": _l("never")}


@bp.get("/notifications")
@login_required
def index():
    """One's own notifications, newest first."""
    page = services.notifications_of(current_user, page=requested_page())
    return render_template("notifications/index.html", page=page, unread=services.unread_count(current_user))


@bp.post("/notifications/read")
@login_required
@personal
def mark_all_read():
    """Mark all of one's notifications read."""
    back = url_for("notifications.index")
    return page_action(lambda data: actions.mark_read(Actor.current()), refused=back, done=back)


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Open a notification: it counts as read, and its link is followed."""
    notification = load(access.own_notification, Actor.current(), notification_id)
    run_action(lambda: actions.mark_opened(Actor.current(), notification))
    if notification.link:
        return redirect(notification.link)
    return render_template("notifications/one.html", notification=notification)


def _settings_page(errors: dict | None = None):
    offered = services.choosable_topics(current_user)
    return render_template(
        "notifications/settings.html",
        topic_options={key: f"{topic.label} – {topic.hint}" for key, topic in offered.items()},
        emailed=services.emailed_topics(current_user),
        digest=services.digest_frequency(current_user),
        digest_options={f: DIGEST_LABELS[f] for f in DIGEST_FREQUENCIES},
        coordinator=services.coordinates_somewhere(current_user),
        errors=errors or {},
    )


@bp.get("/account/notifications")
@login_required
def settings():
    """Which e-mails one gets, and how often the digest comes."""
    return _settings_page()


@bp.post("/account/notifications")
@login_required
@personal
def save_settings():
    """Save one's e-mail choices."""
    # A form sends no box that is not ticked: a topic missing from it is switched off.
    return page_action(
        lambda data: actions.choose_settings(
            Actor.current(), emailed=set(data.get("emailed", [])), digest=data.get("digest")
        ),
        schema=SettingsSchema(),
        refused=_settings_page,
        message=_("Your choice of e-mails has been saved."),
        done=url_for("notifications.settings"),
    )


def _link(token: str):
    """The address and topic of an unsubscribe link, or the page to answer with instead."""
    try:
        found = services.read_token(token)
    except services.LinkExpired:
        return None, _no_referrer(render_template("notifications/link_expired.html"), 410)
    if found is None:
        abort(404)
    return found, None


def _no_referrer(body: str, code: int = 200):
    # The token in this page's URL is a credential: no link on the page may pass it on as a Referer.
    return body, code, {"Referrer-Policy": "no-referrer"}


@bp.get("/unsubscribe/<token>")
@public
def unsubscribe_page(token: str):
    """The link in every e-mail opens a page with one button; opening it changes nothing (RFC 8058), so a
    mail gateway that fetches links to scan them unsubscribes nobody."""
    found, answer = _link(token)
    if answer:
        return answer
    email, topic = found
    return _no_referrer(
        render_template("notifications/unsubscribe.html", token=token, email=email, topic=label_of(topic))
    )


@bp.post("/unsubscribe/<token>")
@public
@personal
@link_credential
def unsubscribe(token: str):
    """No more e-mails of the link's one topic to the link's one address: the page's button, and RFC 8058's
    one-click request that a mail program's own button sends without a form token."""
    found, answer = _link(token)
    if answer:
        return answer
    email, topic = found
    run_action(lambda: actions.unsubscribe(email, topic))
    return _no_referrer(
        render_template("notifications/unsubscribed.html", token=token, email=email, topic=label_of(topic))
    )


@bp.post("/unsubscribe/<token>/undo")
@public
@personal
@link_credential
def resubscribe(token: str):
    """Take the unsubscribe back (the button on the page the link opened)."""
    found, answer = _link(token)
    if answer:
        return answer
    email, topic = found
    run_action(lambda: actions.resubscribe(email, topic))
    return _no_referrer(render_template("notifications/resubscribed.html", email=email, topic=label_of(topic)))


def install(app) -> None:
    """Let every page show the signed-in person's numbers in the header: unread notifications, and what other
    features count there (``services.count_in_header``), all in one statement per request.

    ``header_count(name)`` is a number of the header; a view that changed one drops ``g.header_counts``."""

    def header_count(name: str) -> int:
        if not current_user.is_authenticated:
            return 0
        if g.get("header_counts") is None:
            g.header_counts = services.header_counts(current_user.id)
        return g.header_counts.get(name, 0)

    app.jinja_env.globals["header_count"] = header_count
    app.jinja_env.globals["unread_notifications"] = lambda: header_count("notifications")
