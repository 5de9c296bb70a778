"""A process killed with SIGKILL in the middle of writing a document leaves the store consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledger_factories import arrest_story, charge_story
from threatledger.store.sqlite import SQLiteStore

WRITER = """
import sys, time
from pathlib import Path
sys.path.insert(0, {tests!r})
from ledger_factories import arrest_story, charge_story
import threatledger.store.sql_write as write
from threatledger.store.sqlite import SQLiteStore

store = SQLiteStore({db!r})
store.add_extraction(charge_story())
original = write._insert_arguments

def slow(ctx, event_pk, event):
    original(ctx, event_pk, event)
    Path({marker!r}).write_text("inside")
    time.sleep(60)

write._insert_arguments = slow
store.add_extraction(arrest_story())
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_store_crash_kill_9_mid_ingest_then_resume(tmp_path: Path) -> None:
    db, marker = tmp_path / "ledger.db", tmp_path / "inside"
    script = WRITER.format(tests=str(Path(__file__).parent), db=str(db), marker=str(marker))
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, "the writer died before the kill"
            assert time.monotonic() < deadline, "the writer never reached the middle of the write"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with SQLiteStore(db) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.stats().documents == 1
        assert store.stats().events == 2
        assert not store.has_document(arrest_story().document.content_hash)
        resumed = [store.add_extraction(e) for e in (charge_story(), arrest_story())]
        assert [s.skipped for s in resumed] == [1, 0]
        assert store.stats().events == 3
        assert store.stats().incidents == 1
