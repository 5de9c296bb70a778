"""The ``threatledger_line_breaks`` component: a line break ends a sentence.

Headlines, datelines and timeline entries carry no final full stop; without this the parser joins a
headline to the first sentence of the story.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("threatledger_line_breaks")
def mark_line_breaks(doc: Doc) -> Doc:
    """Start a sentence at the first word after every line break."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or previous.is_space and "\n" in previous.text:
            token.is_sent_start = not token.is_space
    return doc
