"""The speed-dating schedule: every meeting once, nobody twice in a round, in as few rounds as the tables allow."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regions.speeddating.schedule import (
    Schedule,
    ScheduleError,
    Slot,
    generate,
    lower_bound,
    meetings_for,
    problems,
    replan,
)
from regions.speeddating.vocab import PairingMode, Side


@pytest.fixture(autouse=True)
def _clean_database():
    """Overrides conftest's: the schedule is pure Python, so these tests need neither the app nor a database."""
    yield


@st.composite
def meeting_graphs(draw) -> tuple[list[tuple[int, int]], int]:
    """Random meetings between up to 30 creatives and 30 organisations (ids overlap on purpose), and 1–15 tables."""
    creatives = draw(st.integers(1, 30))
    organisations = draw(st.integers(1, 30))
    density = draw(st.sampled_from([0.0, 0.03, 0.1, 0.3, 0.6, 0.9, 1.0]))
    rnd = draw(st.randoms(use_true_random=True))
    meetings = [(c, o) for c in range(creatives) for o in range(organisations) if rnd.random() < density]
    rnd.shuffle(meetings)
    return meetings, draw(st.integers(1, 15))


@st.composite
def pinned_graphs(draw) -> tuple[list[tuple[int, int]], int, dict[tuple[int, int], Slot]]:
    """Random meetings and tables as above, with a random set of pins that do not contradict each other."""
    meetings, tables = draw(meeting_graphs())
    rnd = draw(st.randoms(use_true_random=True))
    share = draw(st.sampled_from([0.05, 0.2, 0.5, 1.0]))
    last_round = lower_bound(meetings, tables) + draw(st.integers(0, 3))
    fixed: dict[tuple[int, int], Slot] = {}
    busy: set[tuple] = set()
    for pair in meetings:
        if rnd.random() >= share:
            continue
        slot = Slot(rnd.randrange(last_round), rnd.randrange(tables))
        seats = {(slot.round, "c", pair[0]), (slot.round, "o", pair[1]), (slot.round, "t", slot.table)}
        if not seats & busy:
            busy |= seats
            fixed[pair] = slot
    return meetings, tables, fixed


def tables_of_each_organisation(schedule: Schedule) -> dict[int, set[int]]:
    """Which tables each organisation sat at over the evening."""
    found: dict[int, set[int]] = {}
    for (_, organisation), slot in schedule.slots.items():
        found.setdefault(organisation, set()).add(slot.table)
    return found


@settings(max_examples=300, deadline=None)
@given(meeting_graphs())
def test_any_meeting_graph_gets_a_valid_schedule_in_the_fewest_rounds(graph):
    meetings, tables = graph
    schedule = generate(meetings, tables)
    assert problems(schedule, meetings, tables) == []
    assert schedule.rounds == schedule.lower_bound == lower_bound(meetings, tables)


@settings(max_examples=150, deadline=None)
@given(meeting_graphs())
def test_organisations_keep_one_table_all_evening_when_there_are_enough_tables(graph):
    meetings, tables = graph
    organisations = list(dict.fromkeys(o for _, o in meetings))
    schedule = generate(meetings, len(organisations) + tables)
    assert tables_of_each_organisation(schedule) == {o: {i} for i, o in enumerate(organisations)}


@settings(max_examples=100, deadline=None)
@given(meeting_graphs())
def test_the_same_meetings_give_the_same_schedule(graph):
    meetings, tables = graph
    first, second = generate(meetings, tables), generate(list(meetings), tables)
    assert list(first.slots.items()) == list(second.slots.items())


@settings(max_examples=300, deadline=None)
@given(pinned_graphs())
def test_pinned_meetings_stay_where_the_coordinator_put_them(graph):
    meetings, tables, fixed = graph
    schedule = generate(meetings, tables, fixed=fixed)
    assert problems(schedule, meetings, tables) == []
    assert {pair: schedule.slots[pair] for pair in fixed} == fixed
    assert schedule.rounds >= lower_bound(meetings, tables)
    assert generate(meetings, tables, fixed=fixed) == schedule


def test_everyone_meets_everyone_uses_the_lower_bound():
    meetings = meetings_for(range(60), range(40), PairingMode.EVERYONE)
    schedule = generate(meetings, 20)
    assert problems(schedule, meetings, 20) == []
    assert schedule.rounds == 120
    assert [len(meetings) for meetings in schedule.by_round()] == [20] * 120


def test_a_small_session_takes_as_many_rounds_as_anyone_has_meetings_and_no_one_changes_tables():
    meetings = meetings_for(["Ada", "Ben", "Cleo"], ["Theater", "Museum", "Radio"], PairingMode.EVERYONE)
    schedule = generate(meetings, 10)
    assert problems(schedule, meetings, 10) == []
    assert schedule.rounds == 3
    assert tables_of_each_organisation(schedule) == {"Theater": {0}, "Museum": {1}, "Radio": {2}}


def test_a_single_organisation_meets_its_creatives_one_per_round():
    meetings = meetings_for(range(7), ["Theater"], PairingMode.EVERYONE)
    schedule = generate(meetings, 5)
    assert schedule.rounds == 7
    assert [slot.round for slot, _ in schedule.for_person("Theater")] == list(range(7))


def test_a_large_wish_list_session_fits_the_lower_bound():
    rng = random.Random(7)
    wishes = [(c, o) for c in range(500) for o in rng.sample(range(500), rng.randint(1, 10))]
    wishes += [(c, o) for o in range(500) for c in rng.sample(range(500), rng.randint(1, 10))]
    meetings = meetings_for(range(500), range(500), PairingMode.WISHES, wishes=wishes)
    schedule = generate(meetings, 100)
    assert problems(schedule, meetings, 100) == []
    assert schedule.rounds == lower_bound(meetings, 100)


def test_no_meetings_need_no_rounds():
    assert generate([], 4) == Schedule(rounds=0, slots={}, lower_bound=0)


def test_meetings_without_tables_cannot_be_scheduled():
    with pytest.raises(ScheduleError) as error:
        generate([(1, 2)], 0)
    assert error.value.code == "no_tables"


def test_the_timetables_show_each_round_by_table_and_each_person_by_round():
    meetings = meetings_for([1, 2], [1, 2], PairingMode.EVERYONE)
    schedule = generate(meetings, 2)
    assert [[slot.table for slot, _ in meetings] for meetings in schedule.by_round()] == [[0, 1], [0, 1]]
    creative = schedule.for_person(1, Side.CREATIVE)
    assert [slot.round for slot, _ in creative] == [0, 1]
    assert {pair for _, pair in creative} == {(1, 1), (1, 2)}
    assert {pair for _, pair in schedule.for_person(1, Side.ORGANISATION)} == {(1, 1), (2, 1)}
    assert len(schedule.for_person(1)) == 3


def test_pins_that_rule_out_the_lower_bound_add_a_round():
    meetings = meetings_for(["Ada", "Ben"], ["Theater", "Radio"], PairingMode.EVERYONE)
    fixed = {("Ada", "Theater"): Slot(0, 0), ("Ben", "Radio"): Slot(1, 1)}
    schedule = generate(meetings, 2, fixed=fixed)
    assert problems(schedule, meetings, 2) == []
    assert schedule.slots[("Ada", "Theater")] == Slot(0, 0) and schedule.slots[("Ben", "Radio")] == Slot(1, 1)
    assert (schedule.rounds, schedule.lower_bound) == (3, 2)


def test_a_pin_at_another_organisations_table_moves_that_organisation_for_one_round_only():
    meetings = meetings_for(["Ada", "Ben", "Cleo"], ["Theater", "Museum", "Radio"], PairingMode.EVERYONE)
    schedule = generate(meetings, 3, fixed={("Ada", "Museum"): Slot(0, 0)})
    assert problems(schedule, meetings, 3) == []
    assert schedule.slots[("Ada", "Museum")] == Slot(0, 0)
    assert [slot.table for slot, _ in schedule.for_person("Museum")] == [0, 1, 1]
    assert [slot.table for slot, _ in schedule.for_person("Radio")] == [2, 2, 2]


def test_a_pin_late_in_the_evening_keeps_its_round():
    meetings = meetings_for(range(3), range(2), PairingMode.EVERYONE)
    schedule = generate(meetings, 2, fixed={(0, 0): Slot(9, 1)})
    assert problems(schedule, meetings, 2) == []
    assert schedule.rounds == 10 and schedule.slots[(0, 0)] == Slot(9, 1)


@pytest.mark.parametrize(
    ("fixed", "code", "pairs"),
    [
        ({(9, 9): Slot(0, 0)}, "pin_unknown_pair", [(9, 9)]),
        ({(1, 1): Slot(0, 2)}, "pin_bad_table", [(1, 1)]),
        ({(1, 1): Slot(0, -1)}, "pin_bad_table", [(1, 1)]),
        ({(1, 1): Slot(-1, 0)}, "pin_bad_round", [(1, 1)]),
        ({(1, 1): Slot(0, 0), (1, 2): Slot(0, 1)}, "pin_person_twice", [(1, 1), (1, 2)]),
        ({(1, 1): Slot(0, 0), (2, 1): Slot(0, 1)}, "pin_person_twice", [(1, 1), (2, 1)]),
        ({(1, 1): Slot(0, 0), (2, 2): Slot(0, 0)}, "pin_table_twice", [(1, 1), (2, 2)]),
    ],
)
def test_pins_that_contradict_each_other_or_the_room_are_refused(fixed, code, pairs):
    meetings = meetings_for([1, 2], [1, 2], PairingMode.EVERYONE)
    with pytest.raises(ScheduleError) as error:
        generate(meetings, 2, fixed=fixed)
    assert (error.value.code, error.value.pairs) == (code, pairs)


@pytest.mark.parametrize(("creatives", "organisations"), [([], ["Theater"]), (["Ada"], []), ([], [])])
def test_a_session_needs_people_on_both_sides(creatives, organisations):
    with pytest.raises(ScheduleError) as error:
        meetings_for(creatives, organisations, PairingMode.EVERYONE)
    assert error.value.code == "empty_side"


def test_a_pair_cannot_be_wished_and_avoided():
    with pytest.raises(ScheduleError) as error:
        meetings_for(
            ["Ada"], ["Theater", "Radio"], PairingMode.WISHES, wishes=[("Ada", "Radio")], avoid=[("Ada", "Radio")]
        )
    assert (error.value.code, error.value.pairs) == ("wished_and_avoided", [("Ada", "Radio")])


@pytest.mark.parametrize("pair", [("Zoe", "Radio"), ("Ada", "Opera")])
def test_wishes_and_avoidances_name_only_people_of_the_session(pair):
    for given_as in ({"wishes": [pair]}, {"avoid": [pair]}):
        with pytest.raises(ScheduleError) as error:
            meetings_for(["Ada"], ["Theater", "Radio"], PairingMode.WISHES, **given_as)
        assert (error.value.code, error.value.pairs) == ("unknown_person", [pair])


def test_everyone_meets_everyone_but_the_pairs_to_avoid():
    meetings = meetings_for(["Ada", "Ben"], ["Theater", "Radio"], PairingMode.EVERYONE, avoid=[("Ben", "Theater")])
    assert meetings == [("Ada", "Theater"), ("Ada", "Radio"), ("Ben", "Radio")]


def test_only_the_wished_meetings_take_place_once_each_in_the_order_wished():
    wishes = [("Ben", "Radio"), ("Ada", "Theater"), ("Ben", "Radio")]
    assert meetings_for(["Ada", "Ben"], ["Theater", "Radio"], PairingMode.WISHES, wishes=wishes) == [
        ("Ben", "Radio"),
        ("Ada", "Theater"),
    ]


def test_the_lower_bound_is_the_busiest_person_or_the_tables_whichever_is_tighter():
    assert lower_bound([], 3) == 0
    assert lower_bound([(1, 1), (1, 2), (1, 3), (2, 3)], 10) == 3
    assert lower_bound([(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)], 2) == 3


@pytest.mark.parametrize(
    ("slots", "rounds", "complaint"),
    [
        ({(1, 1): Slot(0, 0), (2, 2): Slot(0, 1), (1, 2): Slot(1, 0)}, 2, "missing (2, 1)"),
        ({(1, 1): Slot(0, 0), (1, 2): Slot(0, 1), (2, 1): Slot(1, 0), (2, 2): Slot(1, 1)}, 2, "creative_twice"),
        ({(1, 1): Slot(0, 0), (2, 1): Slot(0, 1), (1, 2): Slot(1, 0), (2, 2): Slot(1, 1)}, 2, "organisation_twice"),
        ({(1, 1): Slot(0, 0), (2, 2): Slot(0, 0), (1, 2): Slot(1, 0), (2, 1): Slot(1, 1)}, 2, "table_twice"),
        ({(1, 1): Slot(0, 0), (2, 2): Slot(0, 2), (1, 2): Slot(1, 0), (2, 1): Slot(1, 1)}, 2, "bad_table"),
        ({(1, 1): Slot(0, 0), (2, 2): Slot(0, 1), (1, 2): Slot(2, 0), (2, 1): Slot(1, 1)}, 2, "bad_round"),
        (
            {(1, 1): Slot(0, 0), (2, 2): Slot(0, 1), (1, 2): Slot(1, 0), (2, 1): Slot(1, 1), (3, 3): Slot(2, 0)},
            3,
            "not_a",
        ),
    ],
)
def test_the_checker_finds_what_is_wrong_with_a_hand_made_schedule(slots, rounds, complaint):
    meetings = [(1, 1), (1, 2), (2, 1), (2, 2)]
    found = problems(Schedule(rounds=rounds, slots=slots, lower_bound=2), meetings, 2)
    assert any(complaint in line for line in found), found


# -- re-planning the rest of the evening from a round on ------------------------------------------------------


@st.composite
def evenings_to_replan(draw):
    """A generated evening, a round to re-plan from, people who left and people who arrived (with the meetings
    they should have), and the tables still in use: (held, meetings now wanted, start, tables in use, tables)."""
    meetings, tables = draw(meeting_graphs())
    planned = generate(meetings, tables)
    start = draw(st.integers(0, planned.rounds))
    held = {pair: slot for pair, slot in planned.slots.items() if slot.round < start}
    rnd = draw(st.randoms(use_true_random=True))
    creatives, organisations = sorted({c for c, _ in meetings}), sorted({o for _, o in meetings})
    leaving = draw(st.sampled_from([0.0, 0.1, 0.5]))
    left_c = {c for c in creatives if rnd.random() < leaving}
    left_o = {o for o in organisations if rnd.random() < leaving}
    # Newcomers have ids the others never have (both sides count from 0 below 30).
    new_c = list(range(100, 100 + draw(st.integers(0, 6))))
    new_o = list(range(100, 100 + draw(st.integers(0, 6))))
    density = draw(st.sampled_from([0.2, 0.6, 1.0]))
    wanted = [(c, o) for c, o in meetings if c not in left_c and o not in left_o]
    wanted += [(c, o) for c in new_c for o in [*organisations, *new_o] if o not in left_o and rnd.random() < density]
    wanted += [(c, o) for c in creatives for o in new_o if c not in left_c and rnd.random() < density]
    rnd.shuffle(wanted)
    in_use = sorted(rnd.sample(range(tables), draw(st.integers(1, tables))))
    return held, wanted, start, in_use, tables


def _still_to_come(held, wanted):
    return [pair for pair in dict.fromkeys(wanted) if pair not in held]


@settings(max_examples=300, deadline=None)
@given(evenings_to_replan())
def test_a_replanned_evening_keeps_the_held_rounds_and_fits_the_rest_into_the_fewest_rounds(evening):
    held, wanted, start, in_use, tables = evening
    schedule = replan(held, wanted, start, in_use)
    rest = _still_to_come(held, wanted)
    assert {pair: schedule.slots[pair] for pair in held} == held, "a held meeting moved"
    assert set(schedule.slots) == {*held, *rest}
    assert problems(schedule, [*held, *rest], tables) == []
    assert all(schedule.slots[pair].round >= start and schedule.slots[pair].table in in_use for pair in rest)
    if rest:
        assert schedule.rounds - start == schedule.lower_bound - start == lower_bound(rest, len(in_use))


@settings(max_examples=150, deadline=None)
@given(evenings_to_replan(), st.randoms(use_true_random=True))
def test_a_replanned_evening_keeps_the_pins_of_the_rounds_to_come(evening, rnd):
    held, wanted, start, in_use, tables = evening
    rest = _still_to_come(held, wanted)
    last_round = start + lower_bound(rest, len(in_use)) + rnd.randint(0, 3)
    fixed: dict[tuple[int, int], Slot] = {}
    busy: set[tuple] = set()
    for pair in rest:
        if rnd.random() < 0.2:
            slot = Slot(rnd.randrange(start, max(last_round, start + 1)), rnd.choice(in_use))
            seats = {(slot.round, "c", pair[0]), (slot.round, "o", pair[1]), (slot.round, "t", slot.table)}
            if not seats & busy:
                busy |= seats
                fixed[pair] = slot
    schedule = replan(held, wanted, start, in_use, fixed=fixed)
    assert {pair: schedule.slots[pair] for pair in [*held, *fixed]} == {**held, **fixed}
    assert problems(schedule, [*held, *rest], tables) == []
    if rest:
        assert schedule.rounds >= start + lower_bound(rest, len(in_use))


@settings(max_examples=150, deadline=None)
@given(meeting_graphs(), st.data())
def test_after_a_replan_organisations_stay_at_their_tables_when_there_are_enough(graph, data):
    meetings, extra = graph
    organisations = list(dict.fromkeys(o for _, o in meetings))
    tables = len(organisations) + extra
    planned = generate(meetings, tables)
    start = data.draw(st.integers(0, planned.rounds))
    held = {pair: slot for pair, slot in planned.slots.items() if slot.round < start}
    newcomers = [(100 + n, o) for n in range(data.draw(st.integers(0, 4))) for o in organisations]
    schedule = replan(held, [*meetings, *newcomers], start, range(tables))
    assert all(len(seats) == 1 for seats in tables_of_each_organisation(schedule).values())


def test_someone_who_leaves_keeps_the_meetings_held_and_is_left_out_of_the_rest():
    meetings = meetings_for(["Ada", "Ben", "Cleo"], ["Theater", "Museum", "Radio"], PairingMode.EVERYONE)
    planned = generate(meetings, 3)
    held = {pair: slot for pair, slot in planned.slots.items() if slot.round < 1}
    without_ben = [pair for pair in meetings if pair[0] != "Ben"]
    schedule = replan(held, without_ben, 1, range(3))
    assert {pair for pair in schedule.slots if pair[0] == "Ben"} == {pair for pair in held if pair[0] == "Ben"}
    assert (schedule.rounds, schedule.lower_bound) == (3, 3)  # Ada and Cleo still meet two organisations each
    assert problems(schedule, [*held, *without_ben], 3) == []


def test_when_a_table_breaks_the_rest_of_the_evening_does_without_it():
    meetings = meetings_for(range(4), range(4), PairingMode.EVERYONE)
    planned = generate(meetings, 4)
    held = {pair: slot for pair, slot in planned.slots.items() if slot.round < 2}
    schedule = replan(held, meetings, 2, [0, 1, 3])  # table 3 (index 2) broke
    later = [slot for pair, slot in schedule.slots.items() if pair not in held]
    assert len(later) == 8 and all(slot.table != 2 and slot.round >= 2 for slot in later)
    assert schedule.rounds == 2 + 3  # eight meetings at three tables; every organisation still meets two people
    assert [slot.table for slot, _ in schedule.for_person(3, Side.ORGANISATION)][:2] == [3, 3]


def test_a_late_arrival_meets_everyone_after_the_held_rounds():
    meetings = meetings_for(["Ada", "Ben"], ["Theater", "Radio"], PairingMode.EVERYONE)
    planned = generate(meetings, 2)
    held = dict(planned.slots)  # the whole planned evening has been held
    schedule = replan(held, [*meetings, ("Zoe", "Theater"), ("Zoe", "Radio")], planned.rounds, range(2))
    assert {pair: schedule.slots[pair] for pair in held} == held
    assert sorted(slot.round for slot, _ in schedule.for_person("Zoe", Side.CREATIVE)) == [2, 3]
    assert (schedule.rounds, schedule.lower_bound) == (4, 4)


def test_nothing_left_to_meet_leaves_the_held_rounds_alone():
    meetings = meetings_for(["Ada", "Ben"], ["Theater", "Radio"], PairingMode.EVERYONE)
    planned = generate(meetings, 2)
    assert replan(planned.slots, meetings, planned.rounds, [0]) == planned


@pytest.mark.parametrize(
    ("start", "fixed", "code"),
    [
        (-1, {}, "bad_start"),
        (0, {}, "held_after_start"),
        (1, {("Ben", "Radio"): Slot(1, 1)}, "pin_bad_table"),
        (1, {("Ben", "Radio"): Slot(0, 0)}, "pin_bad_round"),
        (1, {("Ada", "Theater"): Slot(1, 0)}, "pin_unknown_pair"),
    ],
)
def test_a_replan_refuses_what_contradicts_the_held_rounds_or_the_tables_in_use(start, fixed, code):
    held = {("Ada", "Theater"): Slot(0, 0)}
    meetings = [("Ada", "Theater"), ("Ada", "Radio"), ("Ben", "Radio")]
    with pytest.raises(ScheduleError) as error:
        replan(held, meetings, start, [0], fixed=fixed)
    assert error.value.code == code
