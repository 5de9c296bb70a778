from __future__ import annotations

import pytest

from threatledger.errors import ModelError
from threatledger.resolve.aliases import load_alias_table, parse_alias_table
from threatledger.resolve.names import normalize_name


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("IRGC", "Islamic Revolutionary Guard Corps"),
        ("Sepah", "Islamic Revolutionary Guard Corps"),
        ("the Revolutionary Guards", "Islamic Revolutionary Guard Corps"),
        ("VAJA", "Ministry of Intelligence and Security"),
        ("PMOI", "Mujahedin-e Khalq"),
        ("MKO", "Mujahedin-e Khalq"),
        ("People's Mojahedin Organization of Iran", "Mujahedin-e Khalq"),
        ("NCRI", "National Council of Resistance of Iran"),
        ("GRU", "Main Intelligence Directorate"),
        ("Justice Department", "Department of Justice"),
        ("Research and Analysis Wing", "Research and Analysis Wing"),
        ("MSS", "Ministry of State Security"),
        ("Wagner", "Wagner Group"),
    ],
)
def test_aliases_lookup_finds_the_group(name: str, canonical: str) -> None:
    group = load_alias_table().lookup(name, "ORG")
    assert group is not None
    assert group.canonical == canonical


def test_aliases_never_match_persons_or_places() -> None:
    table = load_alias_table()
    assert table.lookup("Wagner", "PERSON") is None
    assert table.lookup("Moscow", "PLACE") is None
    assert table.lookup("Moscow", "STATE") is not None


def test_aliases_no_name_belongs_to_two_groups() -> None:
    seen: dict[str, str] = {}
    for group in load_alias_table().groups:
        for name in group.names:
            norm = normalize_name(name)
            assert seen.setdefault(norm, group.canonical) == group.canonical, name


def test_aliases_expand_gives_every_name_of_the_group() -> None:
    names = load_alias_table().expand("MOIS")
    assert "Ministry of Intelligence and Security" in names
    assert "VAJA" in names
    assert load_alias_table().expand("Nobody Inparticular") == ("Nobody Inparticular",)


def test_aliases_bad_table_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="groups"):
        parse_alias_table({"version": 1})
