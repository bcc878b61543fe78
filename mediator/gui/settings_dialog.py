"""The preferences dialog, built from the option registry in gui/settings.py: one row per option,
the widget chosen by the option's type."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from mediator.gui.settings import OPTIONS, Option, Preferences
from mediator.gui.ui_settings_dialog import Ui_SettingsDialog
from mediator.i18n import _


class SettingsDialog(QDialog):
    """Edits every registered preference; OK writes them. The language applies on restart."""

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = Ui_SettingsDialog()
        self.form.setupUi(self)
        self._preferences = preferences
        self.editors: dict[str, QWidget] = {}
        # The form holds one form layout per section (gui/settings.py SECTIONS).
        layouts: dict[str, QFormLayout] = {
            "general": self.form.optionsLayout,
            "signing": self.form.signingLayout,
        }
        for option in OPTIONS.values():
            editor = self._editor(option, preferences.get(option))
            editor.setObjectName(f"option_{option.key}")
            self.editors[option.key] = editor
            field: QWidget = editor
            if option.file_filter is not None and isinstance(editor, QLineEdit):
                field = self._with_browse(editor, option)
            layouts[option.section].addRow(_(option.label), field)
        self.form.buttonBox.accepted.connect(self.accept)
        self.form.buttonBox.rejected.connect(self.reject)

    def _editor(self, option: Option[Any], value: Any) -> QWidget:
        if option.choices is not None:
            combo = QComboBox()
            for key, label in option.choices.items():
                combo.addItem(label, key)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            return combo
        if option.type is bool:
            check = QCheckBox()
            check.setChecked(bool(value))
            return check
        if option.type is int:
            spin = QSpinBox()
            spin.setRange(1, 90)
            spin.setValue(int(value))
            return spin
        edit = QLineEdit(str(value))
        return edit

    def _with_browse(self, edit: QLineEdit, option: Option[Any]) -> QWidget:
        """The path's line edit and a "浏览…" button that fills it from a file dialog."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        browse = QPushButton(_("浏览…"))
        browse.setObjectName(f"browse_{option.key}")
        layout.addWidget(browse)

        def choose() -> None:
            path, _filter = QFileDialog.getOpenFileName(
                self, _(option.label), edit.text(), _(option.file_filter or "")
            )
            if path:
                edit.setText(path)

        browse.clicked.connect(choose)
        return row

    def values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, editor in self.editors.items():
            if isinstance(editor, QComboBox):
                result[key] = editor.currentData()
            elif isinstance(editor, QCheckBox):
                result[key] = editor.isChecked()
            elif isinstance(editor, QSpinBox):
                result[key] = editor.value()
            elif isinstance(editor, QLineEdit):
                result[key] = editor.text().strip()
        return result

    def accept(self) -> None:
        for key, value in self.values().items():
            self._preferences.set(OPTIONS[key], value)
        self._preferences.qsettings.sync()
        super().accept()
