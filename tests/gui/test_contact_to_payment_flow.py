"""Issue 10's "done when" in the window, as far as the window goes: a batch without amounts gets its
SMS list (the notice date asked), call-back outcomes for all its cases (批量处理) and from a results
file (联系 › 导入回访结果…), moves to 调解中, takes the company's offers after a preview (文件 ›
导入公司报价…), an installment plan (付款计划…), and once confirmed is paid in part (登记付款…) and
in full (文件 › 导入付款清单…), then closed (联系 › 批次结案…). Signing and the court's ruling have
GUI tests of their own (test_new_company_flow, test_case_confirmation); here they are set directly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from python_calamine import CalamineWorkbook
from sqlalchemy import select, update

from mediator.domain.clock import china_today
from mediator.gui.main_window import BATCHES_TAB, MainWindow
from mediator.services.payments.ledger import case_plan
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow
from tests.fixtures.document_factories import make_batch
from tests.fixtures.payment_lists import write_xlsx

NAMES = ("张䶮", "李堃", "王喆")


def statuses(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(CaseRow.status).order_by(CaseRow.case_number)))


@pytest.fixture
def window(qtbot: QtBot, database: Database, qsettings: QSettings) -> Iterator[MainWindow]:
    make_batch(database, names=NAMES, agreed=(None,) * 3, case_type="民诉前调")
    with database.transaction() as session:  # just referred: nobody reached yet
        session.execute(update(CaseRow).values(status="referred", mediating_on=None, contacted_on=None))
    main = MainWindow(database, qsettings, today=china_today)
    qtbot.addWidget(main)
    main.resize(1400, 900)
    main.show()
    qtbot.waitExposed(main)
    qtbot.waitUntil(lambda: not main.loading, timeout=10_000)
    yield main
    from mediator.gui.jobs import wait_for_all_jobs

    wait_for_all_jobs()


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: messages.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    return messages


def _wait(qtbot: QtBot, window: MainWindow, job: Any) -> None:
    assert job is not None
    qtbot.waitUntil(lambda: not job.running, timeout=20_000)
    qtbot.waitUntil(lambda: not window.loading and not window.contact_round.busy, timeout=20_000)


def _bulk(qtbot: QtBot, window: MainWindow, action: int, combo: str, key: str) -> str:
    """批量处理… over every case the table shows: ``action`` (1 状态, 2 联系结果) set to ``key``."""
    dialog: Any = window.bulk_actions.open()
    assert dialog is not None
    dialog.action_combo.setCurrentIndex(action)
    box = getattr(dialog, combo)
    box.setCurrentIndex(box.findData(key))
    job = dialog.run_preview()
    assert job is not None
    qtbot.waitUntil(lambda: not job.running, timeout=10_000)
    assert dialog.preview is not None and dialog.preview.refused == 0, dialog.summary_label.text()
    shown = [dialog.tree.topLevelItem(i).text(3) for i in range(dialog.tree.topLevelItemCount())]
    job = dialog.run_change()
    _wait(qtbot, window, job)
    assert len(shown) == 3
    return window.statusBar().currentMessage()


def _message(qtbot: QtBot, holder: Any) -> str:
    qtbot.waitUntil(lambda: holder.message is not None, timeout=20_000)
    text = str(holder.message.text())
    holder.message.close()
    holder.message = None
    return text


def test_a_batch_goes_from_the_sms_list_to_payment_and_close_in_the_window(
    qtbot: QtBot,
    window: MainWindow,
    database: Database,
    tmp_path: Path,
    told: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mediator.gui.case_detail import PaymentDialog
    from mediator.gui.contact_round import SmsDateDialog
    from mediator.gui.payments import PlanDialog

    today = china_today()  # Nanjing's day, as the app's
    with database.session() as session:
        numbers = list(session.scalars(select(CaseRow.case_number).order_by(CaseRow.case_number)))
        ids = list(session.scalars(select(CaseRow.id).order_by(CaseRow.case_number)))

    # 联系 › 导出短信通知名单…: the date asked first (a day picked), then the file.
    window.form.tabs.setCurrentIndex(BATCHES_TAB)
    qtbot.waitUntil(lambda: window.batch_model.rowCount() == 1, timeout=10_000)
    window.form.batchTable.selectRow(0)
    notice_day = today + timedelta(days=10)

    def pick(dialog: SmsDateDialog) -> int:
        dialog.set_day(notice_day)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(SmsDateDialog, "exec", pick)
    out = tmp_path / "短信.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(out), ""))
    _wait(qtbot, window, window.contact_round.export_sms_list())
    assert "3 条" in told[-1]
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert all(f"{notice_day.month}月{notice_day.day}日" in row[4] for row in rows[1:]), rows[1]

    # Call-backs from a results file (联系 › 导入回访结果…): a bad row writes nothing, then the list.
    headers = ["案号", "结果", "时间", "备注"]
    at = (today - timedelta(days=1)).isoformat()
    bad = write_xlsx(
        tmp_path / "回访-错.xlsx", headers, [[numbers[0], "未接听", at, ""], [numbers[1], "也许", at, ""]]
    )
    window.contact_round.import_results(str(bad))
    text = _message(qtbot, window.contact_round)
    assert "未记录任何回访" in text and "第3行 结果" in text
    good = write_xlsx(tmp_path / "回访.xlsx", headers, [[numbers[0], "未接听", f"{at} 09:30", ""]])
    window.contact_round.import_results(str(good))
    assert "已记录 1 次回访" in _message(qtbot, window.contact_round)
    assert statuses(database) == ["referred"] * 3

    # 案件 › 批量处理…: every investor agrees; an answered call makes the case 已联系.
    assert "3 件" in _bulk(qtbot, window, 2, "outcome_combo", "agreed")
    assert statuses(database) == ["contacted"] * 3
    _bulk(qtbot, window, 1, "status_combo", "mediating")
    assert statuses(database) == ["mediating"] * 3

    # 文件 › 导入公司报价…: the preview first (nothing written), then the import.
    first, second = today + timedelta(days=5), today + timedelta(days=60)
    offers = write_xlsx(
        tmp_path / "报价.xlsx",
        ["案号", "调解金额", "第1期付款日期", "第1期金额", "第2期付款日期", "第2期金额"],
        [
            [numbers[0], "1,000.00元", first.isoformat(), "400", second.isoformat(), "600"],
            [numbers[1], "２０００", None, None, None, None],
            [numbers[2], "3000", None, None, None, None],
        ],
    )
    dialog = window.payment_menu.import_offers(str(offers))
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    assert dialog.tree.topLevelItemCount() == 3 and dialog.import_button.isEnabled()
    assert case_plan(database, ids[0]).agreed_amount is None  # the preview wrote nothing
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.outcome is not None and dialog.outcome.written, timeout=10_000)
    assert "已为 3 件案件写入调解金额" in dialog.summary.text()
    dialog.close()
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)

    # 付款计划… in the case detail: the second case pays in two installments.
    detail = window.detail
    detail.show_case(ids[1])

    def plan(dialog: QDialog) -> QDialog.DialogCode:
        assert isinstance(dialog, PlanDialog)
        dialog.add_line(first.isoformat(), "500")
        dialog.add_line(second.isoformat(), "1500")
        assert "与调解金额一致" in dialog.problems.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(detail, "exec_dialog", plan)
    assert detail.edit_plan()
    qtbot.waitUntil(lambda: not window.loading and not detail.busy, timeout=10_000)
    assert [line.amount for line in case_plan(database, ids[1]).installments] == [
        Decimal("500.00"),
        Decimal("1500.00"),
    ]
    assert detail.form.paymentsTree.topLevelItemCount() == 2

    _bulk(qtbot, window, 1, "status_combo", "agreed")
    # Signed and confirmed by the court (their own GUI tests): set here.
    with database.transaction() as session:
        session.execute(
            update(CaseRow).values(
                status="confirmed", signed_on=today, confirmation_applied_on=today, confirmed_on=today
            )
        )

    # 登记付款…: the first installment of the first case, then the rest from the bank's list.
    detail.show_case(ids[0])

    def pay(dialog: PaymentDialog) -> QDialog.DialogCode:
        dialog.amount.setText("400")
        dialog.reference.setText("B-1")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PaymentDialog, "exec", pay)
    assert detail.record_payment()
    qtbot.waitUntil(lambda: not window.loading and not detail.busy, timeout=10_000)
    assert statuses(database)[0] == "partially_paid"
    assert "400" in detail.form.paidSummary.text()

    bank = write_xlsx(
        tmp_path / "流水.xlsx",
        ["流水号", "案号", "付款金额", "付款日期"],
        [
            ["B-2", numbers[0], "600", today],
            ["B-3", numbers[1], "2000", today],
            ["B-4", numbers[2], "3000.01", today],
        ],
    )
    window.payment_menu.import_payments(str(bank))
    assert "未登记任何付款" in _message(qtbot, window.payment_menu)
    bank = write_xlsx(
        tmp_path / "流水2.xlsx",
        ["流水号", "案号", "付款金额", "付款日期"],
        [
            ["B-2", numbers[0], "600", today],
            ["B-3", numbers[1], "2000", today],
            ["B-4", numbers[2], "3000", today],
        ],
    )
    window.payment_menu.import_payments(str(bank))
    assert "已登记 3 笔付款" in _message(qtbot, window.payment_menu)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    assert statuses(database) == ["paid"] * 3

    # 联系 › 批次结案…
    window.form.tabs.setCurrentIndex(BATCHES_TAB)
    window.form.batchTable.selectRow(0)
    _wait(qtbot, window, window.contact_round.close_batch())
    with database.session() as session:
        assert session.scalar(select(BatchRow.closed_on)) == today
    assert "第15批" in told[-1]
