"""The loss calculator in the GUI: one case from the case detail (compute, see the steps, save the
PDF, set the agreed amount, asked before replacing a typed one) and a whole company's investors
from the 案件 menu (progress, cancel, results listed, amounts applied)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from mediator.gui.case_detail import CaseDetailPanel
from mediator.gui.errors import show_error
from mediator.gui.loss_dialog import BatchLossDialog, CaseLossDialog, show_problems
from mediator.gui.settings import Preferences
from mediator.services.losses.cases import stored_loss
from mediator.store.database import Database
from mediator.store.tables import CaseRow
from tests.domain.losses import worked_example as ex
from tests.services.losses.case_factory import COMPANY, LI_CASE, ZHANG_CASE, make_loss_cases
from tests.services.losses.files_factory import trade_rows, write_market_csv, write_trades_xlsx


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_market_csv(tmp_path / "行情.csv"), write_trades_xlsx(tmp_path / "交割单.xlsx")


def _agreed(database: Database, case_id: int) -> Decimal | None:
    with database.session() as session:
        case = session.get(CaseRow, case_id)
        assert case is not None
        return case.agreed_amount


def _case_dialog(
    qtbot: QtBot, database: Database, qsettings: QSettings, case_id: int, files: tuple[Path, Path]
) -> CaseLossDialog:
    dialog = CaseLossDialog(database, case_id, Preferences(qsettings))
    qtbot.addWidget(dialog)
    dialog.params.market_edit.setText(str(files[0]))
    dialog.params.trades_edit.setText(str(files[1]))
    return dialog


def _wait(qtbot: QtBot, dialog: CaseLossDialog | BatchLossDialog) -> None:
    qtbot.waitUntil(lambda: dialog.job is not None and not dialog.job.running, timeout=20_000)


def test_one_case_computed_with_the_company_dates_and_ratio(
    qtbot: QtBot, database: Database, qsettings: QSettings, files: tuple[Path, Path], tmp_path: Path
) -> None:
    cases = make_loss_cases(database, ratio="0.4")
    dialog = _case_dialog(qtbot, database, qsettings, cases.zhang, files)
    p = dialog.params
    assert p.implemented_edit.date().toPython() == ex.IMPLEMENTED_ON
    assert p.disclosed_edit.date().toPython() == ex.DISCLOSED_ON
    assert p.ratio_edit.text() == "0.4" and not p.dates_note.isVisibleTo(dialog)
    assert "尚未保存测算结果" in dialog.stored_label.text()
    assert not dialog.apply_button.isEnabled()
    dialog.calculate()
    _wait(qtbot, dialog)
    labels = [dialog.steps.topLevelItem(i).text(1) for i in range(dialog.steps.topLevelItemCount())]
    assert labels[:3] == ["交易因果关系", "基准日", "基准价"] and "市场风险扣除（同步指数对比法）" in labels
    assert "12,914.69" in dialog.total_label.text() and "5,165.88" in dialog.total_label.text()
    pdf = tmp_path / "明细.pdf"
    dialog.save_pdf(pdf)
    _wait(qtbot, dialog)
    assert pdf.read_bytes().startswith(b"%PDF")
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.store(apply=True)
    assert _agreed(database, cases.zhang) == Decimal("5165.88")
    stored = stored_loss(database, cases.zhang)
    assert stored is not None and stored.method == "mwa"


def test_a_typed_amount_is_replaced_only_when_the_mediator_says_so(
    qtbot: QtBot, database: Database, qsettings: QSettings, files: tuple[Path, Path]
) -> None:
    cases = make_loss_cases(database, li_agreed="3000.00")
    dialog = _case_dialog(qtbot, database, qsettings, cases.li, files)
    dialog.calculate()
    _wait(qtbot, dialog)
    questions: list[str] = []
    answers = iter([False, True])
    dialog.confirm = lambda question: questions.append(question) or next(answers)  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.store(apply=True)
    assert "3,000.00" in questions[0] and "3,763.01" in questions[0]
    assert _agreed(database, cases.li) == Decimal("3000.00")
    assert "保留已填写的调解金额" in dialog.stored_label.text()
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.store(apply=True)
    assert _agreed(database, cases.li) == Decimal("3763.01")


def test_problems_in_the_files_are_listed_with_their_rows(
    qtbot: QtBot, database: Database, qsettings: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = make_loss_cases(database)
    rows = trade_rows()
    rows[7][2] = "2024-01-13"  # 李四's buy on a Saturday
    files = write_market_csv(tmp_path / "m.csv"), write_trades_xlsx(tmp_path / "t.xlsx", rows)
    dialog = _case_dialog(qtbot, database, qsettings, cases.li, files)
    boxes: list[object] = []
    monkeypatch.setattr(show_error, "suppress", True, raising=False)

    def shown(parent: object, exc: BaseException) -> None:
        boxes.append(show_problems(dialog, exc))

    monkeypatch.setattr("mediator.gui.loss_dialog.show_problems", shown)
    dialog.calculate()
    _wait(qtbot, dialog)
    [box] = boxes
    assert "t.xlsx，第 10 行，“交易日期”列：2024-01-13 不是交易日" in box.informativeText()  # type: ignore[attr-defined]
    assert dialog.steps.topLevelItemCount() == 0 and not dialog.apply_button.isEnabled()


def test_the_case_detail_opens_the_calculator_and_shows_the_new_amount(
    qtbot: QtBot, database: Database, qsettings: QSettings, files: tuple[Path, Path]
) -> None:
    cases = make_loss_cases(database)
    panel = CaseDetailPanel(database, Preferences(qsettings))
    qtbot.addWidget(panel)
    panel.show_case(cases.zhang)
    assert panel.loss_button.isEnabled()
    dialog = panel.open_loss_calculator()
    assert isinstance(dialog, CaseLossDialog)
    dialog.params.market_edit.setText(str(files[0]))
    dialog.params.trades_edit.setText(str(files[1]))
    dialog.calculate()
    _wait(qtbot, dialog)
    with qtbot.waitSignal(panel.case_changed, timeout=20_000):
        dialog.store(apply=True)
    assert panel.form.agreedEdit.text() == "12,914.69"
    dialog.close()


def _batch_dialog(
    qtbot: QtBot, database: Database, qsettings: QSettings, files: tuple[Path, Path]
) -> BatchLossDialog:
    dialog = BatchLossDialog(database, Preferences(qsettings))
    qtbot.addWidget(dialog)
    dialog.params.market_edit.setText(str(files[0]))
    dialog.params.trades_edit.setText(str(files[1]))
    return dialog


def test_a_whole_company_listed_and_applied(
    qtbot: QtBot, database: Database, qsettings: QSettings, files: tuple[Path, Path], tmp_path: Path
) -> None:
    cases = make_loss_cases(database, li_agreed="3000.00", ratio="0.4")
    dialog = _batch_dialog(qtbot, database, qsettings, files)
    assert dialog.company == COMPANY and dialog.params.ratio_edit.text() == "0.4"
    dialog.batch_spin.setValue(15)
    dialog.calculate()
    _wait(qtbot, dialog)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 0).text() == "张三（110***********002X）"
    assert dialog.table.item(0, 4).text() == "12,914.69" and dialog.table.item(0, 5).text() == "5,165.88"
    dialog.save_pdfs(tmp_path / "明细")
    _wait(qtbot, dialog)
    assert sorted(p.name for p in (tmp_path / "明细").iterdir()) == ["0001_张三.pdf", "0002_李四.pdf"]
    questions: list[str] = []
    dialog.confirm = lambda question: questions.append(question) or False  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.store(apply=True)
    assert "1 件案件已填写调解金额" in questions[0] and LI_CASE in questions[0]
    assert [dialog.table.item(row, 6).text() for row in range(2)] == [ZHANG_CASE, LI_CASE]
    assert [dialog.table.item(row, 7).text() for row in range(2)] == [
        "已设为调解金额",
        "保留已填写的调解金额",
    ]
    assert _agreed(database, cases.zhang) == Decimal("5165.88")
    assert _agreed(database, cases.li) == Decimal("3000.00")


def test_a_batch_run_can_be_cancelled(
    qtbot: QtBot, database: Database, qsettings: QSettings, files: tuple[Path, Path]
) -> None:
    make_loss_cases(database)
    dialog = _batch_dialog(qtbot, database, qsettings, files)
    job = dialog.calculate()
    assert job is not None
    job.cancel()
    _wait(qtbot, dialog)
    assert job.cancelled and dialog.run is None and dialog.table.rowCount() == 0


def test_the_breakdown_prints_page_by_page(
    qtbot: QtBot, database: Database, qsettings: QSettings, files: tuple[Path, Path], tmp_path: Path
) -> None:
    from PySide6.QtPrintSupport import QPrinter

    from mediator.gui.loss_dialog import print_pdf_to

    cases = make_loss_cases(database)
    dialog = _case_dialog(qtbot, database, qsettings, cases.zhang, files)
    dialog.calculate()
    _wait(qtbot, dialog)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_pdf_to(printer, dialog.pdf_bytes()) == 2  # the breakdown's two pages
    assert (tmp_path / "printed.pdf").read_bytes().startswith(b"%PDF")


def test_the_case_menu_opens_the_batch_calculator(main_window: object) -> None:
    from mediator.gui.main_window import MainWindow

    assert isinstance(main_window, MainWindow)
    assert main_window.loss_action in main_window.form.menuCase.actions()
    dialog = main_window.open_loss_batch()
    assert isinstance(dialog, BatchLossDialog)
    assert dialog.company_combo.count() >= 1 and not dialog.apply_button.isEnabled()
    dialog.close()


def test_the_next_case_starts_from_the_files_and_method_of_the_last(
    qtbot: QtBot, database: Database, qsettings: QSettings, files: tuple[Path, Path]
) -> None:
    cases = make_loss_cases(database)
    first = _case_dialog(qtbot, database, qsettings, cases.zhang, files)
    first.params.method_combo.setCurrentIndex(first.params.method_combo.findData("fifo"))
    first.calculate()
    _wait(qtbot, first)
    second = CaseLossDialog(database, cases.li, Preferences(qsettings))
    qtbot.addWidget(second)
    assert second.params.market_edit.text() == str(files[0])
    assert second.params.trades_edit.text() == str(files[1])
    assert second.params.method_combo.currentData() == "fifo"
