"""Watchlist rules and the JSON file that keeps them.

A rule watches one thing: an ``entity`` (a name, matched against the names and aliases of a new
article's entities), an event ``type``, a ``country`` (ISO 3166-1 alpha-2, tied to a participant or place
of an event) or a ``status_change`` of a person's legal status (``FROM:TO``, e.g. ``charged:released``).
Each rule says where its matches go: a JSON Lines file (``out``; stdout without one) and, optionally, a
webhook. Rule ids are derived from the rule, so adding the same rule twice keeps one.

The rules file (default: next to the SQLite store, ``NAME.alerts.json``) is written atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from threatledger.errors import StoreError
from threatledger.model import EVENT_TYPES, content_id
from threatledger.query.accountability import STEP_RANK

KINDS = ("entity", "type", "country", "status_change")
FORMAT = "threatledger.alerts"
VERSION = 1
STEPS = tuple(STEP_RANK)
RULES_HINT = "add rules with `threatledger alert add`, or pass the right file with --rules"


@dataclass(frozen=True, slots=True)
class Rule:
    """One watchlist rule: what it watches and where its matches go."""

    id: str
    kind: str
    value: str
    webhook: str | None = None
    out: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        where = self.out or "stdout"
        hook = f" + POST {self.webhook}" if self.webhook else ""
        return f"{self.id}  {self.kind}={self.value}  -> {where}{hook}"


def make_rule(
    *,
    entity: str | None = None,
    type: str | None = None,
    country: str | None = None,
    status_change: str | None = None,
    webhook: str | None = None,
    out: str | None = None,
) -> Rule:
    """A checked rule from exactly one of ``entity``, ``type``, ``country`` or ``status_change``."""
    given = {k: v for k, v in zip(KINDS, (entity, type, country, status_change), strict=True) if v}
    if len(given) != 1:
        raise StoreError(
            "a rule watches exactly one thing",
            hint="pass one of --entity NAME, --type TYPE, --country CC or --status-change FROM:TO",
        )
    [(kind, raw)] = given.items()
    value = _CHECKS[kind](raw.strip())
    if webhook and not webhook.lower().startswith(("http://", "https://")):
        raise StoreError(f"the webhook {webhook!r} is not an http(s) URL", hint="pass --webhook https://...")
    return Rule(content_id("rule", kind, value, webhook, out, length=10), kind, value, webhook, out)


def _check_entity(value: str) -> str:
    if not value:
        raise StoreError("an entity rule needs a name", hint="pass --entity 'Full Name'")
    return " ".join(value.split())


def _check_type(value: str) -> str:
    if value.upper() not in EVENT_TYPES:
        raise StoreError(f"unknown event type {value!r}", hint="One of: " + ", ".join(EVENT_TYPES) + ".")
    return value.upper()


def _check_country(value: str) -> str:
    import pycountry

    try:
        return str(pycountry.countries.lookup(value).alpha_2)
    except LookupError as exc:
        raise StoreError(f"unknown country {value!r}", hint="pass an ISO code such as DE, or a name") from exc


def _check_status_change(value: str) -> str:
    before, sep, after = (part.strip().lower() for part in value.partition(":"))
    for step in (before, after):
        if not sep or step not in STEPS:
            raise StoreError(
                f"cannot read the status change {value!r}",
                hint="write FROM:TO with steps from: " + ", ".join(STEPS) + " (e.g. charged:released)",
            )
    return f"{before}:{after}"


_CHECKS = {
    "entity": _check_entity,
    "type": _check_type,
    "country": _check_country,
    "status_change": _check_status_change,
}


def default_rules_path(db: str) -> Path:
    """``NAME.alerts.json`` next to a SQLite store; ``threatledger.alerts.json`` here for a server store."""
    return store_sibling(db, ".alerts.json")


def store_sibling(db: str, suffix: str) -> Path:
    """A file next to the SQLite store ``db`` with ``suffix`` for its suffix; ``threatledger{suffix}`` in
    the working folder for a PostgreSQL or in-memory store."""
    from threatledger.store import parse_sqlite_url

    if db.lower().startswith(("postgresql:", "postgres:")):
        return Path(f"threatledger{suffix}")
    path, _ = parse_sqlite_url(db)
    if path == ":memory:":
        return Path(f"threatledger{suffix}")
    return Path(path).with_suffix(suffix)


@dataclass
class RuleBook:
    """The rules of one rules file: ``load``, ``add``, ``remove``, ``save``."""

    path: Path
    rules: list[Rule] = field(default_factory=list)

    @classmethod
    def load(cls, path: str | Path) -> RuleBook:
        """The rules in ``path``; a missing file holds none."""
        path = Path(path)
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            rules = [Rule(**item) for item in data["rules"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"cannot read the rules file {path}: {exc}", hint=RULES_HINT) from exc
        return cls(path, rules)

    def add(self, rule: Rule) -> bool:
        """Add ``rule``; False when the same rule is already there."""
        if any(r.id == rule.id for r in self.rules):
            return False
        self.rules.append(rule)
        return True

    def remove(self, rule_id: str) -> Rule:
        """Remove the rule with this id (or a unique prefix of it) and return it."""
        found = [r for r in self.rules if r.id == rule_id] or [
            r for r in self.rules if r.id.startswith(rule_id)
        ]
        if len(found) != 1:
            what = "no rule" if not found else "more than one rule"
            raise StoreError(
                f"{what} with the id {rule_id!r} in {self.path}", hint="list them with `alert list`"
            )
        self.rules.remove(found[0])
        return found[0]

    def save(self) -> None:
        """Write the rules file atomically (a temporary file renamed over it)."""
        data = {"format": FORMAT, "version": VERSION, "rules": [r.to_dict() for r in self.rules]}
        write_json_atomic(self.path, data)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2, sort_keys=True)
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
