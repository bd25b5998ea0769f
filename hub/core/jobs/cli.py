"""`hub scheduler run` (the scheduler process), `hub scheduler jobs`, `hub scheduler run-job ID`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("scheduler")
def scheduler_cli():
    """Background jobs."""


@scheduler_cli.command("run")
@with_appcontext
def scheduler_run():
    """Run the scheduler in this process until SIGTERM or Ctrl-C (one per installation is enough)."""
    from hub.core.jobs.scheduler import run_forever

    run_forever(current_app._get_current_object())


@scheduler_cli.command("jobs")
@with_appcontext
def scheduler_jobs():
    """List the jobs with their interval, last and next run."""
    from hub.core.jobs.services import job_statuses

    for status in job_statuses():
        last = f"{status.last.started_at:%Y-%m-%d %H:%M:%S} UTC {status.last.outcome}" if status.last else "never"
        upcoming = f"{status.next_run_at:%Y-%m-%d %H:%M:%S} UTC" if status.next_run_at else "not scheduled"
        click.echo(f"{status.spec.id:32} every {status.every}  last: {last}  next: {upcoming}")


@scheduler_cli.command("run-job")
@click.argument("job_id")
@with_appcontext
def scheduler_run_job(job_id):
    """Run one job now, in this process (it is idempotent like every scheduled run)."""
    from hub.core.jobs.registry import get_job
    from hub.core.jobs.runner import execute

    try:
        get_job(job_id)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    run = execute(job_id)
    if run.outcome != "ok":
        raise click.ClickException(f"{job_id} failed:\n{run.error}")
    click.echo(f"{job_id}: {', '.join(f'{k} {v}' for k, v in run.summary.items()) or 'nothing to do'}")
