"""Case detail: the judicial-confirmation window, recording the application and the ruling, and the
documents tab's preview (QtPdf)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from mediator.domain.workflow import CaseStatus
from mediator.gui.case_detail import CaseDetailPanel
from mediator.gui.confirmation_dialog import ConfirmationDialog
from mediator.gui.settings import Preferences
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, CaseRow
from tests.fixtures.document_factories import DocumentFixture, make_batch


def signed_case(database: Database, effective: date) -> DocumentFixture:
    """One signed case whose agreement took effect on ``effective``."""
    fixture = make_batch(database, names=("陈赟",), status="signed", case_type="民诉前调")
    with database.transaction() as session:
        case = session.get(CaseRow, fixture.case_ids[0])
        assert case is not None
        case.signed_on = effective
        session.add(
            AgreementRow(
                case_id=case.id,
                number="苏证调〔2025〕第0001号",
                amount=fixture.agreed[0],
                fingerprint="f" * 64,
                created_at=case.updated_at,
                effective_on=effective,
            )
        )
    return fixture


def panel_for(qtbot: QtBot, database: Database, qsettings: QSettings, today: date) -> CaseDetailPanel:
    panel = CaseDetailPanel(database, Preferences(qsettings), today=lambda: today)
    qtbot.addWidget(panel)
    panel.resize(440, 760)
    panel.show()
    return panel


def test_window_in_red_when_three_days_or_fewer_are_left(
    qtbot: QtBot, database: Database, qsettings: QSettings
) -> None:
    fixture = signed_case(database, date(2025, 9, 1))
    panel = panel_for(qtbot, database, qsettings, date(2025, 10, 7))
    panel.show_case(fixture.case_ids[0])
    f = panel.form
    assert f.effectiveValue.text() == "2025-09-01"
    # 民诉法 §85: 30 days from 09-01 end on 10-01, in the National Day break: next working day 10-09.
    assert f.windowValue.text().startswith("2025-10-09（还剩 2 天）")
    assert "原定 2025-10-01 为法定休假日" in f.windowValue.text()
    assert "#c62828" in f.windowValue.styleSheet()
    assert f.appliedValue.text() == "未登记" and f.rulingValue.text() == "未登记"
    assert f.recordConfirmationButton.isEnabled()

    # A week earlier nothing is urgent.
    calm = panel_for(qtbot, database, qsettings, date(2025, 9, 30))
    calm.show_case(fixture.case_ids[0])
    assert "还剩 9 天" in calm.form.windowValue.text() and calm.form.windowValue.styleSheet() == ""


def test_window_in_a_year_the_calendar_does_not_know_carries_a_warning(
    qtbot: QtBot, database: Database, qsettings: QSettings
) -> None:
    fixture = signed_case(database, date(2040, 3, 1))
    panel = panel_for(qtbot, database, qsettings, date(2040, 3, 5))
    panel.show_case(fixture.case_ids[0])
    assert "节假日日历尚未收录2040年" in panel.form.windowValue.text()


def test_record_application_and_ruling_with_the_ruling_number_checked(
    qtbot: QtBot, database: Database, qsettings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = signed_case(database, date(2025, 9, 1))
    panel = panel_for(qtbot, database, qsettings, date(2025, 10, 7))
    panel.show_case(fixture.case_ids[0])
    seen: dict[str, object] = {}

    def fill_in(dialog: QDialog) -> int:
        assert isinstance(dialog, ConfirmationDialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert dialog.apply_check.isChecked()  # a signed case: the application comes first
        dialog.applied_edit.setDate(QDate(2025, 10, 8))
        dialog.ruling_check.setChecked(True)
        dialog.ruling_edit.setText("（2025）苏01民初88号")  # a first-instance number, not 民特
        seen["wrong"] = (ok.isEnabled(), dialog.message.text())
        dialog.ruling_edit.setText("(2025)苏01民特88号")
        dialog.ruling_date_edit.setDate(QDate(2025, 10, 1))  # before the application
        seen["early"] = (ok.isEnabled(), dialog.message.text())
        dialog.ruling_date_edit.setDate(QDate(2025, 10, 20))
        seen["good"] = ok.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(panel, "exec_dialog", fill_in)
    changed: list[int] = []
    panel.case_changed.connect(changed.append)

    job = panel.record_confirmation()
    assert job is not None
    qtbot.waitUntil(lambda: not job.running, timeout=30_000)  # the write runs as a background job

    assert seen["wrong"][0] is False and "民特" in str(seen["wrong"][1])  # type: ignore[index]
    assert seen["early"] == (False, "裁定日期早于申请日期，请核对。")
    assert seen["good"] is True
    f = panel.form
    assert f.appliedValue.text() == "2025-10-08"
    assert f.rulingValue.text() == "（2025）苏01民特88号　2025-10-20"  # canonical full-width brackets
    assert f.statusValue.text() == "已司法确认　2025-10-20"
    assert "已于 2025-10-08 申请" in f.windowValue.text() and f.windowValue.styleSheet() == ""
    assert not f.recordConfirmationButton.isEnabled()
    assert changed == [fixture.case_ids[0]]


def test_a_filed_case_is_pointed_to_court_request(
    qtbot: QtBot, database: Database, qsettings: QSettings
) -> None:
    """A signed 民初 case ends in a 民事调解书 or a withdrawal: the button is off and says why, and
    the dialog (opened anyway) names the way to go and offers nothing to record."""
    fixture = make_batch(database, names=("王喆",), status="signed")  # 民初: a filed case
    panel = panel_for(qtbot, database, qsettings, date(2025, 3, 25))
    panel.show_case(fixture.case_ids[0])
    button = panel.form.recordConfirmationButton
    assert not button.isEnabled() and "court-request" in button.toolTip()
    dialog = ConfirmationDialog(fixture.case_numbers[0], CaseStatus.SIGNED, date(2025, 3, 25))
    qtbot.addWidget(dialog)
    assert not dialog.apply_check.isEnabled() and not dialog.apply_check.isChecked()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert "民事调解书" in dialog.message.text() and "court-request" in dialog.message.text()


def test_record_button_off_before_signing(qtbot: QtBot, database: Database, qsettings: QSettings) -> None:
    fixture = make_batch(database, names=("李堃",))
    panel = panel_for(qtbot, database, qsettings, date(2025, 3, 25))
    panel.show_case(fixture.case_ids[0])
    assert not panel.form.recordConfirmationButton.isEnabled()
    assert panel.form.effectiveValue.text() == "协议尚未生效（尚未签署）"


def test_documents_tab_previews_the_agreement(qtbot: QtBot, database: Database, qsettings: QSettings) -> None:
    from mediator.gui.document_preview import DocumentPreviewDialog

    fixture = make_batch(database, names=("张䶮",))
    panel = panel_for(qtbot, database, qsettings, date(2025, 3, 25))
    panel.show_case(fixture.case_ids[0])
    panel.form.detailTabs.setCurrentWidget(panel.form.documentsTab)
    panel.form.documentsButton.click()
    dialog = panel.findChild(DocumentPreviewDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.job is not None
    job = dialog.job
    qtbot.waitUntil(lambda: not job.running, timeout=30_000)
    assert dialog.case_list.count() == 1
    assert dialog.case_list.item(0).text().startswith(fixture.case_numbers[0])
    assert dialog.page_count >= 1
    assert dialog.status.text() == f"{fixture.case_numbers[0]}：共 {dialog.page_count} 页"
    assert dialog.print_button.isEnabled()
    dialog.reject()
