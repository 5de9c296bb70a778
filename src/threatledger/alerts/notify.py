"""Deliver matches: one JSON line each to the rule's file (or stdout), and a POST to its webhook.

A webhook that fails (refused, timed out, non-2xx) is logged and counted; it never stops a cycle.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx

from threatledger.alerts.match import Match

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 10.0
MAX_ERRORS_KEPT = 20


@dataclass(slots=True)
class Delivery:
    """What delivering a cycle's matches did."""

    matches: int = 0
    written: int = 0
    posted: int = 0
    webhook_failures: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Delivery) -> None:
        """Add up another delivery's counts (and its errors, MAX_ERRORS_KEPT at most)."""
        self.matches += other.matches
        self.written += other.written
        self.posted += other.posted
        self.webhook_failures += other.webhook_failures
        self.errors.extend(other.errors[: max(0, MAX_ERRORS_KEPT - len(self.errors))])

    def line(self) -> str:
        failures = f" ({self.webhook_failures} webhook failures)" if self.webhook_failures else ""
        return f"{self.matches} alerts{failures}"


def alert_record(match: Match, *, at: datetime | None = None) -> dict[str, Any]:
    """The JSON object of one alert: the match, and when it was raised."""
    when = (at or datetime.now(UTC)).isoformat(timespec="seconds")
    return {"alert": "threatledger.match", "at": when, **match.to_dict()}


def deliver(
    matches: Iterable[Match], *, stdout: IO[str] | None = None, timeout: float = WEBHOOK_TIMEOUT
) -> Delivery:
    """Write each match as a JSON line (rule's ``out`` file, else ``stdout``) and POST it to its webhook.

    The HTTP client is made only for the first match with a webhook (a run with no match costs nothing)."""
    report = Delivery()
    with contextlib.ExitStack() as stack:
        client: httpx.Client | None = None
        for match in matches:
            record = alert_record(match)
            report.matches += 1
            _write_line(record, match.rule.out, stdout or sys.stdout)
            report.written += 1
            if match.rule.webhook:
                if client is None:
                    client = stack.enter_context(
                        httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False)
                    )
                _post(client, match.rule.webhook, record, report)
    return report


def _write_line(record: dict[str, Any], out: str | None, stdout: IO[str]) -> None:
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    if out is None or out == "-":
        stdout.write(line)
        stdout.flush()
        return
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)


def _post(client: httpx.Client, url: str, record: dict[str, Any], report: Delivery) -> None:
    try:
        response = client.post(url, json=record)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        report.webhook_failures += 1
        message = f"webhook {url} failed: {type(exc).__name__}: {exc}"
        logger.warning("%s", message)
        report.errors.append(message)
        return
    report.posted += 1
