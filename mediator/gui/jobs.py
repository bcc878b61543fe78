"""One way to run long work off the GUI thread (after Anki's QueryOp and Picard's util/thread.py).

``run_job(parent, op, title=..., on_success=...)`` runs ``op(progress)`` in a worker thread, shows a
progress dialog fed by polling ``progress.snapshot()`` with a QTimer, and calls ``on_success(result)``
or ``on_failure(exc)`` back on the GUI thread. The worker never touches a widget: results travel to
the GUI thread through a queued signal. Cancel sets the progress flag; the service raises
``Cancelled`` at its next ``progress.check()`` and a cancelled job shows no error dialog.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from enum import Enum
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QElapsedTimer, QObject, QRunnable, Qt, QThread, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from mediator.errors import Cancelled
from mediator.i18n import _
from mediator.services.progress import Progress
from mediator.store.database import interrupt_yielding_reads, yielding_reads

log = logging.getLogger("mediator.gui.jobs")

T = TypeVar("T")

# How often the dialog reads the job's progress, and how long a job may run before the dialog
# appears (a quick job should not flash a dialog).
POLL_INTERVAL_MS = 100
SHOW_DIALOG_AFTER_MS = 400
# The niceness of the read pool's threads on Linux (0 normal, 19 lowest). Its reads (the reminders,
# the batch list, the status bar's counts: seconds of CPU at a million cases) would otherwise take
# half of a two-core machine's CPU from the GUI thread, which answers keystrokes with its own
# queries: measured at a million cases on SQLite, a filter keystroke took ~3x its time alone.
BACKGROUND_NICE = 10
# A background read stopped for an interactive one (see interactive_read) starts again once no
# interactive read came for this long (the user stopped typing).
QUIET_MS = 1000


class Pool(Enum):
    """Which worker pool a job runs in."""

    # Database writes: ONE thread, so two jobs never write at the same time. SQLite allows a single
    # writer (a second one waits on the lock and may time out), and on PostgreSQL it keeps writes in
    # the order the user asked for them (import a batch, then generate its agreements).
    WRITE = "write"
    # Read-only or CPU work (previews, PDF rendering that hands off to its own process pool). Its
    # threads run at a lower CPU priority than the GUI thread (see BACKGROUND_NICE).
    READ = "read"


_pools: dict[Pool, QThreadPool] = {}


def _pool(kind: Pool) -> QThreadPool:
    pool = _pools.get(kind)
    if pool is None:
        pool = QThreadPool()
        pool.setMaxThreadCount(
            1 if kind is Pool.WRITE else max(2, QThreadPool.globalInstance().maxThreadCount())
        )
        _pools[kind] = pool
    return pool


def wait_for_all_jobs(timeout_ms: int = 30_000) -> bool:
    """Block until every worker has finished (used at application exit and in tests)."""
    return all(pool.waitForDone(timeout_ms) for pool in _pools.values())


class _Relay(QObject):
    """Lives in the GUI thread; the worker emits these, Qt queues them to the GUI thread."""

    succeeded = Signal(object)
    failed = Signal(object)


def _yield_cpu_to_gui() -> None:
    """Lower the calling worker thread's CPU priority below the GUI thread's (for good: a thread
    of the read pool only ever runs background work, and an unprivileged process may not raise a
    priority again)."""
    if sys.platform.startswith("linux"):
        # Qt's thread priorities do nothing under Linux's default scheduler; a thread's niceness does
        # (setpriority with a thread id applies to that thread alone, on Linux only).
        thread_id = threading.get_native_id()
        try:
            if os.getpriority(os.PRIO_PROCESS, thread_id) < BACKGROUND_NICE:
                os.setpriority(os.PRIO_PROCESS, thread_id, BACKGROUND_NICE)
        except OSError as exc:  # not allowed here: the read runs at the normal priority
            log.debug("could not lower a worker's priority: %s", exc)
    else:
        thread = QThread.currentThread()
        if thread.priority() != QThread.Priority.LowPriority:
            thread.setPriority(QThread.Priority.LowPriority)


class _Worker(QRunnable):
    def __init__(
        self, op: Callable[[Progress], Any], progress: Progress, relay: _Relay, *, background: bool
    ) -> None:
        super().__init__()
        self._op = op
        self._progress = progress
        self._relay = relay
        self._background = background
        # Python owns the worker (JobHandle keeps it) so neither side deletes it under the other.
        self.setAutoDelete(False)

    def run(self) -> None:
        if self._background:
            _yield_cpu_to_gui()
        try:
            result = self._op(self._progress)
        except BaseException as exc:
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


class JobHandle(QObject, Generic[T]):
    """A running job: cancel it, watch its progress, wait for ``finished``."""

    # Emitted on the GUI thread after on_success/on_failure ran (or after a cancel).
    finished = Signal()

    def __init__(self, progress: Progress, title: str) -> None:
        super().__init__()
        self.progress = progress
        self.title = title
        self.running = True
        self.result: T | None = None
        self.error: BaseException | None = None
        self.cancelled = False
        # Strong references for the job's lifetime: the relay must outlive the worker's emit.
        self._keep: tuple[object, ...] = ()

    def cancel(self) -> None:
        """Ask the job to stop at its next ``progress.check()``."""
        self.progress.cancel()


# Handles of running jobs: Python would otherwise collect the relay before the worker reports.
_running: set[JobHandle[Any]] = set()


def run_job(
    parent: QWidget | None,
    op: Callable[[Progress], T],
    *,
    title: str,
    on_success: Callable[[T], None],
    on_failure: Callable[[BaseException], None] | None = None,
    cancellable: bool = True,
    pool: Pool = Pool.WRITE,
    show_progress: bool = True,
) -> JobHandle[T]:
    """Run ``op(progress)`` in a worker; report back on the GUI thread.

    ``on_failure`` defaults to ``show_error(parent, exc)``. A job that ends in ``Cancelled`` calls
    neither callback and shows nothing. ``op`` must not touch widgets: it gets plain values and
    returns plain values (open its own database session inside).
    """
    progress = Progress()
    handle: JobHandle[T] = JobHandle(progress, title)
    relay = _Relay()
    dialog = _ProgressWatcher(parent, handle, cancellable) if show_progress else None

    def finish() -> None:
        handle.running = False
        if dialog is not None:
            dialog.close_dialog()
        _running.discard(handle)
        handle.finished.emit()

    def parent_alive() -> bool:
        return parent is None or shiboken6.isValid(parent)

    def succeeded(result: T) -> None:
        handle.result = result
        try:
            if parent_alive():
                on_success(result)
        finally:
            finish()

    def failed(exc: BaseException) -> None:
        handle.error = exc
        try:
            if isinstance(exc, Cancelled):
                handle.cancelled = True
                log.info("job cancelled: %s", title)
            elif parent_alive():
                if on_failure is not None:
                    on_failure(exc)
                else:
                    from mediator.gui.errors import show_error

                    show_error(parent, exc)
        finally:
            finish()

    relay.succeeded.connect(succeeded, Qt.ConnectionType.QueuedConnection)
    relay.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
    worker = _Worker(op, progress, relay, background=pool is Pool.READ)
    handle._keep = (relay, worker)
    _running.add(handle)
    log.info("job started: %s", title)
    _pool(pool).start(worker)
    return handle


class _ProgressWatcher(QObject):
    """Polls the job's progress snapshot and mirrors it in a QProgressDialog (GUI thread only)."""

    def __init__(self, parent: QWidget | None, handle: JobHandle[Any], cancellable: bool) -> None:
        super().__init__()
        self._parent = parent
        self._handle = handle
        self._cancellable = cancellable
        self._dialog: QProgressDialog | None = None
        self._clock = QElapsedTimer()
        self._clock.start()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        # Owned by the handle so it lives exactly as long as the job.
        self.setParent(handle)

    @property
    def dialog(self) -> QProgressDialog | None:
        return self._dialog

    def _make_dialog(self) -> QProgressDialog:
        parent = self._parent if self._parent is not None and shiboken6.isValid(self._parent) else None
        dialog = QProgressDialog(parent)
        dialog.setWindowTitle(self._handle.title)
        dialog.setLabelText(self._handle.title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(360)
        if self._cancellable:
            dialog.setCancelButtonText(_("取消"))
            dialog.canceled.connect(self._cancel)
        else:
            dialog.setCancelButton(None)
        dialog.show()
        return dialog

    def _cancel(self) -> None:
        self._handle.cancel()
        if self._dialog is not None:
            self._dialog.setLabelText(_("正在取消……"))

    def _poll(self) -> None:
        if not self._handle.running:
            return
        if self._parent is not None and not shiboken6.isValid(self._parent):
            # The window that started the job is gone: nobody is left to see its result.
            self._handle.cancel()
            self._timer.stop()
            self._dialog = None
            return
        if self._dialog is None:
            if self._clock.elapsed() < SHOW_DIALOG_AFTER_MS:
                return
            self._dialog = self._make_dialog()
        snap = self._handle.progress.snapshot()
        if snap.total:
            self._dialog.setMaximum(snap.total)
            self._dialog.setValue(min(snap.done, snap.total))
        else:
            self._dialog.setRange(0, 0)  # unknown length: a busy indicator
        if not snap.cancelled:
            text = snap.message or self._handle.title
            if snap.total:
                text += f"\n{snap.done:,} / {snap.total:,}"
            self._dialog.setLabelText(text)

    def close_dialog(self) -> None:
        self._timer.stop()
        if self._dialog is not None and shiboken6.isValid(self._dialog):
            if self._cancellable:
                # QProgressDialog emits canceled when closed: that is not the user cancelling.
                self._dialog.canceled.disconnect(self._cancel)
            self._dialog.close()
            self._dialog.deleteLater()
        self._dialog = None


_last_interactive = 0.0


def interactive_read() -> None:
    """Call before a read the user waits for on the GUI thread (a keystroke in the case filter):
    the Refreshers' reads running now are stopped and run again once the user paused
    (``QUIET_MS``). On PostgreSQL their work is the server's, which no thread priority reaches."""
    global _last_interactive
    _last_interactive = time.monotonic()
    stopped = interrupt_yielding_reads()
    if stopped:
        log.debug("%d background read(s) stopped for an interactive one", stopped)


def _quiet_for_ms() -> float:
    return (time.monotonic() - _last_interactive) * 1000


class _GaveWay(Exception):
    """A Refresher's read was stopped by interactive_read(); it runs again later."""


class Refresher(QObject, Generic[T]):
    """A read that runs off the GUI thread (``Pool.READ``) and whose newest result wins.

    ``request()`` starts ``read()`` in a worker; asked again while it runs, it runs once more after
    it (never two at once), so a burst of refreshes costs two reads, and the last one applied is
    from after the last request. ``apply(result)`` runs on the GUI thread; ``loaded`` is emitted
    after it. A failed read shows the error like any job. Owned by the widget or model it feeds:
    a result landing after its owner is gone is dropped. The read gives way to interactive ones
    (``interactive_read``): stopped, it runs again after them.
    """

    loaded = Signal()

    def __init__(
        self,
        owner: QObject,
        read: Callable[[], T],
        apply: Callable[[T], None],
        *,
        title: str,
        error_parent: Callable[[], QWidget | None] = lambda: None,
    ) -> None:
        super().__init__(owner)
        self._read = read
        self._apply = apply
        self._title = title
        self._error_parent = error_parent
        self.job: JobHandle[T] | None = None
        self._again = False
        # Stopped by an interactive read: waiting for the user to pause before reading again.
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.timeout.connect(self._after_pause)

    @property
    def busy(self) -> bool:
        """A read is running or queued."""
        return self._again or self._quiet.isActive() or (self.job is not None and self.job.running)

    def request(self) -> None:
        if self.job is not None and self.job.running:
            self._again = True
            return
        self._again = False
        self._quiet.stop()
        read = self._read

        def yielding_read(_progress: Progress) -> T:
            with yielding_reads() as background:
                try:
                    return read()
                except Exception as exc:
                    if background.interrupted:
                        raise _GaveWay() from exc
                    raise

        self.job = run_job(
            None,
            yielding_read,
            title=self._title,
            on_success=self._landed,
            on_failure=self._failed,
            pool=Pool.READ,
            cancellable=False,
            show_progress=False,
        )

    def _alive(self) -> bool:
        return shiboken6.isValid(self) and shiboken6.isValid(self.parent())

    def _landed(self, result: T) -> None:
        if not self._alive():
            return
        self._apply(result)
        self.loaded.emit()
        self._next()

    def _failed(self, exc: BaseException) -> None:
        if not self._alive():
            return
        if isinstance(exc, _GaveWay) and not self._again:
            self._quiet.start(max(1, int(QUIET_MS - _quiet_for_ms()) + 1))  # after the job's end
            return
        if isinstance(exc, _GaveWay):  # asked again meanwhile: the newer read runs now
            self._next()
            return
        from mediator.gui.errors import show_error

        show_error(self._error_parent(), exc)
        self._next()

    def _after_pause(self) -> None:
        quiet = _quiet_for_ms()
        if quiet < QUIET_MS:
            self._quiet.start(int(QUIET_MS - quiet) + 1)
        else:
            self.request()

    def _next(self) -> None:
        if self._again:
            # After the finished job has been marked done (run_job does that right after us).
            QTimer.singleShot(0, self.request)
