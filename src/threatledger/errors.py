"""Errors raised on purpose, each with a code and a hint.

Tree::

    ThreatledgerError (E000)
    ├── IngestError (E100)
    │   ├── EmptyDocumentError (E101)
    │   ├── ParseError (E102)
    │   ├── EncodingError (E103)
    │   ├── BinaryInputError (E104)
    │   ├── TooLargeError (E105)
    │   ├── LanguageError (E106)
    │   ├── FetchError (E107)
    │   └── InputNotFoundError (E108)
    ├── ModelError (E200)
    ├── ExtractionError (E300)
    ├── StoreError (E400)
    │   └── MigrationError (E401)
    └── ExportError (E500)
"""

from __future__ import annotations


class ThreatledgerError(Exception):
    """Base of every error raised on purpose."""

    code = "E000"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"[{self.code}] {message}")
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, str]:
        out = {"code": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        return out


class IngestError(ThreatledgerError):
    code = "E100"


class EmptyDocumentError(IngestError):
    code = "E101"


class ParseError(IngestError):
    code = "E102"


class EncodingError(IngestError):
    code = "E103"


class BinaryInputError(IngestError):
    code = "E104"


class TooLargeError(IngestError):
    code = "E105"


class LanguageError(IngestError):
    code = "E106"


class FetchError(IngestError):
    code = "E107"


class InputNotFoundError(IngestError):
    code = "E108"


class ModelError(ThreatledgerError):
    code = "E200"


class ExtractionError(ThreatledgerError):
    code = "E300"


class StoreError(ThreatledgerError):
    code = "E400"


class MigrationError(StoreError):
    code = "E401"


class ExportError(ThreatledgerError):
    code = "E500"
