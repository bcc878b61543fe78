"""The import dialog: preview with the detected mapping, a corrected mapping, an import off the GUI
thread into a real database, and the problem list when a row is wrong."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mediator.gui.import_dialog import ImportDialog
from mediator.gui.jobs import wait_for_all_jobs
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InvestorRow
from tests.fixtures.messy_lists import COMPANY, make_investors, write_xlsx


def case_count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(CaseRow)) or 0


def open_dialog(qtbot: QtBot, database: Database, path: Path) -> ImportDialog:
    dialog = ImportDialog(database, actor="tester")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_shown, timeout=10_000):
        dialog.add_files([path])
    return dialog


def test_preview_then_import_with_a_corrected_mapping(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    investors = make_investors(40, seed=50)
    path = write_xlsx(tmp_path / "第15批.xlsx", investors, style=0, blank_every=5)
    book = openpyxl.load_workbook(path)
    book.active["E3"] = "本人常用联系方式"  # a header no synonym covers
    book.save(path)

    dialog = open_dialog(qtbot, database, path)

    # Prefilled from the title rows and the 被告 column.
    assert dialog.batch_edit.text() == "第15批"
    assert dialog.date_edit.text() == "2025-03-03"
    assert dialog.company_edit.text() == COMPANY
    model = dialog.preview_model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == ["序号", "案号", "原告"]
    assert dialog.mapping_combo(1).currentData() == "case_number"
    assert dialog.mapping_combo(4).currentData() is None  # not recognised, shown as ignored
    # The user says column E holds the phone number.
    combo = dialog.mapping_combo(4)
    combo.setCurrentIndex(combo.findData("phone"))

    with qtbot.waitSignal(dialog.import_finished, timeout=30_000) as blocker:
        dialog.import_button.click()

    result = blocker.args[0]
    assert result is not None and result.written and result.imported == 40
    assert "新增 40 件" in dialog.status_label.text()
    assert case_count(database) == 40
    with database.session() as session:
        phones = dict(session.execute(select(InvestorRow.id_number, InvestorRow.phone)).all())
        assert session.scalar(select(BatchRow.number)) == 15
    assert phones == {e.id_number: e.phone for e in investors}
    assert dialog.error_view.isHidden()
    wait_for_all_jobs()


def test_a_bad_row_shows_the_problem_list_and_nothing_is_written(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    investors = make_investors(6, seed=51)
    bad_id = investors[0].id_number[:17] + ("0" if investors[0].id_number[17] != "0" else "1")
    bad = [9, "（2025）苏01民初9500号", "吴十", bad_id, "", "A7", "300", COMPANY]
    path = write_xlsx(tmp_path / "bad.xlsx", investors, extra_rows=[(3, bad)], blank_every=0)
    dialog = open_dialog(qtbot, database, path)

    with qtbot.waitSignal(dialog.import_finished, timeout=30_000):
        dialog.import_button.click()

    assert case_count(database) == 0
    assert not dialog.error_view.isHidden()
    errors = dialog.error_model
    assert errors.rowCount() == 1
    cells = [errors.data(errors.index(0, c)) for c in range(5)]
    assert cells[:3] == ["bad.xlsx", "7", "身份证号码"]
    assert bad_id not in cells[3] and cells[3].startswith(bad_id[:3])  # masked in the list
    assert dialog.save_errors_button.isEnabled()
    saved = dialog.save_errors(tmp_path / "问题行.xlsx")
    assert saved is not None
    sheet = openpyxl.load_workbook(saved).active
    assert sheet["D2"].value == bad_id  # the clerk's copy is as typed
    wait_for_all_jobs()


def test_an_unreadable_file_says_why(qtbot: QtBot, database: Database, tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")

    dialog = open_dialog(qtbot, database, path)

    assert "文件是空的" in dialog.status_label.text()
    assert not dialog.import_button.isEnabled()
    wait_for_all_jobs()


def test_cancel_leaves_the_database_unchanged(qtbot: QtBot, database: Database, tmp_path: Path) -> None:
    from tests.fixtures.messy_lists import write_csv

    path = write_csv(tmp_path / "big.csv", make_investors(12_000, seed=52), encoding="utf-8-sig")
    dialog = open_dialog(qtbot, database, path)

    with qtbot.waitSignal(dialog.import_finished, timeout=30_000) as blocker:
        dialog.import_button.click()
        assert dialog.job is not None
        dialog.job.cancel()  # what the progress dialog's 取消 button does

    assert blocker.args == [None]
    assert dialog.job.cancelled
    assert "已取消" in dialog.status_label.text()
    assert case_count(database) == 0
    wait_for_all_jobs()
