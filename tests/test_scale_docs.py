"""docs/scale.md covers the scale commands: every option of batch, load, watch and alert is explained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from threatledger.cli.main import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "scale.md"
COMMANDS = [["batch"], ["load"], ["watch"], ["alert", "add"], ["alert", "list"], ["alert", "remove"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_scale_docs_explain_every_option(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    options = set(re.findall(r"(?m)^\s+(--[a-z][a-z-]+)", capsys.readouterr().out)) - {"--help"}
    text = DOC.read_text(encoding="utf-8")
    assert f"threatledger {' '.join(command)}" in text
    assert sorted(o for o in options if o not in text) == []


def test_scale_docs_give_the_pins() -> None:
    text = DOC.read_text(encoding="utf-8")
    for pin in ("ray[data]==2.60.0", "pyarrow==26.0.1", "feedparser==6.0.14"):
        assert pin in text
