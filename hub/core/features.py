"""The feature registry: what a feature brings to the hub, declared once, in its own package.

A feature's package (``hub.accounts``, ``regions.events``, ``shared.directory`` …) declares in its
``__init__.py``::

    FEATURE = Feature(
        "regions.events",
        region_pages={"events": "regions.events.views:bp"},
        api=("regions.events.api:blp",),
        jobs="regions.events.jobs",
        demo="regions.events.demo:load_demo",
    )

and ``hub/features.py`` lists the features in order. ``create_app`` installs them with ``install(app, ...)``:
their pages, their API, their periodic jobs (the ``@job`` functions of the ``jobs`` module), their CLI
commands and their hooks into the framework (template globals, the directory's index listeners); ``hub demo
load`` runs their demo loaders in the same order. Nothing is registered by importing a package.

Everything is named by its import path (``"module:attribute"``), so a declaration imports nothing: importing a
feature's models never pulls in its pages, and the framework reaches the features only through this list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module

from flask import Blueprint, Flask

# The blueprint under which the regional pages are mounted: /<region>/events/ is "region.events.index".
REGION_BLUEPRINT = "region"
_INSTALLED = "hub.features"


@dataclass(frozen=True)
class Feature:
    """What one feature brings; every entry is an import path, ``"package.module:attribute"``."""

    name: str  # the feature's package, e.g. "regions.events"
    # Page blueprints at the hub's root (they carry their own URL prefix).
    pages: tuple[str, ...] = ()
    # Page blueprints inside a region, by their name there: {"events": ...} serves /<region>/events/….
    region_pages: Mapping[str, str] = field(default_factory=dict)
    # flask-smorest blueprints of the JSON API (/api/v1/…).
    api: tuple[str, ...] = ()
    # The module whose @job functions (hub.core.jobs.job) the scheduler runs.
    jobs: str | None = None
    # A function adding what is missing of the demo network; returns how many things it changed.
    demo: str | None = None
    # click commands or groups of the `hub` command.
    cli: tuple[str, ...] = ()
    # Functions called once with the app: template globals, hooks into the framework, database listeners.
    install: tuple[str, ...] = ()


def resolve(path: str):
    """The object an import path names: ``"regions.events.views:bp"`` → the blueprint."""
    module, _, attribute = path.partition(":")
    found = import_module(module)
    return getattr(found, attribute) if attribute else found


def load(packages: Iterable[str]) -> list[Feature]:
    """The ``FEATURE`` each package declares, in the order given."""
    features = []
    for package in packages:
        feature = getattr(import_module(package), "FEATURE", None)
        if not isinstance(feature, Feature) or feature.name != package:
            raise RuntimeError(f"{package} declares no FEATURE = Feature({package!r}, ...) in its __init__.py")
        features.append(feature)
    return features


def install(app: Flask, features: list[Feature]) -> None:
    """Register every feature's pages, API, jobs and CLI commands, and run its install hooks, in list order.

    The regional pages are nested in one blueprint mounted at /<region>, registered where the first feature
    with regional pages stands, so that the order of the URL map follows the list.
    """
    from hub.core.extensions import api

    region = Blueprint(REGION_BLUEPRINT, __name__, url_prefix="/<region>")
    for feature in features:
        for name, path in feature.region_pages.items():
            region.register_blueprint(resolve(path), name=name)
    for feature in features:
        for path in feature.pages:
            app.register_blueprint(resolve(path))
        if feature.region_pages and REGION_BLUEPRINT not in app.blueprints:
            app.register_blueprint(region)
    for feature in features:
        for path in feature.api:
            api.register_blueprint(resolve(path))
        if feature.jobs:
            import_module(feature.jobs)  # its @job decorators declare the jobs
        for path in feature.cli:
            app.cli.add_command(resolve(path))
        for path in feature.install:
            resolve(path)(app)
    app.extensions[_INSTALLED] = tuple(features)


def installed(app: Flask) -> tuple[Feature, ...]:
    """The features of this app, in order."""
    return app.extensions.get(_INSTALLED, ())


def demo_loaders(app: Flask) -> list[Callable[[], int]]:
    """The demo loaders of the app's features, in order (people before profiles, events before matches)."""
    return [resolve(feature.demo) for feature in installed(app) if feature.demo]
