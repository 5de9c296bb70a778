"""Fast JSON for records: dataclasses to plain values without ``asdict``'s deep copies, and responses
serialised with ``json.dumps`` directly (FastAPI's ``jsonable_encoder`` walks every value again)."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any

from fastapi.responses import JSONResponse


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def plain(value: Any) -> Any:
    """Records, tuples and dicts as JSON-ready dicts, lists and scalars."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


class FastJSONResponse(JSONResponse):
    """A JSON response of already plain values."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def respond(body: dict[str, Any], *, status_code: int = 200) -> FastJSONResponse:
    return FastJSONResponse(body, status_code=status_code)
