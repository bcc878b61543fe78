"""Starting the app: an empty database stays empty; `mediator --db URL` opens and paints a window."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from mediator.store.database import Database


def test_first_start_leaves_the_work_database_empty(
    qtbot: QtBot, database: Database, qsettings: QSettings
) -> None:
    from mediator.demo.marker import database_state
    from mediator.gui.main_window import MainWindow

    window = MainWindow(database, qsettings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.first_start.state is not None and not window.loading, timeout=10_000)
    assert window.first_start.welcome.isVisible()
    assert window.batch_model.rowCount() == 0
    state = database_state(database)
    assert state.cases == 0 and not state.is_demo


def test_mediator_command_opens_the_main_window(sqlite_url: str) -> None:
    env = dict(os.environ, MEDIATOR_EXIT_AFTER_SHOWN="1", QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "mediator.cli", "--db", sqlite_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("shown_after: ")
    assert float(result.stdout.split()[1]) > 0
