"""The first start: an empty work database stays empty and the window offers the ways on; the demo
opens in its own database, marked in the title bar and a banner, with one way back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from mediator.demo.marker import database_state
from mediator.gui.main_window import MainWindow
from mediator.gui.workspace import Workspace
from mediator.store.database import open_database
from tests.gui.conftest import DEMO_TODAY


def _cases(url: str) -> int:
    database = open_database(url)
    try:
        return database_state(database).cases
    finally:
        database.dispose()


@pytest.fixture
def workspace(qtbot: QtBot, tmp_path: Path, qsettings: QSettings) -> Iterator[Workspace]:
    space = Workspace(
        qsettings,
        work_url=f"sqlite:///{tmp_path / 'work.db'}",
        demo_url=f"sqlite:///{tmp_path / 'demo.db'}",
        today=lambda: DEMO_TODAY,
    )
    window = space.open_work()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    yield space
    if space.window is not None:
        space.window.close()
    space.close()


def _settled(qtbot: QtBot, space: Workspace) -> MainWindow:
    qtbot.waitUntil(lambda: space.job is None or not space.job.running, timeout=60_000)
    window = space.window
    assert window is not None
    qtbot.waitUntil(lambda: not window.loading and window.first_start.state is not None, timeout=20_000)
    return window


def test_an_empty_work_database_offers_the_first_steps_and_stays_empty(
    qtbot: QtBot, workspace: Workspace
) -> None:
    window = _settled(qtbot, workspace)
    welcome = window.first_start.welcome
    assert welcome.isVisible() and not window.form.tabs.isVisible()
    texts = [b.text() for b in (welcome.import_button, welcome.connect_button, welcome.demo_button)]
    assert texts == ["导入法院委派清单…", "连接团队数据库…", "先看看演示数据"]
    assert not window.first_start.banner.isVisible()
    assert "演示" not in window.windowTitle()
    assert _cases(workspace.work_url or "") == 0


def test_the_demo_opens_in_its_own_database_and_the_banner_leads_back(
    qtbot: QtBot, workspace: Workspace
) -> None:
    first = _settled(qtbot, workspace)
    first.first_start.welcome.demo_button.click()
    window = _settled(qtbot, workspace)
    assert window is not first
    assert window.first_start.banner.isVisible() and window.form.tabs.isVisible()
    assert window.windowTitle().startswith("【演示】")
    assert window.first_start.switch_action.text() == "返回工作数据库"
    qtbot.waitUntil(lambda: window.batch_model.rowCount() == 14, timeout=10_000)
    assert _cases(workspace.demo_url) == 645
    assert _cases(workspace.work_url or "") == 0  # the work database never receives demo rows

    window.first_start.banner.back_button.click()
    back = _settled(qtbot, workspace)
    assert back.first_start.welcome.isVisible() and not back.first_start.banner.isVisible()
    assert "work.db" in back.database.url

    # The second visit opens the demo as it was left, without loading it again.
    back.first_start.switch_action.trigger()
    again = _settled(qtbot, workspace)
    assert again.first_start.state is not None and again.first_start.state.is_demo
    assert _cases(workspace.demo_url) == 645


def test_import_from_the_welcome_page_opens_the_import_dialog(qtbot: QtBot, workspace: Workspace) -> None:
    window = _settled(qtbot, workspace)
    window.first_start.welcome.import_button.click()
    from mediator.gui.import_dialog import ImportDialog

    dialogs = [d for d in window.findChildren(ImportDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].reject()


def test_connect_to_a_team_database_through_the_preferences(
    qtbot: QtBot, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _settled(qtbot, workspace)
    team_url = f"sqlite:///{tmp_path / 'team.db'}"

    def fill_in(dialog: Any) -> int:
        editor = dialog.editors["database_url"]
        assert isinstance(editor, QLineEdit)
        editor.setText(team_url)
        dialog.accept()
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(window, "exec_dialog", fill_in)
    window.first_start.welcome.connect_button.click()
    team = _settled(qtbot, workspace)
    assert team is not window and "team.db" in team.database.url
    assert workspace.work_url == team_url


def test_an_unreachable_team_database_keeps_the_window(
    qtbot: QtBot, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _settled(qtbot, workspace)
    shown: list[str] = []
    monkeypatch.setattr("mediator.gui.workspace.show_error", lambda _parent, exc: shown.append(str(exc)))
    workspace.open_url(f"sqlite:///{tmp_path / 'nowhere' / 'team.db'}")
    assert workspace.window is window and shown and "nowhere" in shown[0]


def test_importing_into_the_demo_offers_the_way_back_first(
    qtbot: QtBot, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from mediator.gui.import_dialog import ImportDialog

    _settled(qtbot, workspace).first_start.welcome.demo_button.click()
    demo = _settled(qtbot, workspace)
    asked: list[str] = []

    def choose_back(box: Any) -> int:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        [back] = [b for b in box.buttons() if b.text() == "返回工作数据库"]
        back.click()
        return 0

    monkeypatch.setattr(demo, "exec_dialog", choose_back)
    demo.form.actionImport.trigger()
    assert asked and "演示数据库" in asked[0]
    assert not [d for d in demo.findChildren(ImportDialog) if d.isVisible()]
    work = _settled(qtbot, workspace)
    assert work is not demo and work.first_start.welcome.isVisible()
