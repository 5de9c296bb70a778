"""The ``threatledger_line_breaks`` component: a line break ends a sentence.

Headlines, datelines and timeline entries carry no final full stop; without this the parser joins a
headline to the first sentence of the story.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("threatledger_line_breaks")
def mark_line_breaks(doc: Doc) -> Doc:
    """Start a sentence at the first word after every line break; keep a dateline in one piece."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or previous.is_space and "\n" in previous.text:
            token.is_sent_start = not token.is_space
            if token.is_upper and len(token.text) > 1:
                _keep_dateline(doc, token.i)
            elif token.is_alpha:
                _keep_opening(doc, token.i)
    return doc


def _keep_opening(doc: Doc, start: int) -> None:
    """ "Prosecutors in Bergen charged ...": the parser must not cut a paragraph's first word off as a
    sentence of its own (it does so after a headline, taking the word for a name)."""
    k = start + 1
    if k < len(doc) and not doc[k].is_space and "\n" not in doc[start].whitespace_ and doc[k].is_alpha:
        doc[k].is_sent_start = False


def _keep_dateline(doc: Doc, start: int) -> None:
    """ "BERGEN (Wire desk) - Anton ...": no sentence starts inside the dateline or right after it."""
    for k in range(start + 1, min(start + 10, len(doc))):
        if "\n" in doc[k - 1].whitespace_ or doc[k - 1].is_space:
            return
        doc[k].is_sent_start = False
        if doc[k].text in ("-", "–", "—"):
            if k + 1 < len(doc):
                doc[k + 1].is_sent_start = False
            return
