"""What the tenancy wall costs per query: the same SELECT through the ORM with the region filter,
through the ORM inside all_regions() (no filter), and as plain Core SQL.

Generates its own data: N users with memberships spread over the four regions.
Usage: .venv/bin/python bench/tenancy_overhead.py [--users 20000] [--runs 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time

from sqlalchemy import func, insert, select, text


def main() -> None:
    """Generate the data, time the three variants, print medians and p95."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=2_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["HUB_DATABASE_URL"] = url

    from flask_migrate import upgrade

    from hub import create_app
    from hub.accounts.models import Membership, User
    from hub.core.db import db
    from hub.core.roles import Role
    from hub.core.tenancy import all_regions, region_scope
    from hub.core.tenancy.models import Region
    from hub.core.tenancy.registry import sync_regions

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        sync_regions()
        regions = db.session.scalars(select(Region).order_by(Region.id)).all()
        with all_regions():
            if not db.session.scalar(select(func.count()).select_from(User)):
                db.session.execute(
                    insert(User),
                    [{"email": f"u{i}@bench.example", "name": f"Person {i}"} for i in range(args.users)],
                )
                ids = db.session.scalars(select(User.id)).all()
                db.session.execute(
                    insert(Membership),
                    [
                        {"user_id": uid, "region_id": regions[i % 4].id, "role": Role.PARTICIPANT}
                        for i, uid in enumerate(ids)
                    ],
                )
                db.session.commit()
        region_id = regions[0].id

        def orm_scoped():
            with region_scope(region_id):
                return db.session.scalars(select(Membership).order_by(Membership.id).limit(20)).all()

        def orm_unfiltered():
            with all_regions():
                return db.session.scalars(
                    select(Membership).where(Membership.region_id == region_id).order_by(Membership.id).limit(20)
                ).all()

        def core_sql():
            with db.engine.connect() as conn:
                return conn.execute(
                    text("SELECT * FROM membership WHERE region_id = :r ORDER BY id LIMIT 20"), {"r": region_id}
                ).all()

        print(
            f"# {platform.node()} · {platform.processor() or platform.machine()} · "
            f"{time.strftime('%Y-%m-%d')} · {db.engine.dialect.name} · {args.users} memberships"
        )
        for name, fn in [
            ("ORM + region filter", orm_scoped),
            ("ORM, all_regions()", orm_unfiltered),
            ("Core SQL", core_sql),
        ]:
            assert len(fn()) == 20
            samples = []
            for _ in range(args.runs):
                start = time.perf_counter()
                fn()
                db.session.expunge_all()
                samples.append((time.perf_counter() - start) * 1000)
            samples.sort()
            p95 = samples[int(len(samples) * 0.95)]
            print(f"{name:24s} median {statistics.median(samples):.3f} ms   p95 {p95:.3f} ms")


if __name__ == "__main__":
    main()
