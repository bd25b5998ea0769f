"""Teams across regions: the forms and the JSON API of requests, decisions and a guest's work in the team."""

from __future__ import annotations

from marshmallow import fields, validate

from hub.core.schemas import Amount, BaseSchema, Id
from regions.matches.vocab import MemberRole

TEXT = validate.Length(min=1, max=20000)


class GuestRequestSchema(BaseSchema):
    """Ask for a person of another region (a profile the directory shows to the network)."""

    profile_id = Id(required=True)
    role = fields.Enum(MemberRole, by_value=True, load_default=MemberRole.OTHER)
    role_note = fields.String(load_default="", validate=validate.Length(max=200))


class GuestJournalSchema(BaseSchema):
    body = fields.String(required=True, validate=TEXT)


class GuestMilestoneSchema(BaseSchema):
    """A milestone of the team reached (done) or open again."""

    milestone_id = Id(required=True)
    done = fields.Boolean(required=True)


class GuestSchema(BaseSchema):
    """A request for, or the membership of, a person of another region in a match (who asked, who decided, when)."""

    id = fields.Integer()
    status = fields.Function(
        lambda g: g.status.value, metadata={"enum": ["requested", "accepted", "declined", "withdrawn", "removed"]}
    )
    match_id = fields.Integer()
    match_title = fields.String()
    match_status = fields.Function(lambda g: g.match_status.value)
    funding_region = fields.String(attribute="funding_region_slug")
    guest_region = fields.String(attribute="guest_region_slug")
    profile_id = fields.Integer()
    person = fields.String()
    role = fields.Function(lambda g: g.role.value)
    role_note = fields.String()
    requested_at = fields.DateTime()
    requested_by = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.String()
    ended_at = fields.DateTime(allow_none=True)
    ended_by = fields.String()


class JointMilestoneSchema(BaseSchema):
    id = fields.Function(lambda s: s.milestone.id)
    title = fields.Function(lambda s: s.milestone.title)
    due_on = fields.Function(lambda s: s.milestone.due_on.isoformat())
    done_on = fields.Function(
        lambda s: s.milestone.done_on.isoformat() if s.milestone.done_on else None, allow_none=True
    )
    state = fields.String()


class JointMemberSchema(BaseSchema):
    name = fields.Function(lambda m: m[0])
    role = fields.Function(lambda m: m[1].value)


class NoteSchema(BaseSchema):
    body = fields.String()
    author = fields.String()
    created_at = fields.DateTime()


class JointMatchSchema(BaseSchema):
    """A match of another region as the guest's region reads it (members, milestones, money, journal)."""

    guest = fields.Nested(GuestSchema)
    title = fields.String()
    challenge = fields.String()
    goals = fields.String()
    status = fields.Function(lambda j: j.status.value)
    budget = Amount(allow_none=True)  # null, like committed and paid, once the request or membership ended
    committed = Amount(allow_none=True)
    paid = Amount(allow_none=True)
    members = fields.Function(lambda j: JointMemberSchema(many=True).dump(j.members))
    guests = fields.Function(lambda j: GuestSchema(many=True).dump(j.guests))
    milestones = fields.Function(lambda j: JointMilestoneSchema(many=True).dump(j.glance.steps if j.glance else []))
    journal = fields.Function(lambda j: NoteSchema(many=True).dump(j.journal))
