"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from hub.core.db import db
from hub.core.schema_check import describe_difference, revision_state, schema_differences


def test_models_and_migrations_agree(app):
    """The comparison of `hub db check` (hub.core.schema_check), on the suite's migrated database."""
    with app.app_context(), db.engine.connect() as connection:
        differences = schema_differences(connection)
        assert revision_state(connection).current
    assert [describe_difference(d) for d in differences] == []


def test_differences_are_said_in_plain_words():
    from sqlalchemy import Column, Integer, MetaData, String, Table

    table = Table("thing", MetaData(), Column("id", Integer, primary_key=True), Column("name", String(20)))
    assert describe_difference(("add_table", table)) == "the table 'thing' is in the models but not in the database"
    assert describe_difference(("remove_column", None, "thing", table.c.name)) == (
        "the column thing.name is in the database but not in the models"
    )
    assert describe_difference([("modify_nullable", None, "thing", "name", {}, True, False)]) == (
        "the column thing.name differs in its nullable: the database has True, the models False"
    )
    assert describe_difference(("modify_type", None, "thing", "name", {}, "VARCHAR(10)", "VARCHAR(20)")) == (
        "the column thing.name differs in its type: the database has VARCHAR(10), the models VARCHAR(20)"
    )


def test_every_scoped_table_has_an_indexed_region_column(app):
    from hub.core.tenancy.scope import scoped_table_names

    with app.app_context():
        names = scoped_table_names()
        assert {"membership", "invitation"} <= names
        for name in names:
            table = db.metadata.tables[name]
            assert not table.c.region_id.nullable
            assert any(ix.columns.keys() == ["region_id"] for ix in table.indexes), name


def test_upgrading_keeps_the_address_on_the_oldest_of_profiles_sharing_one_and_logs_the_others(app, make):
    """Copies made before 0007 (say, by two imports confirmed at once) stay, without the shared address."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select, text

    from hub.audit import AuditEntry
    from hub.core.tenancy import all_regions
    from regions.profiles.models import Profile

    oldest, copy, other_copy, elsewhere, alone = (
        make.profile(region, name=name, contact_email=f"{n}@example.org")
        for n, (region, name) in enumerate(
            [
                ("erzgebirge", "Anna Schröder"),
                ("erzgebirge", "Anna Schröder (Import)"),
                ("erzgebirge", "Anna Schröder (Import)"),
                ("meissen", "Anna in Meißen"),
                ("erzgebirge", "Holzwerk"),
            ]
        )
    )
    shared = {oldest.id: "anna@example.org", copy.id: "Anna@Example.org", other_copy.id: "ANNA@example.org"}
    with app.app_context():
        downgrade(revision="0006")
        try:
            for profile_id, email in {**shared, elsewhere.id: "anna@example.org"}.items():
                db.session.execute(
                    text("UPDATE profile SET contact_email = :e WHERE id = :i"), {"e": email, "i": profile_id}
                )
            db.session.commit()
        finally:
            db.session.remove()
            upgrade()

    with app.app_context(), all_regions():
        emails = dict(db.session.execute(select(Profile.id, Profile.contact_email)).all())
        logged = db.session.scalars(select(AuditEntry).where(AuditEntry.via == "system").order_by(AuditEntry.id)).all()
        assert emails == {
            oldest.id: "anna@example.org",
            copy.id: "",
            other_copy.id: "",
            elsewhere.id: "anna@example.org",  # another region: not a duplicate
            alone.id: "4@example.org",
        }
        assert [(e.subject_id, e.action, e.changes) for e in logged] == [
            (copy.id, "update", {"contact_email": ["Anna@Example.org", ""]}),
            (other_copy.id, "update", {"contact_email": ["ANNA@example.org", ""]}),
        ]
        assert db.session.get(Profile, oldest.id).email_key == "anna@example.org"
