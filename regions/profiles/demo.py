"""Demo profiles: the program's own example (Alte Brauerei and a process consultant) and a few more."""

from __future__ import annotations

from sqlalchemy import select

from hub.accounts.services import user_by_email
from hub.core.db import db
from hub.core.demo import DOMAIN
from hub.core.tenancy import region_scope
from hub.core.tenancy.models import Region
from regions.profiles import services
from regions.profiles.models import Profile
from regions.profiles.schemas import ProfileInputSchema

# (e-mail local part, region, profile fields)
DEMO_PROFILES = [
    (
        "alte-brauerei",
        "erzgebirge",
        {
            "kind": "organisation",
            "display_name": "Soziokulturelles Zentrum Alte Brauerei",
            "organisation_name": "Alte Brauerei Annaberg-Buchholz",
            "town": "Annaberg-Buchholz",
            "sector": "Soziokultur",
            "pitch": "Soziokulturelles Zentrum mit vielen Ehrenamtlichen – wir wollen neuen Helfer:innen den Einstieg "
            "leichter machen.",
            "need_tags": ["Onboarding", "Ehrenamt", "Prozesse"],
            "needs_text": "Ein Onboarding-Prozess, damit neue Ehrenamtliche schneller und umfassender starten können.",
            "offer_tags": ["Veranstaltungsraum", "Kulturprogramm"],
        },
    ),
    (
        "prozessberatung",
        "erzgebirge",
        {
            "kind": "creative",
            "display_name": "Prozessberatung Muster",
            "town": "Schneeberg",
            "submarkets": ["other"],
            "pitch": "Expertise für Unternehmensprozesse: einfach, klar, gemeinsam entwickelt.",
            "offer_tags": ["Prozessberatung", "Onboarding", "Workshops"],
            "offers_text": "Ich entwickle mit Teams Abläufe, die im Alltag tragen – vom Onboarding bis zur Übergabe.",
        },
    ),
    (
        "holzgestaltung",
        "erzgebirge",
        {
            "kind": "creative",
            "display_name": "Holzgestaltung Muster",
            "town": "Schneeberg",
            "submarkets": ["design", "art"],
            "pitch": "Möbelbau und Objektdesign aus erzgebirgischem Holz.",
            "offer_tags": ["Möbelbau", "Objektdesign", "Holz"],
        },
    ),
    (
        "porzellandesign",
        "meissen",
        {
            "kind": "creative",
            "display_name": "Porzellandesign Muster",
            "town": "Meißen",
            "submarkets": ["design"],
            "pitch": "Zeitgenössisches Design für Porzellan und Keramik.",
            "offer_tags": ["Produktdesign", "Keramik", "Fotografie"],
        },
    ),
    (
        "weingut",
        "meissen",
        {
            "kind": "organisation",
            "display_name": "Weingut Muster Elbland",
            "town": "Radebeul",
            "sector": "Weinbau und Tourismus",
            "pitch": "Familienweingut an der Elbe.",
            "need_tags": ["Website", "Etikettendesign", "Social Media"],
        },
    ),
    (
        "grafikbuero",
        "lausitz",
        {
            "kind": "creative",
            "display_name": "Grafikbüro Muster Bautzen",
            "town": "Bautzen",
            "submarkets": ["design", "advertising"],
            "languages": ["de", "hsb", "pl"],
            "pitch": "Grafik und Kommunikation – zweisprachig deutsch und sorbisch.",
            "offer_tags": ["Grafikdesign", "Etikettendesign", "Website"],
        },
    ),
    (
        "textilmanufaktur",
        "lausitz",
        {
            "kind": "organisation",
            "display_name": "Textilmanufaktur Muster Oberlausitz",
            "town": "Großschönau",
            "sector": "Textil",
            "pitch": "Damast und Frottier aus der Oberlausitz.",
            "need_tags": ["Digitalisierung", "Onlineshop", "Fotografie"],
        },
    ),
    (
        "games-studio",
        "dresden",
        {
            "kind": "creative",
            "display_name": "Games-Studio Muster",
            "town": "Dresden",
            "submarkets": ["software_games"],
            "pitch": "Serious Games und interaktive Lernanwendungen.",
            "offer_tags": ["Serious Games", "Lernanwendungen", "Virtual Reality"],
        },
    ),
    (
        "handwerksbetrieb",
        "dresden",
        {
            "kind": "organisation",
            "display_name": "Handwerksbetrieb Muster Dresden",
            "town": "Dresden",
            "sector": "Handwerk",
            "pitch": "Tischlerei mit zwölf Beschäftigten.",
            "need_tags": ["Fachkräftegewinnung", "Onboarding", "Website"],
        },
    ),
    (
        "filmproduktion",
        "dresden",
        {
            "kind": "creative",
            "display_name": "Filmproduktion Muster",
            "town": "Dresden",
            "submarkets": ["film"],
            "pitch": "Imagefilme und Dokumentationen aus Sachsen.",
            "offer_tags": ["Imagefilm", "Dokumentation", "Fotografie"],
        },
    ),
]


def load_demo_profiles() -> int:
    """Create the demo profiles that are missing (network-visible, with consent)."""
    changes = 0
    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    for local, slug, fields in DEMO_PROFILES:
        user = user_by_email(f"{local}@{DOMAIN}")
        if user is None or slug not in regions:
            continue
        with region_scope(regions[slug]):
            if db.session.scalar(select(Profile.id).where(Profile.user_id == user.id)):
                continue
            data = ProfileInputSchema().load(
                {
                    **fields,
                    "contact_email": user.email,
                    "visibility": "network",
                    "consent": True,
                    "languages": fields.get("languages", ["de"]),
                }
            )
            services.create_profile(data, user=user, acting_user=user)
            db.session.flush()
            changes += 1
    return changes
