"""The demo network's people: placeholders in the four real regions (no real names or contacts)."""

from __future__ import annotations

from hub.accounts.services import create_user, grant_role, user_by_email
from hub.core.db import db
from hub.core.demo import DEMO_PASSWORD, DOMAIN
from hub.core.roles import Role
from hub.core.tenancy import all_regions
from hub.core.tenancy.models import Region

# (e-mail local part, display name, role, region slug or None)
DEMO_PEOPLE = [
    ("admin", "Administration CIMIS Hub", Role.ADMIN, None),
    ("dachprojekt", "Dachprojekt Review", Role.UMBRELLA, None),
    ("koordination.erzgebirge", "Koordination Erzgebirge", Role.COORDINATOR, "erzgebirge"),
    ("koordination.meissen", "Koordination Meißen", Role.COORDINATOR, "meissen"),
    ("koordination.lausitz", "Koordination Lausitz", Role.COORDINATOR, "lausitz"),
    ("koordination.dresden", "Koordination Dresden", Role.COORDINATOR, "dresden"),
    ("alte-brauerei", "Soziokulturelles Zentrum Alte Brauerei Annaberg-Buchholz", Role.PARTICIPANT, "erzgebirge"),
    ("prozessberatung", "Prozessberatung Muster", Role.PARTICIPANT, "erzgebirge"),
    ("holzgestaltung", "Holzgestaltung Muster Schneeberg", Role.PARTICIPANT, "erzgebirge"),
    ("porzellandesign", "Porzellandesign Muster", Role.PARTICIPANT, "meissen"),
    ("weingut", "Weingut Muster Elbland", Role.PARTICIPANT, "meissen"),
    ("grafikbuero", "Grafikbüro Muster Bautzen", Role.PARTICIPANT, "lausitz"),
    ("textilmanufaktur", "Textilmanufaktur Muster Oberlausitz", Role.PARTICIPANT, "lausitz"),
    ("games-studio", "Games-Studio Muster", Role.PARTICIPANT, "dresden"),
    ("handwerksbetrieb", "Handwerksbetrieb Muster Dresden", Role.PARTICIPANT, "dresden"),
    # Someone in two regions, to show the region switcher.
    ("filmproduktion", "Filmproduktion Muster", Role.PARTICIPANT, "dresden"),
    ("filmproduktion", "Filmproduktion Muster", Role.PARTICIPANT, "meissen"),
]


def load_demo_people() -> int:
    """Create the demo accounts that are missing and give them their roles; return how many changed."""
    changes = 0
    with all_regions():
        regions = {r.slug: r for r in db.session.query(Region).all()}
        for local, name, role, slug in DEMO_PEOPLE:
            email = f"{local}@{DOMAIN}"
            region = regions.get(slug) if slug else None
            user = user_by_email(email)
            if user is None:
                create_user(email, name, DEMO_PASSWORD, role=role, region=region)
                db.session.flush()
                changes += 1
            elif user.role_in(region) is None if region else user.global_role != role:
                grant_role(user, role, region)
                db.session.flush()
                changes += 1
        db.session.commit()
    return changes
