"""The 文档 menu in the main window: agreements, signing package, signed files back, judicial-
confirmation applications and the report to the court, each run as a job and reported in a dialog;
the signing turnaround in the batch list."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from mediator.gui.batch_list import SIGNING_COLUMN
from mediator.gui.main_window import BATCHES_TAB, CASES_TAB, MainWindow
from mediator.store.database import Database
from tests.fixtures.document_factories import COMPANY_NAME, DocumentFixture, make_batch
from tests.fixtures.signing_helpers import make_ca, sign_all

TODAY = date(2025, 3, 25)
NAMES = ("张䶮", "李堃", "王喆")


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Errors a job would show in a dialog (recorded instead, so a test never blocks on one)."""
    shown: list[BaseException] = []
    import mediator.gui.errors as gui_errors

    monkeypatch.setattr(gui_errors, "show_error", lambda _parent, exc: shown.append(exc))
    return shown


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls


def choose_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args, **_kw: str(folder))


def open_window(qtbot: QtBot, database: Database, qsettings: QSettings, today: date = TODAY) -> MainWindow:
    window = MainWindow(database, qsettings, today=lambda: today)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def batch(database: Database) -> DocumentFixture:
    return make_batch(database, names=NAMES)


@pytest.fixture
def window(
    qtbot: QtBot, database: Database, qsettings: QSettings, batch: DocumentFixture
) -> Iterator[MainWindow]:
    yield open_window(qtbot, database, qsettings)
    from mediator.gui.jobs import wait_for_all_jobs

    wait_for_all_jobs()


def run_action(qtbot: QtBot, window: MainWindow, action: Any) -> None:
    """Trigger a 文档 action and wait until its job reported back."""
    before = window.document_jobs.job
    action.trigger()
    job = window.document_jobs.job
    assert job is not None and job is not before, "the action started no job"
    qtbot.waitUntil(lambda: not job.running, timeout=60_000)


def select_batch(window: MainWindow) -> None:
    window.form.tabs.setCurrentIndex(BATCHES_TAB)
    # The batch list is read in a worker: wait until its rows are there.
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + 30
    while window.batch_model.rowCount() == 0 and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    window.form.batchTable.selectRow(0)


def test_agreements_for_the_selected_batch(
    qtbot: QtBot,
    window: MainWindow,
    batch: DocumentFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    errors: list[BaseException],
    opened: list[QUrl],
) -> None:
    out = tmp_path / "协议书"
    out.mkdir()
    choose_folder(monkeypatch, out)
    select_batch(window)

    run_action(qtbot, window, window.document_actions["agreements"])

    assert errors == []
    assert sorted(p.name for p in out.iterdir()) == [f"{n}.pdf" for n in batch.case_numbers]
    dialog = window.document_jobs.result_dialog
    assert dialog is not None and dialog.isVisible()
    assert "第15批" in dialog.summary.text() and "3 份" in dialog.summary.text()
    assert str(out) in dialog.summary.text()
    assert dialog.open_button is not None
    dialog.open_button.click()
    assert [url.toLocalFile() for url in opened] == [str(out)]


def test_agreements_for_selected_cases_only(
    qtbot: QtBot,
    window: MainWindow,
    batch: DocumentFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    errors: list[BaseException],
) -> None:
    choose_folder(monkeypatch, tmp_path)
    window.form.tabs.setCurrentIndex(CASES_TAB)
    table = window.form.caseTable
    selection = table.selectionModel()
    rows = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for case_id in batch.case_ids[1:]:
        row = window.case_model.row_of(case_id)
        assert row is not None
        selection.select(window.case_model.index(row, 0), rows)

    run_action(qtbot, window, window.document_actions["agreements"])

    assert errors == []
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [f"{n}.pdf" for n in batch.case_numbers[1:]]
    dialog = window.document_jobs.result_dialog
    assert dialog is not None and "所选 2 件案件" in dialog.summary.text()


def test_batch_jobs_need_a_batch(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    told: list[str] = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: told.append(text))
    window.form.tabs.setCurrentIndex(BATCHES_TAB)
    window.form.batchTable.clearSelection()
    window.form.batchTable.setCurrentIndex(window.batch_model.index(-1, 0))
    window.document_actions["sign-package"].trigger()
    assert told == ["请先在批次列表中选择一个批次。"]
    assert window.document_jobs.job is None


def test_sign_package_then_signed_import_lists_each_file_and_shows_turnaround(
    qtbot: QtBot,
    window: MainWindow,
    batch: DocumentFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    errors: list[BaseException],
) -> None:
    package = tmp_path / "签署包"
    package.mkdir()
    choose_folder(monkeypatch, package)
    select_batch(window)
    run_action(qtbot, window, window.document_actions["sign-package"])
    assert errors == []
    assert (package / "manifest.xlsx").is_file() and (package / "manifest.json").is_file()
    dialog = window.document_jobs.result_dialog
    assert dialog is not None and "协议书 3 份" in dialog.summary.text()
    # No case has come back yet: the turnaround column is empty and its tooltip says why.
    model = window.batch_model
    assert model.data(model.index(0, SIGNING_COLUMN)) == ""

    # Back from the court: one fully signed, one unsigned, one with a byte changed after signing.
    pki = make_ca(tmp_path)
    signers = {
        "investor": "张䶮",
        "company": COMPANY_NAME,
        "mediator": "孙调解",
        "organisation": "江苏省证券业协会",
    }
    returned = tmp_path / "已签署"
    returned.mkdir()
    signed = sign_all((package / f"{batch.case_numbers[0]}.pdf").read_bytes(), pki, signers)
    (returned / "a-signed.pdf").write_bytes(signed)
    (returned / "b-unsigned.pdf").write_bytes((package / f"{batch.case_numbers[1]}.pdf").read_bytes())
    other = sign_all((package / f"{batch.case_numbers[2]}.pdf").read_bytes(), pki, signers)
    at = other.index(b"/Contents <") + 20
    tampered = other[:at] + (b"0" if other[at : at + 1] != b"0" else b"1") + other[at + 1 :]
    (returned / "c-tampered.pdf").write_bytes(tampered)
    choose_folder(monkeypatch, returned)

    run_action(qtbot, window, window.document_actions["signed-import"])

    assert errors == []
    dialog = window.document_jobs.result_dialog
    assert dialog is not None and dialog.table is not None
    assert "共 3 份：登记 1 份" in dialog.summary.text() and "拒收 2 份" in dialog.summary.text()
    rows = {
        dialog.table.topLevelItem(i).text(0): [dialog.table.topLevelItem(i).text(c) for c in range(1, 4)]
        for i in range(dialog.table.topLevelItemCount())
    }
    assert rows["a-signed.pdf"][:2] == ["已签署，已登记", batch.case_numbers[0]]
    # Not under the (absent) trusted roots: accepted with a warning, as the CLI does.
    assert "不在受信任的根证书之下" in rows["a-signed.pdf"][2]
    assert rows["b-unsigned.pdf"][0] == "拒收" and "没有任何电子签名" in rows["b-unsigned.pdf"][2]
    assert rows["c-tampered.pdf"][0] == "拒收" and rows["c-tampered.pdf"][2]
    assert dialog.open_button is None

    # The window reloaded: the batch list shows the turnaround, equal to the signing service's figure.
    from mediator.services.cases.batches import format_span
    from mediator.services.documents.signing import signing_turnaround

    with window.database.session() as session:
        turnaround = signing_turnaround(session, batch.batch_id)
    assert turnaround is not None
    expected = f"{format_span(turnaround[0])} / {format_span(turnaround[1])}"
    # The batch list is read again in a worker after the import: wait for that read to land.
    qtbot.waitUntil(lambda: model.data(model.index(0, SIGNING_COLUMN)) == expected, timeout=10_000)
    assert "中位数" in model.data(model.index(0, SIGNING_COLUMN), Qt.ItemDataRole.ToolTipRole)
    row = window.case_model.row_of(batch.case_ids[0])
    assert row is not None
    statuses = [
        window.case_model.data(window.case_model.index(row, c))
        for c in range(window.case_model.columnCount())
    ]
    assert "已签署" in statuses


def signed_by_untrusted_ca(
    qtbot: QtBot, window: MainWindow, batch: DocumentFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """The first case's agreement from the signing package, signed by all three parties with
    certificates of a CA made in the test: (folder holding it, that CA's PEM file)."""
    package = tmp_path / "签署包"
    package.mkdir()
    choose_folder(monkeypatch, package)
    select_batch(window)
    run_action(qtbot, window, window.document_actions["sign-package"])
    pki = make_ca(tmp_path)
    signers = {
        "investor": "张䶮",
        "company": COMPANY_NAME,
        "mediator": "孙调解",
        "organisation": "江苏省证券业协会",
    }
    returned = tmp_path / "已签署"
    returned.mkdir()
    signed = sign_all((package / f"{batch.case_numbers[0]}.pdf").read_bytes(), pki, signers)
    (returned / "signed.pdf").write_bytes(signed)
    choose_folder(monkeypatch, returned)
    return returned, pki.ca_pem


def result_rows(window: MainWindow) -> dict[str, list[str]]:
    dialog = window.document_jobs.result_dialog
    assert dialog is not None and dialog.table is not None
    table = dialog.table
    return {
        table.topLevelItem(i).text(0): [table.topLevelItem(i).text(c) for c in range(1, 4)]
        for i in range(table.topLevelItemCount())
    }


def case_status(window: MainWindow, case_id: int) -> str:
    from mediator.services.cases.lists import case_detail

    return case_detail(window.database, case_id).status.label


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
def test_signed_import_strict_setting_decides_on_an_untrusted_certificate(
    qtbot: QtBot,
    window: MainWindow,
    batch: DocumentFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    errors: list[BaseException],
    strict: bool,
) -> None:
    from mediator.gui.settings import STRICT_SIGNATURES

    signed_by_untrusted_ca(qtbot, window, batch, tmp_path, monkeypatch)
    window.preferences.set(STRICT_SIGNATURES, strict)

    run_action(qtbot, window, window.document_actions["signed-import"])

    assert errors == []
    outcome, case_number, notes = result_rows(window)["signed.pdf"]
    summary = window.document_jobs.result_dialog.summary.text()  # type: ignore[union-attr]
    assert case_number == batch.case_numbers[0]
    assert "不在受信任的根证书之下" in notes
    if strict:
        assert outcome == "拒收" and not notes.startswith("警告")
        assert "拒收 1 份" in summary and "严格模式" in summary
        assert case_status(window, batch.case_ids[0]) == "已达成"
    else:
        assert outcome == "已签署，已登记" and notes.startswith("警告：")
        assert "登记 1 份" in summary and "严格模式" not in summary
        assert case_status(window, batch.case_ids[0]) == "已签署"


def test_signed_import_with_the_trusted_root_from_settings_accepts_without_warning(
    qtbot: QtBot,
    window: MainWindow,
    batch: DocumentFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    errors: list[BaseException],
) -> None:
    from mediator.gui.settings import STRICT_SIGNATURES, TRUST_ROOTS

    _folder, ca_pem = signed_by_untrusted_ca(qtbot, window, batch, tmp_path, monkeypatch)
    window.preferences.set(TRUST_ROOTS, str(ca_pem))
    window.preferences.set(STRICT_SIGNATURES, True)

    run_action(qtbot, window, window.document_actions["signed-import"])

    assert errors == []
    assert result_rows(window)["signed.pdf"] == ["已签署，已登记", batch.case_numbers[0], ""]
    assert case_status(window, batch.case_ids[0]) == "已签署"


def test_signed_import_with_a_missing_root_file_says_so_and_imports_nothing(
    window: MainWindow,
    batch: DocumentFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    errors: list[BaseException],
) -> None:
    from mediator.errors import UserError
    from mediator.gui.settings import TRUST_ROOTS

    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **_kw: asked.append(args[1]) or "")
    missing = tmp_path / "根证书.pem"
    window.preferences.set(TRUST_ROOTS, str(missing))

    window.document_actions["signed-import"].trigger()

    assert len(errors) == 1 and isinstance(errors[0], UserError)
    assert str(missing) in str(errors[0]) and "无法读取信任根证书文件" in str(errors[0])
    assert asked == [] and window.document_jobs.job is None  # stopped before any folder or job

    garbage = tmp_path / "不是证书.pem"
    garbage.write_text("这不是证书", encoding="utf-8")
    window.preferences.set(TRUST_ROOTS, str(garbage))
    window.document_actions["signed-import"].trigger()
    assert len(errors) == 2 and "无法识别" in str(errors[1])
    assert window.document_jobs.job is None


@pytest.fixture
def signed_batch(database: Database) -> DocumentFixture:
    # Pre-filing referrals (民诉前调): they end in judicial confirmation.
    return make_batch(database, names=("陈赟", "刘翀"), status="signed", case_type="民诉前调")


def test_confirmation_applications_and_court_report(
    qtbot: QtBot,
    database: Database,
    qsettings: QSettings,
    signed_batch: DocumentFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    errors: list[BaseException],
) -> None:
    window = open_window(qtbot, database, qsettings)
    choose_folder(monkeypatch, tmp_path)
    select_batch(window)
    run_action(qtbot, window, window.document_actions["confirmation"])
    assert errors == []
    dialog = window.document_jobs.result_dialog
    assert dialog is not None and "涉及 2 件案件" in dialog.summary.text()
    assert len(list(tmp_path.glob("*司法确认申请书*.pdf"))) >= 1

    # The report: masked by default; the checkbox "包含完整身份证号" unmasks (and is audited).
    from mediator.gui.document_jobs import ReportDialog

    dialog_seen: list[ReportDialog] = []

    def answer(target: Any, *, personal: bool, name: str) -> Any:
        report = ReportDialog(target.label, tmp_path / name)
        dialog_seen.append(report)
        report.personal_check.setChecked(personal)
        return report.choice()

    for personal, name in ((False, "masked.xlsx"), (True, "full.xlsx")):
        monkeypatch.setattr(
            window.document_jobs,
            "ask_report",
            lambda target, personal=personal, name=name: answer(target, personal=personal, name=name),
        )
        run_action(qtbot, window, window.document_actions["report"])
        assert errors == []
    assert dialog_seen[0].personal_check.text() == "包含完整身份证号"
    masked = _cells(tmp_path / "masked.xlsx")
    full = _cells(tmp_path / "full.xlsx")
    assert signed_batch.id_numbers[0] not in masked and signed_batch.id_numbers[0][-4:] in masked
    assert signed_batch.id_numbers[0] in full
    assert (tmp_path / "full.pdf").is_file()  # the PDF copy goes along
    info = subprocess.run(["pdfinfo", str(tmp_path / "full.pdf")], capture_output=True, text=True).stdout
    assert "Pages:" in info
    dialog = window.document_jobs.result_dialog
    assert dialog is not None and "已记入操作日志" in dialog.summary.text()
    assert str(tmp_path / "full.xlsx") in dialog.summary.text()


def _cells(path: Path) -> str:
    workbook = openpyxl.load_workbook(path, read_only=True)
    return " ".join(
        str(v) for row in workbook.active.iter_rows(values_only=True) for v in row if v is not None
    )


def test_cli_and_menu_list_every_registered_kind(window: MainWindow) -> None:
    """A registry entry without its command or its menu action fails here."""
    import argparse

    from mediator.cli import build_parser
    from mediator.services.documents.kinds import KINDS

    subparsers = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    menu = window.form.menuDocuments.actions()
    for kind in KINDS:
        assert kind.command in subparsers.choices, kind.key
        action = window.document_actions[kind.key]
        assert action in menu and action.objectName() == kind.action_name
    texts = [a.text() for a in menu if not a.isSeparator()]
    assert texts == [
        "生成调解协议书…",
        "预览和打印协议书…",
        "导出签署包…",
        "导入已签署文件…",
        "生成司法确认申请书…",
        "生成民事调解书申请书…",
        "导出法院反馈表…",
        "生成退回函…",
    ]
