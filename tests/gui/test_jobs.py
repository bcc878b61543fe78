"""The one op API: the event loop keeps running during a job, results come back, cancel is quiet."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from mediator.errors import UserError
from mediator.gui import jobs
from mediator.services.progress import Progress


def _slow(progress: Progress, steps: int = 40) -> int:
    progress.update(0, steps, "working")
    for i in range(steps):
        progress.check()
        time.sleep(0.01)
        progress.update(i + 1)
    return threading.get_ident()


def test_event_loop_keeps_ticking_during_a_long_job(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    results: list[int] = []
    handle = jobs.run_job(parent, _slow, title="slow", on_success=results.append)
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    timer.stop()
    # The job ran in another thread and took ~400 ms; a blocked GUI thread would tick once or twice.
    assert results and results[0] != threading.get_ident()
    assert len(ticks) >= 15
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.2


def test_progress_dialog_shows_and_cancel_is_silent(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    called: list[object] = []
    handle = jobs.run_job(
        parent,
        lambda p: _slow(p, steps=500),
        title="long",
        on_success=called.append,
        on_failure=called.append,
    )
    watcher = handle.findChild(jobs._ProgressWatcher)
    qtbot.waitUntil(lambda: watcher.dialog is not None and watcher.dialog.value() > 0, timeout=3000)
    assert watcher.dialog.maximum() == 500
    cancel_button = watcher.dialog.findChild(QPushButton)
    assert cancel_button.text() == "取消"
    with qtbot.waitSignal(handle.finished, timeout=3000):
        qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    assert handle.cancelled
    assert called == []  # neither success nor an error dialog


def test_failure_goes_to_on_failure_on_the_gui_thread(qtbot: QtBot) -> None:
    def broken(progress: Progress) -> None:
        raise UserError("第15批不存在。")

    seen: list[tuple[str, int]] = []
    handle = jobs.run_job(
        None,
        broken,
        title="broken",
        on_success=lambda _r: None,
        on_failure=lambda exc: seen.append((str(exc), threading.get_ident())),
    )
    with qtbot.waitSignal(handle.finished, timeout=3000):
        pass
    assert seen == [("第15批不存在。", threading.get_ident())]


def test_default_failure_shows_the_sentence(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from mediator.gui import errors

    shown: list[BaseException] = []
    monkeypatch.setattr(errors, "show_error", lambda parent, exc: shown.append(exc))

    def broken(progress: Progress) -> None:
        raise UserError("金额无效。")

    handle = jobs.run_job(None, broken, title="x", on_success=lambda _r: None)
    with qtbot.waitSignal(handle.finished, timeout=3000):
        pass
    assert [str(e) for e in shown] == ["金额无效。"]


def test_write_jobs_run_one_at_a_time(qtbot: QtBot) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def op(progress: Progress) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1

    handles = [jobs.run_job(None, op, title="w", on_success=lambda _r: None) for _ in range(3)]
    qtbot.waitUntil(lambda: not any(h.running for h in handles), timeout=3000)
    assert peak == 1
