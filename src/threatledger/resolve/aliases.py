"""The table of well-known aliases of agencies, groups and states, read from ``data/aliases.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from threatledger.errors import ModelError
from threatledger.resolve.names import normalize_name

ALIAS_TYPES = frozenset({"ORG", "STATE"})


@dataclass(frozen=True, slots=True)
class AliasGroup:
    """One agency, group or state and every name it goes by."""

    canonical: str
    type: str
    country: str | None
    aliases: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.canonical, *self.aliases)


@dataclass(frozen=True, slots=True)
class AliasTable:
    """Lookup from a normalised name to its alias group."""

    groups: tuple[AliasGroup, ...]
    by_name: dict[str, AliasGroup]
    person_prefixes: frozenset[str]

    def lookup(self, name: str, entity_type: str | None = None) -> AliasGroup | None:
        """The group a name belongs to; persons and places never match (an alias table names bodies)."""
        if entity_type is not None and entity_type not in ALIAS_TYPES:
            return None
        return self.by_name.get(normalize_name(name))

    def expand(self, name: str) -> tuple[str, ...]:
        """Every name of the group ``name`` belongs to, or just ``name``."""
        group = self.lookup(name)
        return group.names if group else (name,)


def _parse_group(raw: dict[str, object]) -> AliasGroup:
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list):
        raise ModelError(f"aliases.json: group {raw.get('canonical')!r} has no alias list")
    country = raw.get("country")
    return AliasGroup(
        canonical=str(raw["canonical"]),
        type=str(raw["type"]),
        country=str(country) if country else None,
        aliases=tuple(str(a) for a in aliases),
    )


def parse_alias_table(data: dict[str, object]) -> AliasTable:
    """Build an :class:`AliasTable` from the JSON structure of ``aliases.json``."""
    raw_groups = data.get("groups")
    if not isinstance(raw_groups, list):
        raise ModelError("aliases.json has no 'groups' list", hint="Restore the file from the package.")
    groups = tuple(_parse_group(g) for g in raw_groups)
    by_name: dict[str, AliasGroup] = {}
    for group in groups:
        for name in group.names:
            by_name.setdefault(normalize_name(name), group)
    prefixes = data.get("person_prefixes") or []
    folded = (
        frozenset(normalize_name(str(p)) for p in prefixes) if isinstance(prefixes, list) else frozenset()
    )
    return AliasTable(groups=groups, by_name=by_name, person_prefixes=folded)


@lru_cache(maxsize=1)
def load_alias_table() -> AliasTable:
    """The packaged alias table (read once)."""
    text = resources.files("threatledger.data").joinpath("aliases.json").read_text(encoding="utf-8")
    return parse_alias_table(json.loads(text))
