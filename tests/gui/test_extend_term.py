"""延长调解期限… on the selected batch: the term in the batch list moves, the reason is required."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from mediator.gui import extend_term_dialog
from mediator.gui.extend_term_dialog import ExtendTermDialog
from mediator.gui.main_window import BATCHES_TAB, MainWindow


def _open_dialog(qtbot: QtBot, window: MainWindow) -> ExtendTermDialog:
    window.form.tabs.setCurrentIndex(BATCHES_TAB)
    window.form.batchTable.selectRow(0)  # newest first: 第14批, referred 2025-05-20
    window.form.actionExtendTerm.trigger()
    dialog = window.findChild(ExtendTermDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_extension_moves_the_term_shown_in_the_batch_list(qtbot: QtBot, main_window: MainWindow) -> None:
    before = main_window.batch_model.batch(0)
    assert before is not None and before.number == 14
    assert before.term.end == date(2025, 6, 19)
    dialog = _open_dialog(qtbot, main_window)
    assert "第14批" in dialog.form.batchValue.text()
    assert dialog.form.currentValue.text() == "2025-06-19"
    dialog.form.daysSpin.setValue(15)
    dialog.form.reasonEdit.setText("双方同意延长")
    dialog.form.buttonBox.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: not main_window.loading, timeout=10_000)
    # The outcome is reported in the status bar with the same sentence as the CLI's.
    assert (
        main_window.statusBar()
        .currentMessage()
        .startswith("第14批的调解期限已延长15天，截止日为 2025-07-04。")
    )
    after = main_window.batch_model.batch(0)
    assert after is not None and after.number == 14
    # 30 + 15 days from 2025-05-20 is Friday 2025-07-04.
    assert after.term.end == date(2025, 7, 4)
    assert after.days_left == before.days_left + 15


def test_an_extension_needs_a_reason(
    qtbot: QtBot, main_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[BaseException] = []
    monkeypatch.setattr(extend_term_dialog, "show_error", lambda _parent, exc: shown.append(exc))
    dialog = _open_dialog(qtbot, main_window)
    dialog.form.reasonEdit.setText("   ")
    dialog.form.buttonBox.button(QDialogButtonBox.StandardButton.Ok).click()
    assert [str(e) for e in shown] == ["延长调解期限必须填写理由。"]
    assert dialog.isVisible()
    main_window.reload_batches()  # read again: nothing was written
    qtbot.waitUntil(lambda: not main_window.loading, timeout=10_000)
    batch = main_window.batch_model.batch(0)
    assert batch is not None and batch.term.end == date(2025, 6, 19)
    dialog.reject()
