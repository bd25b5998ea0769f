from sqlalchemy import select
from hub.db import db
from hub.tenancy import all_regions
from regions.speeddating import services
from regions.speeddating.models import Meeting

def test_probe(app, make):
    made = make.session("erzgebirge", creatives=3, organisations=2, tables=2)
    with make.inside("erzgebirge"):
        s = services.get_session(made.id)
        services.remove_participant(s, s.participants[0])
        db.session.commit()
    with app.app_context(), all_regions():
        print([(m.round, m.table, m.creative_id, m.organisation_id) for m in db.session.scalars(select(Meeting))])
    with make.inside("erzgebirge"):
        s = services.get_session(made.id)
        services.update_session(s, {"tables": 1})
        db.session.commit()
        print(s.tables, s.rounds, [(m.round, m.table) for m in s.meetings])
    assert 0
