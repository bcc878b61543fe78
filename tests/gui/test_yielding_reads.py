"""Background reads give way to the case table's keystrokes: a Refresher's running read is stopped
(its statement interrupted, its next one refused) and read again once the user paused; a read
outside ``yielding_reads`` is never touched. Read pool threads run at a lower CPU priority."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from mediator.gui import jobs
from mediator.store.database import (
    Database,
    ReadInterrupted,
    interrupt_yielding_reads,
    yielding_reads,
)

# A minute of work unless interrupted.
SLOW = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
    "SELECT count(*) FROM n"
)
SLOW_PG = text("SELECT pg_sleep(60)")


def test_a_yielding_read_is_stopped_and_an_interactive_one_is_not(any_database: Database) -> None:
    database = any_database
    slow = SLOW if database.is_sqlite else SLOW_PG
    running = threading.Event()
    outcome: dict[str, object] = {}

    def background() -> None:
        with yielding_reads() as read, database.session() as session:
            session.execute(text("SELECT 1"))  # holds its connection from here
            running.set()
            try:
                session.execute(slow)
                outcome["error"] = None
            except Exception as exc:
                outcome["error"] = exc
            try:
                session.execute(text("SELECT 2"))
            except ReadInterrupted:
                outcome["next refused"] = True
            outcome["interrupted"] = read.interrupted

    thread = threading.Thread(target=background)
    thread.start()
    assert running.wait(5)
    time.sleep(0.05)
    started = time.monotonic()
    assert interrupt_yielding_reads() == 1
    with database.session() as session:  # this thread's reads are not background reads
        assert session.execute(text("SELECT 3")).scalar() == 3
    thread.join(10)
    assert time.monotonic() - started < 5
    assert "interrupted" in str(outcome["error"]) or "canceling statement" in str(outcome["error"])
    assert outcome["next refused"] is True and outcome["interrupted"] is True
    assert interrupt_yielding_reads() == 0  # the read has ended


def test_a_refresher_gives_way_and_reads_again_after_the_pause(
    qtbot: QtBot, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "QUIET_MS", 100)
    owner = QObject()
    running = threading.Event()
    calls: list[int] = []

    def read() -> int:
        calls.append(len(calls))
        with database.session() as session:
            session.execute(text("SELECT 1"))
            running.set()
            return int(session.execute(SLOW if len(calls) == 1 else text("SELECT 42")).scalar() or 0)

    landed: list[int] = []
    refresher = jobs.Refresher(owner, read, landed.append, title="slow read")
    refresher.request()
    assert running.wait(5)
    time.sleep(0.05)
    jobs.interactive_read()
    qtbot.waitUntil(lambda: landed == [42], timeout=10_000)  # read again, no error shown
    assert calls == [0, 1]
    assert not refresher.busy


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread niceness is Linux's")
def test_read_pool_threads_run_below_the_gui_thread(qtbot: QtBot) -> None:
    def niceness(_progress: object) -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    handle = jobs.run_job(None, niceness, title="nice", on_success=lambda _n: None, pool=jobs.Pool.READ)
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    assert handle.result is not None
    assert handle.result >= jobs.BACKGROUND_NICE
