"""What a person may do: the roles the tenancy wall and every feature's access rules speak of."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What a person may do. participant and coordinator hold in one region; umbrella and admin everywhere."""

    PARTICIPANT = "participant"
    COORDINATOR = "coordinator"
    UMBRELLA = "umbrella"
    ADMIN = "admin"


REGIONAL_ROLES = (Role.PARTICIPANT, Role.COORDINATOR)
GLOBAL_ROLES = (Role.UMBRELLA, Role.ADMIN)
