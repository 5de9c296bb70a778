"""Fillers for roles: an entity of the doc, a descriptive noun phrase, or a reference resolved backwards.

Pronouns ("he", "his") and definite person nouns ("the suspect", "that same operative") resolve to the
most recent person mentioned before them, the rule that gets most cases in news where no coreference
model is available.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from threatledger.extract.doccache import doc_text, sentences
from threatledger.extract.lexicon import AUTHORITY_NOUNS, PERSON_NOUNS, PRONOUNS_PERSON, PRONOUNS_PLURAL
from threatledger.resolve.within_doc import Cluster, DocEntities

DISTRIBUTIVE = frozenset({"each", "either", "both", "neither", "every", "several", "some", "any", "many"})
PHRASE_DETS = frozenset({"the", "that", "this", "those", "these"})
MAX_PHRASE_TOKENS = 8


@dataclass(frozen=True, slots=True)
class Filler:
    """One role value: the cluster it names and the text that named it."""

    cluster: Cluster
    text: str


def _was_subject(ents: DocEntities, start: int, end: int) -> bool:
    span = ents.doc.char_span(start, end, alignment_mode="expand")
    return span is not None and span.root.dep_ in ("nsubj", "nsubjpass")


def _opens_paragraph(doc_text: str, at: int) -> bool:
    """Whether a word is the first of its paragraph ("He was arrested in 2020 ..." after a break)."""
    line_start = doc_text.rfind("\n", 0, at) + 1
    return line_start > 0 and not doc_text[line_start:at].strip()


def _is_subject_at(ents: DocEntities, at: int) -> bool:
    span = ents.doc.char_span(at, at + 1, alignment_mode="expand")
    return span is not None and span.root.dep_ in ("nsubj", "nsubjpass")


def _protagonist(ents: DocEntities, before_char: int) -> Cluster | None:
    """The person the story is about so far: the one named most often before this point."""
    counts = [
        (sum(1 for a, _, _ in c.spans if a < before_char), c)
        for c in ents.clusters
        if c.type == "PERSON" and c.name[:1].isupper()
    ]
    counts = [pair for pair in counts if pair[0] >= 2]
    if not counts:
        return None
    best = max(n for n, _ in counts)
    leaders = [c for n, c in counts if n == best]
    return leaders[0] if len(leaders) == 1 else None


def recent_person(ents: DocEntities, before_char: int, *, window: int = 3) -> Cluster | None:
    """The person a pronoun most likely means: the latest named subject of the last few sentences,
    else the most often mentioned named person before it. A pronoun that opens a paragraph means the
    story's protagonist, as a new paragraph returns to the main thread."""
    if _opens_paragraph(doc_text(ents.doc), before_char) or not _is_subject_at(ents, before_char):
        lead = _protagonist(ents, before_char)
        if lead is not None:
            return lead
    sent_starts = [s.start_char for s in sentences(ents.doc) if s.start_char <= before_char]
    horizon = sent_starts[-window] if len(sent_starts) >= window else 0
    best: tuple[int, int, Cluster] | None = None
    for cluster in ents.clusters:
        if cluster.type != "PERSON" or not cluster.name[:1].isupper():
            continue
        before = [(a, b) for a, b, _ in cluster.spans if a < before_char]
        if not before:
            continue
        subject = max((a for a, b in before if a >= horizon and _was_subject(ents, a, b)), default=-1)
        key = (subject, len(before), cluster)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "both": 2}
GROUP_DETS = frozenset({"the", "these", "those", "both", "all", "each", "either"})


def recent_people(ents: DocEntities, before_char: int, count: int) -> list[Cluster]:
    """The ``count`` named people mentioned last before ``before_char``."""
    last: list[tuple[int, Cluster]] = []
    for cluster in ents.clusters:
        starts = [a for a, _, _ in cluster.spans if a < before_char]
        if cluster.type == "PERSON" and cluster.name[:1].isupper() and starts:
            last.append((max(starts), cluster))
    last.sort(key=lambda pair: -pair[0])
    return [cluster for _, cluster in last[:count]]


def group_members(token: Token, ents: DocEntities) -> list[Filler]:
    """People a plural noun stands for: named in apposition ("three nationals, A, B and C"), or the last
    N people named before "the two men" / "both men"."""
    named = [
        Filler(cluster, item.text)
        for child in token.children
        if child.dep_ == "appos"
        for item in expand_conj(child)
        if (cluster := ents.cluster_of(item.i)) is not None and cluster.type == "PERSON"
    ]
    if token.lower_ in PRONOUNS_PLURAL:
        return [Filler(c, token.text) for c in ents.recent_group(token.idx)]
    if len(named) >= 2 or token.tag_ != "NNS" or token.lower_ not in PERSON_NOUNS:
        return _remember(ents, named, token.idx)
    words = {c.lower_ for c in token.children if c.dep_ in ("det", "nummod", "predet", "amod")}
    count = next((NUMBER_WORDS[w] for w in words if w in NUMBER_WORDS), 0)
    if not count:
        return []
    definite = bool(words & GROUP_DETS)  # "the two men" look back; "three nationals, A, B and C" look ahead
    people = recent_people(ents, token.idx, count) if definite else _named_after(token, ents, count)
    return _remember(ents, [Filler(p, token.text) for p in people] if len(people) == count else [], token.idx)


def _named_after(token: Token, ents: DocEntities, count: int) -> list[Cluster]:
    """ "three Indian nationals in Edmonton, A, B and C": the people named right after the noun."""
    found: list[Cluster] = []
    for item in token.doc[token.i + 1 : min(token.i + 16, token.sent.end)]:
        cluster = ents.cluster_of(item.i)
        if cluster is not None and cluster.type == "PERSON" and cluster not in found:
            found.append(cluster)
    return found[:count] if len(found) >= count else []


def _remember(ents: DocEntities, group: list[Filler], at: int) -> list[Filler]:
    if len(group) >= 2:
        ents.note_group([f.cluster for f in group], at)
    return group


def noun_phrase(token: Token) -> Span:
    """The token's noun phrase: determiners and modifiers left, a short ``of/in`` phrase right."""
    left = token.i
    for child in token.lefts:
        if child.dep_ in ("det", "amod", "compound", "nummod", "poss", "nmod", "quantmod", "advmod"):
            left = min(left, child.left_edge.i)
    right = token.i
    for child in token.rights:
        if (
            child.dep_ == "prep"
            and child.lower_ in ("of", "in", "at", "for")
            and child.right_edge.i - left < MAX_PHRASE_TOKENS
        ):
            right = child.right_edge.i
    doc = token.doc
    for k in range(token.i - 1, left - 1, -1):  # never reach across a line break or a dateline dash
        if "\n" in doc[k].text_with_ws or doc[k].text in ("-", "–", "—"):
            left = k + 1
            break
    for k in range(token.i, right + 1):
        if "\n" in doc[k].whitespace_ or doc[k].text in ("-", "–", "—"):
            right = k
            break
    while left < right and doc[left].lower_ in PHRASE_DETS | {"a", "an"}:
        left += 1
    return doc[left : right + 1]


def _entity_child(token: Token, ents: DocEntities) -> Cluster | None:
    for child in token.children:
        if child.dep_ in ("appos", "compound", "nmod") and ents.cluster_of(child.i) is not None:
            cluster = ents.cluster_of(child.i)
            if cluster is None:
                continue
            if cluster.type == "PERSON" or (token.lower_ not in PERSON_NOUNS and cluster.type == "ORG"):
                return cluster
    return None


def filler_for(token: Token, ents: DocEntities) -> Filler | None:
    """The role value a token names, or None when it names nothing we track."""
    cluster = ents.cluster_of(token.i)
    if cluster is not None:
        return Filler(cluster, cluster.name)
    appos = _entity_child(token, ents)
    if appos is not None:
        return Filler(appos, token.text)
    named = ents.cluster_of(token.head.i) if token.dep_ == "appos" else None
    if named is not None and (named.type == "PERSON" or token.lower_ not in PERSON_NOUNS):
        return Filler(named, named.name)  # "Hadi Matar, the person who ...": the person is Matar
    lower = token.lower_
    if lower in PRONOUNS_PERSON:
        person = recent_person(ents, token.idx)
        return Filler(person, token.text) if person else None
    if lower in PERSON_NOUNS and _is_definite(token):
        person = recent_person(ents, token.idx)
        if person is not None:
            return Filler(person, token.text)
    if any(c.lower_ in DISTRIBUTIVE for c in token.children) or lower in ("citizens", "people", "person"):
        return None  # "each man", "both men", "its own citizens": no entity of their own
    if token.pos_ in ("NOUN", "PROPN") and (lower in PERSON_NOUNS or lower in AUTHORITY_NOUNS):
        phrase = noun_phrase(token)
        kind = "PERSON" if lower in PERSON_NOUNS else "ORG"
        return Filler(ents.add_phrase(phrase, kind), phrase.text)
    return None


ANAPHORIC_MODIFIERS = frozenset({"same", "former", "alleged", "accused", "suspected", "latter"})


def _is_definite(token: Token) -> bool:
    """ "the suspect", "that same operative": a definite person noun with no description of its own."""
    dets = [c.lower_ for c in token.children if c.dep_ in ("det", "poss")]
    described = any(
        c.dep_ in ("amod", "compound", "nummod", "prep", "appos", "acl", "relcl")
        and c.lower_ not in ANAPHORIC_MODIFIERS
        for c in token.children
    )
    return any(d in PHRASE_DETS for d in dets) and not described


def expand_conj(token: Token) -> list[Token]:
    """The token and every token joined to it by ``and`` / ``or``."""
    out = [token]
    for child in token.children:
        if child.dep_ == "conj":
            out += expand_conj(child)
    return out
