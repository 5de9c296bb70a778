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


def _people(event: EventMention) -> set[int]:
    roles = ("agent", "target") if event.kind in VIOLENT_TYPES else ("target",)
    return {id(f.cluster) for r in roles for f in event.roles[r] if f.cluster.type == "PERSON"}


def _entities(event: EventMention) -> set[int]:
    return {id(f.cluster) for fillers in event.roles.values() for f in fillers}


def group_incidents(events: list[EventMention]) -> list[list[int]]:
    """Indexes of ``events`` grouped by case, each group in text order."""
    sets = _Sets(len(events))
    owner: dict[int, int] = {}
    for i, event in enumerate(events):
        for person in _people(event):
            if person in owner:
                sets.union(i, owner[person])
            owner[person] = i
    _attach_loose(events, sets)
    groups: dict[int, list[int]] = {}
    for i in range(len(events)):
        groups.setdefault(sets.find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _attach_loose(events: list[EventMention], sets: _Sets) -> None:
    sizes: dict[int, int] = {}
    for i in range(len(events)):
        sizes[sets.find(i)] = sizes.get(sets.find(i), 0) + 1
    for i, event in enumerate(events):
        if _people(event) or not events:
            continue
        shared = [j for j in range(len(events)) if j != i and _entities(event) & _entities(events[j])]
        if shared:
            sets.union(i, min(shared, key=lambda j: abs(j - i)))
        else:
            largest = max(sizes, key=lambda root: sizes[root])
            sets.union(i, largest)
