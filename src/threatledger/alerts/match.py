"""Match watchlist rules against newly stored extractions.

Entity, type and country rules read the new extraction only. A status-change rule also reads the store:
for a new legal event, the person's steps in the ledger (every article of the incident, in date order)
must hold the ``FROM`` step before the new event's ``TO`` step.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from threatledger.alerts.rules import Rule
from threatledger.model import ROLES, Event, Extraction
from threatledger.query.accountability import STEP_OF_TYPE
from threatledger.store import Store
from threatledger.store.records import PersonAccount

# The event types that can record each step (steps_of derives acquittals, pardons and "at large").
STEP_TYPES: dict[str, frozenset[str]] = {
    **{step: frozenset({kind}) for kind, step in STEP_OF_TYPE.items()},
    "acquitted": frozenset({"TRIAL", "CONVICTION"}),
    "pardoned": frozenset({"RELEASE"}),
    "at large": frozenset({"CHARGE"}),
}


@dataclass(frozen=True, slots=True)
class Match:
    """A rule that fired on a document: the events that made it fire, and what was matched."""

    rule: Rule
    extraction: Extraction
    events: tuple[Event, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        document = self.extraction.document
        return {
            "rule": {"id": self.rule.id, "kind": self.rule.kind, "value": self.rule.value},
            "document": {
                "id": document.id,
                "title": document.title,
                "url": document.url,
                "published": document.published.isoformat() if document.published else None,
            },
            "events": [_event_summary(event) for event in self.events],
            "detail": self.detail,
        }


def _event_summary(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "date": event.date,
        "status": event.status,
        "sentence": event.sentence,
    }


def match_rules(rules: Iterable[Rule], extractions: Iterable[Extraction], store: Store) -> list[Match]:
    """Every match of every rule on the given (newly stored) extractions, document by document."""
    rules = list(rules)
    matches: list[Match] = []
    for extraction in extractions:
        if extraction.error is None:
            for rule in rules:
                matches.extend(match_rule(rule, extraction, store))
    return matches


def match_rule(rule: Rule, extraction: Extraction, store: Store) -> Iterator[Match]:
    if rule.kind == "entity":
        yield from _entity_match(rule, extraction)
    elif rule.kind == "type":
        events = tuple(e for e in extraction.events if e.type == rule.value and not e.negated_or_hypothetical)
        if events:
            yield Match(rule, extraction, events)
    elif rule.kind == "country":
        yield from _country_match(rule, extraction)
    elif rule.kind == "status_change":
        yield from _status_matches(rule, extraction, store)


def _norm(name: str) -> str:
    return " ".join(name.casefold().split())


def _involving(extraction: Extraction, entity_ids: set[str], names: set[str]) -> tuple[Event, ...]:
    """The events with a role filler among the entity ids or (normalised) names."""
    return tuple(
        event
        for event in extraction.events
        if any(
            arg.entity_id in entity_ids or _norm(arg.name) in names
            for role in ROLES
            for arg in event.role(role)
        )
    )


def _entity_match(rule: Rule, extraction: Extraction) -> Iterator[Match]:
    wanted = _norm(rule.value)
    hits = [e for e in extraction.entities if wanted in {_norm(n) for n in (e.name, *e.aliases)}]
    if hits:
        events = _involving(extraction, {e.id for e in hits}, {wanted})
        yield Match(rule, extraction, events, {"entities": sorted({e.name for e in hits})})


def _country_match(rule: Rule, extraction: Extraction) -> Iterator[Match]:
    hits = [e for e in extraction.entities if e.country == rule.value]
    events = _involving(extraction, {e.id for e in hits}, set())
    if events:
        yield Match(rule, extraction, events, {"entities": sorted({e.name for e in hits})})


def _status_matches(rule: Rule, extraction: Extraction, store: Store) -> Iterator[Match]:
    before, after = rule.value.split(":", 1)
    for event in extraction.events:
        if event.type not in STEP_TYPES.get(after, frozenset()) or event.negated_or_hypothetical:
            continue
        for name in {arg.name for arg in event.target}:
            for incident_id, account in _accounts(store, name, event.id):
                if _changed(account, event.id, before, after):
                    detail = {
                        "person": account.name,
                        "incident": incident_id,
                        "from": before,
                        "to": after,
                        "status": account.status,
                    }
                    yield Match(rule, extraction, (event,), detail)


def _accounts(store: Store, name: str, event_id: str) -> Iterator[tuple[str, PersonAccount]]:
    """The accounts (in the incidents of the entities ``name`` may mean) with a step from ``event_id``."""
    seen: set[str] = set()
    for entity in store.entity(name):
        for incident in entity.incidents:
            incident_id = str(incident["id"])
            if incident_id in seen:
                continue
            seen.add(incident_id)
            for account in store.incident(incident_id).accountability:
                if any(step.event_id == event_id for step in account.steps):
                    yield incident_id, account


def _changed(account: PersonAccount, event_id: str, before: str, after: str) -> bool:
    """Whether the account holds a ``before`` step earlier than a ``after`` step from ``event_id``."""
    kinds = [step.step for step in account.steps]
    for index, step in enumerate(account.steps):
        if step.event_id == event_id and step.step == after and before in kinds[:index]:
            return True
    return False
