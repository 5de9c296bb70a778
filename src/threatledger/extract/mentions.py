"""Which trigger mentions are not events of their own.

- generic: "the convicted diplomat", "if convicted", "people convicted alongside him": no specific event;
- back-references: "the killing", "Khashoggi's murder", "charged with murder", "sanctions over the
  poisoning" point to an event reported elsewhere in the text and may only join it.
"""

from __future__ import annotations

from spacy.tokens import Token

from threatledger.model import VIOLENT_TYPES

CHARGE_HEADS = frozenset(
    {
        "charge",
        "accuse",
        "convict",
        "count",
        "face",
        "guilty",
        "sentence",
        "indict",
        "suspect",
        "try",
        "trial",
        "acquit",
        "conviction",
        "over",
        "for",
        "investigate",
        "investigation",
        "inquiry",
        "link",
        "suspicion",
        "involvement",
        "deny",
        "blame",
    }
)
DEFINITE = frozenset({"the", "this", "that", "its", "his", "her", "their"})


def is_generic(token: Token, kind: str) -> bool:
    """A participle modifier or a bare conditional ("if convicted") names no specific event."""
    if token.pos_ in ("VERB", "ADJ") and token.dep_ == "amod":
        return True
    if (
        kind in ("CONVICTION", "SENTENCE", "ARREST", "CHARGE")
        and token.dep_ == "acl"
        and token.tag_ == "VBN"
        and token.head.pos_ == "NOUN"
        and not any(c.ent_type_ for c in token.head.subtree)
    ):
        return True
    marks = {c.lower_ for c in token.children if c.dep_ == "mark"}
    subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
    return bool(marks & {"if", "unless"}) and not subjects


def _under_legal_head(token: Token) -> bool:
    head = token
    for _ in range(4):
        if head.head is head:
            return False
        head = head.head
        if head.lemma_ in CHARGE_HEADS or head.lower_ in CHARGE_HEADS:
            return True
        if head.pos_ == "VERB" and head.lemma_ not in ("commit", "conspire", "attempt"):
            return False
    return False


def _is_charge_content(token: Token, kind: str) -> bool:
    """ "charged with conspiring to murder", "on extremism charges": what a charge is about, not an event."""
    if kind in VIOLENT_TYPES:
        verbal = (
            token.pos_ == "VERB" and token.tag_ in ("VBG", "VB") and token.dep_ in ("pcomp", "xcomp", "acl")
        )
        return (token.pos_ in ("NOUN", "PROPN") or verbal) and _under_legal_head(token)
    return kind == "CHARGE" and token.pos_ == "NOUN" and token.head.lower_ in ("on", "of", "among")


def is_back_reference(token: Token, kind: str) -> bool:
    """A mention that points back to an event rather than reporting it: the content of a charge, or a
    definite noun with no detail of its own ("the killing", "his release", "the charges")."""
    if _is_charge_content(token, kind):
        return True
    if token.pos_ not in ("NOUN", "PROPN"):
        return False
    if kind not in VIOLENT_TYPES:
        plain = not any(
            c.dep_ in ("prep", "relcl", "acl", "nummod", "compound", "amod") for c in token.children
        )
        return plain and any(c.lower_ in ("the", "this", "that", "these") for c in token.children)
    dets = {c.lower_ for c in token.children if c.dep_ in ("det", "poss")}
    has_detail = any(c.dep_ in ("prep", "relcl", "acl", "nummod") for c in token.children) or any(
        c.ent_type_ in ("DATE", "GPE", "PERSON") for c in token.children
    )
    poss_name = any(c.dep_ == "poss" and c.ent_type_ == "PERSON" for c in token.children)
    return (bool(dets & DEFINITE) or poss_name) and not has_detail
