"""The legal pages (privacy notice, imprint, accessibility statement): text files an operator completes.

The files are a small, safe subset of Markdown: ``# `` and ``## `` headings, paragraphs, ``- `` lists and
a first line ``Version: …``. Everything is escaped, so a file can hold no HTML and no script.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from markupsafe import Markup, escape

from hub.core.actions import NotFound
from hub.core.settings import CONFIG_DIR

PAGES = ("privacy", "imprint", "accessibility")
DEFAULT_VERSION = "1"


@dataclass(frozen=True)
class LegalText:
    """One legal page: its version line and its body as safe HTML."""

    version: str
    title: str
    html: Markup


def legal_dir() -> Path:
    """Where the legal texts live (HUB_LEGAL_DIR, else config/legal)."""
    configured = current_app.config.get("LEGAL_DIR") or ""
    return Path(configured) if configured else CONFIG_DIR / "legal"


def load(page: str) -> LegalText:
    """Read one legal page; a missing file is a configuration error the operator must fix."""
    if page not in PAGES:
        raise KeyError(page)
    text = (legal_dir() / f"{page}.md").read_text(encoding="utf-8")
    return parse(text)


def published(page: str) -> LegalText:
    """A legal page as the site shows it; NotFound where the operator has not written it (yet)."""
    try:
        return load(page)
    except (KeyError, FileNotFoundError):
        raise NotFound() from None


def parse(text: str) -> LegalText:
    """Turn the Markdown subset into escaped HTML; the version line and the first heading are taken apart."""
    lines = text.replace("\r\n", "\n").split("\n")
    version, title = DEFAULT_VERSION, ""
    if lines and lines[0].lower().startswith("version:"):
        version = lines.pop(0).split(":", 1)[1].strip() or DEFAULT_VERSION
    out: list[str] = []
    paragraph: list[str] = []
    in_list = False

    def close_paragraph():
        if paragraph:
            out.append(f"<p>{escape(' '.join(paragraph))}</p>")
            paragraph.clear()

    def close_list():
        nonlocal in_list
        if in_list:
            out.append("</ul>")
            in_list = False

    for raw in lines:
        line = raw.strip()
        if not line:
            close_paragraph()
            close_list()
        elif line.startswith("# ") and not title:
            close_paragraph()
            close_list()
            title = line[2:].strip()
        elif line.startswith("#"):
            close_paragraph()
            close_list()
            out.append(f"<h2>{escape(line.lstrip('#').strip())}</h2>")
        elif line.startswith("- "):
            close_paragraph()
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{escape(line[2:].strip())}</li>")
        else:
            close_list()
            paragraph.append(line)
    close_paragraph()
    close_list()
    return LegalText(version=version[:20], title=title, html=Markup("\n".join(out)))


def consent_version() -> str:
    """The privacy notice's version: what a profile's consent refers to (a new one asks again)."""
    cache = current_app.extensions.setdefault("hub_privacy_version", {})
    path = legal_dir() / "privacy.md"
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return DEFAULT_VERSION
    if cache.get("stamp") != (path, stamp):
        cache["stamp"], cache["version"] = (path, stamp), load("privacy").version
    return cache["version"]
