"""Watchlists: rules kept in a JSON file, matched against newly stored extractions after each ingest or
watch cycle; each match is written as a JSON line (a file or stdout) and POSTed to a webhook.

Hook for any ingest path: after storing extractions, call :func:`run_alerts` with the ones the store
took as new (``add_extraction(...).documents == 1``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO

from threatledger.alerts.match import Match, match_rules
from threatledger.alerts.notify import Delivery, deliver
from threatledger.alerts.rules import Rule, RuleBook, default_rules_path, make_rule
from threatledger.model import Extraction
from threatledger.store import Store

__all__ = [
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
