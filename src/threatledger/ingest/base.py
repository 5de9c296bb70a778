"""What a reader yields: a Document, or a DocumentFailure naming the input and the error."""

from __future__ import annotations

from dataclasses import dataclass

from threatledger.errors import ThreatledgerError
from threatledger.model import Document


@dataclass(frozen=True, slots=True)
class DocumentFailure:
    """One input that could not be read, with the error a user should see."""

    source: str  # file path, "path:line" for JSON Lines, URL or "-"
    error: ThreatledgerError
    document_id: str | None = None


ReadResult = Document | DocumentFailure
