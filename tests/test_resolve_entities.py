from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from threatledger.model import Entity, Mention, Provenance
from threatledger.resolve.entities import EntityResolver, Resolution, person_similarity, types_compatible
from threatledger.store.sql_index import SQLNameIndex
from threatledger.store.sqlite import SQLiteStore


@pytest.fixture
def resolver(tmp_path: Path) -> Iterator[EntityResolver]:
    store = SQLiteStore(tmp_path / "ledger.db")
    yield EntityResolver(SQLNameIndex(store.conn))
    store.close()


def entity(
    name: str, type: str = "PERSON", *, aliases: tuple[str, ...] = (), mentions: tuple[str, ...] = ()
) -> Entity:
    prov = Provenance("d", 0, 1, "test")
    return Entity(f"local-{name}", name, type, tuple(Mention(m, prov) for m in mentions), None, aliases)


def resolve(resolver: EntityResolver, *entities: Entity) -> list[Resolution]:
    found = resolver.resolve_all(list(entities))
    return [found[e.id] for e in entities]


def test_resolve_entities_spelling_variant_joins_the_same_person(resolver: EntityResolver) -> None:
    (first,) = resolve(resolver, entity("Nasrollah Karimi"))
    (second,) = resolve(resolver, entity("Nasrullah Karimi"))
    assert first.created
    assert second.entity_id == first.entity_id
    assert second.method == "fuzzy"


def test_resolve_entities_different_first_names_stay_apart(resolver: EntityResolver) -> None:
    (a,) = resolve(resolver, entity("Reza Karimi"))
    (b,) = resolve(resolver, entity("Leila Karimi"))
    assert a.entity_id != b.entity_id


def test_resolve_entities_titles_are_stripped(resolver: EntityResolver) -> None:
    (plain,) = resolve(resolver, entity("Walter Brennock"))
    (titled,) = resolve(resolver, entity("former national security adviser Walter Brennock"))
    assert titled.entity_id == plain.entity_id
    assert titled.method == "exact"


def test_resolve_entities_surname_alone_matches_when_unambiguous(resolver: EntityResolver) -> None:
    (full,) = resolve(resolver, entity("Walter Brennock"))
    (alone,) = resolve(resolver, entity("Brennock"))
    assert alone.entity_id == full.entity_id
    assert alone.method == "surname"
    resolve(resolver, entity("Karen Brennock"))
    (ambiguous,) = resolve(resolver, entity("Brennock"))
    assert ambiguous.entity_id not in {full.entity_id}


def test_resolve_entities_surname_first_then_full_name_joins_it(resolver: EntityResolver) -> None:
    (alone,) = resolve(resolver, entity("Sarraf"))
    (full,) = resolve(resolver, entity("Omid Sarraf"))
    assert full.entity_id == alone.entity_id
    assert resolver.index.by_norm("omid sarraf")[0].name == "Omid Sarraf"


def test_resolve_entities_alias_table_acronym_and_other_names(resolver: EntityResolver) -> None:
    (irgc,) = resolve(resolver, entity("IRGC", "ORG"))
    (sepah,) = resolve(resolver, entity("Sepah", "ORG"))
    (guards,) = resolve(resolver, entity("Iran's Revolutionary Guards", "ORG"))
    assert irgc.entity_id == sepah.entity_id == guards.entity_id
    assert irgc.name == "Islamic Revolutionary Guard Corps"
    assert sepah.method == "alias"


def test_resolve_entities_generated_acronym_matches_an_org(resolver: EntityResolver) -> None:
    (full,) = resolve(resolver, entity("National Cyber Directorate", "ORG"))
    (short,) = resolve(resolver, entity("NCD", "ORG"))
    assert short.entity_id == full.entity_id
    assert short.method == "acronym"


def test_resolve_entities_local_alias_defines_an_acronym(resolver: EntityResolver) -> None:
    (full,) = resolve(resolver, entity("Caspian Freedom Front", "ORG", aliases=("CFF-X",)))
    (short,) = resolve(resolver, entity("CFF-X", "ORG"))
    assert short.entity_id == full.entity_id


def test_resolve_entities_same_name_different_kind_stays_apart(resolver: EntityResolver) -> None:
    (person,) = resolve(resolver, entity("Jordan Vale"))
    (place,) = resolve(resolver, entity("Jordan Vale", "PLACE"))
    assert person.entity_id != place.entity_id


def test_resolve_entities_ids_are_content_derived(tmp_path: Path) -> None:
    ids = []
    for name in ("one.db", "two.db"):
        with SQLiteStore(tmp_path / name) as store:
            r = EntityResolver(SQLNameIndex(store.conn))
            ids.append(r.resolve(entity("Leyla Baran")).entity_id)
    assert ids[0] == ids[1]


def test_resolve_entities_scores_and_type_compatibility() -> None:
    assert person_similarity("nasrollah karimi", "nasrullah karimi") > 0
    assert person_similarity("john smith", "jane smith") == 0
    assert person_similarity("karimi", "karimi") == 0
    assert types_compatible("ORG", "STATE")
    assert types_compatible("STATE", "PLACE")
    assert not types_compatible("PERSON", "ORG")
    assert not types_compatible("ORG", "PLACE")


def test_resolve_entities_descriptions_stay_in_their_document(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "ledger.db") as store:
        first = EntityResolver(SQLNameIndex(store.conn), scope="doc-a").resolve(entity("old man"))
        second = EntityResolver(SQLNameIndex(store.conn), scope="doc-b").resolve(entity("old man"))
        police = EntityResolver(SQLNameIndex(store.conn), scope="doc-b").resolve(entity("police", "ORG"))
        agency = EntityResolver(SQLNameIndex(store.conn), scope="doc-b").resolve(entity("IRGC", "ORG"))
    assert first.entity_id != second.entity_id
    assert first.method == "local"
    assert police.method == "local"
    assert agency.method == "alias"
