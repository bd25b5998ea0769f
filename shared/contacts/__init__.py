"""Contact requests across regions: ask, accept, decline, and who may see whose contact details (the pages are
the directory's); declined requests are deleted after their retention."""

from hub.core.features import Feature

FEATURE = Feature("shared.contacts", jobs="shared.contacts.jobs")
