"""The coordinators' digest (issue 12): what happened in the region, weekly or daily, by e-mail."""

from hub.core.features import Feature

FEATURE = Feature("shared.digest", jobs="shared.digest.jobs")
