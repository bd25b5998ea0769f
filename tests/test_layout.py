"""The layout: one registry lists the features, and the import contract (.importlinter) holds.

See docs/ARCHITECTURE.md, "Layout and layers".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hub.core.features import load, resolve
from hub.features import FEATURES

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.prefix) / "bin" / "lint-imports"


def _feature_packages_on_disk() -> set[str]:
    """Every package that declares a FEATURE in its __init__.py."""
    found = set()
    for init in [
        *ROOT.glob("hub/*/__init__.py"),
        *ROOT.glob("regions/*/__init__.py"),
        *ROOT.glob("shared/*/__init__.py"),
    ]:
        if "FEATURE = Feature(" in init.read_text(encoding="utf-8"):
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    return found


def test_the_import_contract_holds():
    """The framework imports no feature, no cycles, no feature imports another's pages or API, layers hold."""
    completed = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", ".importlinter"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "0 broken" in completed.stdout, completed.stdout


def test_every_feature_package_is_listed_once_and_every_listed_one_declares_itself():
    assert len(set(FEATURES)) == len(FEATURES)
    assert set(FEATURES) == _feature_packages_on_disk()
    assert [f.name for f in load(FEATURES)] == list(FEATURES)


def test_every_entry_of_a_feature_names_something_that_exists():
    for feature in load(FEATURES):
        for path in (*feature.pages, *feature.region_pages.values(), *feature.api, *feature.cli, *feature.install):
            assert resolve(path) is not None, f"{feature.name}: {path}"
        for path in filter(None, (feature.jobs, feature.demo)):
            assert resolve(path) is not None, f"{feature.name}: {path}"


def test_every_jobs_and_cli_module_of_a_feature_is_in_its_declaration():
    """A jobs module left out of the registry would never run; a cli module left out would not be a command."""
    features = {f.name: f for f in load(FEATURES)}
    for name, feature in features.items():
        folder = ROOT.joinpath(*name.split("."))
        if (folder / "jobs.py").exists():
            assert feature.jobs == f"{name}.jobs", f"{name}/jobs.py is not declared in its FEATURE"
        if (folder / "cli.py").exists():
            assert feature.cli and all(path.startswith(f"{name}.cli:") for path in feature.cli), name


@pytest.mark.slow
def test_importing_a_feature_registers_nothing_by_itself():
    """Jobs and the directory's index listeners come from the registry (create_app), never from importing a
    feature's package, models, services or pages; only the registry imports the ``jobs`` modules."""
    script = (
        "import importlib, pkgutil\n"
        "from sqlalchemy import event\n"
        "from sqlalchemy.orm import Session\n"
        "from hub.core.jobs import registered_jobs\n"
        "from hub.features import FEATURES\n"
        "for name in FEATURES:\n"
        "    package = importlib.import_module(name)\n"
        "    for module in pkgutil.walk_packages(package.__path__, name + '.'):\n"
        "        if module.name.rpartition('.')[2] != 'jobs':\n"
        "            importlib.import_module(module.name)\n"
        "from shared.directory import index\n"
        "print(sorted(registered_jobs()), event.contains(Session, 'after_flush', index._follow_profile_changes))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[] False"


def test_the_app_has_the_jobs_and_commands_of_its_features(app):
    from hub.core.jobs import registered_jobs

    jobs = registered_jobs()
    assert {"events.reminders", "accounts.expired_invitations", "mail.watch", "digest.coordinators"} <= set(jobs)
    assert {"users", "tokens", "directory", "demo", "mail", "scheduler", "backup"} <= set(app.cli.commands)
