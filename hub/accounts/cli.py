"""`hub users create EMAIL --role ...` and `hub tokens create EMAIL`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from hub.core.db import db


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
