"""The ``threatledger_entities`` component: mends known faults of the small English NER by rule.

- person names tagged as places or organisations ("Hadi Matar" as GPE) become PERSON when they share a
  surname with a PERSON in the document or are the subject of a verb only people do;
- an acronym in parentheses or after "AKA" / "also known as" becomes an entity with its long form's label;
- organisation names split at an opening parenthesis are joined again;
- a leading "the" and a trailing possessive are trimmed from entity spans.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from threatledger.extract.places import (
    capitals,
    cities,
    country_of_place,
    country_of_state,
    demonyms_and_groups,
    is_country,
    is_country_name,
)
from threatledger.nlp.datelines import is_dateline
from threatledger.resolve.aliases import load_alias_table

HUMAN_VERBS = frozenset(
    """say tell add deny admit plead testify confess claim write flee attack stab shoot
kill murder tweet argue insist explain recall describe warn urge accuse die survive meet travel""".split()
)
FACILITY_NOUNS = frozenset(
    """airport park prison colony hospital mosque synagogue church cathedral consulate
embassy station square hotel camp base stadium university""".split()
)


def _unknown_place(ent: Span) -> bool:
    """A place name the gazetteers do not know ("Varkhov"): with "airport" after it, it names a site.
    A known city before "hospital" ("a London hospital") only says where the site is. The model often
    takes such a name for a nationality ("Vivantes" as NORP, before "hospital")."""
    if ent.label_ == "NORP":
        return _misread_nationality(ent)
    return ent.label_ in ("GPE", "LOC", "FAC") and country_of_place(ent.text) is None


def _misread_nationality(ent: Span) -> bool:
    """A NORP span that is no nationality or group we know, written as a proper name."""
    return (
        ent.label_ == "NORP"
        and ent.text not in demonyms_and_groups()
        and all(t.pos_ == "PROPN" for t in ent)
        and not ent.text.endswith(("an", "ans", "ish", "ese", "i", "is"))
    )


PLACE_NOUNS = frozenset(
    "settlement city town village region province district state republic island port area".split()
)


def _nationality_used_as_place(ent: Span) -> bool:
    """ "the settlement of Varkhov", "the secession of X", "in Varkhov": a misread nationality
    standing where a place does."""
    if not _misread_nationality(ent):
        return False
    root = ent.root
    if root.dep_ != "pobj":
        return False
    prep = root.head
    return prep.lower_ in LOCATIVE_PREPS | {"from", "to"} or (
        prep.lower_ == "of" and prep.head.lower_ in PLACE_NOUNS | {"secession", "independence", "capital"}
    )


def _name_word(token: Token) -> bool:
    """A capitalised proper noun inside a sentence that no entity claims."""
    return token.is_title and token.pos_ == "PROPN" and not token.is_sent_start and not token.ent_type_


ORG_WORDS = frozenset(
    """Police Service Services Ministry Court Agency Department Council Office Bureau
Committee Force Forces Guard Guards Corps Party Army Institute University Bank Company Directorate
Commission Parliament Government Prosecutor Prosecution Organisation Organization Movement Front""".split()
)
ACRONYM = re.compile(r"^[A-Z][A-Za-z\-]{1,7}$")
ALIAS_CUES = ("aka", "a.k.a.", "also known as", "known as")
NAME_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC")


@Language.factory("threatledger_entities", requires=["doc.ents", "token.dep"], assigns=["doc.ents"])
def create_entity_repair(nlp: Language, name: str) -> EntityRepair:
    return EntityRepair(known_names_matcher(nlp))


def known_names_matcher(nlp: Language) -> PhraseMatcher:
    """The names of the alias table (``data/aliases.json``: agencies, groups, states), matched as written:
    the small model misses many of them ("The MOIS denied ...")."""
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for group in load_alias_table().groups:
        if group.type == "ORG":  # states the model knows; "Russian state" is mostly an adjective phrase
            matcher.add("ORG", [nlp.make_doc(name) for name in group.names])
    return matcher


class EntityRepair:
    """Repair entity spans and labels; see the module docstring."""

    def __init__(self, known_names: PhraseMatcher | None = None) -> None:
        self.known_names = known_names

    def __call__(self, doc: Doc) -> Doc:
        pieces = [piece for ent in doc.ents for piece in _split(ent)]
        trimmed = (_trim(ent) for ent in pieces)
        spans = _relabel_people(doc, [s for s in trimmed if s is not None])
        spans = _align_acronyms(doc, spans)
        spans += _acronym_spans(doc, spans)
        spans += _unclaimed_places(doc)
        if self.known_names is not None:
            spans += _known_names(doc, spans, self.known_names)
        spans += _titled_organisations(doc, spans)
        doc.ents = filter_spans(spans)
        return doc


ORG_HEADS = ORG_WORDS | frozenset("Society Association Foundation Union League Federation Network".split())
NAME_JOINERS = frozenset({"of", "for", "the", "and"})


def _titled(token: Token) -> bool:
    return (token.is_title or token.is_upper) and token.is_alpha


def _titled_organisations(doc: Doc, spans: list[Span]) -> list[Span]:
    """ "The Danish-Israeli Society urged ...", "the Organisation for the Ban of Landmines": a run of
    capitalised words around an organisation's head noun is one organisation, where the model found only
    a piece of it (a demonym, a place) or nothing."""
    claimed = {i for s in spans if s.label_ in ("PERSON", "DATE") for i in range(s.start, s.end)}

    def free_titled(i: int) -> bool:
        return 0 <= i < len(doc) and i not in claimed and _titled(doc[i])

    def joins_left(i: int) -> bool:  # a capitalised word, or the hyphen of "Danish-Israeli"
        if free_titled(i):
            return not doc[i].is_sent_start
        return i not in claimed and doc[i].text == "-" and not doc[i].whitespace_ and free_titled(i - 1)

    out: list[Span] = []
    for token in doc:
        if token.text not in ORG_HEADS or token.i in claimed:
            continue
        start = token.i
        while start > 0 and joins_left(start - 1):
            start -= 1
        end = token.i + 1
        while end + 1 < len(doc) and doc[end].text in ("of", "for", "the") and end not in claimed:
            nxt = end  # "of", "for the", "of ... and": the joiners, then more capitalised words
            while nxt < len(doc) and doc[nxt].text in NAME_JOINERS:
                nxt += 1
            if not free_titled(nxt):
                break
            end = nxt
            while free_titled(end):
                end += 1
        if end - start >= 2 and "\n" not in doc[start:end].text:
            out.append(Span(doc, start, end, label="ORG"))
    return out


def _known_names(doc: Doc, spans: list[Span], matcher: PhraseMatcher) -> list[Span]:
    """Alias-table names no person's name overlaps; the longest span wins over the model's pieces."""
    people = {i for s in spans if s.label_ == "PERSON" for i in range(s.start, s.end)}
    found = matcher(doc, as_spans=True)
    return [
        s
        for s in found
        if not any(i in people for i in range(s.start, s.end))
        and not (s.root.dep_ == "compound" and s.root.head.i >= s.end)  # "FSB officers" is no mention
    ]


LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside"})


def _lone_state_name(token: Token) -> bool:
    """A country or capital the model left unlabelled, standing alone as a subject or an object."""
    doc = token.doc
    alone = not (token.i + 1 < len(doc) and doc[token.i + 1].pos_ == "PROPN") and not (
        token.i > 0 and doc[token.i - 1].pos_ == "PROPN"
    )
    return (
        token.is_title
        and token.pos_ == "PROPN"
        and not token.ent_type_
        and alone
        and token.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "poss")
        and (is_country(token.text) or token.lower_ in capitals())
    )


def _unclaimed_places(doc: Doc) -> list[Span]:
    """Two or more capitalised proper nouns after "in" / "at" that no entity claims ("in the Kleiner
    Tiergarten"): a place the small model does not know."""
    out: list[Span] = []
    for token in doc:
        if _lone_state_name(token):
            out.append(Span(doc, token.i, token.i + 1, label="GPE"))  # "2018 - Moscow retaliates"
            continue
        if token.dep_ != "pobj" or token.head.lower_ not in LOCATIVE_PREPS or not _name_word(token):
            continue
        start = token.i
        while start - 1 > token.head.i and _name_word(doc[start - 1]):
            start -= 1
        if token.i > start:
            out.append(Span(doc, start, token.i + 1, label="LOC"))
    return out


def _hyphen_name(doc: Doc, i: int) -> bool:
    """``Word-e`` at ``i``: a title-case word, a hyphen and a particle written together, outside entities."""
    first, dash, particle = doc[i], doc[i + 1], doc[i + 2]
    joined = not first.whitespace_ and not dash.whitespace_ and dash.text == "-"
    return joined and first.is_title and particle.pos_ == "PROPN" and not particle.ent_type_


def _split(ent: Span) -> list[Span]:
    """Cut a span at an opening parenthesis ("Iranian Resistance (Mujahedin-e" + "Khalq") and a date at
    a dash ("8 July 2018 - Dawn Sturgess"): each side keeps or finds its own label."""
    doc = ent.doc
    for token in ent:
        if token.text == "(" and token.i > ent.start:
            right_end = token.i + 1
            while (
                right_end < len(doc)
                and doc[right_end].text not in (",", ")", ";")
                and right_end - token.i < 6
            ):
                right_end += 1
            left = Span(doc, ent.start, token.i, label=ent.label_)
            return [left] + (
                [Span(doc, token.i + 1, right_end, label="ORG")] if right_end > token.i + 1 else []
            )
        spaced_dash = token.text in ("-", "–", "—") and token.i > ent.start and doc[token.i - 1].whitespace_
        if spaced_dash and ent.label_ != "DATE":  # "NEW YORK - Federal": a dateline is no part of a name
            return [Span(doc, ent.start, token.i, label=ent.label_)]
        if ent.label_ == "DATE" and token.text in ("-", "–", "—") and token.i > ent.start:
            rest = doc[token.i + 1 : ent.end]
            name = len(rest) >= 2 and all(t.is_title for t in rest)
            verb_next = ent.end < len(doc) and doc[ent.end].pos_ in ("VERB", "AUX")
            date = Span(doc, ent.start, token.i, label="DATE")
            return [date] + ([Span(doc, rest.start, rest.end, label="PERSON")] if name and verb_next else [])
    return [ent]


def _align_acronyms(doc: Doc, spans: list[Span]) -> list[Span]:
    """An acronym in parentheses right after a name takes that name's label ("... Khalq (MEK)")."""
    by_end = {s.end: s for s in spans}
    out = []
    for span in spans:
        opens = span.start >= 1 and doc[span.start - 1].text in ("(", ",")
        closes = span.end < len(doc) and doc[span.end].text == ")"
        long_form = (
            by_end.get(span.start - 1) if opens and (closes or doc[span.start - 1].text == "(") else None
        )
        if long_form is not None and len(span) == 1 and ACRONYM.match(span.text) and span.text.isupper():
            span = Span(doc, span.start, span.end, label=long_form.label_)
        out.append(span)
    return out


def _trim(ent: Span) -> Span | None:
    start, end = ent.start, ent.end
    doc = ent.doc
    while start >= 3 and ent.label_ in ("PERSON", "ORG") and _hyphen_name(doc, start - 3):
        start -= 3  # a name split after a hyphenated word: "Mujahedin-e" + "Khalq"
    while start > 0 and _name_word(doc[start - 1]) and ent.label_ in ("LOC", "FAC"):
        start -= 1  # a capitalised word the model left out: "Kleiner" + "Tiergarten"
    while end < len(doc) and _name_word(doc[end]) and ent.label_ in ("GPE", "LOC", "FAC"):
        end += 1  # ... or after it: "Kleiner" + "Tiergarten"
    if end > ent.end:
        ent = Span(doc, ent.start, end, label=ent.label_)
    label = ent.label_
    if ent.end < len(doc) and doc[ent.end].lower_ in FACILITY_NOUNS and _unknown_place(ent):
        end, label = ent.end + 1, "FAC"  # "Varkhov airport", "Vivantes hospital"
        return Span(doc, start, end, label=label) if start < end else None
    while start < end and doc[start].lower_ in ("the", "a", "an") and ent.label_ != "WORK_OF_ART":
        start += 1
    while end > start and doc[end - 1].tag_ == "POS" or (end > start and doc[end - 1].is_punct):
        end -= 1
    for k in range(start, end - 1):  # an entity never runs across a line break
        if "\n" in doc[k].whitespace_ or "\n" in doc[k + 1].text:
            end = k + 1
            break
    if start >= end:
        return None
    return Span(doc, start, end, label=ent.label_)


def _surnames(spans: list[Span]) -> set[str]:
    return {s[-1].text for s in spans if s.label_ == "PERSON"}


def _looks_like_person(span: Span, surnames: set[str]) -> bool:
    if span.label_ not in ("GPE", "ORG", "LOC", "NORP", "FAC") or not all(t.is_title for t in span):
        return False
    text = span.text
    if (
        country_of_state(text)
        or text.lower() in cities()
        or any(t.is_stop or t.text in ORG_WORDS for t in span)
    ):
        return False
    if span[-1].text in surnames:
        return True
    head = span.root
    return len(span) >= 2 and head.dep_ in ("nsubj", "nsubjpass") and head.head.lemma_ in HUMAN_VERBS


def _relabel_people(doc: Doc, spans: list[Span]) -> list[Span]:
    surnames = _surnames(spans)
    out = []
    for span in spans:
        if _looks_like_person(span, surnames):
            span = Span(doc, span.start, span.end, label="PERSON")
        elif _place_tagged_as_org(span):
            span = Span(doc, span.start, span.end, label="GPE")
        elif _nationality_used_as_place(span):
            span = Span(doc, span.start, span.end, label="LOC")
        elif span.label_ == "PERSON" and any(t.text in ORG_WORDS for t in span):
            span = Span(doc, span.start, span.end, label="ORG")
        out.append(span)
    return out


def _place_tagged_as_org(span: Span) -> bool:
    """A known city or country tagged as an organisation where the text uses it as a place: the object
    of "in" / "at" / "near" ("the court in Kassel convicted"), or a dateline; a country named exactly
    is a state wherever it stands."""
    if span.label_ != "ORG" or any(t.text in ORG_WORDS for t in span):
        return False
    if is_country_name(span.text):  # "Norway jails ...": a country named exactly is a state
        return True
    root = span.root
    used_as_place = (root.dep_ == "pobj" and root.head.lower_ in LOCATIVE_PREPS) or is_dateline(span)
    return used_as_place and country_of_place(span.text) is not None


def _acronym_spans(doc: Doc, spans: list[Span]) -> list[Span]:
    """``Long Name (ACR)`` and ``Long Name, AKA ACR``: give the short form the long form's label."""
    covered = {i for s in spans for i in range(s.start, s.end)}
    out: list[Span] = []
    for span in spans:
        if span.label_ not in NAME_LABELS:
            continue
        i = span.end
        if i + 2 < len(doc) and doc[i].text == "(" and doc[i + 2].text == ")":
            cand = doc[i + 1]
        elif i + 2 < len(doc) and doc[i].text == "," and doc[i + 1].lower_ in ALIAS_CUES:
            cand = doc[i + 2]
        else:
            continue
        if ACRONYM.match(cand.text) and cand.i not in covered and cand.text.upper() == cand.text:
            out.append(Span(doc, cand.i, cand.i + 1, label=span.label_))
    return out
