"""The `hub` command: a FlaskGroup with the framework's commands (regions, demo, mail, scheduler, backup, setup,
analyze); the features add theirs (`hub users`, `hub tokens`, `hub directory`) from their own ``cli`` modules."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from hub.core.db import analyze, db


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


@click.command("setup")
@with_appcontext
def setup_command():
    """Apply migrations, sync the regions and, in development only, load the demo network into an empty database.

    In production the demo's published password would open the admin account, so there the demo
    comes only from an explicit `hub demo load`.
    """
    from flask_migrate import upgrade

    from hub.core.demo import database_is_new, load_demo
    from hub.core.tenancy.registry import sync_regions

    upgrade()
    sync_regions()
    if database_is_new():
        if current_app.config["ENV"] == "production":
            click.echo("empty database: no demo data in production; create the first admin with `hub users create`")
        else:
            load_demo()
            click.echo("demo network loaded (see README.md for the logins)")
    analyze()


@click.command("analyze")
@with_appcontext
def analyze_command():
    """Refresh the database's planner statistics (after a large import, say)."""
    analyze()
    click.echo("statistics refreshed")


@click.command("check")
@with_appcontext
def db_check_command():
    """Say whether the migrations are current and the schema matches the models; exit 1 on any difference."""
    from sqlalchemy.exc import OperationalError

    from hub.core.schema_check import describe_difference, revision_state, schema_differences

    try:
        with db.engine.connect() as connection:
            state = revision_state(connection)
            differences = schema_differences(connection)
    except OperationalError as exc:
        raise click.ClickException(f"the database does not answer: {exc.orig or exc}") from exc
    click.echo(state.describe())
    if differences:
        click.echo(f"the schema differs from the models in {len(differences)} place(s):")
        for difference in differences:
            click.echo(f"  - {describe_difference(difference)}")
    else:
        click.echo("the schema matches the models")
    if differences or not state.current:
        raise SystemExit(1)


def install(app) -> None:
    """Attach the framework's commands to the app (used by `hub` and `flask`); the features bring theirs
    through the registry (hub.core.features: ``Feature(cli=...)``)."""
    from hub.core.backup.cli import backup_cli
    from hub.core.jobs.cli import scheduler_cli
    from hub.core.mail.cli import mail_cli

    for group in (regions_cli, demo_cli, mail_cli, scheduler_cli, backup_cli, setup_command, analyze_command):
        app.cli.add_command(group)
    # `hub db` is Flask-Migrate's group (a plugin command of the `flask`/`hub` command); its `check` (Alembic's,
    # which only says "new upgrade operations detected") gives way to the hub's, which names the differences.
    from flask_migrate.cli import db as db_group

    db_group.add_command(db_check_command, "check")
