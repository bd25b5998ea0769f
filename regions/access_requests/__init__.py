"""Asking a region for access: a visitor sends a short request (name, address, what they offer or seek), the
region's coordination accepts it (an invitation goes out through the members' invitation) or declines it
(the person hears so, politely, by e-mail)."""

from hub.core.features import Feature

FEATURE = Feature(
    "regions.access_requests",
    # /<region>/join (the visitor's form) and /<region>/access-requests/… (the coordination's list)
    region_pages={"access": "regions.access_requests.views:bp"},
    api=("regions.access_requests.api:blp",),
    jobs="regions.access_requests.jobs",
)
