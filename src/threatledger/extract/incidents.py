"""Group a document's events into incidents: one real-world case with its legal and diplomatic aftermath.

Events that share a person (victim, perpetrator or defendant) belong to one case. Events that name no
shared person join the case of the nearest event before them that shares any entity, else the largest case.
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
    """News tells one main case: a group joins it unless it has people of its own and lies years apart."""
    if len(groups) < 2:
        return groups
    main = max(groups, key=len)
    main_years = _years(events, main)
    out = [main]
    for group in groups:
        if group is main:
            continue
        own_people = any(_people(events[i]) for i in group)
        years = _years(events, group)
        far = (
            bool(years) and bool(main_years) and all(min(abs(y - m) for m in main_years) >= 4 for y in years)
        )
        if own_people and far:
            out.append(group)
        else:
            main.extend(group)
    main.sort()
    return sorted(out, key=lambda g: g[0])
