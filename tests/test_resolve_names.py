from __future__ import annotations

import pytest

from threatledger.resolve.aliases import load_alias_table
from threatledger.resolve.names import (
    acronym,
    block_keys,
    looks_like_acronym,
    normalize_name,
    skeleton,
    strip_titles,
)

PREFIXES = load_alias_table().person_prefixes


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("The People\u2019s Mojahedin Organization of Iran", "people mojahedin organization of iran"),
        ("Mujahedin-e Khalq", "mujahedin e khalq"),
        ("Jos\u00e9 \u00c1lvarez", "jose alvarez"),
        ("  U.S.  Department of  Justice ", "u s department of justice"),
        ("the", "the"),
    ],
)
def test_names_normalize_name_folds_case_accents_punctuation_and_article(raw: str, folded: str) -> None:
    assert normalize_name(raw) == folded


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("former national security adviser Walter Brennock", "Walter Brennock"),
        ("Iranian diplomat Nasrollah Karimi", "Nasrollah Karimi"),
        ("Dr. Amira Haddad", "Amira Haddad"),
        ("Grand Ayatollah Hamid Tavana", "Hamid Tavana"),
        ("Walter Brennock", "Walter Brennock"),
        ("hired gunmen", "hired gunmen"),
        ("Brennock", "Brennock"),
    ],
)
def test_names_strip_titles_keeps_the_name(raw: str, clean: str) -> None:
    assert strip_titles(raw, PREFIXES) == clean


def test_names_skeleton_is_shared_by_transliteration_variants() -> None:
    assert skeleton("nasrollah") == skeleton("nasrullah")
    assert skeleton("karimi") != skeleton("kazemi")
    assert block_keys("nasrollah karimi") == block_keys("nasrullah karimi") == ("l:krm",)
    assert block_keys("") == ()


def test_names_acronym_skips_small_words() -> None:
    assert acronym("Federal Bureau of Investigation") == "fbi"
    assert acronym("Hezbollah") is None
    assert looks_like_acronym("IRGC")
    assert looks_like_acronym("U.S.")
    assert not looks_like_acronym("Karimi")
