"""Which database the window shows: the work database (the local file or the team's server) or
the demo, which lives in a database of its own (demo/marker.py) and never in the work database.

Switching opens the other database and replaces the main window with one on it (the window's
collaborators all hold their database; a fresh window is simpler and safer than rewiring them).
The demo is loaded into its own file the first time it is opened, as a write job with progress.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QObject, QSettings, QTimer

from mediator.demo.first_year import DemoResult, load_demo_into
from mediator.demo.marker import demo_database_url
from mediator.domain.clock import china_today
from mediator.gui.errors import show_error
from mediator.gui.jobs import JobHandle, Pool, run_job, wait_for_all_jobs
from mediator.gui.main_window import MainWindow
from mediator.gui.settings import BACKUP_KEEP, Preferences
from mediator.i18n import _
from mediator.services.backup.daily import DailyBackup, daily_backup
from mediator.store.database import Database, open_database

log = logging.getLogger("mediator.gui")


class Workspace(QObject):
    """Owns the open database and the main window on it; opens the demo and goes back."""

    def __init__(
        self,
        qsettings: QSettings,
        *,
        work_url: str | None = None,
        demo_url: str | None = None,
        today: Callable[[], date] = china_today,
    ) -> None:
        super().__init__()
        self.qsettings = qsettings
        self.work_url = work_url  # None: the default SQLite file in the user-data folder
        self.demo_url = demo_url or demo_database_url()
        self._today = today
        self.database: Database | None = None
        self.window: MainWindow | None = None
        self.job: JobHandle[DemoResult | None] | None = None

    def open_work(self) -> MainWindow:
        """Open the work database and show the window on it. Raises what ``open_database`` raises."""
        window = self._show(open_database(self.work_url, index_search=False))
        self.back_up_daily()
        return window

    def back_up_daily(self) -> JobHandle[DailyBackup | None] | None:
        """Today's local copy of the work database, in the background (首选项: how many to keep)."""
        if self.database is None or self.window is None:
            return None
        database, keep = self.database, Preferences(self.qsettings).get(BACKUP_KEEP)

        def done(result: DailyBackup | None) -> None:
            if result is not None and result.path is not None and self.window is not None:
                self.window.statusBar().showMessage(result.summary(), 10_000)

        def failed(exc: BaseException) -> None:
            # A backup that could not be made must not stop the work: say so in the status bar.
            log.warning("daily backup failed: %s", type(exc).__name__)
            if self.window is not None:
                message = _("今天的自动备份未能完成：{reason}").format(reason=exc)
                self.window.statusBar().showMessage(message, 20_000)

        return run_job(
            self.window,
            lambda progress: daily_backup(database, keep=keep, today=self._today(), progress=progress),
            title=_("自动备份"),
            on_success=done,
            on_failure=failed,
            cancellable=False,
            pool=Pool.READ,
            show_progress=False,
        )

    def open_url(self, url: str) -> None:
        """The work database at a new address (首选项 → 团队数据库地址); kept as it was if unreachable."""
        try:
            database = open_database(url or None, index_search=False)
        except Exception as exc:
            show_error(self.window, exc)
            return
        self.work_url = url or None
        self._show(database)

    def go_to_work(self) -> None:
        """The demo banner's "返回工作数据库"."""
        try:
            database = open_database(self.work_url, index_search=False)
        except Exception as exc:
            show_error(self.window, exc)
            return
        self._show(database)

    def open_demo(self) -> JobHandle[DemoResult | None] | None:
        """Open the demo database, loading the demo into it the first time (a write job)."""
        try:
            database = open_database(self.demo_url, index_search=False)
        except Exception as exc:
            show_error(self.window, exc)
            return None

        def loaded(result: DemoResult | None) -> None:
            window = self._show(database)
            if result is not None:
                log.info("demo database filled")
                window.statusBar().showMessage(result.summary(), 10_000)

        def failed(exc: BaseException) -> None:
            database.dispose()
            show_error(self.window, exc)

        self.job = run_job(
            self.window,
            lambda progress: load_demo_into(database, only_if_empty=True, progress=progress),
            title=_("载入演示数据"),
            on_success=loaded,
            on_failure=failed,
            pool=Pool.WRITE,
        )
        return self.job

    def _show(self, database: Database) -> MainWindow:
        old_window, old_database = self.window, self.database
        if old_window is not None:
            old_window.save_state()  # the new window opens where the old one was
        window = MainWindow(database, self.qsettings, today=self._today)
        first_start = window.first_start
        first_start.demo_requested.connect(self.open_demo)
        first_start.work_requested.connect(self.go_to_work)
        first_start.database_url_changed.connect(self.open_url)
        self.window, self.database = window, database
        window.show()
        # After a big import the search index lags (the filter is then slower, never wrong):
        # catch it up as a background write instead of delaying the window.
        run_job(
            window,
            lambda _progress: database.catch_up_search(),
            title=_("更新搜索索引"),
            on_success=lambda _indexed: None,
            cancellable=False,
            show_progress=False,
        )
        if old_window is not None:
            old_window.close()
            old_window.deleteLater()
        if old_database is not None:
            # Reads of the old window may still run: let them end before its engine goes.
            QTimer.singleShot(0, lambda: self._dispose(old_database))
        return window

    @staticmethod
    def _dispose(database: Database) -> None:
        wait_for_all_jobs()
        database.dispose()

    def close(self) -> None:
        """At exit: wait for the jobs, close the database."""
        wait_for_all_jobs()
        if self.database is not None:
            self.database.dispose()
            self.database = None
