"""Readers that turn files, directories, JSON Lines, HTML and stdin into
:class:`~threatledger.model.Document`.

``read_inputs`` never raises for one bad document: it yields a :class:`DocumentFailure` for it and goes on.
"""

from threatledger.ingest.base import DocumentFailure, ReadResult
from threatledger.ingest.readers import read_inputs

__all__ = ["DocumentFailure", "ReadResult", "read_inputs"]
