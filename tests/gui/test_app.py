"""Starting the app: demo data on an empty database; `mediator --db URL` opens and paints a window."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from mediator.store.database import Database


def test_first_start_on_an_empty_database_loads_the_demo(
    qtbot: QtBot, database: Database, qsettings: QSettings
) -> None:
    from mediator.gui.app import _load_demo_if_empty
    from mediator.gui.main_window import MainWindow

    window = MainWindow(database, qsettings)
    qtbot.addWidget(window)
    assert window.batch_model.rowCount() == 0
    _load_demo_if_empty(window)
    qtbot.waitUntil(lambda: window.batch_model.rowCount() == 14, timeout=20_000)
    assert window.case_model.rowCount() == 200
    assert window.form.batchCombo.count() == 15  # "all" + 14 batches


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
