"""Contact requests across regions: ask (on a profile's page in the directory), accept, decline, and who may see
whose contact details; the coordination's numbers per region; declined requests are deleted after their retention."""

from hub.core.features import Feature

FEATURE = Feature(
    "shared.contacts",
    pages=("shared.contacts.views:contacts_bp", "shared.contacts.views:region_contacts_bp"),
    api=("shared.contacts.api:blp",),
    jobs="shared.contacts.jobs",
    install=("shared.contacts.access:install",),
)
