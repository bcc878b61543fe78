"""Fixtures for the GUI tests: a database with the demo data, isolated QSettings, the main window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from mediator.gui.settings import CONFIRM_TRANSITIONS, USER_NAME, Preferences
from mediator.store.database import Database
from tests.conftest import fill_from_template

# Just after the demo year's last referral (2025-05-13): the newest batch's term has days left.
DEMO_TODAY = date(2025, 6, 10)


@pytest.fixture
def demo_database(database: Database, demo_sqlite_template: Path) -> Database:
    """The demo year in the test's database: a copy of the session's demo load (load_demo is
    deterministic, so every load gives the same rows)."""
    fill_from_template(database, demo_sqlite_template)
    return database


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    settings = QSettings(str(tmp_path / "mediator.ini"), QSettings.Format.IniFormat)
    prefs = Preferences(settings)
    prefs.set(CONFIRM_TRANSITIONS, False)
    prefs.set(USER_NAME, "测试员")
    return settings


@pytest.fixture
def main_window(qtbot: QtBot, demo_database: Database, qsettings: QSettings) -> Iterator[object]:
    from mediator.gui.main_window import MainWindow

    window = MainWindow(demo_database, qsettings, today=lambda: DEMO_TODAY)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    # The batch list, filter choices and counts are read in workers: wait for them.
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    yield window
    from mediator.gui.jobs import wait_for_all_jobs

    wait_for_all_jobs()
