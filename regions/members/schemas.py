"""Schemas of the members feature."""

from marshmallow import fields, validate

from hub.accounts.schemas import ROLE_CHOICE
from hub.core.roles import Role
from hub.core.schemas import BaseSchema


class MemberSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    user_id = fields.Integer(dump_only=True)
    name = fields.Function(lambda m: m.user.name, dump_only=True)
    email = fields.Function(lambda m: m.user.email, dump_only=True)
    role = fields.Function(lambda m: m.role.value, dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class RoleChangeSchema(BaseSchema):
    role = fields.Enum(
        Role,
        by_value=True,
        required=True,
        validate=validate.OneOf([Role.PARTICIPANT, Role.COORDINATOR], error=ROLE_CHOICE),
        error_messages={"unknown": ROLE_CHOICE},
    )
