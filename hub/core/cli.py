"""The `hub` command: a FlaskGroup with the hub's own commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select, text

from hub.core.db import db


def _create_app():
    from hub import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main():
    """CIMIS Hub management commands."""


@click.group("regions")
def regions_cli():
    """The region registry."""


@regions_cli.command("sync")
@with_appcontext
def regions_sync():
    """Write config/regions.toml into the database."""
    import tomllib

    from hub.core.tenancy.registry import sync_regions

    try:
        report = sync_regions()
    except (ValueError, KeyError, tomllib.TOMLDecodeError) as exc:
        db.session.rollback()
        raise click.ClickException(f"regions.toml: {exc}") from exc
    for key, slugs in report.items():
        if slugs:
            click.echo(f"{key}: {', '.join(slugs)}")
    if not any(report.values()):
        click.echo("regions are up to date")


@click.group("users")
def users_cli():
    """User accounts."""


@users_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="Display name (default: the part before @).")
@click.option("--role", type=click.Choice(["participant", "coordinator", "umbrella", "admin"]), required=True)
@click.option("--region", "region_slug", help="Region slug, for participant and coordinator.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def users_create(email, name, role, region_slug, password):
    """Create an account with a role."""
    from hub.accounts.services import AccountError, check_password, create_user
    from hub.core.roles import REGIONAL_ROLES, Role
    from hub.core.tenancy import all_regions
    from hub.core.tenancy.models import Region

    role = Role(role)
    region = None
    if role in REGIONAL_ROLES:
        if not region_slug:
            raise click.UsageError(f"--region is required for the role {role.value}")
        region = db.session.scalar(select(Region).where(Region.slug == region_slug))
        if region is None:
            raise click.UsageError(f"unknown region {region_slug!r}")
    if len(password) < 12:
        raise click.UsageError("the password needs at least 12 characters")
    name = name or email.split("@")[0]
    with all_regions():
        try:
            check_password(password, email=email, name=name)
            user = create_user(email, name, password, role=role, region=region)
        except AccountError as exc:
            raise click.ClickException(exc.message) from exc
        db.session.commit()
    click.echo(f"created {user.email} ({role.value}{' in ' + region.slug if region else ''})")


@click.group("tokens")
def tokens_cli():
    """Personal access tokens for the API."""


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="cli", help="What the token is for.")
@with_appcontext
def tokens_create(email, name):
    """Create an API token for a user and print it (shown only this once)."""
    from hub.accounts.services import create_access_token, user_by_email

    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    _, raw = create_access_token(user, name)
    db.session.commit()
    click.echo(raw)


@click.group("demo")
def demo_cli():
    """Demo data."""


@demo_cli.command("load")
@with_appcontext
def demo_load():
    """Load the demo network (idempotent: a second run changes nothing)."""
    from hub.core.demo import load_demo

    changes = load_demo()
    click.echo(f"demo network loaded ({changes} changes)")


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


@click.command("setup")
@with_appcontext
def setup_command():
    """Apply migrations, sync the regions and, in development only, load the demo network into an empty database.

    In production the demo's published password would open the admin account, so there the demo
    comes only from an explicit `hub demo load`.
    """
    from flask_migrate import upgrade
    from sqlalchemy import func

    from hub.accounts.models import User
    from hub.core.demo import load_demo
    from hub.core.tenancy.registry import sync_regions

    upgrade()
    sync_regions()
    if not db.session.scalar(select(func.count()).select_from(User)):
        if current_app.config["ENV"] == "production":
            click.echo("empty database: no demo data in production; create the first admin with `hub users create`")
        else:
            load_demo()
            click.echo("demo network loaded (see README.md for the logins)")
    analyze()


def analyze() -> None:
    """Refresh the database's planner statistics (SQLite keeps none until asked; the reports' joins
    need them to start from the small side)."""
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


@click.command("analyze")
@with_appcontext
def analyze_command():
    """Refresh the database's planner statistics (after a large import, say)."""
    analyze()
    click.echo("statistics refreshed")


def install(app) -> None:
    """Attach the hub's commands to the app (used by `hub` and `flask`)."""
    from hub.core.backup.cli import backup_cli
    from hub.core.jobs.cli import scheduler_cli

    for group in (
        regions_cli,
        users_cli,
        tokens_cli,
        demo_cli,
        mail_cli,
        scheduler_cli,
        backup_cli,
        setup_command,
        analyze_command,
    ):
        app.cli.add_command(group)
