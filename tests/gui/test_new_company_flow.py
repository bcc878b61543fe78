"""A court list naming a company the database has never seen, from the first start to the court's
report with nothing but the window: import, the company's form, a mediator, assignment, agreements,
signing package, signed copies back, the papers for the court and the report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from mediator.domain.agreement_terms import SIGNATURE_FIELDS
from mediator.domain.validators import make_uscc
from mediator.gui.main_window import BATCHES_TAB, MainWindow
from mediator.gui.registries import RegistryDialog
from mediator.gui.workspace import Workspace
from mediator.services.cases.lists import CaseFilter, case_detail, case_ids
from tests.fixtures.messy_lists import make_investors, write_xlsx
from tests.fixtures.signing_helpers import make_ca, sign_all
from tests.gui.conftest import DEMO_TODAY

COMPANY = "紫金山新材料股份有限公司"
USCC = make_uscc("91320100MA1PJT88B")


@pytest.fixture
def workspace(qtbot: QtBot, tmp_path: Path, qsettings: QSettings) -> Iterator[Workspace]:
    space = Workspace(
        qsettings,
        work_url=f"sqlite:///{tmp_path / 'work.db'}",
        demo_url=f"sqlite:///{tmp_path / 'demo.db'}",
        today=lambda: DEMO_TODAY,
    )
    window = space.open_work()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    yield space
    if space.window is not None:
        space.window.close()
    space.close()


def _choose_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args, **_kw: str(folder))


def _run(qtbot: QtBot, window: MainWindow, key: str, errors: list[BaseException]) -> str:
    before = window.document_jobs.job
    window.document_actions[key].trigger()
    job = window.document_jobs.job
    assert job is not None and job is not before, key
    qtbot.waitUntil(lambda: not job.running, timeout=120_000)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    assert errors == [], (key, errors)
    dialog = window.document_jobs.result_dialog
    assert dialog is not None
    return str(dialog.summary.text())


def _select_batch(qtbot: QtBot, window: MainWindow) -> None:
    window.form.tabs.setCurrentIndex(BATCHES_TAB)
    qtbot.waitUntil(lambda: window.batch_model.rowCount() == 1, timeout=10_000)
    window.form.batchTable.selectRow(0)


def test_a_new_companys_batch_goes_from_import_to_the_court_report_in_the_window(
    qtbot: QtBot, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediator.gui import errors as gui_errors
    from mediator.gui.import_dialog import ImportDialog

    errors: list[BaseException] = []
    monkeypatch.setattr(gui_errors, "show_error", lambda _parent, exc: errors.append(exc))
    window = workspace.window
    assert window is not None and window.first_start.welcome.isVisible()

    # 1. Import from the welcome page: the company is new, the dialog offers its form.
    court_list = write_xlsx(
        tmp_path / "第30批.xlsx", make_investors(4, seed=3, agreed=True), company=COMPANY, batch=30, style=1
    )
    window.first_start.welcome.import_button.click()
    [dialog] = [d for d in window.findChildren(ImportDialog) if d.isVisible()]
    with qtbot.waitSignal(dialog.preview_shown, timeout=10_000):
        dialog.add_files([court_list])
    with qtbot.waitSignal(dialog.import_finished, timeout=30_000):
        dialog.import_button.click()
    assert dialog.company_button.isVisible()
    dialog.company_button.click()
    registry = window.registry_dialog
    assert isinstance(registry, RegistryDialog)
    qtbot.waitUntil(lambda: not registry.busy, timeout=10_000)
    dialog.accept()

    # 2. The company's particulars and a mediator, in the registry.
    companies = registry.companies
    assert companies.name_edit.text() == COMPANY
    for field, value in (
        ("uscc", USCC),
        ("legal_representative", "赵紫金"),
        ("address", "南京市栖霞区紫金山路8号"),
        ("stock_code", "603999"),
    ):
        companies.form.edits[field].setText(value)
    assert companies.save() is not None
    qtbot.waitUntil(lambda: not registry.busy, timeout=10_000)
    assert companies.missing_label.text() == "协议书所需资料齐全。"
    mediators = registry.mediators
    mediators.new_mediator()
    mediators.name_edit.setText("周明")
    mediators.phone_edit.setText("13905180000")
    assert mediators.save() is not None
    qtbot.waitUntil(lambda: not registry.busy and mediators.table.rowCount() == 1, timeout=10_000)
    registry.reject()
    qtbot.waitUntil(lambda: not window.loading and window.form.mediatorCombo.count() == 2, timeout=10_000)
    assert not window.first_start.welcome.isVisible() and window.form.tabs.isVisible()

    # 3. Every case of the batch gets the mediator (批量处理, the whole filtered view).
    bulk = window.bulk_actions.open()
    assert bulk is not None
    bulk.mediator_combo.setCurrentIndex(bulk.mediator_combo.findText("周明"))
    job = bulk.run_preview()
    assert job is not None
    qtbot.waitUntil(lambda: not job.running, timeout=10_000)
    job = bulk.run_change()
    assert job is not None
    qtbot.waitUntil(lambda: not job.running and not window.loading, timeout=10_000)
    ids = case_ids(window.database, CaseFilter())
    assert len(ids) == 4 and {case_detail(window.database, i).mediator_id for i in ids} == {1}

    # 4. The list gave no addresses (and one phone is missing): completed in the case detail,
    # the numbers unmasked first (recorded in the audit log).
    window.form.tabs.setCurrentIndex(1)
    window.set_show_personal_data(True)
    qtbot.waitUntil(lambda: not window.loading and window.case_model.show_personal_data, timeout=10_000)
    detail = window.detail
    for row in range(4):
        window.form.caseTable.selectRow(row)
        qtbot.waitUntil(lambda: detail.detail is not None and not detail.busy, timeout=10_000)
        detail.form.addressEdit.setText(f"南京市鼓楼区中山路{row + 1}号")
        if not detail.form.phoneEdit.text():
            detail.form.phoneEdit.setText(f"1390518000{row}")
        job = detail.save()
        assert job is not None
        qtbot.waitUntil(lambda: not detail.busy and not window.loading, timeout=10_000)

    # 5. Agreements and the signing package for the batch.
    _select_batch(qtbot, window)
    _choose_folder(monkeypatch, tmp_path / "协议书")
    assert "4" in _run(qtbot, window, "agreements", errors)
    assert len(list((tmp_path / "协议书").glob("*.pdf"))) == 4
    package = tmp_path / "签署包"
    _choose_folder(monkeypatch, package)
    _select_batch(qtbot, window)
    _run(qtbot, window, "sign-package", errors)
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    assert {entry["signers"][2] for entry in manifest["documents"]} == {"周明"}

    # 6. The copies come back signed by all parties.
    pki = make_ca(tmp_path)
    returned = tmp_path / "已签署"
    returned.mkdir()
    for entry in manifest["documents"]:
        names = dict(zip(SIGNATURE_FIELDS, entry["signers"], strict=False))
        (returned / entry["file"]).write_bytes(sign_all((package / entry["file"]).read_bytes(), pki, names))
    _choose_folder(monkeypatch, returned)
    assert "登记 4 份" in _run(qtbot, window, "signed-import", errors)
    assert {case_detail(window.database, i).status.value for i in ids} == {"signed"}

    # 7. The papers for the court and the report back to it.
    kind = "court-request" if "民初" in manifest["documents"][0]["file"] else "confirmation"
    _choose_folder(monkeypatch, tmp_path / "法院")
    _select_batch(qtbot, window)
    _run(qtbot, window, kind, errors)
    assert list((tmp_path / "法院").glob("*.pdf"))

    from mediator.gui.document_jobs import ReportDialog

    def answer(target: Any) -> Any:
        return ReportDialog(target.label, tmp_path / "反馈表.xlsx").choice()

    monkeypatch.setattr(window.document_jobs, "ask_report", answer)
    _select_batch(qtbot, window)
    _run(qtbot, window, "report", errors)
    sheet = openpyxl.load_workbook(tmp_path / "反馈表.xlsx", read_only=True).active
    text = " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)
    assert COMPANY in text or "第30批" in text
