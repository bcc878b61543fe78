"""Opening the app makes the day's local backup in the background (首选项: how many to keep)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from mediator.gui.settings import BACKUP_KEEP, Preferences
from mediator.gui.workspace import Workspace
from mediator.services.backup.daily import backups_folder
from tests.gui.conftest import DEMO_TODAY


def test_opening_the_work_database_backs_it_up_once_a_day(
    qtbot: QtBot, tmp_path: Path, qsettings: QSettings
) -> None:
    Preferences(qsettings).set(BACKUP_KEEP, 5)
    space = Workspace(
        qsettings,
        work_url=f"sqlite:///{tmp_path / 'work.db'}",
        demo_url=f"sqlite:///{tmp_path / 'demo.db'}",
        today=lambda: DEMO_TODAY,
    )
    window = space.open_work()
    try:
        qtbot.waitExposed(window)
        expected = backups_folder() / f"mediator-{DEMO_TODAY.isoformat()}.backup"
        qtbot.waitUntil(expected.exists, timeout=20_000)
        qtbot.waitUntil(lambda: "自动备份" in window.statusBar().currentMessage(), timeout=20_000)
    finally:
        window.close()
        space.close()
