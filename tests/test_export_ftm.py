"""FollowTheMoney export: every entity valid under the FtM model, read back through followthemoney."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest
from followthemoney import model
from followthemoney.proxy import EntityProxy

from export_support import check_golden, export_text, fill
from threatledger.export.ftm import ftm_id, schema_of
from threatledger.store.sqlite import SQLiteStore


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path_factory.mktemp("ftm") / "ledger.db") as opened:
        fill(opened)
        yield opened


@pytest.fixture(scope="module")
def text(store: SQLiteStore) -> str:
    return export_text(store, "ftm")


@pytest.fixture(scope="module")
def entities(text: str) -> dict[str, EntityProxy]:
    """The export read back through followthemoney, re-cleaning every value as untrusted input."""
    proxies = [model.get_proxy(json.loads(line), cleaned=False) for line in text.splitlines()]
    return {str(p.id): p for p in proxies}


def of_schema(entities: dict[str, EntityProxy], schema: str) -> list[EntityProxy]:
    return [p for p in entities.values() if p.schema.name == schema]


def by_name(entities: dict[str, EntityProxy], name: str) -> EntityProxy:
    return next(p for p in entities.values() if name in p.get("name", quiet=True))


def test_export_ftm_every_entity_is_valid(text: str, entities: dict[str, EntityProxy]) -> None:
    for line in text.splitlines():
        data = json.loads(line)
        proxy = entities[data["id"]]
        assert proxy.to_dict() == data  # nothing changed by re-cleaning: every value was valid
        proxy.schema.validate(data)
        assert all(proxy.get(prop) for prop in proxy.schema.required), data
        assert not proxy.schema.abstract


def test_export_ftm_references_resolve(entities: dict[str, EntityProxy]) -> None:
    for proxy in entities.values():
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in entities, (proxy.id, prop.name, value)
                assert entities[value].schema.is_a(prop.range), (proxy.id, prop.name)


def test_export_ftm_schemata(entities: dict[str, EntityProxy]) -> None:
    counts = Counter(p.schema.name for p in entities.values())
    for schema in (
        "Person",
        "Organization",
        "PublicBody",
        "Event",
        "Sanction",
        "CourtCase",
        "CourtCaseParty",
        "Documentation",
        "Article",
    ):
        assert counts[schema], schema
    assert counts["Article"] == 6
    assert counts["Event"] == 11


def test_export_ftm_case_parties_and_sanction(entities: dict[str, EntityProxy]) -> None:
    karimi = by_name(entities, "Nasrollah Karimi")
    assert karimi.schema.name == "Person"
    [case] = of_schema(entities, "CourtCase")
    parties = {(p.first("party"), p.first("role")): p for p in of_schema(entities, "CourtCaseParty")}
    defendant = parties[(str(karimi.id), "defendant")]
    assert defendant.first("status") == "released"
    assert defendant.first("case") == case.id
    assert (str(by_name(entities, "Prosecutors in Ostend").id), "prosecutor") in parties
    [sanction] = of_schema(entities, "Sanction")
    assert sanction.first("entity") == by_name(entities, "Valdren Security Directorate").id
    assert sanction.get("authority") == ["council of the Union"]
    assert sanction.first("date") == "2024-03-03"


def test_export_ftm_events_keep_roles_and_sources(entities: dict[str, EntityProxy]) -> None:
    plot = next(
        e for e in of_schema(entities, "Event") if "PLOT" in e.get("keywords") and "Lyon" in e.get("location")
    )
    assert plot.first("date") == "2022"
    assert plot.get("organizer") == [by_name(entities, "Islamic Revolutionary Guard Corps").id]
    assert set(plot.get("involved")) == {by_name(entities, n).id for n in ("Nasrollah Karimi", "Leyla Baran")}
    assert plot.get("country") == ["fr"]
    assert "alleged" in plot.get("keywords")
    [article] = plot.get("proof")
    assert entities[article].first("sourceUrl") == "https://news.example/ostend-charge"
    assert plot.first("description") == (
        "Karimi is accused of plotting to kill the exiled journalist Leyla Baran in Lyon in 2022."
    )


def test_export_ftm_documentation_links_entities_to_documents(entities: dict[str, EntityProxy]) -> None:
    links = {
        (str(d.first("entity")), str(d.first("document"))): d for d in of_schema(entities, "Documentation")
    }
    karimi = str(by_name(entities, "Nasrollah Karimi").id)
    docs = {entities[doc].first("title") for ent, doc in links if ent == karimi}
    assert docs == {"Officer charged over plot", "Suspect held in Vienna", "Karimi freed in exchange"}
    role = links[(karimi, ftm_id("ostend-charge"))].first("role") or ""
    assert "agent of PLOT" in role
    assert "target of CHARGE" in role
    for schema in ("Person", "Organization", "PublicBody"):
        for proxy in of_schema(entities, schema):
            assert any(ent == proxy.id for ent, _ in links), proxy.caption


def test_export_ftm_negated_event_names_but_does_not_involve(entities: dict[str, EntityProxy]) -> None:
    denied = next(e for e in of_schema(entities, "Event") if "negated_or_hypothetical" in e.get("keywords"))
    assert not denied.get("involved")
    assert "Ilse Varga" in denied.get("namesMentioned")


def test_export_ftm_golden(text: str) -> None:
    check_golden("entities.ftm.jsonl", text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ent_3f9a00aa", "ent-3f9a00aa"),
        ("ostend-charge", "doc-ostend-charge"),
        ("a b/c", "doc-a-b-c-"),
    ],
)
def test_export_ftm_ids_are_valid(value: str, expected: str) -> None:
    made = ftm_id(value)
    assert made.startswith(expected)
    assert model.get("Person") is not None
    assert model.get_proxy({"id": made, "schema": "Person", "properties": {}}).id == made


@pytest.mark.parametrize(
    ("entity_type", "name", "schema"),
    [
        ("PERSON", "Mara Quist", "Person"),
        ("ORG", "Police in Vienna", "PublicBody"),
        ("ORG", "Grey Lantern", "Organization"),
        ("STATE", "Valdren", "PublicBody"),
    ],
)
def test_export_ftm_schema_of_entity(entity_type: str, name: str, schema: str) -> None:
    assert schema_of(entity_type, name) == schema
