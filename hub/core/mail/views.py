"""The outbox for administrators: what was sent, what waits, what failed."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from hub.core.access import admin_required
from hub.core.mail.models import OutboxMessage
from hub.core.mail.services import given_up_count, trouble
from hub.core.pages import paginate
from hub.core.web import requested_page

bp = Blueprint("mail", __name__, url_prefix="/admin", template_folder="templates")

PAGE_SIZE = 50


@bp.get("/outbox")
@admin_required
def outbox():
    """List the newest messages of the outbox, below a warning when e-mail keeps failing."""
    newest_first = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    messages = paginate(newest_first, page=requested_page(), per_page=PAGE_SIZE)
    return render_template("mail/outbox.html", messages=messages, trouble=trouble(), given_up=given_up_count())
