"""Watchlists: rules kept in a JSON file, matched against newly stored extractions after each ingest or
watch cycle; each match is written as a JSON line (a file or stdout) and POSTed to a webhook.

Hook for any ingest path: after storing extractions, call :func:`run_alerts` with the ones the store
took as new (``add_extraction(...).documents == 1``). A path that stores many documents in steps
(``ingest``, ``load``) uses an :class:`Alerter`: :meth:`Alerter.new` after each step, :meth:`Alerter.finish`
at the end. Only documents the store took as new raise alerts, so ingesting or loading the same article
again (or extracting it again with ``--reextract``) raises nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from threatledger.alerts.match import STEP_TYPES, Match, match_rules
from threatledger.alerts.notify import Delivery, deliver
from threatledger.alerts.rules import Rule, RuleBook, default_rules_path, make_rule
from threatledger.model import Extraction
from threatledger.store import Store

__all__ = [
    "Alerter",
    "Delivery",
    "Match",
    "Rule",
    "RuleBook",
    "default_rules_path",
    "deliver",
    "make_rule",
    "match_rules",
    "run_alerts",
]


def run_alerts(
    store: Store, extractions: Iterable[Extraction], rules_path: str | Path, *, stdout: IO[str] | None = None
) -> Delivery:
    """Match the rules of ``rules_path`` against new extractions and deliver the matches."""
    book = RuleBook.load(rules_path)
    if not book.rules:
        return Delivery()
    return deliver(match_rules(book.rules, extractions, store), stdout=stdout)


@dataclass
class Alerter:
    """The alerts of one run that stores documents in steps (an ``ingest``, a ``load``).

    :meth:`new` takes the extractions a step stored as new: entity, type and country rules are matched and
    delivered at once (they read the new article only; nothing is held back, so memory stays flat over a
    load of any size). A status-change rule also reads the ledger, whose other articles of the incident may
    come in a later step, so the new extractions that could fire one (an event of the rule's TO step) are
    kept and matched by :meth:`finish`, once everything is stored.
    """

    rules: list[Rule]
    stdout: IO[str] | None = None
    delivery: Delivery = field(default_factory=Delivery)
    held: list[Extraction] = field(default_factory=list)

    @classmethod
    def open(cls, rules_path: str | Path, *, stdout: IO[str] | None = None) -> Alerter | None:
        """The alerter for the rules of ``rules_path``; None when it holds no rules (nothing to do)."""
        book = RuleBook.load(rules_path)
        return cls(book.rules, stdout) if book.rules else None

    @property
    def _now(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.kind != "status_change"]

    @property
    def _later(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.kind == "status_change"]

    def new(self, store: Store, extractions: Iterable[Extraction]) -> None:
        """Extractions the store has just taken as new (committed)."""
        extractions = [x for x in extractions if x.error is None]
        if not extractions:
            return
        if self._now:
            self.delivery.add(deliver(match_rules(self._now, extractions, store), stdout=self.stdout))
        wanted = frozenset().union(*(STEP_TYPES.get(r.value.split(":", 1)[1], ()) for r in self._later))
        self.held.extend(x for x in extractions if any(e.type in wanted for e in x.events))

    def finish(self, store: Store) -> Delivery:
        """Match the held extractions against the status-change rules; what the whole run delivered."""
        held, self.held = self.held, []
        if held:
            self.delivery.add(deliver(match_rules(self._later, held, store), stdout=self.stdout))
        return self.delivery
