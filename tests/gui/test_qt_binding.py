"""The Qt binding itself must not corrupt Python's reference counts.

PySide6 6.12.0 drops a reference to ``True`` on every ``Signal.emit()`` made from Python. On
Python 3.11, where ``True`` is not immortal, a long working day of progress updates and job
results ends with "Fatal Python error: bool_dealloc" and the app aborts. pyproject.toml keeps
PySide6 below 6.12; this test fails if a binding with such a leak is installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Qt, Signal
from pytestqt.qtbot import QtBot


class _Relay(QObject):
    value = Signal(object)


def test_emitting_signals_keeps_reference_counts(qtbot: QtBot) -> None:
    relay = _Relay()
    received: list[object] = []
    relay.value.connect(received.append, Qt.ConnectionType.QueuedConnection)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for number in range(500):
        relay.value.emit(number)
    qtbot.waitUntil(lambda: len(received) == 500)
    # A few references may come and go with the event loop; a leak costs one per emit.
    assert abs(sys.getrefcount(True) - true_before) < 50
    assert abs(sys.getrefcount(None) - none_before) < 50
