"""Progress and cancellation shared by a long job and whoever watches it (CLI or GUI).

The job calls ``update`` and ``check`` between rows; the watcher reads ``snapshot`` (the GUI polls
it with a QTimer) and may call ``cancel``. Thread-safe; no Qt.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from mediator.errors import Cancelled


@dataclass(frozen=True)
class ProgressSnapshot:
    done: int
    total: int | None
    message: str
    cancelled: bool

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


class Progress:
    """A job's progress counter and cancel flag."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = 0
        self._total: int | None = None
        self._message = ""
        self._cancel = threading.Event()

    def update(self, done: int, total: int | None = None, message: str | None = None) -> None:
        with self._lock:
            self._done = done
            if total is not None:
                self._total = total
            if message is not None:
                self._message = message

    def advance(self, step: int = 1) -> None:
        with self._lock:
            self._done += step

    def snapshot(self) -> ProgressSnapshot:
        with self._lock:
            return ProgressSnapshot(self._done, self._total, self._message, self._cancel.is_set())

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if the user asked to stop; call it between units of work."""
        if self._cancel.is_set():
            raise Cancelled()


def null_progress() -> Progress:
    """A progress nobody watches (for callers that do not care)."""
    return Progress()
