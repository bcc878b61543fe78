"""The document preview: the selected cases' agreements rendered off the GUI thread, shown, printed."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from mediator.gui.document_preview import DocumentPreviewDialog
from mediator.store.database import Database
from tests.fixtures.document_factories import make_batch


def test_preview_shows_the_agreements_and_prints_them(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    fixture = make_batch(database, names=("张䶮", "李堃", "王喆"))
    dialog = DocumentPreviewDialog(database, fixture.case_ids[:2])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.job is not None
    with qtbot.waitSignal(dialog.job.finished, timeout=30_000):
        pass
    assert dialog.case_list.count() == 2
    assert dialog.case_list.item(0).text().startswith(fixture.case_numbers[0])
    assert dialog.page_count > 0
    assert dialog.print_button.isEnabled()

    dialog.case_list.setCurrentRow(1)
    assert "3101" in dialog.status.text()

    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    dialog.case_list.selectAll()
    printed = dialog.print_to(printer, dialog.selected_paths())
    assert printed == 2 * dialog.page_count  # both agreements, every page
    info = subprocess.run(["pdfinfo", str(tmp_path / "printed.pdf")], capture_output=True, text=True).stdout
    assert f"Pages:           {printed}" in info


def test_preview_of_a_case_without_amount_reports_the_case(
    qtbot: QtBot, database: Database, monkeypatch: object
) -> None:
    fixture = make_batch(database, names=("张䶮",), agreed=(None,))
    shown: list[BaseException] = []
    import mediator.gui.errors as errors

    monkeypatch.setattr(errors, "show_error", lambda parent, exc: shown.append(exc))  # type: ignore[attr-defined]
    dialog = DocumentPreviewDialog(database, fixture.case_ids)
    qtbot.addWidget(dialog)
    assert dialog.job is not None
    with qtbot.waitSignal(dialog.job.finished, timeout=30_000):
        pass
    assert len(shown) == 1 and "（2025）苏01民初3100号" in str(shown[0])
    assert dialog.case_list.count() == 0 and not dialog.print_button.isEnabled()
