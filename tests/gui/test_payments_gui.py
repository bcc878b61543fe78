"""Installment plans in the case detail, overdue marks, the offers import with its preview and the
dashboard's recovered box, on the demo data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mediator.domain.money import format_money
from mediator.domain.workflow import CaseStatus
from mediator.gui.case_table import COLUMN_INDEX
from mediator.gui.main_window import CASES_TAB, DASHBOARD_TAB, MainWindow
from mediator.gui.payments import PlanDialog
from mediator.gui.style import WARNING_RED
from mediator.services.payments.ledger import case_plan, set_installments
from mediator.store.database import Database
from mediator.store.tables import CaseRow, InvestorRow
from tests.fixtures.payment_lists import write_xlsx
from tests.gui.conftest import DEMO_TODAY


def _ok(dialog: PlanDialog) -> bool:
    return dialog.box.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def _type(dialog: PlanDialog, row: int, column: int, text: str) -> None:
    item = dialog.table.item(row, column)
    assert item is not None
    item.setText(text)  # itemChanged: checked at once, as when typed in the cell


def test_the_plan_is_checked_as_you_type(qtbot: QtBot) -> None:
    dialog = PlanDialog(Decimal("1000.00"), [])
    qtbot.addWidget(dialog)
    assert _ok(dialog) and "一次性支付" in dialog.problems.text()
    dialog.add_line("2025-06-30", "600")
    dialog.add_line()  # offers what is left
    assert dialog.table.item(1, PlanDialog.AMOUNT).text() == "400.00"
    assert not _ok(dialog) and "请填写第2期的到期日" in dialog.problems.text()
    _type(dialog, 1, PlanDialog.DATE, "2025年5月30日")
    assert not _ok(dialog) and "早于上一期" in dialog.problems.text()
    assert dialog.table.item(1, PlanDialog.DATE).foreground().color() == WARNING_RED
    _type(dialog, 1, PlanDialog.DATE, "2025-09-30")
    _type(dialog, 1, PlanDialog.AMOUNT, "399.99")
    assert not _ok(dialog) and "不一致" in dialog.problems.text()
    _type(dialog, 1, PlanDialog.AMOUNT, "４００")
    assert _ok(dialog) and "与调解金额一致" in dialog.problems.text()
    assert dialog.table.item(1, PlanDialog.UPPER).text() == "肆佰元整"
    assert dialog.plan() == [(date(2025, 6, 30), Decimal("600.00")), (date(2025, 9, 30), Decimal("400.00"))]
    dialog.table.selectRow(0)
    dialog.remove_selected()
    assert not _ok(dialog)


def _first_case(database: Database, status: CaseStatus) -> int:
    with database.session() as session:
        case_id = session.scalar(
            select(CaseRow.id).where(CaseRow.status == status.value).order_by(CaseRow.id).limit(1)
        )
    assert case_id is not None
    return case_id


def test_the_case_detail_saves_a_plan_through_the_write_pool(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database, monkeypatch
) -> None:
    case_id = _first_case(demo_database, CaseStatus.AGREED)
    detail = main_window.detail
    detail.show_case(case_id)
    agreed = detail.detail.agreed_amount
    assert detail.plan_button.isEnabled()
    half = (agreed / 2).quantize(Decimal("0.01"))

    def fill(dialog: QDialog) -> QDialog.DialogCode:
        assert isinstance(dialog, PlanDialog)
        dialog.table.setRowCount(0)
        dialog.add_line("2025-07-31", str(half))
        dialog.add_line("2025-10-31", str(agreed - half))
        assert _ok(dialog)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(detail, "exec_dialog", fill)
    assert detail.edit_plan()
    qtbot.waitUntil(lambda: not main_window.loading and not detail.busy, timeout=10_000)
    plan = case_plan(demo_database, case_id)
    assert [(line.due_date, line.amount) for line in plan.installments] == [
        (date(2025, 7, 31), half),
        (date(2025, 10, 31), agreed - half),
    ]
    assert detail.form.paymentsTree.topLevelItemCount() == 2


def test_overdue_installments_are_red_in_the_detail_and_the_table(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database
) -> None:
    case_id = _first_case(demo_database, CaseStatus.CONFIRMED)
    agreed = case_plan(demo_database, case_id).agreed_amount
    assert agreed is not None
    set_installments(
        demo_database, case_id, [(date(2025, 5, 1), "1"), (date(2999, 12, 1), agreed - 1)], actor="t"
    )
    detail = main_window.detail
    detail.show_case(case_id)
    assert "逾期1期" in detail.form.paidSummary.text()
    assert detail.form.paymentsTree.topLevelItem(0).foreground(1).color() == WARNING_RED
    assert detail.form.paymentsTree.topLevelItem(1).foreground(1).color() != WARNING_RED
    main_window.form.tabs.setCurrentIndex(CASES_TAB)
    model = main_window.case_model
    row = model.row_of(case_id)
    if row is None:
        with demo_database.session() as session:
            number = session.get(CaseRow, case_id).case_number
        main_window.form.filterEdit.setText(number)
        main_window.apply_filter()
        qtbot.waitUntil(lambda: not main_window.loading and model.row_of(case_id) is not None, timeout=10_000)
        row = model.row_of(case_id)
    model.refresh_case(case_id)
    index = model.index(row, COLUMN_INDEX["overdue"])
    assert model.data(index) == "逾期1期"


def test_offers_import_previews_then_writes(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database, tmp_path: Path
) -> None:
    with demo_database.session() as session:
        cases = session.execute(
            select(CaseRow.case_number, CaseRow.claimed_amount, InvestorRow.name)
            .join(InvestorRow, InvestorRow.id == CaseRow.investor_id)
            .where(CaseRow.status == CaseStatus.MEDIATING.value)
            .order_by(CaseRow.id)
            .limit(2)
        ).all()
    headers = ["案号", "调解金额", "第1期付款日期", "第1期金额", "第2期付款日期", "第2期金额"]
    amount = (cases[0][1] / 2).quantize(Decimal("0.01"))
    rows = [
        [cases[0][0], str(amount), "2025-07-31", "100", "2025年10月31日", str(amount - 100)],
        [cases[1][0], "1000", None, None, None, None],
    ]
    bad = write_xlsx(
        tmp_path / "bad.xlsx", headers, [[cases[0][0], str(cases[0][1] + 1), None, None, None, None]]
    )
    menu = main_window.payment_menu
    dialog = menu.import_offers(str(bad))
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    assert "高于诉请金额" in dialog.tree.topLevelItem(0).text(3)
    assert not dialog.import_button.isEnabled()
    dialog.close()

    good = write_xlsx(tmp_path / "报价.xlsx", headers, rows)
    dialog = menu.import_offers(str(good))
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    assert dialog.tree.topLevelItemCount() == 2 and dialog.tree.topLevelItem(0).text(2) == cases[0][2]
    assert not dialog.outcome.written and dialog.import_button.isEnabled()
    with demo_database.session() as session:  # the preview wrote nothing
        assert session.scalar(select(CaseRow.agreed_amount).where(CaseRow.case_number == cases[1][0])) is None
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.outcome is not None and dialog.outcome.written, timeout=10_000)
    with demo_database.session() as session:
        agreed = session.scalar(select(CaseRow.agreed_amount).where(CaseRow.case_number == cases[1][0]))
    assert agreed == Decimal("1000.00")
    assert "已为 2 件案件写入调解金额" in dialog.summary.text()


def test_the_dashboard_shows_recovered_and_overdue_per_batch_and_company(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database
) -> None:
    from mediator.services.payments.recovered import recovered_totals

    main_window.form.tabs.setCurrentIndex(DASHBOARD_TAB)
    dashboard = main_window.dashboard
    assert dashboard is not None
    qtbot.waitUntil(lambda: dashboard.data is not None, timeout=10_000)
    tree = dashboard.recovered_tree
    assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == ["按批次", "按上市公司"]
    expected = recovered_totals(demo_database, today=DEMO_TODAY)
    assert tree.topLevelItem(0).childCount() == len(expected.by_batch) >= 10
    assert tree.topLevelItem(1).childCount() == 4
    first = tree.topLevelItem(0).child(0)
    assert first.text(0) == "第1批" and first.text(2) == format_money(expected.by_batch[0].paid)


def test_a_payment_list_is_booked_from_the_file_menu_and_a_reference_from_the_dialog(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database, tmp_path: Path, monkeypatch
) -> None:
    from mediator.gui.case_detail import PaymentDialog

    case_id = _first_case(demo_database, CaseStatus.CONFIRMED)
    with demo_database.session() as session:
        number = session.get(CaseRow, case_id).case_number
    actions = [action.objectName() for action in main_window.form.menuFile.actions()]
    assert actions.index("actionImportOffers") == actions.index("actionImport") + 1
    bad = write_xlsx(tmp_path / "bad.xlsx", ["案号", "付款金额", "付款日期"], [[number, "100", "2999-01-01"]])
    menu = main_window.payment_menu
    assert menu.import_payments(str(bad))
    qtbot.waitUntil(lambda: menu.message is not None, timeout=10_000)
    assert "未登记任何付款" in menu.message.text() and "晚于今天" in menu.message.text()
    assert case_plan(demo_database, case_id).paid_total == 0
    menu.message.close()
    good = write_xlsx(
        tmp_path / "流水.xlsx",
        ["流水号", "案号", "付款金额", "付款日期"],
        [["T-1", number, "100", "2025-06-01"]],
    )
    menu.message = None
    assert menu.import_payments(str(good))
    qtbot.waitUntil(lambda: menu.message is not None, timeout=10_000)
    assert "已登记 1 笔付款" in menu.message.text()
    menu.message.close()

    detail = main_window.detail
    detail.show_case(case_id)

    def pay(dialog: PaymentDialog) -> QDialog.DialogCode:
        dialog.amount.setText("50")
        dialog.reference.setText("T-2")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PaymentDialog, "exec", pay)
    assert detail.record_payment()
    qtbot.waitUntil(lambda: not detail.busy, timeout=10_000)
    plan = case_plan(demo_database, case_id)
    assert [(p.reference, p.amount) for p in plan.payments] == [
        ("T-1", Decimal("100.00")),
        ("T-2", Decimal("50.00")),
    ]
