"""The cross-region commons: the network overview, the directory; the calendar follows."""

import shared.directory.index  # noqa: F401  (keeps the directory index in step with the profiles)
from shared.network.views import bp

__all__ = ["bp"]
