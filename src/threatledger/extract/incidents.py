"""Group a document's events into incidents: one real-world case with its legal and diplomatic aftermath.

Events that share a person in the same part (the victim, or the perpetrator who is also the defendant)
belong to one case. A news story is about the case it opens with: every other group joins that case unless
all its dates lie years away from it, which marks a background case (an old killing, an earlier trial).
"""

from __future__ import annotations

from threatledger.extract.events import EventMention
from threatledger.model import VIOLENT_TYPES


class _Sets:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _people(event: EventMention) -> set[tuple[str, int]]:
    """The people that tie events into one case, keyed by their part in it: the victim of an attack, or
    the perpetrator, who is also the one arrested, charged, tried and sentenced. A victim's own arrest or
    trial (a spy poisoned years after his conviction) is another case."""
    if event.kind in VIOLENT_TYPES:
        keys = {("victim", id(f.cluster)) for f in event.roles["target"] if f.cluster.type == "PERSON"}
        return keys | {("perp", id(f.cluster)) for f in event.roles["agent"] if f.cluster.type == "PERSON"}
    return {("perp", id(f.cluster)) for f in event.roles["target"] if f.cluster.type == "PERSON"}


def group_incidents(events: list[EventMention]) -> list[list[int]]:
    """Indexes of ``events`` grouped by case, each group in text order."""
    sets = _Sets(len(events))
    owner: dict[tuple[str, int], int] = {}
    for i, event in enumerate(events):
        for person in _people(event):
            if person in owner:
                sets.union(i, owner[person])
            owner[person] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(events)):
        groups.setdefault(sets.find(i), []).append(i)
    return _join_aftermath(events, sorted(groups.values(), key=lambda g: g[0]))


def _years(events: list[EventMention], group: list[int]) -> set[int]:
    return {int(date[:4]) for i in group if (date := events[i].date)}


def _join_aftermath(events: list[EventMention], groups: list[list[int]]) -> list[list[int]]:
    """News tells one main case, the one it opens with: another group joins it unless all its dates lie
    years apart from the main case's (a background case: an old killing, an earlier trial)."""
    if len(groups) < 2:
        return groups
    main = groups[0]  # the case the story opens with (groups are in text order)
    main_years = _years(events, main)
    out = [main]
    for group in groups:
        if group is main:
            continue
        years = _years(events, group)
        far = (
            bool(years) and bool(main_years) and all(min(abs(y - m) for m in main_years) >= 4 for y in years)
        )
        if far:
            out.append(group)
        else:
            main.extend(group)
    main.sort()
    return sorted(out, key=lambda g: g[0])
