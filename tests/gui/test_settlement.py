"""履行完毕 on a partly paid case asks for the final payment (or why the rest is waived) and books
nothing unasked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from mediator.domain.workflow import CaseStatus
from mediator.gui.main_window import MainWindow
from mediator.gui.settlement_dialog import SettlementDialog
from mediator.services.cases.lists import case_detail
from mediator.store.database import Database
from tests.gui.conftest import DEMO_TODAY


def _partly_paid_case(window: MainWindow) -> int:
    combo = window.form.statusCombo
    combo.setCurrentIndex(combo.findData(CaseStatus.PARTIALLY_PAID.value))
    window.form.caseTable.selectRow(0)
    case_id = window.selected_case_id()
    assert case_id is not None
    return case_id


def test_the_dialog_wants_a_reason_for_what_the_final_payment_leaves_unpaid(qtbot: QtBot) -> None:
    dialog = SettlementDialog("（2025）苏01民初3100号", Decimal("40000"), Decimal("60000"), DEMO_TODAY)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.amount.text() == "60,000.00" and ok.isEnabled()
    qtbot.keyClicks(dialog.amount, "x")
    assert not ok.isEnabled()
    dialog.amount.setText("50000")
    assert not ok.isEnabled() and "10,000.00" in dialog.problem.text()
    dialog.waiver.setText("投资者同意放弃余款")
    assert ok.isEnabled()
    dialog.amount.setText("70000")
    assert not ok.isEnabled() and "多于" in dialog.problem.text()


@pytest.mark.parametrize(("amount", "waiver"), [("", "公司破产清算，余款无法支付"), (None, None)])
def test_paid_asks_for_the_final_payment(
    qtbot: QtBot,
    main_window: MainWindow,
    demo_database: Database,
    monkeypatch: pytest.MonkeyPatch,
    amount: str | None,
    waiver: str | None,
) -> None:
    window = main_window
    case_id = _partly_paid_case(window)
    before = case_detail(demo_database, case_id)
    assert before.agreed_amount is not None
    owed = before.agreed_amount - before.paid_total
    asked: list[SettlementDialog] = []

    def fill_in(dialog: Any) -> int:
        assert isinstance(dialog, SettlementDialog)
        asked.append(dialog)
        if amount is not None:
            dialog.amount.setText(amount)
        if waiver is not None:
            dialog.waiver.setText(waiver)
        assert dialog.check()
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(window.detail, "exec_dialog", fill_in)
    qtbot.mouseClick(window.detail.transition_buttons[CaseStatus.PAID], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    assert len(asked) == 1
    after = case_detail(demo_database, case_id)
    assert after.status is CaseStatus.PAID
    if waiver:
        assert after.paid_total == before.paid_total  # the rest waived, not booked
        assert waiver in after.history[0].text
    else:
        assert after.paid_total == before.agreed_amount  # the final payment, as prefilled
        assert after.step_dates[CaseStatus.PAID] == DEMO_TODAY
        assert owed > 0
