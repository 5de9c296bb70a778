"""STIX 2.1 export: valid under the OASIS validator, deterministic, and carrying our facts and sources."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stix2  # type: ignore[import-untyped]
from stix2validator import ValidationOptions, validate_string  # type: ignore[import-untyped]

from export_support import DENIAL_TEXT, check_golden, export_text, fill
from threatledger.export.base import NAMESPACE
from threatledger.export.stix import pretty_json
from threatledger.store.records import IncidentFilter
from threatledger.store.sqlite import SQLiteStore

# Warnings we accept, each a "should" of STIX 2.1 that the brief overrides (docs/formats.md says why):
# 103 ids are uuid5 (deterministic) not uuid4; 401 custom properties use the x_threatledger_ prefix, not
# extensions; 302 external references have a URL but no hash of the page; 202 incidents as the source of
# targets / attributed-to / located-at relationships.
ACCEPTED_WARNINGS = {"103", "202", "302", "401"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path_factory.mktemp("stix") / "ledger.db") as opened:
        fill(opened)
        yield opened


@pytest.fixture(scope="module")
def bundle(store: SQLiteStore) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(export_text(store, "stix"))
    return data


def by_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def named(bundle: dict[str, Any], name: str) -> dict[str, Any]:
    return next(o for o in bundle["objects"] if o.get("name") == name)


def validate(text: str) -> Any:
    return validate_string(text, ValidationOptions(version="2.1"))


def test_export_stix_bundle_passes_the_oasis_validator(store: SQLiteStore) -> None:
    results = validate(export_text(store, "stix"))
    assert results.is_valid
    assert [str(e) for e in results.errors] == []
    codes = set(re.findall(r"\{(\d+)\}", " ".join(str(w) for w in results.warnings)))
    assert codes <= ACCEPTED_WARNINGS


def test_export_stix_filtered_bundle_is_valid_too(store: SQLiteStore) -> None:
    text = export_text(store, "stix", filters=IncidentFilter(type="SANCTION"))
    assert validate(text).is_valid
    incidents = by_type(json.loads(text), "incident")
    assert [i["name"] for i in incidents] == ["Bombing of a newspaper office in Marseille"]


def test_export_stix_is_deterministic_and_golden(store: SQLiteStore, tmp_path: Path) -> None:
    text = export_text(store, "stix")
    assert text == export_text(store, "stix")
    with SQLiteStore(tmp_path / "again.db") as again:
        assert export_text(fill(again), "stix") == text
    check_golden("bundle.stix.json", text)


def test_export_stix_ids_are_uuid5_of_our_ids(bundle: dict[str, Any]) -> None:
    for incident in by_type(bundle, "incident"):
        ours = incident["x_threatledger_incident_id"]
        assert incident["id"] == f"incident--{uuid.uuid5(NAMESPACE, 'incident' + chr(31) + ours)}"
    ids = [o["id"] for o in bundle["objects"]]
    assert len(ids) == len(set(ids))


def test_export_stix_reads_back_through_stix2(store: SQLiteStore, bundle: dict[str, Any]) -> None:
    parsed = stix2.parse(export_text(store, "stix"), allow_custom=True)
    assert len(parsed.objects) == len(bundle["objects"])
    known = {o["id"] for o in bundle["objects"]}
    for obj in bundle["objects"]:
        refs = obj.get("object_refs", []) + [obj[k] for k in ("source_ref", "target_ref") if k in obj]
        assert set(refs) <= known


def test_export_stix_maps_entities_by_type_and_role(bundle: dict[str, Any]) -> None:
    assert named(bundle, "Nasrollah Karimi")["type"] == "identity"
    assert named(bundle, "Nasrollah Karimi")["identity_class"] == "individual"
    assert named(bundle, "Police in Vienna")["identity_class"] == "organization"
    assert named(bundle, "Islamic Revolutionary Guard Corps")["type"] == "threat-actor"
    assert named(bundle, "Valdren Security Directorate")["type"] == "threat-actor"
    assert named(bundle, "Grey Lantern")["type"] == "intrusion-set"
    lyon = named(bundle, "Lyon")
    assert (lyon["type"], lyon["country"]) == ("location", "FR")
    assert lyon["latitude"] == pytest.approx(45.75, abs=0.1)


def relationship(bundle: dict[str, Any], source: str, kind: str, target: str) -> dict[str, Any] | None:
    ids = {o["id"]: o.get("name") for o in bundle["objects"]}
    return next(
        (
            r
            for r in by_type(bundle, "relationship")
            if (ids[r["source_ref"]], r["relationship_type"], ids[r["target_ref"]]) == (source, kind, target)
        ),
        None,
    )


@pytest.mark.parametrize(
    ("source", "kind", "target"),
    [
        ("Plot against Leyla Baran", "attributed-to", "Islamic Revolutionary Guard Corps"),
        ("Plot against Leyla Baran", "targets", "Leyla Baran"),
        ("Plot against Leyla Baran", "located-at", "Lyon"),
        ("Plot against Leyla Baran", "related-to", "Police in Vienna"),
        ("Islamic Revolutionary Guard Corps", "targets", "Leyla Baran"),
        ("Islamic Revolutionary Guard Corps", "located-at", "Iran"),
        ("Grey Lantern", "attributed-to", "Valdren Security Directorate"),
    ],
)
def test_export_stix_relationships(bundle: dict[str, Any], source: str, kind: str, target: str) -> None:
    found = relationship(bundle, source, kind, target)
    assert found is not None
    assert found["x_threatledger_event_ids"]


def test_export_stix_incident_carries_our_facts(bundle: dict[str, Any]) -> None:
    incident = named(bundle, "Plot against Leyla Baran")
    assert incident["x_threatledger_event_types"] == sorted(
        ["PLOT", "CHARGE", "ARREST", "CONVICTION", "SENTENCE", "RELEASE"]
    )
    assert (incident["x_threatledger_first_date"], incident["x_threatledger_last_date"]) == (
        "2022",
        "2025-06",
    )
    plot = incident["x_threatledger_events"][0]
    assert (plot["event_type"], plot["status"], plot["date"]) == ("PLOT", "alleged", "2022")
    assert plot["roles"]["sponsor"][0]["name"] == "IRGC"
    [account] = incident["x_threatledger_accountability"]
    assert (account["name"], account["status"]) == ("Nasrollah Karimi", "released")
    assert incident["created"] == "2023-03-02T00:00:00.000Z"  # the first report's publication date
    assert incident["modified"] == "2025-06-20T00:00:00.000Z"  # the last one's


def test_export_stix_reports_and_notes_keep_the_sources(bundle: dict[str, Any]) -> None:
    reports = {r["x_threatledger_document_id"]: r for r in by_type(bundle, "report")}
    assert set(reports) == {
        "ostend-charge",
        "vienna-arrest",
        "ostend-verdict",
        "hamburg-plot",
        "union-sanction",
        "oslo-denial",
    }
    charge = reports["ostend-charge"]
    assert charge["published"] == "2023-03-02T00:00:00Z"
    assert charge["external_references"][0]["url"] == "https://news.example/ostend-charge"
    notes = [o for o in by_type(bundle, "note") if o["id"] in charge["object_refs"]]
    quotes = {n["content"] for n in notes}
    assert (
        "Karimi is accused of plotting to kill the exiled journalist Leyla Baran in Lyon in 2022." in quotes
    )
    for note in notes:
        start, end = note["x_threatledger_sentence_span"]
        assert end - start == len(note["content"])


def test_export_stix_negated_event_gives_a_note_but_no_links(bundle: dict[str, Any]) -> None:
    incident = named(bundle, "Denied attack on Ilse Varga")
    [event] = incident["x_threatledger_events"]
    assert event["negated_or_hypothetical"] is True
    assert not [
        r for r in by_type(bundle, "relationship") if event["event_id"] in r["x_threatledger_event_ids"]
    ]
    note = next(n for n in by_type(bundle, "note") if n["x_threatledger_event_id"] == event["event_id"])
    assert note["content"] == DENIAL_TEXT
    assert "negated or hypothetical" in note["abstract"]
    report = next(r for r in by_type(bundle, "report") if r["x_threatledger_document_id"] == "oslo-denial")
    assert report["published"] == "1970-01-01T00:00:00Z"  # no publication date: the fixed epoch


def test_export_stix_writes_as_stix2_pretty_does_without_its_quadratic_search(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = stix2.parse(export_text(store, "stix"), allow_custom=True)
    assert pretty_json(parsed) == parsed.serialize(pretty=True)

    def whole_bundle_search(*args: object) -> int:
        raise AssertionError("the export searched the whole bundle for a key")

    # serialize(pretty=True) calls this once per key written, each call a walk of the whole bundle
    monkeypatch.setattr(stix2.serialization, "find_property_index", whole_bundle_search)
    assert json.loads(export_text(store, "stix"))["type"] == "bundle"


def test_export_stix_pretty_json_orders_keys_exactly_as_stix2_does() -> None:
    """stix2 places a key where the first mapping holding it with an equal value has it, even when that is
    another object; equal values of other types (1, 1.0, True), dicts equal to STIX objects, and keys that
    are numbers must come out as stix2 writes them."""
    ref = {"source_name": "a", "external_id": "x", "url": "https://example.org/"}
    common = {"created": "2020-01-01T00:00:00Z", "modified": "2020-01-01T00:00:00Z", "allow_custom": True}
    objects = [
        stix2.v21.Identity(
            id="identity--00000000-0000-4000-8000-000000000001",
            name="zeta",
            identity_class="organization",
            external_references=[ref],
            x_threatledger_z={"zz": 1, "aa": [1, 2], "mm": {"b": True, "a": None}},
            **common,
        ),
        stix2.v21.Note(
            id="note--00000000-0000-4000-8000-000000000002",
            content="zeta",
            object_refs=["identity--00000000-0000-4000-8000-000000000001"],
            x_threatledger_a={"name": "zeta", "aa": [1.0, 2], "zz": True, "0": "d", "10": "e", "2": "f"},
            x_threatledger_b=[{"mm": {"a": None, "b": 1}, "url": "https://example.org/"}, [ref, dict(ref)]],
            x_threatledger_c={"external_references": [ref], "identity_class": "organization"},
            **common,
        ),
    ]
    bundle = stix2.v21.Bundle(
        objects=objects, id="bundle--00000000-0000-4000-8000-000000000003", allow_custom=True
    )
    assert pretty_json(bundle) == bundle.serialize(pretty=True)
