"""Entities: the repair component on hand-built docs, then clusters, types and countries on parsed text."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from threatledger.nlp.entity_rules import EntityRepair
from threatledger.resolve.within_doc import Cluster, DocEntities, initials


@pytest.fixture(scope="module")
def blank() -> Language:
    return spacy.blank("en")


def make_doc(blank: Language, words: list[str], ents: list[str], tags: list[str] | None = None) -> Doc:
    return Doc(blank.vocab, words=words, ents=ents, tags=tags)


def labelled(doc: Doc) -> list[tuple[str, str]]:
    return [(ent.text, ent.label_) for ent in doc.ents]


def test_extract_entities_repair_gives_acronym_in_parentheses_its_long_form_label(blank: Language) -> None:
    words = [
        "Officers",
        "of",
        "the",
        "Directorate",
        "of",
        "Foreign",
        "Operations",
        "(",
        "DFO",
        ")",
        "spoke",
        ".",
    ]
    ents = ["O", "O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O", "O", "O", "O"]
    doc = EntityRepair()(make_doc(blank, words, ents))
    assert labelled(doc) == [("Directorate of Foreign Operations", "ORG"), ("DFO", "ORG")]


def test_extract_entities_repair_gives_aka_alias_its_long_form_label(blank: Language) -> None:
    words = ["Members", "of", "the", "Northern", "Front", ",", "AKA", "NRF", ",", "were", "arrested", "."]
    ents = ["O", "O", "B-ORG", "I-ORG", "I-ORG", "O", "O", "O", "O", "O", "O", "O"]
    doc = EntityRepair()(make_doc(blank, words, ents))
    assert labelled(doc) == [("Northern Front", "ORG"), ("NRF", "ORG")]


def test_extract_entities_repair_ignores_lowercase_word_in_parentheses(blank: Language) -> None:
    words = ["The", "Northern", "Front", "(", "banned", ")", "met", "."]
    ents = ["B-ORG", "I-ORG", "I-ORG", "O", "O", "O", "O", "O"]
    doc = EntityRepair()(make_doc(blank, words, ents))
    assert labelled(doc) == [("Northern Front", "ORG")]


def test_extract_entities_repair_trims_article_and_possessive(blank: Language) -> None:
    words = ["the", "Northern", "Front", "'s", "leader", "spoke", "."]
    tags = ["DT", "NNP", "NNP", "POS", "NN", "VBD", "."]
    ents = ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O", "O"]
    doc = EntityRepair()(make_doc(blank, words, ents, tags))
    assert labelled(doc) == [("Northern Front", "ORG")]


def test_extract_entities_repair_relabels_surname_tagged_as_place(blank: Language) -> None:
    words = ["Kamal", "Sarraf", "met", "officials", ".", "Sarraf", "left", "."]
    ents = ["B-PERSON", "I-PERSON", "O", "O", "O", "B-GPE", "O", "O"]
    doc = EntityRepair()(make_doc(blank, words, ents))
    assert labelled(doc) == [("Kamal Sarraf", "PERSON"), ("Sarraf", "PERSON")]


def test_extract_entities_repair_keeps_country_that_is_also_a_surname(blank: Language) -> None:
    words = ["Maria", "Jordan", "flew", "to", "Jordan", "."]
    ents = ["B-PERSON", "I-PERSON", "O", "O", "B-GPE", "O"]
    doc = EntityRepair()(make_doc(blank, words, ents))
    assert labelled(doc) == [("Maria Jordan", "PERSON"), ("Jordan", "GPE")]


def test_extract_entities_repair_relabels_country_tagged_as_organisation(blank: Language) -> None:
    words = ["Norway", "jails", "the", "courier", "."]
    ents = ["B-ORG", "O", "O", "O", "O"]
    doc = EntityRepair()(make_doc(blank, words, ents))
    assert labelled(doc) == [("Norway", "GPE")]


def test_extract_entities_repair_keeps_metonym_tagged_as_organisation(blank: Language) -> None:
    words = ["The", "Kremlin", "denied", "it", "."]
    ents = ["O", "B-ORG", "O", "O", "O"]
    doc = EntityRepair()(make_doc(blank, words, ents))
    assert labelled(doc) == [("Kremlin", "ORG")]


def test_extract_entities_repair_relabels_dateline_city_tagged_as_organisation(blank: Language) -> None:
    words = ["BERGEN", "(", "Wire", "desk", ")", "-", "Police", "arrested", "a", "man", "."]
    ents = ["B-ORG"] + ["O"] * 10
    doc = EntityRepair()(make_doc(blank, words, ents))
    assert labelled(doc) == [("BERGEN", "GPE")]


def test_extract_entities_repair_keeps_organisation_that_opens_a_sentence(blank: Language) -> None:
    words = ["NATO", "-", "led", "forces", "left", "."]
    ents = ["B-ORG", "O", "O", "O", "O", "O"]
    doc = EntityRepair()(make_doc(blank, words, ents))
    assert labelled(doc) == [("NATO", "ORG")]


def test_extract_entities_city_names_fold_diacritics() -> None:
    from threatledger.extract.places import country_of_place, fold_accents

    assert fold_accents("Malmö") == "Malmo"
    assert country_of_place("Malmo") == country_of_place("Malmö") == "SE"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Directorate of Foreign Operations", "DFO"),
        ("National Security Service", "NSS"),
        ("Northern Liberation Front", "NLF"),
    ],
)
def test_extract_entities_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def clusters(nlp: Language, text: str) -> list[Cluster]:
    return DocEntities(nlp(text)).clusters


def cluster_named(nlp: Language, text: str, name: str) -> Cluster:
    (found,) = [c for c in clusters(nlp, text) if c.name == name]
    return found


@pytest.mark.slow
def test_extract_entities_acronym_in_parentheses_joins_long_form(nlp: Language) -> None:
    text = (
        "The Directorate of Foreign Operations (DFO) recruited the courier in 2021. "
        "A DFO spokesman denied the report."
    )
    orgs = [c for c in clusters(nlp, text) if c.type == "ORG"]
    assert len(orgs) == 1
    assert orgs[0].name == "Directorate of Foreign Operations"
    assert [span_text for _, _, span_text in sorted(orgs[0].spans)] == [
        "Directorate of Foreign Operations",
        "DFO",
        "DFO",
    ]


@pytest.mark.slow
def test_extract_entities_acronym_alone_joins_by_initials(nlp: Language) -> None:
    text = "The Directorate of Foreign Operations recruited the courier. A DFO spokesman declined to comment."
    cluster = cluster_named(nlp, text, "Directorate of Foreign Operations")
    assert {span_text for _, _, span_text in cluster.spans} == {"Directorate of Foreign Operations", "DFO"}


@pytest.mark.slow
def test_extract_entities_aka_alias_joins_long_form(nlp: Language) -> None:
    text = "The People's Liberation Front, AKA PLF, claimed the bombing."
    cluster = cluster_named(nlp, text, "People's Liberation Front")
    assert cluster.type == "ORG"
    assert {span_text for _, _, span_text in cluster.spans} == {"People's Liberation Front", "PLF"}


@pytest.mark.slow
def test_extract_entities_surname_alone_joins_full_name(nlp: Language) -> None:
    text = "Investigators questioned Helga Strand in March. Strand later left the country."
    people = [c for c in clusters(nlp, text) if c.type == "PERSON"]
    assert len(people) == 1
    assert people[0].name == "Helga Strand"
    assert [span_text for _, _, span_text in sorted(people[0].spans)] == ["Helga Strand", "Strand"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "name", "code"),
    [
        ("Norway summoned the ambassador after the attack.", "Norway", "NO"),
        ("Officials said the United States had imposed new sanctions on Iran.", "United States", "US"),
        ("Officials said the United States had imposed new sanctions on Iran.", "Iran", "IR"),
        ("Tehran denied the report on Monday.", "Tehran", "IR"),  # a capital acting for its state
    ],
)
def test_extract_entities_country_is_state_with_iso_code(
    nlp: Language, text: str, name: str, code: str
) -> None:
    cluster = cluster_named(nlp, text, name)
    assert cluster.type == "STATE"
    assert cluster.country == code


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "name", "code"),
    [
        ("Norway summoned the ambassador after the attack in Bergen.", "Bergen", "NO"),
        ("Police detained two men in Bergen and Minsk.", "Minsk", "BY"),
        ("Officials in Tehran denied the report.", "Tehran", "IR"),  # a capital as a location
    ],
)
def test_extract_entities_city_is_place_with_country(nlp: Language, text: str, name: str, code: str) -> None:
    cluster = cluster_named(nlp, text, name)
    assert cluster.type == "PLACE"
    assert cluster.country == code


@pytest.mark.slow
def test_extract_entities_dateline_city_is_a_place_not_the_state(nlp: Language) -> None:
    text = (
        "Vestria jails blogger for six years\n\n"
        "OSLO (Court desk) - A court in Oslo on Wednesday sentenced the blogger Anton Varga, who fled the "
        "country two years ago, to six years in prison. Norway denied that the trial was political."
    )
    place = cluster_named(nlp, text, "OSLO")
    assert place.type == "PLACE"
    assert {span_text for _, _, span_text in place.spans} == {"OSLO", "Oslo"}
    assert cluster_named(nlp, text, "Norway").type == "STATE"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The Foreign Ministry said the diplomats had been expelled.", "Foreign Ministry"),
        ("The National Security Service said the operative had fled.", "National Security Service"),
    ],
)
def test_extract_entities_organisation_that_speaks_stays_org(nlp: Language, text: str, name: str) -> None:
    assert cluster_named(nlp, text, name).type == "ORG"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("Velmaria's judiciary sentenced the blogger to ten years.", "Velmaria's judiciary", "ORG"),
        ("The foreign ministry summoned the envoy on Monday.", "foreign ministry", "ORG"),
        ("Spain's ambassador was summoned on Monday.", "Spain's ambassador", "PERSON"),
    ],
)
def test_extract_entities_state_body_named_by_description(
    nlp: Language, text: str, name: str, kind: str
) -> None:
    from threatledger.extract.bodies import add_state_bodies

    doc = nlp(text)
    ents = DocEntities(doc)
    add_state_bodies(doc, ents)
    found = {(c.name, c.type) for c in ents.clusters}
    assert (name, kind) in found


@pytest.mark.slow
def test_extract_entities_bare_court_is_no_body(nlp: Language) -> None:
    from threatledger.extract.bodies import add_state_bodies

    doc = nlp("The court said the officials had left.")
    ents = DocEntities(doc)
    add_state_bodies(doc, ents)
    assert [c.name for c in ents.clusters] == []


@pytest.mark.parametrize(
    ("words", "spaces", "expected"),
    [
        (
            ["BERGEN", "(", "Wire", "desk", ")", "-", "Police"],
            [True, False, True, False, True, True, False],
            True,
        ),
        (["BERGEN", ",", "May", "3", "-", "Police"], [False, True, True, True, True, False], True),
        (["NATO", "-", "led", "forces"], [False, False, True, False], False),
        (["Bergen", "(", "Wire", "desk", ")"], [True, False, True, False, False], False),
    ],
)
def test_extract_entities_dateline_is_an_upper_case_name_opening_a_line(
    blank: Language, words: list[str], spaces: list[bool], expected: bool
) -> None:
    from threatledger.nlp.datelines import is_dateline, opens_dateline

    doc = Doc(blank.vocab, words=words, spaces=spaces)
    assert is_dateline(doc[0:1]) is expected
    assert opens_dateline(doc[0]) is expected


@pytest.mark.slow
def test_extract_entities_alias_table_names_the_model_missed(nlp: Language) -> None:
    doc = nlp("The MOIS denied the report.")  # the bare model tags nothing here
    assert labelled(doc) == [("MOIS", "ORG")]


@pytest.mark.slow
def test_extract_entities_alias_table_name_modifying_a_noun_is_no_mention(nlp: Language) -> None:
    doc = nlp("Investigators said two GRU officers had planned the operation in Bergen.")
    assert "GRU" not in [ent.text for ent in doc.ents if ent.label_ == "ORG"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The Danish-Israeli Society urged the government to act.", "Danish-Israeli Society"),
        (
            "The Austrian-Iranian Friendship Association said the envoy had left.",
            "Austrian-Iranian Friendship Association",
        ),
    ],
)
def test_extract_entities_capitalised_run_around_an_organisation_head_is_one_organisation(
    nlp: Language, text: str, name: str
) -> None:
    assert (name, "ORG") in labelled(nlp(text))


@pytest.mark.slow
def test_extract_entities_organisation_head_does_not_swallow_a_person(nlp: Language) -> None:
    found = labelled(nlp("Foreign Minister Melanie Joly told the Council that the envoy had left."))
    assert ("Melanie Joly", "PERSON") in found
    assert all("Joly" not in name for name, label in found if label == "ORG")


PARSED_NATIONALITIES = {
    "a nationality standing as a place is a place": (
        "He died in the settlement of Varkhov .",
        ["PRON", "VERB", "ADP", "DET", "NOUN", "ADP", "PROPN", "PUNCT"],
        [1, 1, 1, 4, 2, 4, 5, 1],
        ["nsubj", "ROOT", "prep", "det", "pobj", "prep", "pobj", "punct"],
        ["O", "O", "O", "O", "O", "O", "B-NORP", "O"],
        [("Varkhov", "LOC")],
    ),
    "a known nationality stays NORP": (
        "He met the Iranians in Bergen .",
        ["PRON", "VERB", "DET", "PROPN", "ADP", "PROPN", "PUNCT"],
        [1, 1, 3, 1, 1, 4, 1],
        ["nsubj", "ROOT", "det", "dobj", "prep", "pobj", "punct"],
        ["O", "O", "O", "B-NORP", "O", "B-GPE", "O"],
        [("Iranians", "NORP"), ("Bergen", "GPE")],
    ),
    "a nationality before a facility noun names the site": (
        "He was taken to the Vivantes hospital .",
        ["PRON", "AUX", "VERB", "ADP", "DET", "PROPN", "NOUN", "PUNCT"],
        [2, 2, 2, 2, 6, 6, 3, 2],
        ["nsubjpass", "auxpass", "ROOT", "prep", "det", "compound", "pobj", "punct"],
        ["O", "O", "O", "O", "O", "B-NORP", "O", "O"],
        [("Vivantes hospital", "FAC")],
    ),
}


@pytest.mark.parametrize("case", list(PARSED_NATIONALITIES))
def test_extract_entities_repair_names_the_model_took_for_nationalities(blank: Language, case: str) -> None:
    text, pos, heads, deps, ents, expected = PARSED_NATIONALITIES[case]
    doc = Doc(blank.vocab, words=text.split(), pos=pos, heads=heads, deps=deps, ents=ents)
    assert labelled(EntityRepair()(doc)) == expected
