"""The coordinators' digest (issue 12): what happened in the region, weekly or daily, by e-mail."""
