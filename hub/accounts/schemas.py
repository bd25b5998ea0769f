"""Validation of account forms and API payloads."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from hub.accounts.security_log import KINDS
from hub.core.roles import Role
from hub.core.schemas import BaseSchema, Password, _m

ROLE_CHOICE = _m("Please choose participant or coordinator.")


class LoginSchema(BaseSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))
    remember = fields.Boolean(load_default=False)


class NewPasswordSchema(BaseSchema):
    password = Password(required=True)
    password_confirm = fields.String(required=True, load_only=True)

    @validates_schema
    def _passwords_match(self, data, **kwargs):
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            raise ValidationError(_m("The passwords do not match."), "password_confirm")


class AcceptInvitationSchema(NewPasswordSchema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=120))


class ChangePasswordSchema(NewPasswordSchema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class ForgotPasswordSchema(BaseSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class InvitationSchema(BaseSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(load_default="", validate=validate.Length(max=120))
    role = fields.Enum(
        Role,
        by_value=True,
        load_default=Role.PARTICIPANT,
        validate=validate.OneOf([Role.PARTICIPANT, Role.COORDINATOR], error=ROLE_CHOICE),
        error_messages={"unknown": ROLE_CHOICE},
    )


class AccessTokenCreateSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))


class LanguageSchema(BaseSchema):
    lang = fields.String(required=True, validate=validate.OneOf(["de", "en"]))
    next = fields.String(load_default="/", validate=validate.Length(max=2000))


class TwoFactorCodeSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class TwoFactorDisableSchema(BaseSchema):
    password_or_code = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024))


class PasswordCheckSchema(BaseSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024))


class SecurityEventQuerySchema(BaseSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(list(KINDS)))
    email = fields.String(load_default=None, validate=validate.Length(max=254))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
