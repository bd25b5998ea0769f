"""A person's notifications, their e-mail choices, and the one-click unsubscribe link of every e-mail."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from hub.core.access import link_credential, personal, public
from hub.core.db import db
from hub.core.roles import Role
from hub.core.schemas import load_form
from hub.core.web import requested_page
from hub.notifications import services
from hub.notifications.models import DIGEST_FREQUENCIES
from hub.notifications.schemas import SettingsSchema
from hub.notifications.topics import ALL, DIGEST, label_of, topics

bp = Blueprint("notifications", __name__, template_folder="templates")

DIGEST_LABELS = {"weekly": _l("weekly, on Mondays"), "daily": _l("daily"), "never": _l("never")}


def _is_coordinator(user) -> bool:
    return user.is_admin or any(m.role == Role.COORDINATOR for m in user.memberships)


def visible_topics(user) -> dict:
    """The topics a person can choose from (the digest only for coordinators)."""
    coordinator = _is_coordinator(user)
    return {k: t for k, t in topics().items() if k != DIGEST.key and (coordinator or not t.coordinators_only)}


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
    services.mark_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Open a notification: it counts as read, and its link is followed."""
    notification = services.own_notification(current_user, notification_id)
    if notification is None:
        abort(404)
    if notification.read_at is None and not current_user.is_read_only:
        services.mark_read(current_user, [notification.id])
        db.session.commit()
    if notification.link:
        return redirect(notification.link)
    return render_template("notifications/one.html", notification=notification)


def _settings_page(errors: dict | None = None, code: int = 200):
    settings = services.settings_of(current_user)
    offered = visible_topics(current_user)
    muted = set(settings.muted_topics or ())
    return (
        render_template(
            "notifications/settings.html",
            topic_options={key: f"{topic.label} – {topic.hint}" for key, topic in offered.items()},
            emailed=[] if ALL in muted else [key for key in offered if key not in muted],
            digest=services.digest_frequency(current_user),
            digest_options={f: DIGEST_LABELS[f] for f in DIGEST_FREQUENCIES},
            coordinator=_is_coordinator(current_user),
            errors=errors or {},
        ),
        code,
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
    data, errors = load_form(SettingsSchema(), request.form)
    if data is None:
        return _settings_page(errors, 422)
    offered = set(visible_topics(current_user))
    # A topic the page did not offer (the digest for a participant) keeps its current setting.
    kept = set(topics()) - offered - set(services.settings_of(current_user).muted_topics or ())
    try:
        services.choose(current_user, emailed=set(data.get("emailed", [])) | kept, digest=data.get("digest"))
    except services.NotificationError as exc:
        db.session.rollback()
        return _settings_page(exc.errors(), 422)
    db.session.commit()
    flash(_("Your choice of e-mails has been saved."), "success")
    return redirect(url_for("notifications.settings"))


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
    services.unsubscribe(email, topic)
    db.session.commit()
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
    services.resubscribe(email, topic)
    db.session.commit()
    return _no_referrer(render_template("notifications/resubscribed.html", email=email, topic=label_of(topic)))


def install(app) -> None:
    """Let every page show the signed-in person's number of unread notifications."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = services.unread_count(current_user)
        return g.unread_notifications

    app.jinja_env.globals["unread_notifications"] = unread_notifications
