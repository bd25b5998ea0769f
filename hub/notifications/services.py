"""Tell people things: in-app notifications, e-mail as they chose it, and one-click unsubscribing.

``notify()`` is what jobs and features call. It stores the notification, and queues the e-mail unless
the person switched that topic off. With ``effect=(job, subject, slot)`` it does both only once, however
often it is called (two schedulers, a restart): see hub.core.jobs.effects.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, render_template
from flask_babel import force_locale
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import Select, delete, func, select, update

from hub.accounts.models import User
from hub.accounts.services import external_url, normalise_email, user_by_email
from hub.core.db import db, utcnow
from hub.core.jobs import effects
from hub.core.mail.models import OutboxMessage
from hub.core.mail.services import enqueue, render_mail, set_recipient_policy
from hub.core.pages import Page, paginate
from hub.core.roles import Role
from hub.core.schemas import ServiceError, _m
from hub.notifications.models import DIGEST_FREQUENCIES, MailSuppression, Notification, NotificationSettings
from hub.notifications.topics import ALL, DIGEST, Topic, label_of, topics

PAGE_SIZE = 30


class NotificationError(ServiceError):
    """A choice that cannot be saved."""


# -- choices ----------------------------------------------------------------------------------------


def settings_of(user: User) -> NotificationSettings:
    """A person's e-mail choices (the defaults if they never chose)."""
    found = db.session.get(NotificationSettings, user.id)
    return found if found is not None else NotificationSettings(user_id=user.id, muted_topics=[], digest="weekly")


def _stored_settings(user: User) -> NotificationSettings:
    """The person's settings row, made (with the defaults) if they never chose."""
    settings = db.session.get(NotificationSettings, user.id)
    if settings is None:
        settings = NotificationSettings(user_id=user.id, muted_topics=[], digest="weekly")
        db.session.add(settings)
    return settings


def wants_email(user: User, topic: str | None) -> bool:
    if topic is None:
        return True
    muted = set(settings_of(user).muted_topics or ())
    return topic not in muted and ALL not in muted


def coordinates_somewhere(user: User) -> bool:
    """Whether the person gets the coordination's e-mails (the digest): an admin, or a coordinator of a region."""
    return user.is_admin or any(m.role == Role.COORDINATOR for m in user.memberships)


def choosable_topics(user: User) -> dict[str, Topic]:
    """The kinds of e-mail a person switches on and off one by one: the coordinators' own topics only for the
    coordination (the digest has a choice of its own: how often)."""
    coordinator = coordinates_somewhere(user)
    return {k: t for k, t in topics().items() if k != DIGEST.key and (coordinator or not t.coordinators_only)}


def emailed_topics(user: User) -> list[str]:
    """The topics the person can choose that come by e-mail now."""
    muted = set(settings_of(user).muted_topics or ())
    return [] if ALL in muted else [key for key in choosable_topics(user) if key not in muted]


def choose(user: User, *, emailed: set[str] | None = None, digest: str | None = None) -> NotificationSettings:
    """Save which of the topics they can choose a person wants by e-mail, and how often the digest comes.

    ``emailed`` lists every topic wanted; the others the person can choose are switched off, and a topic they
    cannot choose (a coordinators' one, for a participant) keeps its setting. The caller commits."""
    settings = _stored_settings(user)
    if emailed is not None:
        offered = set(choosable_topics(user))
        if emailed - offered:
            raise NotificationError(_m("Unknown kind of e-mail."), "emailed")
        kept = (set(settings.muted_topics or ()) & set(topics())) - offered - {DIGEST.key}
        settings.muted_topics = sorted(kept | (offered - emailed))
    if digest is not None:
        if digest not in DIGEST_FREQUENCIES:
            choices = ", ".join(DIGEST_FREQUENCIES)
            raise NotificationError(_m("Must be one of: {choices}.").format(choices=choices), "digest")
        settings.digest = digest
    return settings


def digest_frequency(user: User) -> str:
    """weekly, daily or never: how often a coordinator wants the digest by e-mail."""
    settings = settings_of(user)
    return "never" if ALL in set(settings.muted_topics or ()) else settings.digest


def mail_allowed(recipient: str, topic: str | None, user: User | None = None) -> bool:
    """May an e-mail of this topic go to this address? Essential mail (no topic) always may."""
    if topic is None:
        return True
    user = user or user_by_email(recipient)
    if user is not None:
        return wants_email(user, topic)
    email = normalise_email(recipient)
    return not db.session.scalar(
        select(func.count())
        .select_from(MailSuppression)
        .where(MailSuppression.email == email, MailSuppression.topic.in_((topic, ALL)))
    )


def outgoing(
    recipient: str, topic: str | None, *, locale: str | None = None, user: User | None = None
) -> tuple[str, str] | None:
    """For an e-mail about to be queued: None if the recipient does not want it, else its one-click
    unsubscribe link and the footer that carries it. ``user``: the recipient's account, if the caller has it."""
    user = user if user is not None else user_by_email(recipient)
    if not mail_allowed(recipient, topic, user):
        return None
    link = unsubscribe_url(recipient, topic)
    with force_locale(locale or current_app.config["DEFAULT_LOCALE"]):
        footer = render_template(
            "mail/_footer.txt",
            topic=topic,
            topic_label=label_of(topic or ALL),
            unsubscribe_url=link,
            settings_url=external_url("notifications.settings") if user is not None else None,
        )
    return link, "\n" + footer.strip("\n") + "\n"


def install(app) -> None:
    """Every e-mail the outbox takes asks here first: does the recipient want it, and which link stops it."""
    set_recipient_policy(app, outgoing)


# -- one-click unsubscribe --------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(recipient: str, topic: str | None) -> str:
    """A link's token: the address and the topic, signed with the time it was made (it expires)."""
    return _serializer().dumps({"e": normalise_email(recipient), "t": topic or ALL})


def unsubscribe_url(recipient: str, topic: str | None) -> str:
    return external_url("notifications.unsubscribe", token=unsubscribe_token(recipient, topic))


class LinkExpired(Exception):
    """A genuine unsubscribe link that is too old to act on."""


def read_token(token: str) -> tuple[str, str] | None:
    """The address and topic of a genuine, current link; None for a forged one; LinkExpired for an old one.

    Links of the first release carry no time: they count as expired, so no link acts for ever.
    """
    max_age = current_app.config["UNSUBSCRIBE_LINK_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired from exc
    except BadSignature:
        try:
            URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe").loads(token)
        except BadSignature:
            return None
        raise LinkExpired from None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str) or not isinstance(data.get("t"), str):
        return None
    if data["t"] != ALL and data["t"] not in topics():
        return None
    return data["e"], data["t"]


def set_subscribed(email: str, topic: str, subscribed: bool) -> None:
    """Switch e-mails of a topic to an address on or off: the account's choice, or for an address without
    account a suppression. Idempotent. The digest's switch is its frequency (never / weekly)."""
    user = user_by_email(email)
    if user is not None:
        settings = _stored_settings(user)
        if topic == DIGEST.key:
            settings.digest = "weekly" if subscribed else "never"
        else:
            muted = set(settings.muted_topics or ())
            settings.muted_topics = sorted(muted - {topic} if subscribed else muted | {topic})
        return
    rows = db.session.scalars(
        select(MailSuppression).where(MailSuppression.email == email, MailSuppression.topic == topic)
    ).all()
    if subscribed:
        for row in rows:
            db.session.delete(row)
    elif not rows:
        db.session.add(MailSuppression(email=email, topic=topic))


def unsubscribe(email: str, topic: str) -> None:
    """No more e-mails of this topic to this address (the link in every e-mail)."""
    set_subscribed(email, topic, False)


def resubscribe(email: str, topic: str) -> None:
    """Undo an unsubscribe (the button on the page the link opens)."""
    set_subscribed(email, topic, True)


# -- notifications ----------------------------------------------------------------------------------


def notify(
    user: User,
    topic: str,
    template: str,
    *,
    link: str = "",
    region=None,
    effect: tuple[str, str, str] | None = None,
    **context,
) -> Notification | None:
    """Tell a person something: in the hub, and by e-mail unless they switched the topic off.

    With ``effect`` = (job, subject, slot), only the first call for that key does anything. The caller
    commits (the key, the notification and the e-mail go in together).
    """
    if effect is not None and not effects.claim(*effect):
        return None
    subject, body = render_mail(template, locale=user.locale, user=user, link=link, **context)
    notification = Notification(
        user_id=user.id,
        topic=topic,
        subject=subject[:300],
        body=body,
        link=link[:500],
        region_id=getattr(region, "id", region),
    )
    db.session.add(notification)
    if user.active:
        enqueue(
            user.email,
            subject,
            body,
            locale=user.locale,
            topic=topic,
            dedupe_key=":".join(effect)[:200] if effect else None,
            user=user,
        )
    return notification


def withdraw(user: User, dedupe_key_prefix: str) -> int:
    """Take back a notice that is no longer true before its e-mail leaves: the unsent e-mails whose key
    starts with the prefix, and the unread notifications that announced the same. The caller commits.

    A sender that has claimed such an e-mail checks that it still holds it just before sending.
    """
    unsent = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.subject).where(
            OutboxMessage.recipient == user.email,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.dedupe_key.startswith(dedupe_key_prefix, autoescape=True),
        )
    ).all()
    if not unsent:
        return 0
    db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.id.in_([id_ for id_, _ in unsent]), OutboxMessage.sent_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            Notification.subject.in_([subject[:300] for _, subject in unsent]),
        )
        .execution_options(synchronize_session=False)
    )
    return len(unsent)


def notifications_of(user: User, *, page: int = 1, unread_only: bool = False) -> Page:
    """One page of the person's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    order = (Notification.created_at.desc(), Notification.id.desc())
    return paginate(query.order_by(*order), page=page, per_page=PAGE_SIZE)


def _unread_query(user_id: int):
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def unread_count(user: User) -> int:
    return db.session.scalar(_unread_query(user.id))


# -- the header's counts ------------------------------------------------------------------------------------

_HEADER_COUNTS = "notifications.header_counts"


def count_in_header(app, name: str, query: Callable[[int], Select]) -> None:
    """Let a feature show a number in every page's header (unread messages, say): ``query(user_id)`` is a
    ``SELECT count(...)``; all the header's numbers are read together in one statement (``header_counts``)."""
    app.extensions.setdefault(_HEADER_COUNTS, {})[name] = query


def header_counts(user_id: int) -> dict[str, int]:
    """The person's unread notifications and every number a feature put in the header, in one statement."""
    queries = {"notifications": _unread_query, **current_app.extensions.get(_HEADER_COUNTS, {})}
    row = db.session.execute(
        select(*(query(user_id).scalar_subquery().label(name) for name, query in queries.items()))
    ).one()
    return {name: value or 0 for name, value in row._mapping.items()}


def own_notification(user: User, notification_id: int) -> Notification | None:
    """One of the person's own notifications; someone else's does not exist for them."""
    return db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )


def mark_read(user: User, notification_ids: list[int] | None = None) -> int:
    """Mark some (or all) of one's own notifications read. The caller commits."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_ids is not None:
        query = query.where(Notification.id.in_(notification_ids))
    return db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount
