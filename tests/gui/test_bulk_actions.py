"""批量处理 in the case table: preview, refusals in red with nothing changed, the change itself in the
write pool with a progress bar, and the table read again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSettings
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mediator.store.database import Database
from mediator.store.tables import CaseRow, ContactAttemptRow, MediatorRow
from tests.fixtures.document_factories import make_batch
from tests.services.documents.test_rulings import rulings_file, signed_batch

TODAY = date(2025, 10, 1)
NAMES = ("张䶮", "李堃", "王喆")


def statuses(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(CaseRow.status).order_by(CaseRow.case_number)))


def select_rows(window: object, rows: list[int]) -> None:
    table = window.form.caseTable  # type: ignore[attr-defined]
    selection = table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(
            window.case_model.index(row, 0),  # type: ignore[attr-defined]
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def preview(qtbot: QtBot, dialog: object) -> None:
    job = dialog.run_preview()  # type: ignore[attr-defined]
    assert job is not None
    qtbot.waitUntil(lambda: dialog.preview is not None or not job.running, timeout=10_000)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not job.running, timeout=10_000)


def run(qtbot: QtBot, window: object, dialog: object) -> None:
    job = dialog.run_change()  # type: ignore[attr-defined]
    assert job is not None
    qtbot.waitUntil(lambda: not job.running, timeout=10_000)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)  # type: ignore[attr-defined]


def test_a_bulk_move_previews_refusals_and_changes_nothing_until_all_can_move(
    qtbot: QtBot, database: Database, qsettings: QSettings
) -> None:
    fixture = make_batch(database, names=NAMES, status="mediating", agreed=("1000.00", None, "2000.00"))
    from mediator.gui.main_window import MainWindow

    window = MainWindow(database, qsettings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    assert window.case_model.rowCount() == 3
    select_rows(window, [0, 1, 2])
    dialog = window.bulk_actions.open()
    assert (
        dialog is not None
        and "所选案件：3 件案件" in dialog.findChildren(type(dialog.summary_label))[0].text()
    )
    dialog.action_combo.setCurrentIndex(1)  # 变更状态
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("agreed"))
    dialog.move_date.setDate(dialog.move_date.date().addDays(-100))
    preview(qtbot, dialog)
    assert dialog.preview is not None and dialog.preview.refused == 1
    refused = dialog.tree.topLevelItem(1)
    assert refused.text(0) == fixture.case_numbers[1] and "调解金额" in refused.text(3)
    assert "有 1 件不能处理" in dialog.summary_label.text()
    assert not dialog.run_button.isEnabled()
    assert dialog.run_change() is None
    assert statuses(database) == ["mediating"] * 3  # the preview wrote nothing
    dialog.reject()

    select_rows(window, [0, 2])
    dialog = window.bulk_actions.open()
    assert dialog is not None
    dialog.action_combo.setCurrentIndex(1)
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("agreed"))
    preview(qtbot, dialog)
    assert dialog.preview is not None and dialog.preview.refused == 0
    assert [dialog.tree.topLevelItem(i).text(3) for i in range(2)] == ["已达成", "已达成"]
    assert dialog.run_button.isEnabled()
    # Changing a value asks for a new preview before running.
    dialog.move_date.setDate(dialog.move_date.date().addDays(-1))
    assert not dialog.run_button.isEnabled()
    preview(qtbot, dialog)
    run(qtbot, window, dialog)
    assert statuses(database) == ["agreed", "mediating", "agreed"]
    assert "已将 2 件案件变更为“已达成”" in window.statusBar().currentMessage()
    assert window.case_model.data(window.case_model.index(0, 8)) == "已达成"


def test_assign_and_contact_for_the_filtered_view(
    qtbot: QtBot, database: Database, qsettings: QSettings
) -> None:
    make_batch(database, names=NAMES, status="mediating")
    with database.transaction() as session:
        session.add(MediatorRow(name="吴彧", phone="13900002222"))
    from mediator.gui.main_window import MainWindow

    window = MainWindow(database, qsettings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    qtbot.waitUntil(lambda: window.form.mediatorCombo.count() == 3, timeout=10_000)
    dialog = window.bulk_actions.open()  # nothing selected: every case the filter shows
    assert dialog is not None
    dialog.mediator_combo.setCurrentIndex(dialog.mediator_combo.findText("吴彧"))
    preview(qtbot, dialog)
    assert dialog.preview is not None and len(dialog.preview.lines) == 3
    run(qtbot, window, dialog)
    with database.session() as session:
        mediators = set(
            session.scalars(select(MediatorRow.name).join(CaseRow, CaseRow.mediator_id == MediatorRow.id))
        )
    assert mediators == {"吴彧"}

    dialog = window.bulk_actions.open()
    assert dialog is not None
    dialog.action_combo.setCurrentIndex(2)  # 记录联系结果
    dialog.outcome_combo.setCurrentIndex(dialog.outcome_combo.findData("no_answer"))
    preview(qtbot, dialog)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(ContactAttemptRow)) == 0
    run(qtbot, window, dialog)
    with database.session() as session:
        outcomes = list(session.scalars(select(ContactAttemptRow.outcome)))
    assert outcomes == ["no_answer"] * 3


def test_confirmation_for_many_cases_from_the_gui(
    qtbot: QtBot, database: Database, qsettings: QSettings, tmp_path: Path
) -> None:
    fixture = signed_batch(database)
    from mediator.gui.main_window import MainWindow

    window = MainWindow(database, qsettings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    dialog = window.bulk_actions.open()
    assert dialog is not None
    dialog.action_combo.setCurrentIndex(3)  # 登记司法确认申请
    dialog.applied_date.setDate(dialog.applied_date.date().addDays(-21))  # 2025-09-10
    preview(qtbot, dialog)
    assert dialog.preview is not None and len(dialog.preview.lines) == 3 and not dialog.preview.refused
    run(qtbot, window, dialog)
    assert statuses(database) == ["confirmation_applied"] * 3

    rows = [[i, n, f"（2025）苏01民特{88 + i}号", "2025-09-20"] for i, n in enumerate(fixture.case_numbers)]
    rows[2][2] = "（2025）苏01民特88号"  # the same ruling twice: refused with its row
    dialog = window.bulk_actions.open()
    assert dialog is not None
    dialog.action_combo.setCurrentIndex(4)
    dialog.rulings_edit.setText(str(rulings_file(tmp_path / "裁定.xlsx", rows)))
    preview(qtbot, dialog)
    assert dialog.preview is not None and dialog.preview.refused == 1
    assert dialog.tree.topLevelItem(0).text(1) == "第5行" and "同一裁定" in dialog.tree.topLevelItem(0).text(
        3
    )
    assert not dialog.run_button.isEnabled()
    rows[2][2] = "（2025）苏01民特90号"
    dialog.rulings_edit.setText(str(rulings_file(tmp_path / "裁定2.xlsx", rows)))
    preview(qtbot, dialog)
    run(qtbot, window, dialog)
    assert statuses(database) == ["confirmed"] * 3


def test_filed_cases_are_refused_in_the_confirmation_preview(
    qtbot: QtBot, database: Database, qsettings: QSettings
) -> None:
    """民初 cases end in a 民事调解书 or a withdrawal: each is refused in red, nothing can run."""
    make_batch(database, names=NAMES, status="signed")
    from mediator.gui.main_window import MainWindow

    window = MainWindow(database, qsettings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    dialog = window.bulk_actions.open()
    assert dialog is not None
    dialog.action_combo.setCurrentIndex(3)  # 登记司法确认申请
    preview(qtbot, dialog)
    assert dialog.preview is not None and dialog.preview.refused == 3
    assert "court-request" in dialog.tree.topLevelItem(0).text(3)
    assert not dialog.run_button.isEnabled()
    assert statuses(database) == ["signed"] * 3
