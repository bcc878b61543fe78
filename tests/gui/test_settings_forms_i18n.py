"""Preferences (declared once, typed), the settings dialog, compiled forms up to date, English."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from mediator.gui.settings import CONFIRM_TRANSITIONS, DUE_WITHIN_DAYS, LANGUAGE, OPTIONS, Preferences
from mediator.store.database import Database

ROOT = Path(__file__).resolve().parents[2]


def test_preferences_have_defaults_types_and_survive_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "p.ini")
    prefs = Preferences(QSettings(path, QSettings.Format.IniFormat))
    assert prefs.get(LANGUAGE) == "zh_CN"
    assert prefs.get(CONFIRM_TRANSITIONS) is True
    prefs.set(CONFIRM_TRANSITIONS, False)
    prefs.set(DUE_WITHIN_DAYS, 10)
    prefs.qsettings.sync()
    again = Preferences(QSettings(path, QSettings.Format.IniFormat))
    assert again.get(CONFIRM_TRANSITIONS) is False  # INI stores "false": read back as a bool
    assert again.get(DUE_WITHIN_DAYS) == 10
    again.qsettings.setValue("preferences/language", "klingon")
    assert again.get(LANGUAGE) == "zh_CN"  # unknown choice → default


def test_settings_dialog_has_a_row_per_option_and_saves(qtbot: QtBot, qsettings: QSettings) -> None:
    from mediator.gui.settings_dialog import SettingsDialog

    prefs = Preferences(qsettings)
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    assert set(dialog.editors) == set(OPTIONS)
    language = dialog.editors["language"]
    language.setCurrentIndex(language.findData("en"))
    dialog.editors["due_within_days"].setValue(14)
    dialog.accept()
    assert prefs.get(LANGUAGE) == "en"
    assert prefs.get(DUE_WITHIN_DAYS) == 14
    assert dialog.form.restartNote.text() == "界面语言在重新启动程序后生效。"


def test_settings_dialog_edits_the_signed_import_trust_settings(
    qtbot: QtBot, qsettings: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog, QPushButton

    from mediator.gui.settings import STRICT_SIGNATURES, TRUST_ROOTS
    from mediator.gui.settings_dialog import SettingsDialog

    prefs = Preferences(qsettings)
    assert (prefs.get(TRUST_ROOTS), prefs.get(STRICT_SIGNATURES)) == ("", False)
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    # Both sit in their own group, labelled in the user's words.
    layout = dialog.form.signingLayout
    labels = [
        layout.itemAt(row, layout.ItemRole.LabelRole).widget().text() for row in range(layout.rowCount())
    ]
    assert labels == ["受信任的根证书文件（PEM）", "只接受受信任证书签署的文件"]
    assert dialog.form.signingBox.title() == "导入已签署文件"
    pem = tmp_path / "roots.pem"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args, **_kw: (str(pem), ""))
    browse = dialog.findChild(QPushButton, "browse_trust_roots")
    assert browse is not None and browse.text() == "浏览…"
    browse.click()
    dialog.editors["strict_signatures"].setChecked(True)
    dialog.accept()
    assert prefs.get(TRUST_ROOTS) == str(pem)
    assert prefs.get(STRICT_SIGNATURES) is True


def test_compiled_forms_match_the_ui_files() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_forms.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_english_catalog_serves_forms_and_domain_labels(
    qtbot: QtBot, demo_database: Database, qsettings: QSettings
) -> None:
    from mediator.i18n import set_language

    set_language("en")
    try:
        from mediator.gui.main_window import MainWindow

        window = MainWindow(demo_database, qsettings)
        qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
        qtbot.addWidget(window)
        assert window.windowTitle() == "[Demo] Securities Dispute Mediation Case Manager"
        assert window.menuBar().actions()[0].text() == "&File"
        assert window.form.personalDataCheck.text() == "Show personal data"
        assert window.case_model.headerData(
            0, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal
        ) == ("Case number")
        assert window.form.statusCombo.itemText(1) == "Referred"
        assert window.batch_model.data(window.batch_model.index(0, 0)) == "Batch 14"
    finally:
        set_language("zh_CN")


def test_catalog_placeholders_match() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "update_translations.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert "placeholders differ" not in result.stdout


@pytest.mark.parametrize("force", [True])
def test_bundled_cjk_font_registers(qapp: object, force: bool) -> None:
    from PySide6.QtGui import QFontDatabase

    from mediator.gui.fonts import ensure_cjk_font

    family = ensure_cjk_font(qapp, force_bundled=force)  # type: ignore[arg-type]
    assert family is not None and "WenKai" in family
    assert family in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)


def test_small_dialogs_come_from_their_forms_and_their_buttons_answer(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog

    from mediator.domain.workflow import CaseStatus, FailureReason
    from mediator.gui.case_detail import ContactDialog, FailureDialog, PaymentDialog
    from mediator.gui.confirmation_dialog import ConfirmationDialog
    from mediator.gui.document_jobs import ReportDialog

    failure = FailureDialog()
    contact = ContactDialog()
    payment = PaymentDialog("1234.50")
    confirmation = ConfirmationDialog("（2025）苏01民诉前调3100号", CaseStatus.SIGNED, date(2025, 3, 25))
    report = ReportDialog("第15批", tmp_path / "反馈表.xlsx")
    dialogs: list[QDialog] = [failure, contact, payment, confirmation, report]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
    assert [d.windowTitle() for d in dialogs] == [
        "调解不成",
        "记录一次联系",
        "登记付款",
        "登记司法确认",
        "导出法院反馈表",
    ]
    assert [failure.reason.itemData(i) for i in range(failure.reason.count())] == [
        r.value for r in FailureReason
    ]
    assert contact.channel.currentText() == "电话" and contact.outcome.currentText() == "已接通"
    assert payment.amount.text() == "1234.50" and payment.form.amountLabel.buddy() is payment.amount
    assert confirmation.form.caseLabel.text() == "案件 （2025）苏01民诉前调3100号"
    assert confirmation.applied_edit.date().toPython() == date(2025, 3, 25)
    assert report.form.batchLabel.text() == "第15批的反馈表"
    chosen = tmp_path / "另存.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args, **_kw: (str(chosen), ""))
    report.form.browseButton.click()
    assert report.choice() == (chosen, chosen.with_suffix(".pdf"), False)
    # OK and Cancel are wired in the forms (Designer connections), not in code.
    for dialog, button in zip(
        dialogs,
        [QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel] * 2
        + [QDialogButtonBox.StandardButton.Ok],
        strict=True,
    ):
        dialog.open()
        dialog.form.buttonBox.button(button).click()  # type: ignore[attr-defined]
        expected = (
            QDialog.DialogCode.Accepted
            if button is QDialogButtonBox.StandardButton.Ok
            else QDialog.DialogCode.Rejected
        )
        assert dialog.result() == expected
