"""The contact round in the window: the reminders dock (overdue first, in red), the 联系 menu's SMS
list, proposals and the batch close-out (refusal included); the dashboard's reach rates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from mediator.errors import UserError
from mediator.gui import errors as gui_errors
from mediator.gui.style import WARNING_RED
from mediator.store.database import Database
from mediator.store.tables import BatchRow, ContactAttemptRow


def _wait(qtbot: QtBot, window: Any) -> None:
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)


def _select_batch(window: Any, number: int) -> None:
    from mediator.gui.main_window import BATCHES_TAB

    window.form.tabs.setCurrentIndex(BATCHES_TAB)
    for row in range(window.batch_model.rowCount()):
        if window.batch_model.batch(row).number == number:
            window.form.batchTable.selectRow(row)
            return
    raise AssertionError(f"no batch {number}")


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: messages.append(text))
    return messages


def test_reminders_show_overdue_first_in_red(qtbot: QtBot, main_window: Any) -> None:
    window = main_window
    panel = window.contact_round.reminders
    assert panel.isVisible() and panel.data is not None
    tree = panel.tree
    assert tree.topLevelItemCount() == len(panel.data.entries) > 0
    left = [panel.data.entries[i].days_left for i in range(tree.topLevelItemCount())]
    overdue = [days for days in left if days < 0]
    assert overdue and left[: len(overdue)] == overdue  # overdue lines come first
    first = tree.topLevelItem(0)
    assert first.text(1).startswith("逾期") and first.foreground(3).color() == WARNING_RED
    soon = next(i for i, days in enumerate(left) if days >= 0)
    assert tree.topLevelItem(soon).foreground(3).color() != WARNING_RED
    assert "已逾期" in panel.counts.text()
    panel.case_activated.emit(first.text(3))
    assert window.form.filterEdit.text() == first.text(3)
    _wait(qtbot, window)
    assert window.form.tabs.currentIndex() == 1


def test_reminders_list_the_most_urgent_only_when_there_are_many(
    main_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A representative action can have tens of thousands of cases past one term: the panel lists
    # the most urgent and says where the full list is.
    import mediator.gui.contact_round as contact_round

    panel = main_window.contact_round.reminders
    assert panel.data is not None and len(panel.data.entries) > 2
    monkeypatch.setattr(contact_round, "SHOWN_REMINDERS", 2)
    panel.show_due(panel.data)
    assert panel.tree.topLevelItemCount() == 2
    assert panel.tree.topLevelItem(0).text(3) == panel.data.entries[0].case_number
    assert "仅列出最紧急的 2 项" in panel.counts.text()


def test_sms_list_from_the_menu(
    qtbot: QtBot,
    main_window: Any,
    demo_database: Database,
    tmp_path: Path,
    told: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mediator.gui.contact_round import SmsDateDialog

    window = main_window
    out = tmp_path / "名单"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(out), ""))
    shown: list[str] = []

    def pick_a_day(dialog: SmsDateDialog) -> int:
        shown.append(dialog.date_edit.text())  # the default until the user picks a day
        dialog.set_day(date(2025, 6, 20))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(SmsDateDialog, "exec", pick_a_day)
    _select_batch(window, 14)
    with demo_database.session() as session:
        before = session.scalar(select(func.count()).select_from(ContactAttemptRow))
    window.contact_round.sms_action.trigger()
    _wait(qtbot, window)
    assert (tmp_path / "名单.xlsx").is_file()
    assert told and "第14批短信通知名单已写入" in told[-1]
    assert shown == ["默认：三天后的第一个工作日"]
    rows = CalamineWorkbook.from_path(str(tmp_path / "名单.xlsx")).get_sheet_by_index(0).to_python()
    assert all("6月20日" in row[4] for row in rows[1:]), rows[1]
    with demo_database.session() as session:
        sent = session.scalar(select(func.count()).where(ContactAttemptRow.outcome == "sent"))
        after = session.scalar(select(func.count()).select_from(ContactAttemptRow))
    assert sent and after == before + sent


def test_closing_a_batch_refused_then_done(
    qtbot: QtBot, main_window: Any, demo_database: Database, told: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    window = main_window
    shown: list[BaseException] = []
    monkeypatch.setattr(gui_errors, "show_error", lambda _parent, exc: shown.append(exc))
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    _select_batch(window, 14)
    window.contact_round.close_action.trigger()
    _wait(qtbot, window)
    assert len(shown) == 1 and isinstance(shown[0], UserError) and "第14批还有" in str(shown[0])
    _select_batch(window, 1)
    window.contact_round.close_action.trigger()
    _wait(qtbot, window)
    assert "第1批已于 2025-06-10 结案" in told[-1]
    with demo_database.session() as session:
        closed = session.scalars(select(BatchRow.number).where(BatchRow.closed_on.is_not(None))).all()  # type: ignore[union-attr]
    assert closed == [1]
    from mediator.gui.batch_list import DAYS_COLUMN

    _wait(qtbot, window)
    row = next(r for r in range(window.batch_model.rowCount()) if window.batch_model.batch(r).number == 1)
    assert window.batch_model.index(row, DAYS_COLUMN).data() == "已结案（2025-06-10）"


def test_proposals_and_reach_rates(qtbot: QtBot, main_window: Any, told: list[str]) -> None:
    from mediator.gui.main_window import DASHBOARD_TAB

    window = main_window
    window.contact_round.proposals_action.trigger()
    _wait(qtbot, window)
    assert told[-1].startswith("规则：3 次回访未接通、历时 7 天以上。")
    window.form.tabs.setCurrentIndex(DASHBOARD_TAB)
    _wait(qtbot, window)
    tree = window.dashboard.reach_tree
    assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == ["按批次", "按调解员"]
    batches = tree.topLevelItem(0)
    assert batches.childCount() == 14 and batches.child(0).text(0) == "第14批"
    assert batches.child(0).text(4).endswith("%")
