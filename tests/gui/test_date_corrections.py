"""Case detail: a late JC application asks for its reason and shows as late; 更正日期… corrects a
mistyped step date everywhere it shows, with a reason, and refuses a date out of order."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from mediator.gui.confirmation_dialog import ConfirmationDialog
from mediator.gui.correct_date_dialog import CorrectDateDialog
from mediator.services.cases.lists import case_confirmation, case_detail
from mediator.store.database import Database
from tests.gui.test_case_confirmation import panel_for, signed_case


def test_a_late_application_asks_why_and_shows_as_late(
    qtbot: QtBot, database: Database, qsettings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = signed_case(database, date(2025, 9, 1))  # window ends 2025-10-09
    panel = panel_for(qtbot, database, qsettings, date(2025, 10, 30))
    panel.show_case(fixture.case_ids[0])

    def fill_in(dialog: QDialog) -> int:
        assert isinstance(dialog, ConfirmationDialog)
        dialog.applied_edit.setDate(QDate(2025, 10, 20))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(panel, "exec_dialog", fill_in)
    asked: list[date] = []
    monkeypatch.setattr(panel, "ask_late_reason", lambda end: asked.append(end))  # cancelled
    assert panel.record_confirmation() is None
    assert asked == [date(2025, 10, 9)]
    assert case_confirmation(database, fixture.case_ids[0]).application_date is None

    monkeypatch.setattr(panel, "ask_late_reason", lambda end: "投资者住院")
    job = panel.record_confirmation()
    assert job is not None
    qtbot.waitUntil(lambda: not job.running, timeout=30_000)
    f = panel.form
    assert f.appliedValue.text() == "2025-10-20（逾期申请：投资者住院）"
    assert "#c62828" in f.appliedValue.styleSheet()


def test_correct_date_updates_the_case_and_its_confirmation_record(
    qtbot: QtBot, database: Database, qsettings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediator.services.documents.confirmation import record_confirmation

    fixture = signed_case(database, date(2025, 9, 1))
    record_confirmation(database, fixture.case_numbers[0], applied=date(2025, 9, 30), actor="t")
    panel = panel_for(qtbot, database, qsettings, date(2025, 10, 30))
    panel.show_case(fixture.case_ids[0])
    assert panel.correct_date_button.isEnabled()
    seen: dict[str, object] = {}

    def fill_in(dialog: QDialog) -> int:
        assert isinstance(dialog, CorrectDateDialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen["step"] = dialog.step_combo.currentText()
        seen["no_reason"] = ok.isEnabled()
        dialog.date_edit.setDate(QDate(2025, 9, 3))
        dialog.reason_edit.setText("录入时把3日误作30日")
        seen["ok"] = ok.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(panel, "exec_dialog", fill_in)
    changed: list[int] = []
    panel.case_changed.connect(changed.append)
    job = panel.correct_date()
    assert job is not None
    qtbot.waitUntil(lambda: not job.running, timeout=30_000)
    assert seen == {"step": "已申请司法确认（2025-09-30）", "no_reason": False, "ok": True}
    assert panel.form.appliedValue.text() == "2025-09-03"
    assert case_detail(database, fixture.case_ids[0]).step_dates[
        next(
            s
            for s in case_detail(database, fixture.case_ids[0]).step_dates
            if s.value == "confirmation_applied"
        )
    ] == date(2025, 9, 3)
    assert changed == [fixture.case_ids[0]]
    history = [
        panel.form.historyTree.topLevelItem(i).text(2)
        for i in range(panel.form.historyTree.topLevelItemCount())
    ]
    assert any("录入时把3日误作30日" in line for line in history), history

    # A date before the previous step is refused with the service's sentence; nothing changes.
    def too_early(dialog: QDialog) -> int:
        assert isinstance(dialog, CorrectDateDialog)
        dialog.date_edit.setDate(QDate(2025, 8, 1))
        dialog.reason_edit.setText("x")
        return QDialog.DialogCode.Accepted

    errors: list[str] = []
    monkeypatch.setattr(panel, "exec_dialog", too_early)
    monkeypatch.setattr("mediator.gui.case_detail.show_error", lambda _parent, exc: errors.append(str(exc)))
    job = panel.correct_date()
    assert job is not None
    qtbot.waitUntil(lambda: not job.running, timeout=30_000)
    assert errors and "早于案件上一步的日期" in errors[0]
    assert case_confirmation(database, fixture.case_ids[0]).application_date == date(2025, 9, 3)
