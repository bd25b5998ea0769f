"""The admin page of the background jobs: last and next runs, failures, and the outbox."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import ngettext

from hub.core.access import admin_required
from hub.core.actions import Actor
from hub.core.glue import page_action
from hub.core.jobs import actions, services

bp = Blueprint("jobs", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/jobs")
@admin_required
def index():
    """Every job with its last and next run, recent failures, and the outbox's state."""
    statuses = services.job_statuses()
    return render_template(
        "jobs/index.html",
        statuses=statuses,
        scheduler_down=services.scheduler_seems_down(statuses),
        failures=services.recent_failures(),
        outbox=services.outbox_summary(),
        failed_messages=services.failed_messages(),
    )


@bp.post("/jobs/outbox/retry")
@admin_required
def retry_outbox():
    """Give every e-mail that used up its attempts a fresh start."""
    back = url_for("jobs.index")
    return page_action(
        lambda data: actions.retry_outbox(Actor.current()),
        refused=back,
        message=lambda count: ngettext(
            "%(num)d e-mail will be tried again.", "%(num)d e-mails will be tried again.", count
        ),
        done=back,
    )
