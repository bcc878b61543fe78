"""The registries in the window: a company completed in a form checked as you type (from the 登记
menu, from the import's new-company warning, from the agreements' refusal), mediators added and
offered by the case detail's 调解员 combo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from mediator.domain.agreement_terms import IncompleteParticulars
from mediator.domain.validators import make_uscc
from mediator.gui.main_window import MainWindow
from mediator.gui.registries import RegistryDialog
from mediator.services.parties.companies import list_companies, set_company
from mediator.services.parties.mediators import list_mediators
from mediator.store.database import Database
from tests.fixtures.messy_lists import make_investors, write_xlsx
from tests.gui.conftest import DEMO_TODAY

COMPANY = "紫金山新材料股份有限公司"
USCC = make_uscc("91320100MA1PJT88B")


@pytest.fixture
def window(qtbot: QtBot, database: Database, qsettings: QSettings) -> Iterator[MainWindow]:
    set_company(database, COMPANY, actor="测试员")
    main = MainWindow(database, qsettings, today=lambda: DEMO_TODAY)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: not main.loading, timeout=10_000)
    yield main
    from mediator.gui.jobs import wait_for_all_jobs

    wait_for_all_jobs()


def _opened(qtbot: QtBot, window: MainWindow, action: str) -> RegistryDialog:
    window.findChild(type(window.form.actionQuit), action).trigger()
    dialog = window.registry_dialog
    assert isinstance(dialog, RegistryDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    return dialog


def test_a_company_is_completed_in_a_form_checked_as_you_type(
    qtbot: QtBot, window: MainWindow, database: Database
) -> None:
    dialog = _opened(qtbot, window, "actionCompanies")
    tab = dialog.companies
    # The company missing particulars is shown, with what agreements still need.
    assert tab.name_edit.text() == COMPANY and tab.name_edit.isReadOnly()
    assert "统一社会信用代码" in tab.missing_label.text()
    edits = tab.form.edits
    edits["uscc"].setText(USCC[:-1] + ("0" if USCC[-1] != "0" else "1"))  # a wrong check digit
    assert edits["uscc"].property("invalid") and not tab.save_button.isEnabled()
    assert "校验" in edits["uscc"].toolTip() or "统一社会信用代码" in edits["uscc"].toolTip()
    edits["uscc"].setText(USCC)
    edits["stock_code"].setText("60399")
    assert edits["stock_code"].property("invalid") and not tab.save_button.isEnabled()
    edits["stock_code"].setText("603999")
    edits["implemented_on"].setText("2023-10-20")
    edits["disclosed_on"].setText("2022-04-28")
    assert edits["disclosed_on"].property("invalid") and "揭露日" in tab.problem_label.text()
    edits["implemented_on"].setText("2022-04-28")
    edits["disclosed_on"].setText("2023年10月20日")
    edits["legal_representative"].setText("赵紫金")
    edits["address"].setText("南京市栖霞区紫金山路8号")
    assert tab.check() and tab.save_button.isEnabled()
    job = tab.save()
    assert job is not None
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    [company] = list_companies(database)
    assert (company.uscc, company.stock_code, company.missing) == (USCC, "603999", [])
    assert str(company.disclosed_on) == "2023-10-20"
    assert tab.missing_label.text() == "协议书所需资料齐全。"
    # A date emptied in the form is cleared, not kept.
    qtbot.waitUntil(lambda: tab.save_button.isEnabled(), timeout=10_000)
    edits["implemented_on"].setText("")
    assert tab.save() is not None
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    [company] = list_companies(database)
    assert (company.implemented_on, str(company.disclosed_on)) == (None, "2023-10-20")


def test_a_new_mediator_is_offered_by_the_case_detail(
    qtbot: QtBot, window: MainWindow, database: Database
) -> None:
    dialog = _opened(qtbot, window, "actionMediators")
    tab = dialog.mediators
    tab.new_mediator()
    tab.name_edit.setText("周明")
    tab.phone_edit.setText("12345")
    assert tab.phone_edit.property("invalid") and not tab.save_button.isEnabled()
    tab.phone_edit.setText("13905180000")
    assert tab.save() is not None
    qtbot.waitUntil(lambda: not dialog.busy and tab.table.rowCount() == 1, timeout=10_000)
    assert [(m.name, m.phone, m.active) for m in list_mediators(database)] == [("周明", "13905180000", True)]
    assert tab.table.item(0, 2).text() == "在岗"
    dialog.reject()  # closing reads the window's lists again
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    combo = window.detail.form.mediatorCombo
    assert [combo.itemText(i) for i in range(combo.count())] == ["（未指定）", "周明"]


def test_the_imports_new_company_warning_opens_its_form(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from mediator.gui.import_dialog import ImportDialog

    path = write_xlsx(
        tmp_path / "第30批.xlsx", make_investors(3, seed=9), company="钟山科技股份有限公司", batch=30
    )
    window.open_import()
    [dialog] = [d for d in window.findChildren(ImportDialog) if d.isVisible()]
    with qtbot.waitSignal(dialog.preview_shown, timeout=10_000):
        dialog.add_files([path])
    with qtbot.waitSignal(dialog.import_finished, timeout=30_000):
        dialog.import_button.click()
    assert dialog.company_button.isVisible()
    dialog.company_button.click()
    registry = window.registry_dialog
    assert isinstance(registry, RegistryDialog)
    qtbot.waitUntil(lambda: not registry.busy, timeout=10_000)
    assert registry.companies.name_edit.text() == "钟山科技股份有限公司"
    dialog.reject()


def test_the_agreements_refusal_for_missing_particulars_offers_the_company_form(
    qtbot: QtBot, window: MainWindow
) -> None:
    refusal = IncompleteParticulars(
        "2件案件缺少生成协议书所需的信息：上市公司统一社会信用代码",
        {"（2025）苏01民初3100号": ["上市公司统一社会信用代码", "上市公司住所"]},
    )
    window.document_jobs._failed(refusal)
    box = window.document_jobs.missing_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    [fill_in] = [b for b in box.buttons() if b.text() == "补全上市公司资料…"]
    fill_in.click()
    registry = window.registry_dialog
    assert isinstance(registry, RegistryDialog) and registry.isVisible()
    qtbot.waitUntil(lambda: not registry.busy, timeout=10_000)
    assert registry.companies.name_edit.text() == COMPANY


def test_a_mediator_no_longer_taking_cases_is_marked_in_the_combo(
    qtbot: QtBot, window: MainWindow, database: Database
) -> None:
    from mediator.services.parties.mediators import add_mediator

    add_mediator(database, "周明", phone="13905180000", actor="测试员")
    add_mediator(database, "陈静", phone=None, actor="测试员", active=False)
    window.refresh()
    qtbot.waitUntil(
        lambda: not window.loading and window.detail.form.mediatorCombo.count() == 3, timeout=10_000
    )
    combo = window.detail.form.mediatorCombo
    assert [combo.itemText(i) for i in range(combo.count())] == ["（未指定）", "周明", "陈静（停用）"]


def test_the_particulars_refusal_lists_every_case_to_complete(qtbot: QtBot, window: MainWindow) -> None:
    refusal = IncompleteParticulars(
        "2件案件资料不全，不能生成调解协议书：…",
        {
            "（2025）苏01民诉前调3100号": ["投资者住址", "投资者联系电话"],
            "（2025）苏01民诉前调3101号": ["承办调解员"],
        },
    )
    window.document_jobs._failed(refusal)
    box = window.document_jobs.missing_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.detailedText().splitlines() == [
        "（2025）苏01民诉前调3100号：投资者住址、投资者联系电话",
        "（2025）苏01民诉前调3101号：承办调解员",
    ]
    # Nothing of the company's is missing: no company form to offer.
    assert [b.text() for b in box.buttons() if b.text() == "补全上市公司资料…"] == []
    box.close()
