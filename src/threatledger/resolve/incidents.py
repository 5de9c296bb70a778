"""Cross-document incident merging.

A document's incident (a group of its events) joins an existing global incident when they share a key
participant and are compatible in type and date; otherwise it starts a new global incident. Key
participants are named persons: the target (victim) or agent (perpetrator) of a violent event, and the
target (defendant) of a step of prosecution (not of a sanction or an expulsion). A victim only matches
a victim; perpetrators and defendants match each other (the plotter of one article is the defendant of
the next). Only the participants a document's incident is about count: a victim mentioned once as
background does not tie it to that victim's own case. The id of a global incident is derived from
its first event and never changes when later articles join it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from threatledger.model import VIOLENT_TYPES, Event, content_id
from threatledger.resolve.aliases import load_alias_table
from threatledger.resolve.names import is_proper_name

VICTIM, PERPETRATOR, DEFENDANT = "victim", "perpetrator", "defendant"
_WEIGHTS = {VICTIM: 3, PERPETRATOR: 2, DEFENDANT: 2}
_ACCUSED = frozenset({PERPETRATOR, DEFENDANT})
_FAMILIES = {"CYBERATTACK": "cyber"}
PROSECUTION_TYPES = frozenset(
    {
        "ARREST",
        "SEARCH_RAID",
        "CHARGE",
        "TRIAL",
        "CONVICTION",
        "SENTENCE",
        "RELEASE",
        "TRANSFER",
        "EXTRADITION",
        "EXECUTION",
    }
)
VIOLENT_YEAR_GAP = 1
LEGAL_YEAR_GAP = 5
CENTRAL_SHARE = 0.5

Participant = tuple[str, str]  # (entity id, kind)
EntityLookup = Callable[[str | None, str], tuple[str, str] | None]  # (local id, name) -> (global id, type)


@dataclass(frozen=True, slots=True)
class IncidentProfile:
    """What merging needs to know of a global incident, or of a document's group of events."""

    id: str
    participants: frozenset[Participant]
    violent_types: frozenset[str] = frozenset()
    violent_years: frozenset[int] = frozenset()
    legal_years: frozenset[int] = frozenset()
    seq: int = 0  # creation order in the store: ties go to the oldest incident
    violent_days: frozenset[tuple[str, str]] = frozenset()  # (type, YYYY-MM-DD) of its dated violence


class IncidentIndex(Protocol):
    """What the merger needs from a store: the incidents in which any of these entities take part."""

    def incident_candidates(self, entity_ids: Collection[str]) -> list[IncidentProfile]: ...


def year_of(date: str | None) -> int | None:
    """The year of a ``YYYY[-MM[-DD]]`` date, or None."""
    if not date or len(date) < 4 or not date[:4].isdigit():
        return None
    return int(date[:4])


def participant_roles(event_type: str) -> tuple[tuple[str, str], ...]:
    """Which roles of an event of this type hold key participants, and as what kind."""
    if event_type in VIOLENT_TYPES:
        return (("target", VICTIM), ("agent", PERPETRATOR))
    if event_type in PROSECUTION_TYPES:
        return (("target", DEFENDANT),)
    return ()  # a sanction's or an expulsion's target is no defendant: heads of state would join everything


def event_participants(event: Event, lookup: EntityLookup) -> frozenset[Participant]:
    """The key participants of one event, as global entity ids: named persons only ("the suspect",
    "two men" or "police officers" would tie unrelated cases together)."""
    prefixes = load_alias_table().person_prefixes
    found: set[Participant] = set()
    for role, kind in participant_roles(event.type):
        for arg in event.role(role):
            hit = lookup(arg.entity_id, arg.name)
            if hit is not None and hit[1] == "PERSON" and is_proper_name(arg.name, prefixes):
                found.add((hit[0], kind))
    return frozenset(found)


def profile_events(
    events: Iterable[tuple[str, str | None]],
    participants: Iterable[Participant],
    *,
    incident_id: str = "",
    seq: int = 0,
) -> IncidentProfile:
    """Build a profile from (type, date) pairs of events and their key participants."""
    violent_types: set[str] = set()
    violent_years: set[int] = set()
    violent_days: set[tuple[str, str]] = set()
    legal_years: set[int] = set()
    for event_type, date in events:
        year = year_of(date)
        if event_type in VIOLENT_TYPES:
            violent_types.add(event_type)
            if year is not None:
                violent_years.add(year)
            if date is not None and len(date) == len("YYYY-MM-DD"):
                violent_days.add((event_type, date))
        elif year is not None:
            legal_years.add(year)
    return IncidentProfile(
        incident_id,
        frozenset(participants),
        frozenset(violent_types),
        frozenset(violent_years),
        frozenset(legal_years),
        seq,
        frozenset(violent_days),
    )


def _families(types: frozenset[str]) -> frozenset[str]:
    return frozenset(_FAMILIES.get(t, "violence") for t in types)


def years_close(a: frozenset[int], b: frozenset[int], gap: int) -> bool:
    return not a or not b or min(abs(x - y) for x in a for y in b) <= gap


def _legal_after(legal: frozenset[int], violent: frozenset[int]) -> bool:
    """Legal steps cannot end more than a year before the violence they answer began."""
    return not legal or not violent or max(legal) >= min(violent) - VIOLENT_YEAR_GAP


def compatible(a: IncidentProfile, b: IncidentProfile) -> bool:
    """Whether two profiles could describe one real case, by event type and date."""
    if a.violent_types and b.violent_types:
        if not _families(a.violent_types) & _families(b.violent_types):
            return False
        if not years_close(a.violent_years, b.violent_years, VIOLENT_YEAR_GAP):
            return False
    if not (_legal_after(a.legal_years, b.violent_years) and _legal_after(b.legal_years, a.violent_years)):
        return False
    if not a.violent_types and not b.violent_types:
        return years_close(a.legal_years, b.legal_years, LEGAL_YEAR_GAP)
    return True


def shared_weight(a: frozenset[Participant], b: frozenset[Participant]) -> int:
    """How strongly two sets of key participants tie two incidents together."""
    weight = 0
    for entity_id, kind in a:
        kinds = {k for e, k in b if e == entity_id}
        if kind == VICTIM and VICTIM in kinds:
            weight += _WEIGHTS[VICTIM]
        elif kind in _ACCUSED and kinds & _ACCUSED:
            weight += _WEIGHTS[kind]
    return weight


def choose_incident(
    group: IncidentProfile, candidates: Sequence[IncidentProfile], *, exclude: Collection[str] = ()
) -> IncidentProfile | None:
    """The global incident a group of events should join, or None for a new incident."""
    best: tuple[int, int, IncidentProfile] | None = None
    for cand in candidates:
        if cand.id in exclude or not compatible(group, cand):
            continue
        weight = shared_weight(group.participants, cand.participants)
        if weight and (best is None or (weight, -cand.seq) > best[:2]):
            best = (weight, -cand.seq, cand)
    return best[2] if best else None


def new_incident_id(content_hash: str, first: Event) -> str:
    """The id of a global incident, derived from its first event: the document and the trigger span."""
    return content_id("inc", content_hash, first.type, first.provenance.start, first.provenance.end)


def central_of(per_event: Sequence[frozenset[Participant]]) -> frozenset[Participant]:
    """The key participants a group of events is about, from each event's: those in at least half as
    many of its events as the most frequent one."""
    counts: dict[str, int] = {}
    for found in per_event:
        for entity in {entity for entity, _ in found}:
            counts[entity] = counts.get(entity, 0) + 1
    if not counts:
        return frozenset()
    floor = max(counts.values()) * CENTRAL_SHARE
    return frozenset(p for found in per_event for p in found if counts[p[0]] >= floor)


def central_participants(events: Sequence[Event], lookup: EntityLookup) -> frozenset[Participant]:
    """The key participants a group of events is about (see :func:`central_of`). A victim named once as
    background ("like the 2018 attack on X") is left out, so it cannot tie the group to X's own case."""
    return central_of([event_participants(e, lookup) for e in events])
