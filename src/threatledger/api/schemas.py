"""Request bodies of the write routes, and the error shape as the OpenAPI schema shows it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ReviewField = Literal[
    "type", "date", "status", "negated_or_hypothetical", "agent", "sponsor", "target", "place"
]

MAX_TEXT = 200


class ErrorBody(BaseModel):
    """Every error answers with this shape."""

    ok: Literal[False] = False
    error: str
    code: str = Field(pattern=r"^E\d{3}$")
    status: int
    hint: str | None = None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IngestRequest(Strict):
    """One article: its text (or HTML page) and what is known about it."""

    text: str = Field(min_length=1, description="The article text, or the HTML page with format=html.")
    format: Literal["text", "html"] = "text"
    id: str | None = Field(None, max_length=MAX_TEXT)
    title: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=2000)
    published: str | None = Field(None, max_length=40, description="YYYY-MM-DD")
    outlet: str | None = Field(None, max_length=MAX_TEXT)


class ReviewRequest(Strict):
    """Why the reviewer decided so, and who they are."""

    reason: str = Field(min_length=1, max_length=2000)
    author: str = Field("api", min_length=1, max_length=MAX_TEXT)


class CorrectRequest(ReviewRequest):
    field: ReviewField
    value: str | bool | list[str] | None = Field(
        description="The new value: a type, a date, a status, true/false, or names for a role."
    )


class MergeRequest(ReviewRequest):
    source_id: str = Field(min_length=1, max_length=MAX_TEXT)
    target_id: str = Field(min_length=1, max_length=MAX_TEXT)
