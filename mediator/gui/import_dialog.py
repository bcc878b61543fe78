"""The import dialog: choose the court's referral lists, check the column mapping the importer
detected (and correct it), then import off the GUI thread with a progress bar and cancel.

The dialog builds no SQL: previews and the import go through ``mediator.services.intake``
in ``gui.jobs`` workers (preview in the read pool, the import in the single write pool).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mediator.domain import referral_headers as rh
from mediator.errors import UserError
from mediator.gui.jobs import JobHandle, Pool, run_job
from mediator.i18n import _
from mediator.services.intake.importer import import_referrals
from mediator.services.intake.preview import FilePreview, preview_file
from mediator.services.intake.problems import write_errors_workbook
from mediator.services.intake.report import ImportResult, RowError
from mediator.services.progress import Progress
from mediator.store.database import Database

log = logging.getLogger("mediator.gui.import")

Index = QModelIndex | QPersistentModelIndex
FILE_FILTER = "清单 (*.xlsx *.xlsm *.xls *.ods *.csv);;所有文件 (*)"
PREVIEW_ROWS = 20
# The mapping choices, in the order the combo boxes list them; None = not recognised / ignore.
_CHOICES: list[str | None] = [None, *rh.FIELD_LABELS.keys()]


class _RowsModel(QAbstractTableModel):
    """A small read-only table: the preview rows or the problem list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[list[str]] = []

    def set_rows(self, headers: list[str], rows: list[list[str]]) -> None:
        self.beginResetModel()
        self._headers, self._rows = headers, rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) and index.isValid():
            row = self._rows[index.row()]
            return row[index.column()] if index.column() < len(row) else ""
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if section < len(self._headers) else ""
        return str(section + 1)


class ImportDialog(QDialog):
    """Choose lists, preview and map their columns, import with progress and cancel."""

    # After a preview was shown / an import ended (with the ImportResult, written or not).
    preview_shown = Signal()
    import_finished = Signal(object)
    # The import created a company: the user asked for its registry form (company name).
    company_form_requested = Signal(str)

    def __init__(self, database: Database, parent: QWidget | None = None, actor: str = "") -> None:
        super().__init__(parent)
        self._database = database
        self._actor = actor
        self._paths: list[str] = []
        self._previews: dict[str, FilePreview] = {}
        self._mappings: dict[str, dict[int, str | None]] = {}
        self._combos: list[QComboBox] = []
        self._result: ImportResult | None = None
        self.job: JobHandle[Any] | None = None
        self.setWindowTitle(_("导入委派调解案件清单"))
        self.resize(980, 640)
        self._build()

    # --- layout --------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        files_row = QHBoxLayout()
        self.choose_button = QPushButton(_("选择文件…"))
        self.choose_button.clicked.connect(self._choose_files)
        self.file_combo = QComboBox()
        self.file_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.file_combo.currentIndexChanged.connect(self._show_current_preview)
        files_row.addWidget(self.choose_button)
        files_row.addWidget(self.file_combo, 1)
        layout.addLayout(files_row)

        form = QFormLayout()
        self.batch_edit = QLineEdit()
        self.batch_edit.setPlaceholderText(_("如“第15批”或 15；默认取自标题行"))
        self.company_edit = QLineEdit()
        self.company_edit.setPlaceholderText(_("默认取自“被告/上市公司”列"))
        self.date_edit = QLineEdit()
        self.date_edit.setPlaceholderText(_("如 2025-03-03；默认取自标题行“委派日期”"))
        form.addRow(_("批次"), self.batch_edit)
        form.addRow(_("上市公司"), self.company_edit)
        form.addRow(_("委派日期"), self.date_edit)
        layout.addLayout(form)

        self.mapping_label = QLabel(_("各列含义（可在表格第一行更正）："))
        layout.addWidget(self.mapping_label)
        self.preview_model = _RowsModel(self)
        self.preview_view = QTableView()
        self.preview_view.setModel(self.preview_model)
        self.preview_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview_view.horizontalHeader().setDefaultSectionSize(130)
        layout.addWidget(self.preview_view, 3)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.error_model = _RowsModel(self)
        self.error_view = QTableView()
        self.error_view.setModel(self.error_model)
        self.error_view.horizontalHeader().setStretchLastSection(True)
        self.error_view.hide()
        layout.addWidget(self.error_view, 2)

        buttons = QDialogButtonBox()
        self.check_button = buttons.addButton(_("只检查"), QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button = buttons.addButton(_("导入"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_errors_button = buttons.addButton(_("保存问题行…"), QDialogButtonBox.ButtonRole.ActionRole)
        # After an import that created a company: its particulars, for the agreements.
        action_role = QDialogButtonBox.ButtonRole.ActionRole
        self.company_button = buttons.addButton(_("补全上市公司资料…"), action_role)
        self.company_button.setObjectName("completeCompany")
        self.company_button.hide()
        self.company_button.clicked.connect(
            lambda: self.company_form_requested.emit(self.new_companies[0]) if self.new_companies else None
        )
        self.new_companies: list[str] = []
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.check_button.clicked.connect(lambda: self.start_import(dry_run=True))
        self.import_button.clicked.connect(lambda: self.start_import(dry_run=False))
        self.save_errors_button.clicked.connect(self._choose_errors_file)
        close.clicked.connect(self.reject)
        for button in (self.check_button, self.import_button, self.save_errors_button):
            button.setEnabled(False)
        layout.addWidget(buttons)

    # --- files and preview ----------------------------------------------------------------------

    def _choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("选择委派清单"), "", FILE_FILTER)
        if paths:
            self.add_files(paths)

    def add_files(self, paths: Sequence[str | Path]) -> None:
        """Load these lists (replacing the current choice) and preview them off the GUI thread."""
        self._paths = [str(p) for p in paths]
        self._previews.clear()
        self._mappings.clear()
        self._result = None
        self.error_view.hide()
        self.save_errors_button.setEnabled(False)
        self.status_label.setText(_("正在读取……"))
        self.file_combo.blockSignals(True)
        self.file_combo.clear()
        self.file_combo.addItems([Path(p).name for p in self._paths])
        self.file_combo.blockSignals(False)
        wanted = list(self._paths)
        self.job = run_job(
            self,
            lambda _progress: [preview_file(p, PREVIEW_ROWS) for p in wanted],
            title=_("读取清单"),
            on_success=self._previews_ready,
            pool=Pool.READ,
            show_progress=False,
        )

    def _previews_ready(self, previews: list[FilePreview]) -> None:
        self._previews = {p.file: p for p in previews}
        first = previews[0] if previews else None
        if first is not None:
            # Prefill from the title rows of the first list; the user may overwrite them.
            if first.batch_number and not self.batch_edit.text().strip():
                self.batch_edit.setText(_("第{number}批").format(number=first.batch_number))
            if first.referral_date and not self.date_edit.text().strip():
                self.date_edit.setText(first.referral_date.isoformat())
            if first.company and not self.company_edit.text().strip():
                self.company_edit.setText(first.company)
        usable = any(p.problem is None for p in previews)
        self.check_button.setEnabled(usable)
        self.import_button.setEnabled(usable)
        self._show_current_preview()
        self.preview_shown.emit()

    def _show_current_preview(self) -> None:
        index = self.file_combo.currentIndex()
        if not 0 <= index < len(self._paths):
            return
        preview = self._previews.get(self._paths[index])
        if preview is None:
            return
        for column in range(len(self._combos)):
            # None removes the combo box (Qt's API); the stubs only admit a widget.
            self.preview_view.setIndexWidget(self.preview_model.index(0, column), None)  # type: ignore[arg-type]
        self._combos = []
        if preview.problem is not None:
            self.preview_model.set_rows([], [])
            self.status_label.setText(preview.problem)
            return
        headers = [h or _("（无标题）") for h in preview.headers]
        # Row 0 holds the mapping combo boxes, aligned with the columns they describe.
        self.preview_model.set_rows(headers, [[""] * len(headers), *preview.rows])
        mapping = self._mappings.get(preview.file, {})
        for column in range(len(headers)):
            combo = QComboBox()
            for choice in _CHOICES:
                combo.addItem(_("（未识别，忽略）") if choice is None else _(rh.FIELD_LABELS[choice]), choice)
            detected = preview.fields[column] if column < len(preview.fields) else None
            combo.setCurrentIndex(_CHOICES.index(mapping.get(column, detected)))
            combo.currentIndexChanged.connect(
                lambda _i, c=column, box=combo, f=preview.file: self._mapping_changed(f, c, box)
            )
            self.preview_view.setIndexWidget(self.preview_model.index(0, column), combo)
            self._combos.append(combo)
        self.preview_view.setRowHeight(0, 30)
        self.status_label.setText(
            _("表头在第 {row} 行；预览前 {count} 行。").format(
                row=preview.header_row, count=len(preview.rows)
            )
        )

    def _mapping_changed(self, file: str, column: int, combo: QComboBox) -> None:
        self._mappings.setdefault(file, {})[column] = combo.currentData()

    def mapping_combo(self, column: int) -> QComboBox:
        """The mapping combo box over ``column`` of the current preview (tests use it)."""
        return self._combos[column]

    # --- import ---------------------------------------------------------------------------------

    def _options(self) -> dict[str, Any]:
        referred_on: date | None = None
        text = self.date_edit.text().strip()
        if text:
            referred_on = rh.date_in(text)
            if referred_on is None:
                raise UserError(_("无法识别的委派日期“{text}”：请写作 2025-03-03。").format(text=text))
        return {
            "batch": self.batch_edit.text().strip() or None,
            "company": self.company_edit.text().strip() or None,
            "referred_on": referred_on,
        }

    def start_import(self, *, dry_run: bool = False) -> None:
        """Check (``dry_run``) or import the chosen lists in the write worker."""
        if not self._paths:
            return
        try:
            options = self._options()
        except UserError as exc:
            from mediator.gui.errors import show_error

            show_error(self, exc)
            return
        paths = list(self._paths)
        mappings = {path: dict(mapping) for path, mapping in self._mappings.items()}
        database, actor = self._database, self._actor

        def op(progress: Progress) -> ImportResult:
            return import_referrals(
                database,
                paths,
                mapping=mappings or None,
                dry_run=dry_run,
                actor=actor,
                progress=progress,
                **options,
            )

        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.status_label.setText(_("正在检查……") if dry_run else _("正在导入……"))
        self.job = run_job(
            self,
            op,
            title=_("检查委派清单") if dry_run else _("导入委派清单"),
            on_success=self._import_done,
            on_failure=self._import_failed,
        )
        self.job.finished.connect(self._job_finished)

    def _job_finished(self) -> None:
        self.check_button.setEnabled(True)
        self.import_button.setEnabled(True)
        if self.job is not None and self.job.cancelled:
            self.status_label.setText(_("已取消，未导入任何数据。"))
            self.import_finished.emit(None)

    def _import_failed(self, exc: BaseException) -> None:
        from mediator.gui.errors import show_error

        self.status_label.setText(_("导入失败，未写入任何数据。"))
        show_error(self, exc)
        self.import_finished.emit(None)

    def _import_done(self, result: ImportResult) -> None:
        self._result = result
        lines = [r.summary(Path(r.file).name) for r in result.files]
        lines += [w for r in result.files for w in r.warnings][:20]
        lines.append(result.summary())
        self.status_label.setText("\n".join(lines))
        self._show_errors(result.errors)
        # A company the database did not know is named in its file's warning (services/intake).
        self.new_companies = [
            r.company for r in result.files if r.company and any(r.company in w for w in r.warnings)
        ]
        self.company_button.setVisible(result.written and bool(self.new_companies))
        self.import_finished.emit(result)

    def _show_errors(self, errors: list[RowError]) -> None:
        self.save_errors_button.setEnabled(bool(errors))
        if not errors:
            self.error_view.hide()
            return
        # Personal-data rule: ID and phone numbers masked in lists (the saved file shows them).
        rows = [
            [Path(e.file).name, "" if e.row is None else str(e.row), e.column, e.value, e.message]
            for e in (error.masked() for error in errors)
        ]
        self.error_model.set_rows([_("文件"), _("行"), _("列"), _("值"), _("问题")], rows)
        self.error_view.resizeColumnsToContents()
        self.error_view.show()

    def _choose_errors_file(self) -> None:
        if self._result is None:
            return
        suggested = str(Path(self._paths[0]).with_name(Path(self._paths[0]).stem + "_问题行.xlsx"))
        path, _filter = QFileDialog.getSaveFileName(self, _("保存问题行"), suggested, "Excel (*.xlsx)")
        if path:
            self.save_errors(path)

    def save_errors(self, path: str | Path) -> Path | None:
        """Write the offending rows with an 错误说明 column, for the clerk to fix and resend."""
        if self._result is None:
            return None
        try:
            written = write_errors_workbook(self._result, path)
        except OSError as exc:
            from mediator.gui.errors import show_error

            show_error(self, UserError(_("无法保存文件：{reason}").format(reason=exc.strerror or exc)))
            return None
        self.status_label.setText(
            self.status_label.text() + "\n" + _("问题行已保存到 {path}。").format(path=written)
        )
        return written
