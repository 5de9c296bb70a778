"""State bodies named by description: "Iran's judiciary", "the foreign ministry", "a Moscow court".

News names most authorities this way rather than by their official names; they act in legal and
diplomatic events, so they are entities of their own. A body must carry a modifier or a possessive
state, so a bare "the court" or "officials" is not one.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from threatledger.extract.references import noun_phrase
from threatledger.resolve.within_doc import DocEntities

BODY_NOUNS = frozenset(
    """ministry judiciary court prosecutor prosecutors service services agency police
government authorities administration parliament council tribunal office department directorate
intelligence""".split()
)
# bodies that news names by their function ("the foreign ministry", "federal prosecutors"); vaguer ones
# ("foreign governments", "the authorities") only count with a possessive state ("Iran's government")
NAMED_BY_FUNCTION = frozenset(
    {"ministry", "court", "prosecutor", "prosecutors", "judiciary", "police", "service"}
)
ENVOY_NOUNS = frozenset({"ambassador", "envoy", "charge", "consul", "d'affaires", "d’affaires"})


def _possessive_state(token: Token) -> Token | None:
    for child in token.children:
        if child.dep_ == "poss" and child.ent_type_ in ("GPE", "NORP"):
            return child
    return None


def _described(token: Token) -> bool:
    return any(
        c.dep_ in ("amod", "compound") and (c.pos_ in ("ADJ", "PROPN") or c.ent_type_) for c in token.children
    )


def add_state_bodies(doc: Doc, ents: DocEntities) -> None:
    """Add described state bodies and envoys as entities (ORG and PERSON)."""
    for token in doc:
        lower = token.lower_
        if token.pos_ not in ("NOUN", "PROPN") or lower not in BODY_NOUNS | ENVOY_NOUNS:
            continue
        cluster = ents.cluster_of(token.i)
        owner = _possessive_state(token)
        if cluster is not None and owner is None:
            continue
        if owner is None and (
            lower in ENVOY_NOUNS or lower not in NAMED_BY_FUNCTION or not _described(token)
        ):
            continue
        phrase = noun_phrase(token)
        if owner is not None and owner.i < phrase.start:
            phrase = doc[owner.i : phrase.end]
        named = (ents.cluster_of(t.i) for t in phrase if t.i != token.i)
        if any(c is not None and c.type in ("ORG", "PERSON") for c in named):
            continue  # "GRU military intelligence service": the named organisation is the entity
        ents.add_phrase(phrase, "PERSON" if lower in ENVOY_NOUNS else "ORG")
