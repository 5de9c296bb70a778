"""Document metadata from JSON (sidecars, JSON Lines records) and the parsing of publication dates."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from threatledger.errors import IngestError, ParseError
from threatledger.ingest.text import check_encodable

logger = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".meta.json"
SIDECAR_MAX_BYTES = 1_000_000
_STRING_FIELDS = ("title", "url", "outlet")
_DATEPARSER_SETTINGS = {
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}


@dataclass(frozen=True, slots=True)
class Metadata:
    """What is known about a document besides its text; every field may be missing."""

    id: str | None = None
    title: str | None = None
    url: str | None = None
    published: date | None = None
    outlet: str | None = None

    def merged_over(self, other: Metadata) -> Metadata:
        """These fields, with the missing ones filled from ``other``."""
        missing = {f.name: getattr(other, f.name) for f in fields(self) if getattr(self, f.name) is None}
        return replace(self, **missing)


def metadata_from_mapping(record: Mapping[str, Any], *, source: str) -> Metadata:
    """Read id, title, url, outlet and published from a JSON object; other keys are ignored."""
    values = {name: _string_field(record, name, source=source) for name in _STRING_FIELDS}
    return Metadata(
        id=_id_field(record, source=source),
        published=_published_field(record.get("published"), source=source),
        **values,
    )


def read_sidecar(path: Path, *, source: str) -> Metadata:
    """The metadata in ``NAME.meta.json`` next to ``path``, or empty metadata when there is none."""
    sidecar = sidecar_path(path)
    if sidecar is None:
        return Metadata()
    try:
        with sidecar.open("rb") as stream:
            data = stream.read(SIDECAR_MAX_BYTES + 1)
        if len(data) > SIDECAR_MAX_BYTES:
            raise ValueError(f"larger than {SIDECAR_MAX_BYTES} bytes")
        record = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise ParseError(
            f"cannot read the sidecar {sidecar} of {source}: {exc}",
            hint="fix the sidecar's JSON, or remove it",
        ) from exc
    if not isinstance(record, dict):
        raise ParseError(
            f"the sidecar {sidecar} of {source} is not a JSON object",
            hint='write it as {"id": ..., "title": ..., "published": "YYYY-MM-DD"}',
        )
    return metadata_from_mapping(record, source=str(sidecar))


def sidecar_path(path: Path) -> Path | None:
    """``NAME.meta.json`` (or ``NAME.EXT.meta.json``) next to ``path``, if one exists."""
    for name in (path.stem + SIDECAR_SUFFIX, path.name + SIDECAR_SUFFIX):
        candidate = path.with_name(name)
        if candidate.is_file():
            return candidate
    return None


def parse_published(value: str) -> date | None:
    """An ISO date or datetime, or failing that a full date dateparser reads; None when unreadable."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        pass
    try:
        import dateparser

        parsed = dateparser.parse(value, languages=["en"], settings=_DATEPARSER_SETTINGS)
    except Exception:  # dateparser may fail in many ways on odd strings: treat all as unreadable
        logger.debug("dateparser failed on %r", value, exc_info=True)
        return None
    return parsed.date() if isinstance(parsed, datetime) else None


def _published_field(value: object, *, source: str) -> date | None:
    if value is None:
        return None
    parsed = parse_published(value) if isinstance(value, str) else None
    if parsed is None:
        logger.warning("%s: cannot read the published date %r; ignoring it", source, value)
    return parsed


def _string_field(record: Mapping[str, Any], name: str, *, source: str) -> str | None:
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise _field_error(source, name, "a string")
    check_encodable(value, source=source, name=f"field {name!r}")
    return value.strip()


def _id_field(record: Mapping[str, Any], *, source: str) -> str | None:
    value = record.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _string_field(record, "id", source=source)


def _field_error(source: str, name: str, kind: str) -> IngestError:
    return ParseError(
        f"{source}: the field {name!r} must be {kind}", hint=f"write {name!r} as {kind}, or leave it out"
    )
