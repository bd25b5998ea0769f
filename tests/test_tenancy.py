"""The tenancy wall: scoped queries are filtered automatically and fail closed."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, insert, select, update

from hub.accounts.models import Invitation, Membership, User
from hub.core.db import db, utcnow
from hub.core.roles import Role
from hub.core.tenancy import ReadOnlyScopeError, TenancyError, all_regions, region_scope
from hub.core.tenancy.models import Region


@pytest.fixture
def two_regions(make, regions):
    """Two participants in Erzgebirge, one in Meißen."""
    make.participant("erzgebirge", name="Erz Eins")
    make.participant("erzgebirge", name="Erz Zwei")
    make.participant("meissen", name="Meißen Eins")
    return regions["erzgebirge"].id, regions["meissen"].id


def test_query_of_scoped_model_without_region_raises(ctx, two_regions):
    with pytest.raises(TenancyError):
        db.session.scalars(select(Membership)).all()


def test_count_and_column_queries_without_region_raise(ctx, two_regions):
    with pytest.raises(TenancyError):
        db.session.scalar(select(func.count()).select_from(Membership))
    with pytest.raises(TenancyError):
        db.session.scalars(select(Membership.user_id)).all()


def test_join_from_unscoped_model_into_scoped_one_raises_without_region(ctx, two_regions):
    with pytest.raises(TenancyError):
        db.session.scalars(select(User).join(Membership)).all()


def test_unscoped_models_need_no_region(ctx, two_regions):
    assert len(db.session.scalars(select(User)).all()) == 3
    assert len(db.session.scalars(select(Region)).all()) == 4


def test_select_returns_only_the_region_in_scope(ctx, two_regions):
    erz, mei = two_regions
    with region_scope(erz):
        assert {m.region_id for m in db.session.scalars(select(Membership))} == {erz}
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 2
        assert len(db.session.scalars(select(Membership.user_id)).all()) == 2
    with region_scope(mei):
        names = db.session.scalars(select(User.name).join(Membership)).all()
        assert names == ["Meißen Eins"]


def test_relationship_loads_are_filtered(ctx, make, regions):
    """A lazy load of a scoped object through a relationship sees only the region in scope."""
    from shared.contacts.models import ContactRequest

    asker, addressee = make.participant("erzgebirge"), make.participant("meissen")
    sender = make.profile("erzgebirge", user=asker, visibility="network")
    sender.owner = asker
    recipient = make.profile("meissen", user=addressee, visibility="network")
    contact = make.contact_request(sender, recipient)
    db.session.expunge_all()
    with region_scope(regions["erzgebirge"].id):
        loaded = db.session.get(ContactRequest, contact.id)
        assert loaded.sender.id == sender.id
        assert loaded.recipient is None
    db.session.expunge_all()
    with region_scope(regions["meissen"].id):
        assert db.session.get(ContactRequest, contact.id).recipient.id == recipient.id


def test_get_hides_another_regions_object_even_from_the_identity_map(ctx, two_regions):
    erz, mei = two_regions
    with all_regions():
        foreign = db.session.scalars(select(Membership).where(Membership.region_id == mei)).one()
    with region_scope(erz):
        assert db.session.get(Membership, foreign.id) is None
    with region_scope(mei):
        assert db.session.get(Membership, foreign.id) is foreign


def test_bulk_update_and_delete_touch_only_the_region_in_scope(ctx, two_regions):
    erz, mei = two_regions
    with region_scope(mei):
        db.session.execute(update(Membership).values(role=Role.COORDINATOR))
        db.session.execute(delete(Membership))
        db.session.commit()
    with all_regions():
        rows = db.session.execute(select(Membership.region_id, Membership.role)).all()
    assert sorted(rows) == [(erz, Role.PARTICIPANT), (erz, Role.PARTICIPANT)]


def test_bulk_update_without_region_raises(ctx, two_regions):
    with pytest.raises(TenancyError):
        db.session.execute(update(Membership).values(role=Role.COORDINATOR))


def test_flush_into_another_region_raises(ctx, two_regions):
    erz, mei = two_regions
    with region_scope(erz):
        membership = db.session.scalars(select(Membership)).first()
        membership.region_id = mei
        with pytest.raises(TenancyError):
            db.session.flush()
    db.session.rollback()


def test_new_row_for_another_region_raises(ctx, two_regions):
    erz, mei = two_regions
    with region_scope(erz):
        db.session.add(
            Invitation(
                region_id=mei, email="x@example.org", role=Role.PARTICIPANT, token_hash="x" * 64, expires_at=utcnow()
            )
        )
        with pytest.raises(TenancyError):
            db.session.flush()
    db.session.rollback()


def test_new_row_without_region_takes_the_region_in_scope(ctx, two_regions):
    erz, _ = two_regions
    with region_scope(erz):
        invitation = Invitation(email="x@example.org", role=Role.PARTICIPANT, token_hash="y" * 64, expires_at=utcnow())
        db.session.add(invitation)
        db.session.flush()
        assert invitation.region_id == erz
    db.session.rollback()


def test_new_row_without_any_region_raises(ctx, two_regions):
    db.session.add(Invitation(email="x@example.org", role=Role.PARTICIPANT, token_hash="z" * 64, expires_at=utcnow()))
    with pytest.raises(TenancyError):
        db.session.flush()
    db.session.rollback()


def test_bulk_insert_must_name_the_region_in_scope(ctx, two_regions):
    erz, mei = two_regions
    row = {"email": "b@example.org", "role": Role.PARTICIPANT, "token_hash": "b" * 64, "expires_at": utcnow()}
    with region_scope(erz):
        with pytest.raises(TenancyError):
            db.session.execute(insert(Invitation), [{**row, "region_id": mei}])
        db.session.execute(insert(Invitation), [{**row, "region_id": erz}])
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    db.session.rollback()


def test_read_only_scope_refuses_every_change(ctx, two_regions):
    erz, _ = two_regions
    with region_scope(erz, read_only=True):
        membership = db.session.scalars(select(Membership)).first()
        membership.role = Role.COORDINATOR
        with pytest.raises(ReadOnlyScopeError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(ReadOnlyScopeError):
            db.session.execute(delete(Membership))
    db.session.rollback()


def test_read_only_all_regions_scope_refuses_bulk_changes(ctx, two_regions):
    with all_regions(read_only=True):
        assert len(db.session.scalars(select(Membership)).all()) == 3
        with pytest.raises(ReadOnlyScopeError):
            db.session.execute(update(Membership).values(role=Role.COORDINATOR))


def test_all_regions_is_the_visible_door(ctx, two_regions):
    with all_regions():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 3


def test_scopes_nest_and_restore(ctx, two_regions):
    erz, mei = two_regions
    with region_scope(erz):
        with region_scope(mei):
            assert db.session.scalar(select(func.count()).select_from(Membership)) == 1
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 2
    with pytest.raises(TenancyError):
        db.session.scalar(select(func.count()).select_from(Membership))


def test_a_users_memberships_load_across_regions_after_a_rollback(ctx, make, regions):
    """A person's memberships are declared cross-region: reloading them needs no region."""
    person = make.participant("erzgebirge")
    with all_regions():
        user = db.session.get(User, person.id)
        assert len(user.memberships) == 1
    db.session.rollback()  # expires the user, as a failed form does in a request
    assert [m.region_id for m in user.memberships] == [regions["erzgebirge"].id]
    with pytest.raises(TenancyError):
        db.session.scalars(select(Membership)).all()
