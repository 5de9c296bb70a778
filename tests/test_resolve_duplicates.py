from __future__ import annotations

from ledger_factories import CHARGE_TEXT, UNRELATED_TEXT
from threatledger.resolve.duplicates import (
    band_keys,
    is_near_duplicate,
    minhash,
    normalize_text,
    same_sentence,
    shingles,
)

LONG = " ".join([CHARGE_TEXT] * 3)


def test_duplicates_minhash_is_deterministic() -> None:
    assert minhash(LONG) == minhash(LONG)
    assert len(minhash(LONG)) == 64


def test_duplicates_small_edits_share_a_band_and_unrelated_texts_do_not() -> None:
    edited = LONG.replace("on Tuesday", "on Tuesday morning").replace(
        "Officials said", "Officials told reporters"
    )
    assert set(band_keys(minhash(LONG))) & set(band_keys(minhash(edited)))
    assert not set(band_keys(minhash(LONG))) & set(band_keys(minhash(UNRELATED_TEXT)))
    assert is_near_duplicate(LONG, edited)
    assert not is_near_duplicate(LONG, UNRELATED_TEXT)


def test_duplicates_normalisation_and_sentences() -> None:
    assert normalize_text("Karimi, at LARGE!") == "karimi at large"
    assert same_sentence("Police arrested Karimi on Monday.", "Police arrested Karimi on Monday night.")
    assert not same_sentence("Police arrested Karimi.", "A court convicted Baran of fraud in 2019.")
    assert len(shingles("too short")) == 1


def test_duplicates_same_template_about_other_people_is_not_a_duplicate() -> None:
    one = "Prosecutors in Lyon charged Amir Volkov with plotting to kill Sara Hadid in 2019. " * 2
    other = "Prosecutors in Lyon charged Omid Lind with plotting to kill Nina Costa in 2019. " * 2
    assert not is_near_duplicate(one, other)
    assert is_near_duplicate(one, one.replace("in 2019", "in March 2019"))
