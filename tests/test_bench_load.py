"""The load test's and the layer-cost benchmark's tools still fit the hub (issue 19): on a tiny generated network
the preparation makes people who can sign in (the umbrella with its code), the SQL of real requests is captured,
and the bare app replays it to the same rows. In a process of its own (the benchmarks build their own apps)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, os, pickle, sys
sys.path.insert(0, "bench")
import load_data, layer_cost

url = sys.argv[1]
plan = load_data.prepare(url, profiles=400, events=300, matches=5, participants=20, keep=False, log=lambda *a: None)

class Args:
    month, overlap, term = __import__("datetime").date.today().strftime("%Y-%m"), 5, "holz"

cases = layer_cost.cases(Args, plan)
captured, skipped = layer_cost.capture(url, plan, cases)  # logs in a participant and the umbrella (code)
statements = sys.argv[2]
with open(statements, "wb") as f:
    pickle.dump(captured, f)
os.environ.update(BARE_DATABASE_URL=url, BARE_STATEMENTS=statements)
import bare_app

client = bare_app.app.test_client()
replayed = {name: client.get(f"/case/{name}").get_json() for name in captured}
print(json.dumps({
    "participants": len(plan["participants"]),
    "with_conversations": sum(bool(p["conversations"]) for p in plan["participants"]),
    "events": len(plan["network_events"]),
    "statements": {c["name"]: c["statements"] for c in cases},
    "skipped": skipped,
    "full_events": {c["name"]: c.get("events") for c in cases},
    "bare_rows": {name: [len(rows) for rows in result] for name, result in replayed.items()},
}))
"""


@pytest.mark.slow
@pytest.mark.processes
def test_preparation_capture_and_replay(tmp_path):
    url = f"sqlite:///{tmp_path / 'load.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, url, str(tmp_path / "statements.pickle")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["participants"] == 20
    assert found["with_conversations"] == 20
    assert found["events"] > 0
    assert not any(found["skipped"].values())  # warm GETs write nothing
    for name, count in found["statements"].items():
        assert count >= 3, name  # at least the login session, the user and the case's own query
        assert len(found["bare_rows"][name]) == count
    # The bare app's event rows are the hub's events: the calendar statement returns as many rows as the JSON.
    for name, events in found["full_events"].items():
        if events:
            assert events in found["bare_rows"][name], (name, events, found["bare_rows"][name])
