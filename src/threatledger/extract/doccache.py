"""Per-doc lookups computed once: the sentences and the DATE spans of each sentence.

``doc.sents`` and ``Span.ents`` rebuild their spans on every access; extraction asks for them often,
so they are kept in ``doc.user_data``.
"""

from __future__ import annotations

from typing import cast

from spacy.tokens import Doc, Span

_SENTS = "threatledger.sents"
_DATES = "threatledger.dates"


def sentences(doc: Doc) -> list[Span]:
    """The doc's sentences, in order."""
    if _SENTS not in doc.user_data:
        doc.user_data[_SENTS] = list(doc.sents)
    return cast(list[Span], doc.user_data[_SENTS])


def date_entities(sent: Span) -> list[Span]:
    """The DATE and TIME entities of one sentence."""
    doc = sent.doc
    if _DATES not in doc.user_data:
        by_sentence: dict[int, list[Span]] = {}
        for ent in doc.ents:
            if ent.label_ in ("DATE", "TIME"):
                by_sentence.setdefault(ent.sent.start, []).append(ent)
        doc.user_data[_DATES] = by_sentence
    return cast(dict[int, list[Span]], doc.user_data[_DATES]).get(sent.start, [])
