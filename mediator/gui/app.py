"""Start the GUI: application, fonts, language, error hooks, the workspace (work database or demo).

``MEDIATOR_EXIT_AFTER_SHOWN=1`` makes the app print ``shown_after: X s`` (time since the process
started) and quit right after the main window's first paint: the cold-start benchmark uses it.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

log = logging.getLogger("mediator.gui")

EXIT_AFTER_SHOWN = "MEDIATOR_EXIT_AFTER_SHOWN"


def _process_age() -> float:
    """Seconds since this process started (Linux: /proc; elsewhere since this module loaded)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _LOADED


_LOADED = time.perf_counter()


def install_qt_translations(app: Any) -> bool:
    """Qt's own strings (OK/Cancel/Close, the file and print dialogs) in the interface language:
    without Qt's catalog the standard buttons stay English in a Chinese window."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    from mediator.i18n import current_language

    language = current_language()
    if not language.startswith("zh"):
        return False
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load("qtbase_zh_CN", folder):
        log.warning("Qt's Chinese catalog not found in %s", folder)
        return False
    app.installTranslator(translator)
    return True


def run_gui(db_url: str | None = None) -> int:
    """Open the main window on ``db_url`` (default: the local SQLite file); returns the exit code."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from mediator.errors import EnvironmentProblem, UserError
    from mediator.gui.errors import install_error_hooks, show_error
    from mediator.gui.fonts import ensure_cjk_font
    from mediator.gui.settings import LANGUAGE, Preferences, open_qsettings
    from mediator.i18n import DEFAULT_LANGUAGE, _, current_language, set_language

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("mediator")
    app.setOrganizationName("mediator")
    install_error_hooks()
    ensure_cjk_font(app)
    qsettings = open_qsettings()
    # --lang and MEDIATOR_LANG win over the saved preference (the language applies at start-up).
    if current_language() == DEFAULT_LANGUAGE and not os.environ.get("MEDIATOR_LANG"):
        set_language(Preferences(qsettings).get(LANGUAGE))
    install_qt_translations(app)
    app.setApplicationDisplayName(_("调解案件管理"))

    from mediator.gui.settings import DATABASE_URL
    from mediator.gui.workspace import Workspace

    # --db and MEDIATOR_DB win over the team database saved in 首选项; else the local file.
    work_url = db_url or os.environ.get("MEDIATOR_DB") or Preferences(qsettings).get(DATABASE_URL) or None
    workspace = Workspace(qsettings, work_url=work_url)
    try:
        window = workspace.open_work()
    except (UserError, EnvironmentProblem) as exc:
        box = show_error(None, exc)
        if box is not None:
            box.exec()
        return 3 if isinstance(exc, EnvironmentProblem) else 2

    exit_after_shown = os.environ.get(EXIT_AFTER_SHOWN) == "1"

    class _FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                elapsed = _process_age()
                log.info("main window painted %.3f s after process start", elapsed)
                if exit_after_shown:
                    print(f"shown_after: {elapsed:.3f} s", flush=True)
                    QTimer.singleShot(0, app.quit)
            return False

    first_paint = _FirstPaint(window)
    window.installEventFilter(first_paint)
    try:
        return app.exec()
    finally:
        workspace.close()
