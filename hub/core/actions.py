"""The action layer's common parts: who acts, the one kind of error an action raises, finding objects.

An action is one state-changing use case (make a match, register for an event, book an expense …),
written once in its feature's ``actions.py``. It takes plain arguments and the acting person, checks who
may do it (the feature's ``access.py``), turns ids into objects of the current region, applies the rules,
and raises ``ServiceError`` (422, or one of its kinds below) naming the field. It never commits: the page, the
API, the CLI or the job that called it does, through ``hub.core.glue``; so every adapter keeps the same
outcome and the same stored state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from hub.core.db import db
from hub.core.roles import Role
from hub.core.schemas import Message, ServiceError, _m

if TYPE_CHECKING:
    from flask_login import UserMixin

T = TypeVar("T")


class NotFound(ServiceError):
    """The object does not exist or the actor may not see it: 404, the same answer for both."""

    status = 404

    def __init__(self, message: Message | str | None = None, field: str | None = None):
        super().__init__(message or _m("This page does not exist, or you cannot see it."), field)


class Forbidden(ServiceError):
    """The actor sees the object but may not do this to it: 403."""

    status = 403

    def __init__(self, message: Message | str | None = None, field: str | None = None):
        super().__init__(message or _m("You are not allowed to do this."), field)


class Conflict(ServiceError):
    """The change collides with the current state, often one made a moment ago by someone else: 409."""

    status = 409


COORDINATION = (Role.COORDINATOR, Role.ADMIN)
REVIEW = (Role.COORDINATOR, Role.ADMIN, Role.UMBRELLA)


@dataclass(frozen=True)
class Actor:
    """Who does an action: the person (None for the hub itself: a job, the CLI) and their role in the region."""

    user: UserMixin | None
    role: Role | None

    @classmethod
    def current(cls) -> Actor:
        """The signed-in person of this request, with their role in the request's region."""
        from flask import g
        from flask_login import current_user

        user = current_user._get_current_object() if current_user.is_authenticated else None
        return cls(user, g.get("region_role"))

    @classmethod
    def system(cls) -> Actor:
        """The hub itself (the CLI, a job): it may do what the coordination may."""
        return cls(None, Role.ADMIN)

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def coordinates(self) -> bool:
        """The region's coordination (or an administrator): may change everything in the region."""
        return self.role in COORDINATION

    @property
    def reviews(self) -> bool:
        """Sees everything in the region: the coordination, and the umbrella reading it."""
        return self.role in REVIEW

    def require_coordination(self) -> None:
        if not self.coordinates:
            raise Forbidden()

    @property
    def administers(self) -> bool:
        """An administrator of the whole network (outside a region too), or the hub itself."""
        return self.role == Role.ADMIN or getattr(self.user, "global_role", None) == Role.ADMIN

    def require_admin(self) -> None:
        """For what only administrators keep (cohorts, the outbox), wherever the request is."""
        if not self.administers:
            raise Forbidden()

    def require_person(self):
        """The signed-in person, for an action on their own account (the hub itself has none)."""
        if self.user is None:
            raise Forbidden()
        return self.user


def get_or_404(model: type[T], object_id: Any) -> T:
    """The object of the current region with this id; NotFound when there is none (or it is behind the wall)."""
    found = db.session.get(model, object_id) if object_id is not None else None
    if found is None:
        raise NotFound()
    return found


def get_for_field(model: type[T], object_id: Any, field: str, message: Message | str) -> T:
    """An object a request names by id in a field; an unknown id is refused with that field named."""
    found = db.session.get(model, object_id) if object_id is not None else None
    if found is None:
        raise ServiceError(message, field)
    return found
