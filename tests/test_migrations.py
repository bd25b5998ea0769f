"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.db import db, include_name


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_scoped_table_has_an_indexed_region_column(app):
    from hub.tenancy.scope import scoped_table_names

    with app.app_context():
        names = scoped_table_names()
        assert {"membership", "invitation"} <= names
        for name in names:
            table = db.metadata.tables[name]
            assert not table.c.region_id.nullable
            assert any(ix.columns.keys() == ["region_id"] for ix in table.indexes), name
