"""Accountability: for each incident and each person, the legal steps in date order, the current status,
and the gaps (charged but at large, convicted but released or transferred, no one charged)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from threatledger.store.records import EventView, OpenCase, PersonAccount, Step

STEP_OF_TYPE = {
    "CHARGE": "charged",
    "ARREST": "arrested",
    "EXTRADITION": "extradited",
    "TRIAL": "tried",
    "CONVICTION": "convicted",
    "SENTENCE": "sentenced",
    "RELEASE": "released",
    "TRANSFER": "transferred",
    "EXECUTION": "executed",
}
STEP_RANK = {
    "charged": 1,
    "at large": 2,
    "arrested": 3,
    "extradited": 4,
    "tried": 5,
    "acquitted": 6,
    "convicted": 6,
    "sentenced": 7,
    "released": 8,
    "pardoned": 8,
    "transferred": 8,
    "executed": 9,
}
CUSTODY = frozenset({"arrested", "extradited", "tried", "convicted", "sentenced", "acquitted", "executed"})
CONVICTED = frozenset({"convicted", "sentenced"})
FREED = frozenset({"released", "pardoned", "transferred"})
UNPUNISHED_TYPES = frozenset({"PLOT", "ATTACK", "KILLING"})
PROSECUTION_TYPES = frozenset({"CHARGE", "TRIAL", "CONVICTION", "SENTENCE"})
_AT_LARGE = re.compile(
    r"\b(at large|fugitive|on the run|remains? free|never (been )?arrested|in absentia)\b", re.I
)
_WORD = re.compile(r"[\w'-]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_ACQUIT = re.compile(r"\bacquit", re.I)
_PARDON = re.compile(r"\b(pardon|clemency|commut)", re.I)


def steps_of(event: EventView) -> tuple[str, ...]:
    """The legal steps an event records for its targets: ("charged", "at large"), ("pardoned",), ...."""
    step = STEP_OF_TYPE.get(event.type)
    if step is None or event.negated_or_hypothetical:
        return ()
    if event.type in ("TRIAL", "CONVICTION") and _ACQUIT.search(event.trigger + " " + event.sentence):
        return ("acquitted",)
    if event.type == "RELEASE" and _PARDON.search(event.trigger + " " + event.sentence):
        return ("pardoned",)
    if event.type == "CHARGE" and _AT_LARGE.search(event.sentence):
        return ("charged", "at large")
    return (step,)


def order_steps(steps: Sequence[Step]) -> tuple[Step, ...]:
    """Dated steps by date; an undated step goes after the last dated step that comes before it in law."""
    dated = sorted((s for s in steps if s.date), key=lambda s: (s.date or "", STEP_RANK[s.step]))

    def key(step: Step) -> tuple[str, int]:
        if step.date:
            return step.date, STEP_RANK[step.step]
        earlier = [s.date or "" for s in dated if STEP_RANK[s.step] <= STEP_RANK[step.step]]
        return (earlier[-1] if earlier else ""), STEP_RANK[step.step]

    return tuple(sorted(steps, key=key))


def _person_key(name: str, entity_id: str | None) -> str:
    return entity_id or " ".join(name.lower().split())


@lru_cache(maxsize=256)
def _at_large_sentences(text: str) -> tuple[frozenset[str], ...]:
    """The words of each sentence of ``text`` that says someone is at large."""
    return tuple(frozenset(_WORD.findall(s)) for s in _SENTENCE_END.split(text) if _AT_LARGE.search(s))


def said_at_large(text: str, name: str) -> bool:
    """Whether a sentence of ``text`` says the person (by surname) is at large."""
    words = name.split()
    return bool(words) and any(words[-1] in sentence for sentence in _at_large_sentences(text))


def person_steps(
    events: Iterable[EventView],
    texts: Mapping[str, str] | None = None,
) -> dict[str, tuple[str, str | None, list[Step]]]:
    """Steps per defendant: key -> (name, entity id, steps). Defendants are the targets of legal events.

    ``texts`` (document id -> text) lets a charge's article say elsewhere that the person is at large.
    """
    people: dict[str, tuple[str, str | None, list[Step]]] = {}
    for event in events:
        kinds = steps_of(event)
        for arg in event.roles.get("target", ()) if kinds else ():
            name = arg.entity_name or arg.name
            _, _, steps = people.setdefault(_person_key(name, arg.entity_id), (name, arg.entity_id, []))
            extra = (
                ("at large",)
                if "at large" not in kinds
                and event.type == "CHARGE"
                and texts
                and any(said_at_large(texts.get(event.source.document_id, ""), n) for n in {name, arg.name})
                else ()
            )
            steps.extend(
                Step(k, event.date, event.id, event.sentence, event.source) for k in (*kinds, *extra)
            )
    return people


def current_status(steps: Sequence[Step]) -> str:
    """The last step; a charge with no custody after it reads "charged, at large"."""
    if not steps:
        return "unknown"
    kinds = {s.step for s in steps}
    last = steps[-1].step
    if last in ("charged", "at large") and not kinds & CUSTODY:
        return "charged, at large"
    return last


def accounts(
    incident_id: str, events: Iterable[EventView], texts: Mapping[str, str] | None = None
) -> tuple[PersonAccount, ...]:
    """Each person's legal steps in one incident, in date order, with the current status."""
    out = []
    for name, entity_id, steps in person_steps(events, texts).values():
        ordered = order_steps(steps)
        out.append(PersonAccount(incident_id, entity_id, name, current_status(ordered), ordered))
    return tuple(sorted(out, key=lambda a: (a.name.lower(), a.entity_id or "")))


def _person_cases(account: PersonAccount, summary: str) -> list[OpenCase]:
    kinds = [s.step for s in account.steps]
    cases = []
    if "charged" in kinds and not set(kinds) & CUSTODY:
        first = next(s for s in account.steps if s.step in ("charged", "at large"))
        cases.append(
            OpenCase(
                "charged_at_large",
                account.incident_id,
                summary,
                account.name,
                account.entity_id,
                first.date,
                "charged, no arrest or conviction reported",
                first.source,
            )
        )
    convicted_at = next((i for i, k in enumerate(kinds) if k in CONVICTED), None)
    if convicted_at is not None:
        freed = next((s for s in account.steps[convicted_at + 1 :] if s.step in FREED), None)
        if freed is not None:
            cases.append(
                OpenCase(
                    "released_after_conviction",
                    account.incident_id,
                    summary,
                    account.name,
                    account.entity_id,
                    freed.date,
                    f"convicted, then {freed.step}",
                    freed.source,
                )
            )
    return cases


def open_cases(
    incident_id: str, summary: str, events: Sequence[EventView], texts: Mapping[str, str] | None = None
) -> list[OpenCase]:
    """The accountability gaps of one incident."""
    cases = [c for account in accounts(incident_id, events, texts) for c in _person_cases(account, summary)]
    types = {e.type for e in events}
    if types & UNPUNISHED_TYPES and not types & PROSECUTION_TYPES:
        first = next(e for e in events if e.type in UNPUNISHED_TYPES)
        cases.append(
            OpenCase(
                "no_one_charged",
                incident_id,
                summary,
                None,
                None,
                first.date,
                f"{first.type.lower()} with no charge reported",
                first.source,
            )
        )
    return cases
