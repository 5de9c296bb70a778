"""Cross-document entity resolution: one person or organisation across articles gets one stable id.

The resolver asks a :class:`NameIndex` (the store) for candidates and decides, in this order:
the alias table (IRGC = Sepah = Revolutionary Guards), an exact normalised name or alias, a generated
acronym, a spelling variant of a person's name (rapidfuzz ratios over first and last words), and a surname
alone when exactly one person in the store carries it. Anything else becomes a new entity whose id is
derived from its type and normalised name, so a rerun gives the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz

from threatledger.model import Entity, content_id
from threatledger.resolve.aliases import AliasGroup, AliasTable, load_alias_table
from threatledger.resolve.names import (
    acronym,
    block_keys,
    is_proper_name,
    looks_like_acronym,
    normalize_name,
    strip_titles,
)

PERSON_WHOLE_MIN = 85.0
PERSON_ENDS_MIN = 80.0
BODY_MIN = 93.0
_COMPATIBLE = {frozenset({"ORG", "STATE"}), frozenset({"STATE", "PLACE"})}


@dataclass(frozen=True, slots=True)
class NameCandidate:
    """An entity in the store that carries a name: its id, type and display name, and the name that hit."""

    entity_id: str
    type: str
    name: str
    norm: str
    kind: str = "name"  # name | alias | mention | acronym


class NameIndex(Protocol):
    """What the resolver needs from a store: name lookups and the means to record new names."""

    def by_norm(self, norm: str) -> list[NameCandidate]: ...

    def by_block(self, key: str, entity_type: str) -> list[NameCandidate]: ...

    def by_last_word(self, word: str) -> list[NameCandidate]: ...

    def add_entity(self, entity_id: str, name: str, entity_type: str, country: str | None) -> None: ...

    def add_names(self, entity_id: str, entity_type: str, names: Iterable[tuple[str, str]]) -> None: ...

    def rename_entity(self, entity_id: str, name: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Resolution:
    """Which global entity a document's entity was resolved to, and how."""

    entity_id: str
    name: str
    type: str
    method: str  # alias | exact | acronym | fuzzy | surname | new | local
    created: bool = False


def types_compatible(a: str, b: str) -> bool:
    """Persons only match persons; an ORG may be a STATE (agencies) and a STATE may be a PLACE."""
    return a == b or frozenset({a, b}) in _COMPATIBLE


def person_similarity(a: str, b: str) -> float:
    """Score two normalised person names; 0 unless both have two words and first and last words agree."""
    wa, wb = a.split(), b.split()
    if len(wa) < 2 or len(wb) < 2:
        return 0.0
    ends = min(fuzz.ratio(wa[0], wb[0]), fuzz.ratio(wa[-1], wb[-1]))
    whole = float(fuzz.ratio(a, b))
    return whole if ends >= PERSON_ENDS_MIN and whole >= PERSON_WHOLE_MIN else 0.0


def _distinct(candidates: Iterable[NameCandidate]) -> list[NameCandidate]:
    seen: dict[str, NameCandidate] = {}
    for cand in candidates:
        seen.setdefault(cand.entity_id, cand)
    return sorted(seen.values(), key=lambda c: c.entity_id)


class EntityResolver:
    """Resolve the entities of one extraction against a :class:`NameIndex`."""

    def __init__(self, index: NameIndex, *, aliases: AliasTable | None = None, scope: str = "") -> None:
        self.index = index
        self.aliases = aliases or load_alias_table()
        self.scope = scope  # the document being resolved: descriptions ("an old man") stay inside it

    def clean_name(self, entity: Entity) -> str:
        """The entity's name without titles (persons) and surrounding space."""
        name = entity.name.strip()
        return strip_titles(name, self.aliases.person_prefixes) if entity.type == "PERSON" else name

    def resolve_all(self, entities: Sequence[Entity]) -> dict[str, Resolution]:
        """Resolve every entity, longest names first: "Karimi" then joins "Nasrollah Karimi" of one text."""
        ordered = sorted(entities, key=lambda e: (-len(self.clean_name(e).split()), e.id))
        return {entity.id: self.resolve(entity) for entity in ordered}

    def resolve(self, entity: Entity) -> Resolution:
        """Find or create the global entity for one document entity and index its names."""
        name = self.clean_name(entity)
        if self.is_description(entity, name):
            return self._create(entity, name, scope=self.scope)
        resolution = self._match(entity, name) or self._create(entity, name)
        self._index_names(resolution, entity, name)
        return resolution

    def is_description(self, entity: Entity, name: str) -> bool:
        """An unnamed referent ("an old man", "police") is one document's, never matched across documents."""
        if self.aliases.lookup(entity.name, entity.type) is not None:
            return False
        if entity.type == "PERSON":
            return not is_proper_name(name, self.aliases.person_prefixes)
        return not any(word[:1].isupper() for word in name.split())

    def _match(self, entity: Entity, name: str) -> Resolution | None:
        group = self.alias_group(entity)
        if group is not None:
            return self._match_group(group, entity)
        norm = normalize_name(name)
        found = self._match_exact(entity, name, norm)
        if found is not None:
            return found
        if entity.type == "PERSON":
            return self._match_person(norm, name)
        return self._match_body(entity.type, norm)

    def alias_group(self, entity: Entity) -> AliasGroup | None:
        for name in (entity.name, *entity.aliases):
            group = self.aliases.lookup(name, entity.type)
            if group is not None:
                return group
        return None

    def _match_group(self, group: AliasGroup, entity: Entity) -> Resolution:
        norm = normalize_name(group.canonical)
        hits = [c for c in self.index.by_norm(norm) if types_compatible(c.type, group.type)]
        if hits:
            best = _distinct(hits)[0]
            return Resolution(best.entity_id, best.name, best.type, "alias")
        entity_id = content_id("ent", group.type, norm)
        self.index.add_entity(entity_id, group.canonical, group.type, group.country or entity.country)
        names = [(n, "alias") for n in group.names]
        self.index.add_names(entity_id, group.type, names)
        return Resolution(entity_id, group.canonical, group.type, "alias", created=True)

    def _match_exact(self, entity: Entity, name: str, norm: str) -> Resolution | None:
        norms = [norm, *(normalize_name(a) for a in entity.aliases)]
        acronym_ok = looks_like_acronym(name)
        for key in norms:
            hits = [
                c
                for c in self.index.by_norm(key)
                if types_compatible(c.type, entity.type) and (c.kind != "acronym" or acronym_ok)
            ]
            distinct = _distinct(hits)
            if len(distinct) == 1 or (distinct and distinct[0].kind != "acronym"):
                best = distinct[0]
                return Resolution(
                    best.entity_id, best.name, best.type, "acronym" if best.kind == "acronym" else "exact"
                )
        return None

    def _candidates(self, norm: str, entity_type: str) -> list[NameCandidate]:
        hits = [c for key in block_keys(norm) for c in self.index.by_block(key, entity_type)]
        return [c for c in hits if c.type == entity_type]

    def _match_person(self, norm: str, name: str) -> Resolution | None:
        words = norm.split()
        if len(words) == 1:
            return self._match_surname(words[0])
        scored = [(person_similarity(norm, c.norm), c) for c in self._candidates(norm, "PERSON")]
        scored = [(s, c) for s, c in scored if s > 0]
        if scored:
            _, best = max(scored, key=lambda sc: (sc[0], sc[1].entity_id))
            return Resolution(best.entity_id, best.name, best.type, "fuzzy")
        named = {c.entity_id for c in self.index.by_last_word(words[-1])}
        surname = _distinct(
            c
            for c in self.index.by_norm(words[-1])
            if c.type == "PERSON" and len(c.norm.split()) == 1 and c.entity_id not in named
        )
        if len(surname) == 1:
            self.index.rename_entity(surname[0].entity_id, name)
            return Resolution(surname[0].entity_id, name, "PERSON", "surname")
        return None

    def _match_surname(self, word: str) -> Resolution | None:
        hits = _distinct(self.index.by_last_word(word))
        if len(hits) == 1:
            return Resolution(hits[0].entity_id, hits[0].name, "PERSON", "surname")
        return None

    def _match_body(self, entity_type: str, norm: str) -> Resolution | None:
        if entity_type not in ("ORG", "STATE") or len(norm) < 6:
            return None
        scored = [(fuzz.token_sort_ratio(norm, c.norm), c) for c in self._candidates(norm, entity_type)]
        scored = [(s, c) for s, c in scored if s >= BODY_MIN]
        if not scored:
            return None
        _, best = max(scored, key=lambda sc: (sc[0], sc[1].entity_id))
        return Resolution(best.entity_id, best.name, best.type, "fuzzy")

    def _create(self, entity: Entity, name: str, *, scope: str = "") -> Resolution:
        parts = (entity.type, normalize_name(name), scope) if scope else (entity.type, normalize_name(name))
        entity_id = content_id("ent", *parts)
        self.index.add_entity(entity_id, name, entity.type, entity.country)
        return Resolution(entity_id, name, entity.type, "local" if scope else "new", created=True)

    def _clean_mention(self, text: str, entity_type: str) -> str:
        text = text.strip()
        return strip_titles(text, self.aliases.person_prefixes) if entity_type == "PERSON" else text

    def _index_names(self, resolution: Resolution, entity: Entity, name: str) -> None:
        single_word_person = entity.type == "PERSON" and len(name.split()) == 1
        names: list[tuple[str, str]] = (
            [] if single_word_person and not resolution.created else [(name, "name")]
        )
        names += [(a, "alias") for a in entity.aliases]
        mentions = (self._clean_mention(m.text, entity.type) for m in entity.mentions)
        names += [(m, "mention") for m in mentions if _indexable_mention(m, entity.type)]
        if entity.type in ("ORG", "STATE"):
            initials = acronym(name)
            if initials is not None and not looks_like_acronym(name):
                names.append((initials, "acronym"))
        self.index.add_names(resolution.entity_id, resolution.type, names)


def _indexable_mention(text: str, entity_type: str) -> bool:
    """Capitalised mentions only; a person's one-word mention is left to the surname rule."""
    text = text.strip()
    if len(text) < 2 or not text[:1].isupper():
        return False
    return entity_type != "PERSON" or len(text.split()) > 1
