"""The main window on the demo data: open, filter (Chinese typed through an input method), lazy
fetching, select a case, make a transition, personal data masking with its audit event, state kept."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select
from sqlmodel import Session

from mediator.domain.workflow import CaseStatus
from mediator.gui import case_table
from mediator.gui.case_table import COLUMN_INDEX
from mediator.gui.main_window import CASES_TAB, MainWindow
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow, CaseRow, InvestorRow


def type_text(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Type Chinese the way an input method commits it (QTest key clicks are ASCII only)."""
    edit.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QCoreApplication.sendEvent(edit, event)


def cell(window: MainWindow, row: int, key: str) -> str:
    model = window.case_model
    return model.data(model.index(row, COLUMN_INDEX[key]))


def test_opens_on_the_demo_data(qtbot: QtBot, main_window: MainWindow, demo_database: Database) -> None:
    window = main_window
    # The demo database says what it is: in the title bar and in a banner above the tabs.
    assert window.windowTitle() == "【演示】证券纠纷委派调解案件管理"
    assert window.first_start.banner.isVisible()
    assert [window.menuBar().actions()[i].text() for i in range(8)] == [
        "文件(&F)",
        "案件(&C)",
        "登记(&R)",
        "文档(&D)",
        "视图(&V)",
        "设置(&S)",
        "联系(&L)",
        "帮助(&H)",
    ]
    assert window.batch_model.rowCount() == 14
    assert window.batch_model.data(window.batch_model.index(0, 0)) == "第14批"
    # 645 demo cases: one page of 200 fetched, more on demand.
    assert window.case_model.rowCount() == 200
    assert window.case_model.canFetchMore()
    window.update_counts()
    qtbot.waitUntil(lambda: not window.counts_loader.busy, timeout=10_000)
    assert window.count_label.text() == "共 645 件案件"
    assert "test.db" in window.db_label.text()


def test_lazy_fetching_brings_the_next_page(main_window: MainWindow) -> None:
    model = main_window.case_model
    model.fetchMore()
    assert model.rowCount() == 400
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 645
    assert not model.canFetchMore()
    numbers = [cell(main_window, row, "case_number") for row in range(645)]
    assert numbers == sorted(numbers)  # sorted by 案号 in the database, across pages
    assert len(set(numbers)) == 645


def _cases_of_names_holding(session: Session, name: str | None) -> int | None:
    """How many cases belong to investors whose name holds ``name``."""
    return session.scalar(
        select(func.count())
        .select_from(CaseRow)
        .join(InvestorRow, InvestorRow.id == CaseRow.investor_id)
        .where(InvestorRow.name.like(f"%{name}%"))
    )


def test_filter_by_typed_chinese_name(qtbot: QtBot, main_window: MainWindow, demo_database: Database) -> None:
    with demo_database.session() as session:
        # A name with a rare character from the demo set, and how many cases carry it.
        name = session.scalar(select(InvestorRow.name).where(InvestorRow.name.like("%䶮%")))
        expected = _cases_of_names_holding(session, name)
    assert name and expected
    window = main_window
    window.form.tabs.setCurrentIndex(CASES_TAB)
    type_text(qtbot, window.form.filterEdit, name)
    assert window.form.filterEdit.text() == name
    # The query runs ~150 ms after the last keystroke.
    qtbot.waitUntil(lambda: window.case_model.rowCount() == expected, timeout=2000)
    assert all(name in cell(window, row, "investor") for row in range(expected))
    qtbot.waitUntil(
        lambda: window.count_label.text() == f"筛选出 {expected} 件 / 共 645 件案件", timeout=1000
    )


def test_dense_filter_counts_only_up_to_the_limit(
    qtbot: QtBot, main_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At a million cases a one-digit filter matches most of them: the status bar stops counting
    # at the limit and says "more than" instead of making the keystroke wait for a full count.
    monkeypatch.setattr("mediator.gui.main_window.MATCH_COUNT_LIMIT", 50)
    window = main_window
    window.form.tabs.setCurrentIndex(CASES_TAB)
    type_text(qtbot, window.form.filterEdit, "2")
    qtbot.waitUntil(lambda: window.count_label.text() == "筛选出超过 50 件 / 共 645 件案件", timeout=3000)


def test_the_count_runs_beside_the_page_query(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The status bar's count is already under way in a worker when the page of ids is read, so
    # the two take the time of the longer one, not of both.
    with demo_database.session() as session:
        name = session.scalar(select(InvestorRow.name).order_by(InvestorRow.id).limit(1))
        expected = _cases_of_names_holding(session, name)
    assert name and expected
    window = main_window
    window.form.tabs.setCurrentIndex(CASES_TAB)
    qtbot.waitUntil(lambda: not window.counts_loader.busy, timeout=10_000)
    counting_during_page: list[bool] = []
    page = case_table.case_ids

    def watched_page(*args: Any, **kwargs: Any) -> list[int]:
        counting_during_page.append(window.counts_loader.busy)
        return page(*args, **kwargs)

    monkeypatch.setattr(case_table, "case_ids", watched_page)
    window.form.filterEdit.setText(name)
    window._debouncer.flush()
    assert counting_during_page == [True]
    qtbot.waitUntil(
        lambda: window.count_label.text() == f"筛选出 {expected} 件 / 共 645 件案件", timeout=3000
    )


def test_filter_by_status_and_sort_by_claimed_amount(
    main_window: MainWindow, demo_database: Database
) -> None:
    window = main_window
    combo = window.form.statusCombo
    combo.setCurrentIndex(combo.findData(CaseStatus.PAID.value))
    with demo_database.session() as session:
        paid = session.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.status == "paid"))
    model = window.case_model
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == paid
    assert {cell(window, row, "status") for row in range(paid)} == {"履行完毕"}
    window.form.caseTable.sortByColumn(COLUMN_INDEX["claimed"], Qt.SortOrder.DescendingOrder)
    amounts = [float(cell(window, row, "claimed").replace(",", "")) for row in range(model.rowCount())]
    assert amounts == sorted(amounts, reverse=True)


def test_select_a_case_and_move_it_on(qtbot: QtBot, main_window: MainWindow, demo_database: Database) -> None:
    window = main_window
    combo = window.form.statusCombo
    combo.setCurrentIndex(combo.findData(CaseStatus.REFERRED.value))
    window.form.caseTable.selectRow(0)
    case_id = window.selected_case_id()
    detail = window.detail
    assert detail.detail is not None and detail.detail.id == case_id
    assert detail.form.titleLabel.text().startswith("<b>" + cell(window, 0, "case_number"))
    # Only the allowed next steps get a button: contacted, or failed.
    assert set(detail.transition_buttons) == {CaseStatus.CONTACTED, CaseStatus.FAILED}
    button = detail.transition_buttons[CaseStatus.CONTACTED]
    assert button.text() == "→ 已联系"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    # The write runs in the write pool; the panel is disabled until it lands.
    assert detail.busy and not detail.form.transitionsBox.isEnabled()
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    assert detail.form.transitionsBox.isEnabled()
    with demo_database.session() as session:
        case = session.get(CaseRow, case_id)
        assert case.status == "contacted"
        assert case.contacted_on == window._today()
        events = session.scalars(
            select(AuditEventRow.actor).where(
                AuditEventRow.case_id == case_id, AuditEventRow.action == "transition"
            )
        ).all()
    assert "测试员" in events
    # The row stays where it was and shows the new status; the panel offers the next steps.
    assert cell(window, 0, "status") == "已联系"
    assert set(detail.transition_buttons) == {CaseStatus.MEDIATING, CaseStatus.FAILED}
    assert detail.form.historyTree.topLevelItem(0).text(2) == "状态变更：已委派 → 已联系"


def test_failing_a_case_asks_for_the_reason(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database, monkeypatch
) -> None:
    window = main_window
    combo = window.form.statusCombo
    combo.setCurrentIndex(combo.findData(CaseStatus.MEDIATING.value))
    window.form.caseTable.selectRow(0)
    case_id = window.selected_case_id()
    monkeypatch.setattr(window.detail, "ask_failure_reason", lambda: ("unreachable", "电话停机"))
    window.detail.transition_buttons[CaseStatus.FAILED].click()
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    with demo_database.session() as session:
        case = session.get(CaseRow, case_id)
        assert (case.status, case.failure_reason, case.failure_note) == ("failed", "unreachable", "电话停机")
    assert window.detail.form.statusValue.text().startswith("调解不成（无法联系）")
    assert set(window.detail.transition_buttons) == {CaseStatus.RETURNED_TO_COURT}


def test_personal_data_masked_until_shown_and_showing_is_audited(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database
) -> None:
    window = main_window
    masked = cell(window, 0, "id_number")
    assert "*" in masked and len(masked) == 18
    assert "*" in cell(window, 0, "phone")
    with demo_database.session() as session:
        full = session.scalar(
            select(InvestorRow.id_number)
            .join(CaseRow, CaseRow.investor_id == InvestorRow.id)
            .where(CaseRow.id == window.case_model.case_id(0))
        )
        before = session.scalar(
            select(func.count())
            .select_from(AuditEventRow)
            .where(AuditEventRow.action == "show_personal_data")
        )
    assert masked[:3] == full[:3] and masked[-4:] == full[-4:]
    window.form.personalDataCheck.setChecked(True)
    # Recorded in the audit log first (a write job): the numbers show once it is.
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    assert cell(window, 0, "id_number") == full
    assert window.form.actionShowPersonalData.isChecked()
    with demo_database.session() as session:
        events = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "show_personal_data")
        ).all()
    assert len(events) == before + 1
    assert events[-1].actor == "测试员"
    assert full not in (events[-1].detail or "")  # the audit trail itself holds no ID numbers
    window.form.actionShowPersonalData.setChecked(False)
    assert cell(window, 0, "id_number") == masked


def test_detail_fields_are_checked_as_you_type(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database
) -> None:
    window = main_window
    window.form.personalDataCheck.setChecked(True)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    window.form.caseTable.selectRow(0)
    detail = window.detail
    edit = detail.form.idNumberEdit
    assert not edit.isReadOnly()
    original = edit.text()
    edit.clear()
    # A wrong check digit: the last character of a valid number, changed.
    wrong = original[:-1] + ("1" if original[-1] != "1" else "2")
    qtbot.keyClicks(edit, wrong)
    assert "border: 2px solid #c62828" in edit.styleSheet()
    assert "校验" in edit.toolTip() or "身份证" in edit.toolTip()
    assert not detail.form.saveButton.isEnabled()
    edit.clear()
    qtbot.keyClicks(edit, original)
    assert edit.styleSheet() == ""
    # Change the agreed/claimed amount the way a clerk types it, then save.
    claimed = detail.form.claimedEdit
    claimed.clear()
    qtbot.keyClicks(claimed, "abc")
    assert claimed.toolTip() != ""
    claimed.clear()
    qtbot.keyClicks(claimed, "123456.78")
    assert detail.form.saveButton.isEnabled()
    qtbot.mouseClick(detail.form.saveButton, Qt.MouseButton.LeftButton)
    assert not detail.form.fieldsBox.isEnabled()  # no second save while this one runs
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    with demo_database.session() as session:
        case = session.get(CaseRow, window.selected_case_id())
        assert str(case.claimed_amount) == "123456.78"
    assert cell(window, 0, "claimed") == "123,456.78"


def test_window_state_and_filters_are_kept(qtbot: QtBot, demo_database: Database, qsettings) -> None:
    first = MainWindow(demo_database, qsettings)
    qtbot.addWidget(first)
    first.form.filterEdit.setText("2024")
    first._debouncer.flush()
    first.form.statusCombo.setCurrentIndex(first.form.statusCombo.findData("paid"))
    first.form.caseTable.setColumnWidth(COLUMN_INDEX["company"], 333)
    first.close()
    second = MainWindow(demo_database, qsettings)
    qtbot.addWidget(second)
    assert second.form.filterEdit.text() == "2024"
    assert second.form.statusCombo.currentData() == "paid"
    assert second.form.caseTable.columnWidth(COLUMN_INDEX["company"]) == 333
    assert second.case_model.case_filter.status == CaseStatus.PAID


def test_case_model_passes_qt_model_tester(qtmodeltester, demo_database: Database) -> None:
    from mediator.gui.case_table import CaseTableModel
    from mediator.services.cases.lists import CaseFilter

    model = CaseTableModel(demo_database, page_size=50)
    model.set_filter(CaseFilter(text="2024"))
    model.sort(COLUMN_INDEX["investor"], Qt.SortOrder.DescendingOrder)
    # The tester walks the model and fetches more pages itself (canFetchMore/fetchMore).
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() >= 100
    names = [model.data(model.index(row, COLUMN_INDEX["investor"])) for row in range(model.rowCount())]
    assert names == sorted(names, reverse=True)


def test_record_a_contact_attempt_and_a_payment(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database, monkeypatch
) -> None:
    from PySide6.QtWidgets import QDialog

    from mediator.gui.case_detail import ContactDialog, PaymentDialog
    from mediator.store.tables import ContactAttemptRow, InstallmentRow

    window = main_window
    combo = window.form.statusCombo
    combo.setCurrentIndex(combo.findData(CaseStatus.CONFIRMED.value))
    window.form.caseTable.selectRow(0)
    detail = window.detail
    case_id = window.selected_case_id()
    contacts_before = detail.form.contactsTree.topLevelItemCount()

    def fill_contact(dialog: ContactDialog) -> QDialog.DialogCode:
        dialog.channel.setCurrentIndex(dialog.channel.findData("sms"))
        dialog.outcome.setCurrentIndex(dialog.outcome.findData("message_left"))
        dialog.note.setText("已发送履行提醒")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ContactDialog, "exec", fill_contact)
    assert detail.add_contact()
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    assert detail.form.contactsTree.topLevelItemCount() == contacts_before + 1
    assert [detail.form.contactsTree.topLevelItem(0).text(c) for c in (1, 2, 3)] == [
        "短信",
        "已留言",
        "已发送履行提醒",
    ]

    agreed = detail.detail.agreed_amount
    half = (agreed / 2).quantize(Decimal("0.01"))
    assert detail.form.recordPaymentButton.isEnabled()

    def pay_half(dialog: PaymentDialog) -> QDialog.DialogCode:
        assert dialog.amount.text() == str(agreed)  # offered: what is still outstanding
        dialog.amount.setText(str(half))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PaymentDialog, "exec", pay_half)
    assert detail.record_payment()
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    with demo_database.session() as session:
        case = session.get(CaseRow, case_id)
        paid = session.scalars(
            select(InstallmentRow.paid_amount).where(InstallmentRow.case_id == case_id)
        ).all()
        notes = session.scalars(
            select(ContactAttemptRow.note).where(ContactAttemptRow.case_id == case_id)
        ).all()
    assert case.status == "partially_paid"
    assert sum(p for p in paid if p) == half
    assert "已发送履行提醒" in notes
    assert detail.form.statusValue.text().startswith("部分履行")
    assert cell(window, 0, "status") == "部分履行"


def test_import_action_opens_the_import_dialog_and_refreshes_after(
    qtbot: QtBot, main_window: MainWindow, monkeypatch
) -> None:
    from mediator.gui.import_dialog import ImportDialog

    refreshed: list[bool] = []
    monkeypatch.setattr(main_window, "refresh", lambda: refreshed.append(True))

    def import_anyway(box: Any) -> int:
        # The demo database asks first (gui/welcome.py): the user imports into it anyway.
        [anyway] = [b for b in box.buttons() if b.text() == "仍导入演示数据库"]
        anyway.click()
        return 0

    monkeypatch.setattr(main_window, "exec_dialog", import_anyway)
    assert main_window.form.actionImport.isEnabled()
    main_window.form.actionImport.trigger()
    dialog = main_window.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()
    assert refreshed == [True]
