"""`hub mail send`: deliver the outbox by hand."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("mail")
def mail_cli():
    """The mail outbox."""


@mail_cli.command("send")
@with_appcontext
def mail_send():
    """Deliver the due messages of the outbox over SMTP (safe beside other senders and the scheduler)."""
    if not current_app.config["MAIL_SERVER"]:
        raise click.ClickException("HUB_MAIL_SERVER is not set; messages stay in the outbox")
    from hub.core.mail.jobs import send_outbox

    result = send_outbox()
    click.echo(f"sent {result['sent']}, failed {result['failed']}")
