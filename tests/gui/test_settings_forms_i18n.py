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
        qtbot.addWidget(window)
        assert window.windowTitle() == "Securities Dispute Mediation Case Manager"
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
