"""Within-document entity resolution: group entity spans into clusters with a canonical name.

Rules, in order: identical names; a surname alone joins the full person name that ends with it; an
acronym joins the name it abbreviates (``Name (ACR)`` / ``AKA``, or initials); a state's capital used as
actor joins the state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from threatledger.extract.places import (
    cities,
    country_of_place,
    country_of_state,
    demonyms_and_groups,
    is_country,
)
from threatledger.nlp.datelines import is_dateline

LABEL_TYPES = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "STATE", "LOC": "PLACE", "FAC": "PLACE"}
STOP_INITIALS = {"of", "the", "and", "for", "in", "on", "de", "e", "al"}


@dataclass
class Cluster:
    """One entity of a document: its canonical name, type and mention spans (character offsets)."""

    name: str
    type: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    country: str | None = None
    aliases: set[str] = field(default_factory=set)

    def add(self, start: int, end: int, text: str) -> None:
        if (start, end, text) not in self.spans:
            self.spans.append((start, end, text))


def normalise(name: str) -> str:
    name = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.I)
    name = re.sub(r"['’]s$", "", name)
    return re.sub(r"\s+", " ", name).lower()


def entity_type(span: Span) -> str | None:
    """The threatledger type of an NER span, or None for labels we do not keep."""
    label = span.label_
    if label == "GPE":
        text = span.text
        if is_dateline(span) and not is_country(text):
            return "PLACE"  # "BERGEN (Wire desk) - ..." names where the story was filed, not a state acting
        if is_country(text) or (country_of_state(text) and span.root.dep_ in ("nsubj", "poss", "agent")):
            return "STATE"
        if text.lower() in cities() or country_of_place(text) is None:
            return "PLACE"
        return "STATE"
    return LABEL_TYPES.get(label)


def initials(name: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in STOP_INITIALS]
    return "".join(w[0] for w in words).upper()


class DocEntities:
    """The clusters of one doc, and a map from token index to cluster."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.clusters: list[Cluster] = []
        self.by_token: dict[int, Cluster] = {}
        self._by_norm: dict[str, Cluster] = {}
        self._groups: list[tuple[int, list[Cluster]]] = []
        self._conj_groups: list[tuple[int, list[Cluster]]] | None = None
        for ent in doc.ents:
            kind = entity_type(ent)
            named = any(t.is_title or t.is_upper for t in ent)  # "in absentia" is no place
            if kind is not None and named and not (kind == "ORG" and ent.text in demonyms_and_groups()):
                self._add_span(ent, kind)
        self._join_surnames()
        self._join_states()
        self._add_missed_surnames()

    def _add_missed_surnames(self) -> None:
        """A surname the model did not tag ("January 17, 2021 - Navalny flies home") is still a mention of
        the one person of the story who bears it."""
        by_surname: dict[str, list[Cluster]] = {}
        for cluster in self.clusters:
            if cluster.type == "PERSON" and " " in cluster.name:
                by_surname.setdefault(cluster.name.split()[-1], []).append(cluster)
        for token in self.doc:
            owners = by_surname.get(token.text, [])
            if len(owners) == 1 and token.pos_ == "PROPN" and token.i not in self.by_token:
                owners[0].add(token.idx, token.idx + len(token.text), token.text)
                self.by_token[token.i] = owners[0]

    def _join_states(self) -> None:
        """ "UK", "Britain" and "the United Kingdom" in one story are one state: the same country code."""
        by_code: dict[str, list[Cluster]] = {}
        for cluster in self.clusters:
            if cluster.type == "STATE" and cluster.country:
                by_code.setdefault(cluster.country, []).append(cluster)
        for same in by_code.values():
            keeper = max(same, key=lambda c: (len(c.spans), len(c.name)))
            for other in same:
                if other is not keeper:
                    self._absorb(keeper, other)

    def _join_surnames(self) -> None:
        """A surname seen before the full name ("Navalny" in a headline) joins the full name."""
        full = [c for c in self.clusters if c.type == "PERSON" and " " in c.name]
        for cluster in [c for c in self.clusters if c.type == "PERSON" and " " not in c.name]:
            owners = [f for f in full if f.name.split()[-1] == cluster.name]
            if len(owners) == 1:
                self._absorb(owners[0], cluster)

    def _absorb(self, keeper: Cluster, gone: Cluster) -> None:
        for span in gone.spans:
            keeper.add(*span)
        self.clusters.remove(gone)
        for key, value in list(self._by_norm.items()):
            if value is gone:
                self._by_norm[key] = keeper
        for token_i, owner in list(self.by_token.items()):
            if owner is gone:
                self.by_token[token_i] = keeper

    def _find(self, span: Span, kind: str) -> Cluster | None:
        key = normalise(span.text)
        if key in self._by_norm:
            return self._by_norm[key]
        if kind == "PERSON" and len(span) == 1:
            for cluster in self.clusters:
                if cluster.type == "PERSON" and cluster.name.split()[-1] == span.text:
                    return cluster
        if span.text.isupper() and len(span.text) >= 2:
            long_form = self._long_form(span)
            if long_form is not None:
                return long_form
        return None

    def _long_form(self, span: Span) -> Cluster | None:
        doc = self.doc
        if span.start >= 2 and doc[span.start - 1].text == "(":
            prev = doc[span.start - 2]
            if prev.i in self.by_token:
                return self.by_token[prev.i]
        alias_cue = span.start >= 3 and doc[span.start - 1].lower_ in ("aka", "as")
        if alias_cue and doc[span.start - 2].text == "," and doc[span.start - 3].i in self.by_token:
            return self.by_token[doc[span.start - 3].i]
        for cluster in self.clusters:
            if cluster.type in ("ORG", "STATE") and initials(cluster.name) == span.text:
                return cluster
        return None

    def _add_span(self, span: Span, kind: str) -> Cluster:
        while len(span) > 1 and span[-1].pos_ in ("ADP", "DET", "CCONJ", "PUNCT"):
            span = span[:-1]  # "the Pine Bar of": the NER ran on into the next phrase
        cluster = self._find(span, kind)
        if cluster is None:
            cluster = Cluster(name=span.text, type=kind)
            cluster.country = country_of_place(span.text) if kind in ("STATE", "PLACE") else None
            self.clusters.append(cluster)
        elif kind == "PERSON" and len(span.text) > len(cluster.name) and cluster.type == "PERSON":
            cluster.name = span.text
        cluster.add(span.start_char, span.end_char, span.text)
        self._by_norm.setdefault(normalise(span.text), cluster)
        for token in span:
            self.by_token.setdefault(token.i, cluster)
        return cluster

    def add_phrase(self, span: Span, kind: str) -> Cluster:
        """Add a descriptive noun phrase (``federal prosecutors``) as an entity of its own."""
        return self._add_span(span, kind)

    def note_group(self, members: list[Cluster], at_char: int) -> None:
        """Remember a group of people named together, for a later "they" / "them"."""
        self._groups.append((at_char, members))

    def _named_together(self) -> list[tuple[int, list[Cluster]]]:
        """People joined by "and" in the text ("Alexander Petrov and Ruslan Boshirov"): a group a later
        "they" can mean."""
        out: list[tuple[int, list[Cluster]]] = []
        for token in self.doc:
            first = self.by_token.get(token.i)
            if first is None or first.type != "PERSON" or token.dep_ == "conj":
                continue
            members = [first]
            for other in token.subtree:
                if other.dep_ == "conj" and other.head.i in self.by_token:
                    cluster = self.by_token.get(other.i)
                    if cluster is not None and cluster.type == "PERSON" and cluster not in members:
                        members.append(cluster)
            if len(members) >= 2:
                out.append((token.idx, members))
        return out

    def recent_group(self, before_char: int, *, within_chars: int = 600) -> list[Cluster]:
        """The group named last before ``before_char``, if it is close enough to be meant."""
        if self._conj_groups is None:
            self._conj_groups = self._named_together()
        groups = [
            (at, members)
            for at, members in self._groups + self._conj_groups
            if before_char - within_chars <= at < before_char
        ]
        return max(groups, key=lambda pair: pair[0])[1] if groups else []

    def cluster_of(self, token_i: int) -> Cluster | None:
        return self.by_token.get(token_i)
