"""Match suggestions: which creative should work with which organisation, from speed-dating ratings and profile fit.

Rules:
- A pair's score is the sum of
  - each side's rating of the other: "definitely" 3, "gladly" 2, unrated 0;
  - 2 more when both sides rated each other positively;
  - the fit, at most 3: one point for every offer tag of one side that fits a need tag of the other side, in
    both directions (the creative's offers to the organisation's needs and the other way round). Tags fit when
    their folded forms (``hub.core.text.fold``: case, umlauts, ß) are equal or one contains the other
    and the contained one has at least 4 characters. An offer tag that fits none of the other side's need tags
    still earns a point when it occurs as a word (or phrase) in the other side's folded ``needs_text``.
- Never suggested: a pair that either side rated "rather not" (a veto), a pair with score 0, an excluded pair,
  a pair in which either person has no capacity left. A person's capacity is ``Person.capacity``, or the run's
  ``limit`` when that is None.
- ``method="optimal"`` maximises the total score of all suggestions: ``linear_sum_assignment`` when nobody takes
  more than one match, otherwise a min-cost flow (creatives → organisations, with capacities). Replicating rows
  and columns by capacity for ``linear_sum_assignment`` would not be exact: it could choose the same pair twice.
- ``method="stable"`` runs deferred acceptance with creatives proposing, many-to-many with the capacities above.
  Each side ranks the other by its own view: its own rating of the other (definitely > gladly > unrated), then
  the pair's fit, then the other's rating, then input order. Only pairs that may be suggested at all take part.
  The result is pairwise stable: no such pair prefers each other to a current partner or an open place.
- Suggestions come sorted by score, highest first, then by input order; the same input gives the same output.
  Every suggestion carries its reasons; ``explain`` puts them into words.

Why one module of about 400 lines: the rules above and the three solvers that apply them are read and
checked together (tests/test_suggestions.py counts against them); it holds no I/O and no Flask.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csgraph

from hub.core.text import fold
from regions.speeddating.vocab import Interest, Side

RATING_WEIGHTS = {Interest.GLADLY: 2, Interest.DEFINITELY: 3}
MUTUAL_BONUS = 2
MAX_FIT = 3
MIN_CONTAINED = 4
METHODS = ("optimal", "stable")

# Ratings are coded by preference, so that comparing codes compares ratings: unrated < gladly < definitely.
# A veto is coded 0: it is no rating to rank by.
_CODES = {Interest.RATHER_NOT: 0, Interest.GLADLY: 1, Interest.DEFINITELY: 2}
_INTERESTS = {1: Interest.GLADLY, 2: Interest.DEFINITELY}
_WEIGHT_OF_CODE = np.array([0, RATING_WEIGHTS[Interest.GLADLY], RATING_WEIGHTS[Interest.DEFINITELY]], np.int32)


@dataclass(frozen=True)
class Person:
    """A creative or an organisation as the suggestions see them."""

    id: Hashable
    offer_tags: tuple[str, ...] = ()
    need_tags: tuple[str, ...] = ()
    needs_text: str = ""
    capacity: int | None = None


@dataclass(frozen=True)
class Reason:
    """Why a pair is suggested, structured so that an API can return it and a page can word it."""

    code: str  # "both_rated" | "rated" | "offer_fits_need"
    params: tuple


@dataclass(frozen=True)
class Suggestion:
    """A creative and an organisation who could form a match, with the score and its reasons."""

    creative_id: Hashable
    organisation_id: Hashable
    score: float
    reasons: tuple[Reason, ...]


@dataclass
class _Tags:
    """The distinct folded tags of all people, and what each person offers, needs and describes."""

    offers: dict[str, int] = field(default_factory=dict)
    needs: dict[str, int] = field(default_factory=dict)
    person_offers: list[list[tuple[int, str]]] = field(default_factory=list)
    person_needs: list[list[tuple[int, str]]] = field(default_factory=list)
    person_text_hits: list[set[int]] = field(default_factory=list)
    fitting: list[set[int]] = field(default_factory=list)  # by offer tag: the need tags it fits


def suggest(
    creatives: Sequence[Person],
    organisations: Sequence[Person],
    ratings: Mapping[tuple[Hashable, Hashable], Interest],
    *,
    limit: int = 1,
    method: str = "optimal",
    exclude: Collection[tuple[Hashable, Hashable]] = (),
) -> list[Suggestion]:
    """Suggested matches; ``ratings`` maps (rater id, ratee id) to the rater's interest, in both directions."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}, expected one of {METHODS}")
    if limit < 0:
        raise ValueError("limit must not be negative")
    c_index, o_index = _index(creatives), _index(organisations)
    if c_index.keys() & o_index.keys():
        raise ValueError("creatives and organisations need distinct ids: ratings are keyed by id")
    cap_c, cap_o = _capacities(creatives, limit), _capacities(organisations, limit)
    if not cap_c.any() or not cap_o.any():
        return []

    by_c, by_o, veto = _rating_matrices(c_index, o_index, ratings)
    tags = _collect_tags([*creatives, *organisations])
    fit = _fit_matrix(tags, len(creatives))
    score = _WEIGHT_OF_CODE[by_c] + _WEIGHT_OF_CODE[by_o] + MUTUAL_BONUS * ((by_c > 0) & (by_o > 0)) + fit
    allowed = (score > 0) & ~veto & (cap_c > 0)[:, None] & (cap_o > 0)[None, :]
    for c_id, o_id in exclude:
        if c_id in c_index and o_id in o_index:
            allowed[c_index[c_id], o_index[o_id]] = False

    if method == "stable":
        pairs = _stable(allowed, by_c, by_o, fit, cap_c, cap_o)
    elif cap_c.max() <= 1 and cap_o.max() <= 1:
        pairs = _assignment(np.where(allowed, score, 0))
    else:
        pairs = _b_matching(allowed, score, cap_c, cap_o)

    pairs.sort(key=lambda p: (-score[p], p))
    return [
        Suggestion(
            creatives[i].id,
            organisations[j].id,
            float(score[i, j]),
            (*_rating_reasons(int(by_c[i, j]), int(by_o[i, j])), *_fit_reasons(tags, i, len(creatives) + j)),
        )
        for i, j in pairs
    ]


def explain(
    reasons: Iterable[Reason],
    gettext: Callable[[str], str] = lambda message: message,
    interest_label: Callable[[Interest], str] = str,
) -> str:
    """The reasons of a suggestion in words, e.g. ``both: "definitely"; offer "Prozessberatung" fits need …``."""
    parts = []
    for reason in reasons:
        if reason.code == "both_rated":
            parts.append(gettext('both: "%(interest)s"') % {"interest": interest_label(Interest(reason.params[0]))})
        elif reason.code == "rated":
            side, interest = reason.params
            by_creative = side == Side.CREATIVE
            message = gettext('creative: "%(interest)s"') if by_creative else gettext('organisation: "%(interest)s"')
            parts.append(message % {"interest": interest_label(Interest(interest))})
        elif reason.code == "offer_fits_need":
            _, offer, need = reason.params
            if need:
                parts.append(gettext('offer "%(offer)s" fits need "%(need)s"') % {"offer": offer, "need": need})
            else:
                parts.append(gettext('offer "%(offer)s" fits the described need') % {"offer": offer})
    return "; ".join(parts)


def _index(people: Sequence[Person]) -> dict[Hashable, int]:
    """Position by id, for one side."""
    index = {person.id: n for n, person in enumerate(people)}
    if len(index) != len(people):
        raise ValueError("the ids of one side must be unique")
    return index


def _capacities(people: Sequence[Person], limit: int) -> np.ndarray:
    """How many matches each person of one side may still take."""
    capacities = np.array([limit if p.capacity is None else p.capacity for p in people], np.int64)
    if (capacities < 0).any():
        raise ValueError("a capacity must not be negative")
    return capacities


def _rating_matrices(
    c_index: Mapping[Hashable, int], o_index: Mapping[Hashable, int], ratings: Mapping
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The creatives' rating codes of organisations, the organisations' codes of creatives, and the vetoes."""
    # Rows, columns and codes of each matrix; ratings are few, so a loop over them is cheap.
    entries: tuple[tuple[list, list, list], ...] = (([], [], []), ([], [], []), ([], [], []))
    for (rater, ratee), value in ratings.items():
        i, j, side = c_index.get(rater), o_index.get(ratee), 0
        if i is None or j is None:
            i, j, side = c_index.get(ratee), o_index.get(rater), 1
            if i is None or j is None:
                continue
        code = _CODES.get(value)
        if code is None:
            code = _CODES[Interest(value)]
        rows, cols, codes = entries[side if code else 2]
        rows.append(i)
        cols.append(j)
        codes.append(code or True)  # the veto matrix marks a veto True
    by_c, by_o, veto = (np.zeros((len(c_index), len(o_index)), dtype) for dtype in (np.int8, np.int8, bool))
    for matrix, (rows, cols, codes) in zip((by_c, by_o, veto), entries, strict=True):
        matrix[rows, cols] = codes
    return by_c, by_o, veto


def _collect_tags(people: Sequence[Person]) -> _Tags:
    """The folded tags of creatives and organisations (in this order), the words of their needs, what fits what."""
    tags = _Tags()
    folded: dict[str, str] = {}  # tags and the words of texts repeat: each is folded once

    def fold_once(raw: str) -> str:
        form = folded.get(raw)
        if form is None:
            form = folded[raw] = fold(raw)
        return form

    def distinct(raw_tags: Iterable[str], vocabulary: dict[str, int]) -> list[tuple[int, str]]:
        seen: dict[int, str] = {}
        for raw in raw_tags:
            if form := fold_once(raw):
                seen.setdefault(vocabulary.setdefault(form, len(vocabulary)), raw)
        return list(seen.items())

    for person in people:
        tags.person_offers.append(distinct(person.offer_tags, tags.offers))
        tags.person_needs.append(distinct(person.need_tags, tags.needs))
    phrases: dict[int, dict[str, int]] = {}  # by number of words
    for form, n in tags.offers.items():
        phrases.setdefault(form.count(" ") + 1, {})[form] = n
    for person in people:
        # Folding word by word gives the same as folding the text: folding never joins or splits across spaces.
        words = " ".join(fold_once(chunk) for chunk in person.needs_text.split()).split()
        hits: set[int] = set()
        for length, forms in phrases.items():
            grams = words if length == 1 else (" ".join(words[k : k + length]) for k in range(len(words) - length + 1))
            hits.update(forms[g] for g in grams if g in forms)
        tags.person_text_hits.append(hits)

    tags.fitting = [set() for _ in tags.offers]
    for a, b in _containing(tags.offers, tags.needs):
        tags.fitting[a].add(b)
    for b, a in _containing(tags.needs, tags.offers):
        tags.fitting[a].add(b)
    return tags


def _containing(forms: Mapping[str, int], parts: Mapping[str, int]) -> Iterable[tuple[int, int]]:
    """(form, part) for every part that equals a form or is contained in it and long enough to count."""
    by_head: dict[str, list[tuple[str, int]]] = {}
    for part, b in parts.items():
        if len(part) >= MIN_CONTAINED:
            by_head.setdefault(part[:MIN_CONTAINED], []).append((part, b))
    for form, a in forms.items():
        if form in parts:
            yield a, parts[form]
        for start in range(len(form) - MIN_CONTAINED + 1):
            for part, b in by_head.get(form[start : start + MIN_CONTAINED], ()):
                if form.startswith(part, start):
                    yield a, b


def _fit_matrix(tags: _Tags, n_creatives: int) -> np.ndarray:
    """The capped fit of every creative (rows) with every organisation (columns), by sparse matrix products."""
    n_people = len(tags.person_offers)
    n_offers, n_needs = len(tags.offers), len(tags.needs)

    def incidence(lists: Sequence[Iterable[int]], width: int) -> sparse.csr_array:
        rows = [n for n, items in enumerate(lists) for _ in items]
        cols = [k for items in lists for k in items]
        return sparse.csr_array((np.ones(len(rows), np.int32), (rows, cols)), shape=(len(lists), width))

    offers = incidence([[k for k, _ in p] for p in tags.person_offers], n_offers)
    needs = incidence([[k for k, _ in p] for p in tags.person_needs], n_needs)
    texts = incidence(tags.person_text_hits, n_offers)
    fits = incidence(tags.fitting, n_needs)
    # For each person, the offer tags that fit one of their need tags: those earn no further point from the text.
    covered = (needs @ fits.T > 0).astype(np.int32)
    wanted = fits @ needs.T + (texts - texts.multiply(covered)).T  # offer tags × people whose needs they meet
    c, o = slice(0, n_creatives), slice(n_creatives, n_people)
    total = (offers[c] @ wanted[:, o]).toarray() + (offers[o] @ wanted[:, c]).toarray().T
    return np.minimum(total, MAX_FIT)


def _assignment(score: np.ndarray) -> list[tuple[int, int]]:
    """The pairs of the best one-to-one assignment; cells with score 0 are not pairs."""
    # Zero, not a large negative, for the forbidden cells: the solver must fill every row of the smaller side,
    # and a large negative would make it prefer more but worse pairs to avoid an empty cell.
    rows, cols = np.flatnonzero(score.any(axis=1)), np.flatnonzero(score.any(axis=0))
    if not len(rows):
        return []
    part = score[np.ix_(rows, cols)]
    r, c = linear_sum_assignment(part, maximize=True)
    chosen = part[r, c] > 0
    return list(zip(rows[r[chosen]].tolist(), cols[c[chosen]].tolist(), strict=True))


def _b_matching(allowed: np.ndarray, score: np.ndarray, cap_c: np.ndarray, cap_o: np.ndarray) -> list[tuple[int, int]]:
    """The pairs of the best matching in which every person takes up to their capacity."""
    # A min-cost flow, source → creatives → organisations → sink, by the primal-dual method: shortest paths on
    # reduced costs, then a maximum flow on the arcs of reduced cost 0. Scores are small integers, so every phase
    # makes the best augmenting path cost at least 1 more; it stops when another pair would not add to the total.
    ii, jj = np.nonzero(allowed)
    if not len(ii):
        return []
    n_c, n_o = len(cap_c), len(cap_o)
    people, source, sink = np.arange(n_c + n_o), n_c + n_o, n_c + n_o + 1
    shape = (n_c + n_o + 2,) * 2
    capacity = np.concatenate([cap_c, cap_o])
    # A person's arc: source → creative, organisation → sink.
    person_tail, person_head = np.where(people < n_c, source, people), np.where(people < n_c, people, sink)
    c_node, o_node, gain = ii, n_c + jj, score[ii, jj].astype(np.int64)
    used = np.zeros(len(ii), bool)
    potential = np.zeros(shape[0], np.int64)
    np.minimum.at(potential, o_node, -gain)
    potential[sink] = potential[n_c:source].min()
    while True:
        load = np.bincount(np.concatenate([c_node[used], o_node[used]]), minlength=n_c + n_o)
        spare, loaded = capacity > load, load > 0
        tails = np.concatenate([person_tail[spare], person_head[loaded], c_node[~used], o_node[used]])
        heads = np.concatenate([person_head[spare], person_tail[loaded], o_node[~used], c_node[used]])
        costs = np.concatenate([np.zeros(spare.sum() + loaded.sum(), np.int64), -gain[~used], gain[used]])
        room = np.concatenate([(capacity - load)[spare], load[loaded], np.ones(len(ii), np.int64)])
        # csgraph takes explicitly stored zeros for arcs of length 0, which reduced costs are full of.
        reduced = sparse.csr_array(((costs + potential[tails] - potential[heads]).astype(float), (tails, heads)), shape)
        distance = csgraph.dijkstra(reduced, indices=source)
        if not np.isfinite(distance[sink]) or distance[sink] + potential[sink] - potential[source] >= 0:
            break
        potential += np.minimum(distance, distance[sink]).astype(np.int64)
        tight = costs + potential[tails] - potential[heads] == 0
        admissible = sparse.csr_array((room[tight].astype(np.int32), (tails[tight], heads[tight])), shape)
        flow = csgraph.maximum_flow(admissible, source, sink).flow
        used ^= np.asarray(flow[c_node, o_node]) != 0
    return list(zip(ii[used].tolist(), jj[used].tolist(), strict=True))


def _stable(
    allowed: np.ndarray, by_c: np.ndarray, by_o: np.ndarray, fit: np.ndarray, cap_c: np.ndarray, cap_o: np.ndarray
) -> list[tuple[int, int]]:
    """The pairs of creative-proposing deferred acceptance, many-to-many."""
    ii, jj = np.nonzero(allowed)  # sorted by creative, then organisation: input order breaks the ties
    if not len(ii):
        return []
    fits, own_c, own_o = fit[ii, jj].astype(np.int64), by_c[ii, jj].astype(np.int64), by_o[ii, jj].astype(np.int64)
    view_c = (own_c * (MAX_FIT + 1) + fits) * 3 + own_o
    view_o = (own_o * (MAX_FIT + 1) + fits) * 3 + own_c
    # An organisation's rank of a creative: lower is better, unique per organisation.
    rank_o = -view_o * len(cap_c) + ii
    # Each creative's proposals, best first, one after another in one list: the edges are grouped by creative.
    order = np.lexsort((jj, -view_c, ii))
    targets, ranks = jj[order].tolist(), rank_o[order].tolist()
    ends = np.searchsorted(ii, np.arange(1, len(cap_c) + 1)).tolist()
    following = [0, *ends[:-1]]

    places_c, places_o = cap_c.tolist(), cap_o.tolist()
    held: list[list[tuple[int, int]]] = [[] for _ in places_o]  # per organisation: (-rank, creative), worst on top
    holding = [0] * len(places_c)
    waiting = list(range(len(places_c) - 1, -1, -1))
    while waiting:
        i = waiting.pop()
        while holding[i] < places_c[i] and following[i] < ends[i]:
            j, rank = targets[following[i]], ranks[following[i]]
            following[i] += 1
            if len(held[j]) < places_o[j]:
                heapq.heappush(held[j], (-rank, i))
                holding[i] += 1
            elif -held[j][0][0] > rank:
                _, dropped = heapq.heapreplace(held[j], (-rank, i))
                holding[i] += 1
                holding[dropped] -= 1
                waiting.append(dropped)
    return [(i, j) for j, entries in enumerate(held) for _, i in entries]


def _rating_reasons(code_c: int, code_o: int) -> list[Reason]:
    """Who rated whom how, for one pair."""
    if code_c and code_c == code_o:
        return [Reason("both_rated", (_INTERESTS[code_c],))]
    reasons = []
    if code_c:
        reasons.append(Reason("rated", (Side.CREATIVE, _INTERESTS[code_c])))
    if code_o:
        reasons.append(Reason("rated", (Side.ORGANISATION, _INTERESTS[code_o])))
    return reasons


def _fit_reasons(tags: _Tags, creative: int, organisation: int) -> list[Reason]:
    """The fits of one pair, in the order they count towards the score; the same rules as ``_fit_matrix``."""
    reasons: list[Reason] = []
    for side, offering, needing in (
        (Side.CREATIVE, creative, organisation),
        (Side.ORGANISATION, organisation, creative),
    ):
        needs, hits = tags.person_needs[needing], tags.person_text_hits[needing]
        for a, offer in tags.person_offers[offering]:
            fitting = tags.fitting[a]
            found = [need for b, need in needs if b in fitting] or ([""] if a in hits else [])
            reasons.extend(Reason("offer_fits_need", (side, offer, need)) for need in found)
            if len(reasons) >= MAX_FIT:
                return reasons[:MAX_FIT]
    return reasons
