"""The cross-region commons: the network overview now; the directory and calendar follow."""

from shared.network.views import bp

__all__ = ["bp"]
