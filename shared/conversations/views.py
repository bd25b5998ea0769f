"""Conversations' pages: the list, one thread with its text box (works without JavaScript), block, unblock and
report; starting the conversation of an accepted contact request; the coordination's list of reports about
people of its region (who reported whom, why, when; never the messages)."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core.access import coordinator_required
from hub.core.actions import Actor
from hub.core.glue import Confirmation, load, page_action, run_action
from hub.notifications.services import count_in_header
from shared.contacts.models import ContactStatus
from shared.contacts.services import request_between
from shared.conversations import access, actions, services
from shared.conversations.models import MESSAGE_MAX_LENGTH
from shared.conversations.schemas import MessageInputSchema, ReportInputSchema

bp = Blueprint("conversations", __name__, template_folder="templates")


@bp.get("/conversations/")
@login_required
def index():
    """The person's conversations, the newest message first, with what is unread."""
    return render_template("conversations/index.html", overviews=services.conversations_of(current_user))


@bp.get("/conversations/<int:conversation_id>")
@login_required
def thread(conversation_id: int):
    """One conversation: its messages, and the text box. Opening it marks it read."""
    found = load(access.own_thread, Actor.current(), conversation_id)
    if services.has_unread(found):
        run_action(lambda: actions.mark_read(Actor.current(), conversation_id))
        g.header_counts = None  # the header counts again, after the reading
    return _thread_page(found, {}, {})


def _thread_page(found, errors: dict, form, status: int = 200):
    return (
        render_template(
            "conversations/thread.html",
            thread=found,
            messages=services.messages_of(found),
            errors=errors,
            form=form,
            max_length=MESSAGE_MAX_LENGTH,
        ),
        status,
    )


def _refused(conversation_id: int):
    def page(errors: dict):
        found = load(access.own_thread, Actor.current(), conversation_id)
        return render_template(
            "conversations/thread.html",
            thread=found,
            messages=services.messages_of(found),
            errors=errors,
            form=request.form,
            max_length=MESSAGE_MAX_LENGTH,
        )

    return page


@bp.post("/conversations/<int:conversation_id>/messages")
@login_required
def send(conversation_id: int):
    """Write a message (the page again, at its end)."""
    load(access.own_thread, Actor.current(), conversation_id)
    return page_action(
        lambda data: actions.send(Actor.current(), conversation_id, **data),
        schema=MessageInputSchema(),
        refused=_refused(conversation_id),
        done=lambda message: url_for(".thread", conversation_id=conversation_id, _anchor=f"m{message.id}"),
    )


@bp.post("/conversations/<int:conversation_id>/read")
@login_required
def mark_read(conversation_id: int):
    """Mark the conversation read (what opening it does; for a list's button and the API's parity)."""
    load(access.own_thread, Actor.current(), conversation_id)
    return page_action(
        lambda data: actions.mark_read(Actor.current(), conversation_id),
        refused=url_for(".index"),
        done=url_for(".index"),
    )


@bp.post("/conversations/<int:conversation_id>/block")
@login_required
def block(conversation_id: int):
    """Block the other person: no messages either way, no contact requests from them (asks first)."""
    found = load(access.own_thread, Actor.current(), conversation_id)
    name = found.other.profile.display_name if found.other and found.other.profile else ""
    return page_action(
        lambda data: actions.block(Actor.current(), conversation_id),
        refused=_refused(conversation_id),
        message=_("You have blocked %(name)s.", name=name),
        done=url_for(".thread", conversation_id=conversation_id),
        confirm=None
        if found.blocked_by_me
        else Confirmation(
            _("Block %(name)s?", name=name),
            _(
                "Neither of you can write in this conversation any more, and %(name)s cannot ask you for contact "
                "again. You can undo this later.",
                name=name,
            ),
            _("Yes, block"),
        ),
    )


@bp.post("/conversations/<int:conversation_id>/unblock")
@login_required
def unblock(conversation_id: int):
    """Undo a block."""
    load(access.own_thread, Actor.current(), conversation_id)
    return page_action(
        lambda data: actions.unblock(Actor.current(), conversation_id),
        refused=_refused(conversation_id),
        message=_("Unblocked: you can write to each other again."),
        done=url_for(".thread", conversation_id=conversation_id),
    )


@bp.post("/conversations/<int:conversation_id>/report")
@login_required
def report(conversation_id: int):
    """Report the other person to the coordination of their region, with a reason."""
    load(access.own_thread, Actor.current(), conversation_id)
    return page_action(
        lambda data: actions.report(Actor.current(), conversation_id, **data),
        schema=ReportInputSchema(),
        refused=_refused(conversation_id),
        message=_(
            "Thank you. The coordination of this person's region will look into it; it does not see your messages."
        ),
        done=url_for(".thread", conversation_id=conversation_id),
    )


@bp.post("/contacts/<int:contact_id>/conversation")
@login_required
def start(contact_id: int):
    """Open the conversation of an accepted contact request (the contacts page's "Write a message")."""
    load(access.accepted_contact, Actor.current(), contact_id)
    return page_action(
        lambda data: actions.open_conversation(Actor.current(), contact_id),
        refused=url_for("contacts.contact_list"),
        done=lambda found: url_for(".thread", conversation_id=found.conversation.id),
    )


# -- the coordination's reports -------------------------------------------------------------------------

reports_bp = Blueprint(
    "conversation_reports", __name__, url_prefix="/conversation-reports", template_folder="templates"
)


@reports_bp.get("/")
@coordinator_required
def index_reports():
    """Reports about people of the region by their conversation partners: who, whom, why, when. For the
    coordination only: the umbrella's review of the region does not read reports about persons."""
    load(access.report_readers, Actor.current())
    return _reports_page({})


def _reports_page(errors: dict):
    return render_template("conversations/reports.html", reports=services.reports_of_region(), errors=errors)


@reports_bp.post("/<int:conversation_report_id>/close")
@coordinator_required
def close(conversation_report_id: int):
    """The report has been handled (one closed already: the list again, saying so, 409 as in the API)."""
    load(access.region_report, Actor.current(), conversation_report_id)
    return page_action(
        lambda data: actions.close_report(Actor.current(), conversation_report_id),
        refused=_reports_page,
        message=_("The report is closed."),
        done=url_for(".index_reports"),
    )


def write_message_to(profile) -> str | None:
    """For a profile's page (the directory's): where "Write a message" posts when the viewer is in accepted
    contact with the person (opening their conversation), else None."""
    if not current_user.is_authenticated or current_user.is_read_only or profile.user_id == current_user.id:
        return None
    contact = request_between(current_user, profile)
    if contact is None or contact.status != ContactStatus.ACCEPTED:
        return None
    return url_for("conversations.start", contact_id=contact.id)


def install(app) -> None:
    """Every page's header counts the person's unread messages (``unread_messages()``), read in the one
    statement of the header's numbers (hub.notifications.services.count_in_header); a profile's page offers
    to write to a person in contact (``write_message_to(profile)``), without the directory knowing this feature."""
    count_in_header(app, "messages", services.unread_query)
    app.jinja_env.globals["unread_messages"] = lambda: app.jinja_env.globals["header_count"]("messages")
    app.add_template_global(write_message_to, "write_message_to")
