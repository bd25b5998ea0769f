"""The jobs the scheduler runs, declared in code beside their feature (``<feature>/jobs.py``).

A feature declares a job with ``@job("events.reminders", every=timedelta(minutes=15), title=_l(...))`` in its
``jobs`` module, and names that module in its ``FEATURE`` (``jobs="regions.events.jobs"``): the registry
(hub.core.features) imports it when the app is built, so the framework names no feature.
Every job is a sweep over the data ("what is due now and not done yet?"), so a run that comes late, or
twice, or after a crash, does what is due and nothing twice (see hub.core.jobs.effects).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

JOB_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class JobSpec:
    """One periodic job: its id, what it runs, how often by default, and its name for the admin page."""

    id: str
    func: Callable[[], dict | None]
    every: timedelta
    title: object  # a lazy string: the admin page shows it in the reader's language

    @property
    def description(self) -> str:
        """The first line of the job's docstring."""
        return (self.func.__doc__ or "").strip().partition("\n")[0]


_JOBS: dict[str, JobSpec] = {}


def job(job_id: str, *, every: timedelta, title) -> Callable:
    """Declare a periodic job. The function takes no arguments and may return a dict of counts."""
    if not JOB_ID.match(job_id):
        raise ValueError(f"job ids look like 'feature.what', not {job_id!r}")
    if every < timedelta(seconds=1):
        raise ValueError("a job runs at most once a second")

    def decorator(func):
        if job_id in _JOBS and _JOBS[job_id].func is not func:
            raise ValueError(f"job {job_id!r} is declared twice")
        _JOBS[job_id] = JobSpec(job_id, func, every, title)
        return func

    return decorator


def registered_jobs() -> dict[str, JobSpec]:
    """Every declared job, by id, in id order."""
    return dict(sorted(_JOBS.items()))


def get_job(job_id: str) -> JobSpec:
    try:
        return _JOBS[job_id]
    except KeyError:
        raise KeyError(f"no job {job_id!r}; known: {', '.join(sorted(_JOBS))}") from None


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^\s*([a-z0-9_.]+)\s*=\s*(\d+)\s*([smhd])\s*$")


def parse_intervals(text: str) -> dict[str, timedelta]:
    """Read ``JOB_INTERVALS`` ("mail.send_outbox=30s, events.reminders=5m") into timedeltas."""
    found: dict[str, timedelta] = {}
    for part in filter(str.strip, text.split(",")):
        m = _INTERVAL.match(part)
        if not m:
            raise ValueError(f"JOB_INTERVALS: cannot read {part.strip()!r} (expected e.g. 'mail.send_outbox=30s')")
        found[m.group(1)] = timedelta(seconds=int(m.group(2)) * _UNITS[m.group(3)])
    return found


def interval_of(spec: JobSpec, config) -> timedelta:
    """How often a job runs here: its default, unless JOB_INTERVALS names it."""
    return parse_intervals(config.get("JOB_INTERVALS", "")).get(spec.id, spec.every)
