"""threatledger: news in, a sourced ledger of state-sponsored and political violence out."""

from threatledger.errors import ThreatledgerError
from threatledger.model import Document, Entity, Event, Extraction, Incident, Mention, Provenance

__version__ = "0.1.0"

__all__ = [
    "Document",
    "Entity",
    "Event",
    "Extraction",
    "Incident",
    "Mention",
    "Provenance",
    "ThreatledgerError",
    "__version__",
]
