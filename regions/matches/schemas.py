"""Match schemas: one layer for the coordination's and the teams' forms and the JSON API."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from hub.core.schemas import Amount, BaseSchema, Id
from regions.matches.vocab import CheckInStatus, LedgerKind, MatchStatus, MemberRole

TEXT = validate.Length(max=20000)


class MatchInputSchema(BaseSchema):
    """A match made by hand: its cohort, title, challenge, goals and its people (profile ids of the region)."""

    cohort_id = Id(required=True)
    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    challenge = fields.String(load_default="", validate=TEXT)
    goals = fields.String(load_default="", validate=TEXT)
    creative_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=10))
    organisation_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=10))
    other_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=10))


class MatchUpdateSchema(BaseSchema):
    """A match's texts (its people, status and money have their own endpoints)."""

    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    challenge = fields.String(load_default="", validate=TEXT)
    goals = fields.String(load_default="", validate=TEXT)
    outcome = fields.String(load_default="", validate=TEXT)
    case_study = fields.String(load_default="", validate=TEXT)


class StatusInputSchema(BaseSchema):
    status = fields.Enum(MatchStatus, by_value=True, required=True)
    on = fields.Date(load_default=None)


class MemberInputSchema(BaseSchema):
    profile_id = Id(required=True)
    role = fields.Enum(MemberRole, by_value=True, load_default=MemberRole.OTHER)
    role_note = fields.String(load_default="", validate=validate.Length(max=200))


class MilestoneInputSchema(BaseSchema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    due_on = fields.Date(required=True)
    note = fields.String(load_default="", validate=TEXT)


class MilestoneUpdateSchema(MilestoneInputSchema):
    done_on = fields.Date(load_default=None, metadata={"description": "the day it was reached; null: open"})


class MilestoneDoneSchema(BaseSchema):
    """The milestone's button: reached, or open again."""

    done = fields.Boolean(required=True)


class CheckInInputSchema(BaseSchema):
    held_on = fields.Date(required=True)
    status = fields.Enum(CheckInStatus, by_value=True, required=True)
    note = fields.String(load_default="", validate=TEXT)


class JournalInputSchema(BaseSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class PublishSchema(BaseSchema):
    publish = fields.Boolean(required=True)


class LedgerInputSchema(BaseSchema):
    """A commitment or payment; a negative amount corrects an earlier entry of the same kind."""

    kind = fields.Enum(LedgerKind, by_value=True, required=True)
    amount = Amount(required=True, negative=True)
    booked_on = fields.Date(required=True)
    purpose = fields.String(required=True, validate=validate.Length(min=2, max=300))
    receipt_id = Id(load_default=None)


class SuggestionRunSchema(BaseSchema):
    cohort_id = Id(required=True)
    method = fields.String(load_default="optimal", validate=validate.OneOf(["optimal", "stable"]))
    limit = fields.Integer(load_default=1, validate=validate.Range(min=1, max=5))


class AcceptSuggestionSchema(BaseSchema):
    cohort_id = Id(required=True)
    title = fields.String(load_default=None, validate=validate.Length(min=3, max=200))
    challenge = fields.String(load_default="", validate=TEXT)


# -- output ---------------------------------------------------------------------------------------------


class MatchMemberSchema(BaseSchema):
    id = fields.Integer()
    profile_id = Id()
    name = fields.Function(lambda m: m.profile.display_name)
    organisation = fields.Function(lambda m: m.profile.organisation_name)
    role = fields.Function(lambda m: m.role.value)
    role_note = fields.String()


class MilestoneSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    due_on = fields.Date()
    done_on = fields.Date(allow_none=True)
    note = fields.String()


class MatchCheckInSchema(BaseSchema):
    id = fields.Integer()
    held_on = fields.Date()
    status = fields.Function(lambda c: c.status.value)
    note = fields.String()


class JournalEntrySchema(BaseSchema):
    id = fields.Integer()
    body = fields.String()
    author = fields.Function(lambda e: e.author.name if e.author else None)
    created_at = fields.DateTime()


class DocumentSchema(BaseSchema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    is_receipt = fields.Boolean()
    created_at = fields.DateTime()


class LedgerEntrySchema(BaseSchema):
    id = fields.Integer()
    kind = fields.Function(lambda e: e.kind.value)
    amount = Amount(negative=True)
    booked_on = fields.Date()
    purpose = fields.String()
    receipt_id = Id(allow_none=True)
    created_at = fields.DateTime()


class BalanceSchema(BaseSchema):
    budget = Amount()
    committed = Amount()
    paid = Amount()
    remaining = Amount()


class MatchSchema(BaseSchema):
    id = fields.Integer()
    cohort_id = Id()
    title = fields.String()
    challenge = fields.String()
    goals = fields.String()
    status = fields.Function(lambda m: m.status.value)
    proposed_on = fields.Date()
    started_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    outcome = fields.String()
    case_study = fields.String()
    case_study_published = fields.Boolean()
    session_id = Id(allow_none=True)
    budget = Amount()
    committed = Amount()
    paid = Amount()
    remaining = Amount()
    members = fields.List(fields.Nested(MatchMemberSchema))


class MatchDetailSchema(MatchSchema):
    milestones = fields.List(fields.Nested(MilestoneSchema))
    check_ins = fields.List(fields.Nested(MatchCheckInSchema))


class SuggestionSchema(BaseSchema):
    id = fields.Integer()
    creative_id = Id()
    organisation_id = Id()
    creative = fields.Function(lambda s: s.creative.display_name)
    organisation = fields.Function(lambda s: s.organisation.organisation_name or s.organisation.display_name)
    score = fields.Float()
    reasons = fields.Function(lambda s: [{"code": c, "params": p} for c, p in s.reasons])
    explanation = fields.Method("_explain")
    status = fields.Function(lambda s: s.status.value)
    match_id = Id(allow_none=True)

    def _explain(self, suggestion):
        from regions.matches.suggesting import wording

        return wording(suggestion)


class MatchFilterSchema(BaseSchema):
    """The API's filters of the region's matches."""

    cohort_id = Id(load_default=None)
    status = fields.Enum(MatchStatus, by_value=True, load_default=None)


class DocumentUploadSchema(BaseSchema):
    """A document or a receipt sent to the API as multipart."""

    file = Upload(required=True)
    is_receipt = fields.Boolean(load_default=False)


class LedgerSchema(BaseSchema):
    balance = fields.Nested(BalanceSchema)
    entries = fields.List(fields.Nested(LedgerEntrySchema))


class BookingSchema(BaseSchema):
    entry = fields.Nested(LedgerEntrySchema)
    balance = fields.Nested(BalanceSchema)
