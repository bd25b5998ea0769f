"""The speed-dating schedule: which creative meets which organisation in which round, at which table.

Rounds are the colours of a proper edge colouring of the bipartite meeting graph (König: Δ colours
suffice), made equitable by swapping alternating paths (de Werra), so that no round holds more
meetings than there are tables. Organisations hold the tables; creatives move.

An evening that does not go to plan (someone leaves, someone arrives, a table breaks) is re-planned from a
round on: the rounds before it were held and stay as they were, the meetings still to come are coloured anew.

Why one module of about 400 lines: the colouring, the equalising swaps and the re-planning share one
graph representation and their invariants; it is pure computation, benchmarked in bench/speeddating_schedule.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain

from regions.speeddating.vocab import PairingMode, Side

Pair = tuple[Hashable, Hashable]  # (creative, organisation)


@dataclass(frozen=True)
class Slot:
    """Where a meeting takes place: its round and its table, both counted from 0."""

    round: int
    table: int


class ScheduleError(ValueError):
    """Input that cannot be scheduled; .code is a short machine string, .pairs the pairs concerned."""

    def __init__(self, code: str, pairs: Iterable[Pair] = ()):
        super().__init__(code)
        self.code = code
        self.pairs = list(pairs)


def meetings_for(
    creatives: Iterable[Hashable],
    organisations: Iterable[Hashable],
    mode: PairingMode,
    *,
    wishes: Iterable[Pair] = (),
    avoid: Iterable[Pair] = (),
) -> list[Pair]:
    """The meetings of a session, in input order: everyone with everyone, or only the wished pairs; never avoided."""
    creatives = list(dict.fromkeys(creatives))
    organisations = list(dict.fromkeys(organisations))
    if not creatives or not organisations:
        raise ScheduleError("empty_side")
    wished = list(dict.fromkeys((c, o) for c, o in wishes))
    avoided = dict.fromkeys((c, o) for c, o in avoid)
    known_creatives, known_organisations = set(creatives), set(organisations)
    unknown = [
        p for p in dict.fromkeys([*wished, *avoided]) if p[0] not in known_creatives or p[1] not in known_organisations
    ]
    if unknown:
        raise ScheduleError("unknown_person", unknown)
    contradicted = [p for p in wished if p in avoided]
    if contradicted:
        raise ScheduleError("wished_and_avoided", contradicted)
    if PairingMode(mode) is PairingMode.EVERYONE:
        return [(c, o) for c in creatives for o in organisations if (c, o) not in avoided]
    return wished


def lower_bound(meetings: Collection[Pair], tables: int) -> int:
    """The fewest rounds any schedule needs: max(Δ, ⌈meetings / tables⌉), 0 for no meetings."""
    pairs = dict.fromkeys(meetings)
    if not pairs:
        return 0
    if tables < 1:
        raise ScheduleError("no_tables")
    busiest_creative = max(Counter(c for c, _ in pairs).values())
    busiest_organisation = max(Counter(o for _, o in pairs).values())
    return max(busiest_creative, busiest_organisation, -(-len(pairs) // tables))


@dataclass
class Schedule:
    """Every meeting's slot, how many rounds that takes and the fewest rounds it could have taken."""

    rounds: int
    slots: dict[Pair, Slot]
    lower_bound: int

    def by_round(self) -> list[list[tuple[Slot, Pair]]]:
        """The meetings of each round, by table: what the moderator announces."""
        rounds: list[list[tuple[Slot, Pair]]] = [[] for _ in range(self.rounds)]
        for pair, slot in self.slots.items():
            rounds[slot.round].append((slot, pair))
        for meetings in rounds:
            meetings.sort(key=lambda item: item[0].table)
        return rounds

    def for_person(self, person: Hashable, side: Side | None = None) -> list[tuple[Slot, Pair]]:
        """One person's meetings by round: their personal timetable (side tells apart equal ids of both sides)."""
        found = [
            (slot, pair)
            for pair, slot in self.slots.items()
            if (side != Side.ORGANISATION and pair[0] == person) or (side != Side.CREATIVE and pair[1] == person)
        ]
        found.sort(key=lambda item: item[0].round)
        return found


def _lowest_zero(bits: int) -> int:
    """The lowest colour missing from a bit set of colours."""
    return ((bits + 1) & ~bits).bit_length() - 1


class _Colouring:
    """A proper edge colouring of the meeting graph that only ever changes by swapping alternating paths."""

    def __init__(self, ends: list[tuple[int, int]], vertices: int, colours: int, pinned: list[bool]):
        self.ends = ends
        self.pinned = pinned
        self.colour = [-1] * len(ends)
        # at[v][c] is the edge of colour c at v, used[v] the same colours as a bit set: "free at v" in O(1).
        self.at: list[dict[int, int]] = [{} for _ in range(vertices)]
        self.used = [0] * vertices
        self.members: list[set[int]] = [set() for _ in range(colours)]

    def paint(self, edge: int, colour: int) -> None:
        """Give an uncoloured edge a colour free at both its ends."""
        u, v = self.ends[edge]
        self.colour[edge] = colour
        self.at[u][colour] = self.at[v][colour] = edge
        self.used[u] |= 1 << colour
        self.used[v] |= 1 << colour
        self.members[colour].add(edge)

    def open_colour(self) -> int:
        """A new, empty colour (one more round)."""
        self.members.append(set())
        return len(self.members) - 1

    def path(self, start: int, a: int, b: int) -> tuple[list[int], int, bool]:
        """The a/b path from start, beginning with its a-edge: its edges, its far end and whether a pin blocks it."""
        at, ends, pinned = self.at, self.ends, self.pinned
        edges: list[int] = []
        blocked = False
        vertex, colour, other = start, a, b
        while (edge := at[vertex].get(colour)) is not None:
            edges.append(edge)
            blocked = blocked or pinned[edge]
            u, v = ends[edge]
            vertex = v if vertex == u else u
            colour, other = other, colour
        return edges, vertex, blocked

    def swap(self, edges: list[int], a: int, b: int) -> None:
        """Exchange colours a and b along a whole alternating path."""
        at, ends, colour, members, used = self.at, self.ends, self.colour, self.members, self.used
        for edge in edges:
            u, v = ends[edge]
            del at[u][colour[edge]], at[v][colour[edge]]
            members[colour[edge]].discard(edge)
        flip = (1 << a) | (1 << b)
        for edge in edges:
            u, v = ends[edge]
            new = b if colour[edge] == a else a
            colour[edge] = new
            at[u][new] = at[v][new] = edge
            members[new].add(edge)
            # Inner vertices are toggled twice (no change), the two ends once (a and b trade places).
            used[u] ^= flip
            used[v] ^= flip

    def colour_edge(self, edge: int, colours: int) -> bool:
        """Colour an edge with one of the first `colours` colours, recolouring a Kempe chain if need be."""
        u, v = self.ends[edge]
        common = _lowest_zero(self.used[u] | self.used[v])
        if common < colours:
            self.paint(edge, common)
            return True
        a, b = _lowest_zero(self.used[u]), _lowest_zero(self.used[v])
        # Only pins can block a chain; then another free colour may still have an open one.
        choices = chain(
            [(a, b)],
            ((x, b) for x in _free(self.used[u], colours) if x != a),
            ((a, y) for y in _free(self.used[v], colours) if y != b),
        )
        return any(self._flip_and_paint(edge, x, y) for x, y in choices)

    def _flip_and_paint(self, edge: int, a: int, b: int) -> bool:
        """With a free at u and b free at v: free a at v (or b at u) by flipping a chain, then paint the edge."""
        u, v = self.ends[edge]
        # In a bipartite graph the a/b chain from v cannot reach u, which lacks a (and vice versa).
        for start, first, second in ((v, a, b), (u, b, a)):
            edges, _, blocked = self.path(start, first, second)
            if not blocked:
                self.swap(edges, a, b)
                self.paint(edge, first)
                return True
        return False

    def balance(self, target: int) -> bool:
        """Move meetings from crowded rounds to emptier ones until none holds more than target; False if pins forbid."""
        members = self.members
        while True:
            sizes = [len(m) for m in members]
            if max(sizes) <= target:
                return True
            crowded = sorted((c for c, size in enumerate(sizes) if size > target), key=lambda c: (-sizes[c], c))
            emptiest = sorted(range(len(sizes)), key=lambda c: (sizes[c], c))
            # Pairing the i-th fullest with the i-th emptiest halves the spread per pass: few passes for many rounds.
            moved = sum(self._even_out(a, b) for a, b in zip(crowded, emptiest, strict=False))
            # Pins can block every path of those pairs; then any pair that still moves something will do.
            if not moved and not any(
                self._even_out(a, b) for a in crowded for b in emptiest if len(members[b]) <= len(members[a]) - 2
            ):
                return False

    def _even_out(self, a: int, b: int) -> int:
        """Swap the a/b paths with one a-edge more than b-edges until the classes differ by at most one."""
        wanted = (len(self.members[a]) - len(self.members[b])) // 2
        if wanted <= 0:
            return 0
        at, colour = self.at, self.colour
        done = 0
        seen: set[int] = set()
        for edge in sorted(self.members[a]):
            if done == wanted:
                break
            if colour[edge] != a:
                continue
            for start in self.ends[edge]:
                if b in at[start] or start in seen:
                    continue
                edges, end, blocked = self.path(start, a, b)
                seen.add(end)
                # An odd path starts and ends with an a-edge: swapping it moves one meeting from a to b.
                if len(edges) % 2 and not blocked:
                    self.swap(edges, a, b)
                    done += 1
                break
        return done


def _free(bits: int, colours: int) -> Iterable[int]:
    """The colours below `colours` missing from a bit set."""
    return (c for c in range(colours) if not bits >> c & 1)


def _checked_pins(fixed: Mapping[Pair, Slot], edge_of: dict[Pair, int], tables: int) -> dict[int, Slot]:
    """The pins by edge, after refusing any that no schedule can honour."""
    unknown = [p for p in fixed if p not in edge_of]
    if unknown:
        raise ScheduleError("pin_unknown_pair", unknown)
    bad_table = [p for p, s in fixed.items() if not 0 <= s.table < tables]
    if bad_table:
        raise ScheduleError("pin_bad_table", bad_table)
    bad_round = [p for p, s in fixed.items() if s.round < 0]
    if bad_round:
        raise ScheduleError("pin_bad_round", bad_round)
    for code, key in (
        ("pin_person_twice", lambda p, s: (s.round, 0, p[0])),
        ("pin_person_twice", lambda p, s: (s.round, 1, p[1])),
        ("pin_table_twice", lambda p, s: (s.round, s.table)),
    ):
        holders: dict[tuple, list[Pair]] = {}
        for pair, slot in fixed.items():
            holders.setdefault(key(pair, slot), []).append(pair)
        clashes = [p for group in holders.values() if len(group) > 1 for p in group]
        if clashes:
            raise ScheduleError(code, clashes)
    return {edge_of[p]: s for p, s in fixed.items()}


def generate(
    meetings: Collection[Pair],
    tables: int,
    *,
    fixed: Mapping[Pair, Slot] | None = None,
    homes: Mapping[Hashable, int] | None = None,
) -> Schedule:
    """A valid schedule: the fewest rounds possible without pins, pinned meetings exactly where they were put.

    ``homes`` names the table an organisation should keep where it can (a re-planned evening keeps them seated).
    """
    pairs = list(dict.fromkeys(meetings))
    bound = lower_bound(pairs, tables)
    creatives = {c: i for i, c in enumerate(dict.fromkeys(c for c, _ in pairs))}
    organisations = {o: len(creatives) + i for i, o in enumerate(dict.fromkeys(o for _, o in pairs))}
    ends = [(creatives[c], organisations[o]) for c, o in pairs]
    pins = _checked_pins(fixed or {}, {p: e for e, p in enumerate(pairs)}, tables)
    if not pairs:
        return Schedule(rounds=0, slots={}, lower_bound=0)

    rounds = max(bound, max((s.round + 1 for s in pins.values()), default=0))
    pinned = [e in pins for e in range(len(pairs))]
    colouring = _Colouring(ends, len(creatives) + len(organisations), rounds, pinned)
    for edge, slot in pins.items():
        colouring.paint(edge, slot.round)
    for edge in range(len(pairs)):
        if not pinned[edge] and not colouring.colour_edge(edge, rounds):
            rounds = colouring.open_colour() + 1
            colouring.paint(edge, rounds - 1)
    # Without pins the balance always reaches ⌈m/k⌉ ≤ tables; pins may need rounds of their own.
    while not colouring.balance(-(-len(pairs) // rounds)) and max(map(len, colouring.members)) > tables:
        rounds = colouring.open_colour() + 1

    wanted = {organisations[o]: t for o, t in (homes or {}).items() if o in organisations and 0 <= t < tables}
    slots = _seat(ends, colouring.members, pins, tables, wanted)
    return Schedule(rounds=rounds, slots=dict(zip(pairs, slots, strict=True)), lower_bound=bound)


def replan(
    held: Mapping[Pair, Slot],
    meetings: Collection[Pair],
    start: int,
    tables: Collection[int],
    *,
    fixed: Mapping[Pair, Slot] | None = None,
) -> Schedule:
    """The evening re-planned from round ``start``: the meetings held before it stay exactly where they were; the
    meetings still to come (those of ``meetings`` not held) take rounds start, start + 1, … at the tables still in
    use, in the fewest rounds possible, max(Δ, ⌈meetings / tables⌉) of what is left, unless pins (in rounds from
    start on, at tables in use) force more. Organisations keep the table they had last where it is still in use.
    """
    if start < 0:
        raise ScheduleError("bad_start")
    late = [pair for pair, slot in held.items() if slot.round >= start]
    if late:
        raise ScheduleError("held_after_start", late)
    in_use = sorted(set(tables))
    index = {table: n for n, table in enumerate(in_use)}
    fixed = fixed or {}
    for code, bad in (
        ("pin_bad_table", [pair for pair, slot in fixed.items() if slot.table not in index]),
        ("pin_bad_round", [pair for pair, slot in fixed.items() if slot.round < start]),
    ):
        if bad:
            raise ScheduleError(code, bad)
    last_table: dict[Hashable, int] = {}
    for (_, organisation), slot in sorted(held.items(), key=lambda item: item[1].round):
        last_table[organisation] = slot.table
    rest = [pair for pair in dict.fromkeys(meetings) if pair not in held]
    part = generate(
        rest,
        len(in_use),
        fixed={pair: Slot(slot.round - start, index[slot.table]) for pair, slot in fixed.items()},
        homes={o: index[t] for o, t in last_table.items() if t in index},
    )
    slots = dict(held)
    slots.update((pair, Slot(start + slot.round, in_use[slot.table])) for pair, slot in part.slots.items())
    if not part.slots:
        rounds = max((slot.round + 1 for slot in held.values()), default=0)
        return Schedule(rounds=rounds, slots=slots, lower_bound=rounds)
    return Schedule(rounds=start + part.rounds, slots=slots, lower_bound=start + part.lower_bound)


def _seat(
    ends: list[tuple[int, int]], rounds: list[set[int]], pins: dict[int, Slot], tables: int, wanted: dict[int, int]
) -> list[Slot]:
    """Tables for each round's meetings: pins first, then the organisation's own (or last) table, then any free one."""
    organisations = sorted({v for _, v in ends})
    # With a table for every organisation each keeps one all evening (the one it wants, if no other has it);
    # otherwise it keeps the last one where possible.
    own_table = len(organisations) <= tables
    home: dict[int, int] = {}
    claimed: set[int] = set()
    for v in organisations:
        if v in wanted and wanted[v] not in claimed:
            home[v] = wanted[v]
            claimed.add(wanted[v])
    if own_table:
        unclaimed = iter(sorted(set(range(tables)) - claimed))
        home.update((v, next(unclaimed)) for v in organisations if v not in home)
    slots: list[Slot] = [Slot(-1, -1)] * len(ends)
    for number, edges in enumerate(rounds):
        in_order = sorted(edges)
        taken = {pins[e].table for e in in_order if e in pins}
        homeless = []
        for edge in in_order:
            table = home.get(ends[edge][1])
            if edge in pins:
                slots[edge] = pins[edge]
            elif table is None or table in taken:
                homeless.append(edge)
            else:
                slots[edge] = Slot(number, table)
                taken.add(table)
        free = (t for t in range(tables) if t not in taken)
        for edge, table in zip(homeless, free, strict=False):
            slots[edge] = Slot(number, table)
        if not own_table:
            home.update((ends[edge][1], slots[edge].table) for edge in in_order)
    return slots


def problems(schedule: Schedule, meetings: Collection[Pair], tables: int) -> list[str]:
    """Everything wrong with a schedule, checked from scratch; [] when it is valid."""
    found = []
    wanted = dict.fromkeys(meetings)
    found += [f"missing {pair!r}" for pair in wanted if pair not in schedule.slots]
    holder: dict[tuple, Pair] = {}
    for pair, slot in schedule.slots.items():
        if pair not in wanted:
            found.append(f"not_a_meeting {pair!r}")
        if not 0 <= slot.round < schedule.rounds:
            found.append(f"bad_round {pair!r} {slot}")
        if not 0 <= slot.table < tables:
            found.append(f"bad_table {pair!r} {slot}")
        for what, key in (("creative", pair[0]), ("organisation", pair[1]), ("table", slot.table)):
            seat = (slot.round, what, key)
            if seat in holder:
                found.append(f"{what}_twice round {slot.round}: {holder[seat]!r} and {pair!r}")
            else:
                holder[seat] = pair
    return found
