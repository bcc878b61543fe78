"""Bulk work in the case table: the selected cases (or every case the filter shows) get one
mediator, move to a next status on one date, get one contact outcome, or have their judicial
confirmation recorded (the application date, or the rulings from a list), in one action.

The dialog first previews what will change (a dry run of the same service in the write pool: each
case with its status now and after, or why it cannot take the step); 执行 is allowed only when no
case is refused, and runs the change in the write pool with a progress bar. All or nothing: the
services (``services.cases.bulk``, ``services.documents.rulings``) change every case or none.

Installed by the main window with one line (``BulkActions(window, today=...)``): the 案件 menu's
批量处理… entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mediator.domain.clock import china_today
from mediator.domain.contacts import ContactChannel, ContactOutcome
from mediator.domain.workflow import CaseStatus
from mediator.gui.dates import qdate
from mediator.gui.errors import show_error
from mediator.gui.jobs import JobHandle, Pool, run_job
from mediator.gui.style import WARNING_RED
from mediator.i18n import N_, _
from mediator.services.progress import Progress
from mediator.store.database import Database

if TYPE_CHECKING:
    from mediator.gui.settings import Preferences
    from mediator.gui.ui_main_window import Ui_MainWindow

# The statuses a bulk move offers: the steps that need only a date (the others carry an
# application, a ruling or money, recorded with their own action).
MOVE_TARGETS: tuple[CaseStatus, ...] = (
    CaseStatus.CONTACTED,
    CaseStatus.MEDIATING,
    CaseStatus.AGREED,
    CaseStatus.SIGNED,
)

ACTIONS: tuple[tuple[str, str], ...] = (
    ("assign", N_("分配调解员")),
    ("move", N_("变更状态")),
    ("contact", N_("记录联系结果")),
    ("apply", N_("登记司法确认申请")),
    ("rulings", N_("导入司法确认裁定清单")),
)


@dataclass(frozen=True)
class PreviewLine:
    """One case in the preview: what it is now and after, or why it cannot take the step."""

    case_number: str
    investor: str
    before: str
    after: str
    refusal: str | None = None


@dataclass(frozen=True)
class Preview:
    lines: list[PreviewLine]
    summary: str

    @property
    def refused(self) -> int:
        return sum(1 for line in self.lines if line.refusal is not None)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class BulkDialog(QDialog):
    """批量处理: choose the action and its values, preview, then run it on every case."""

    # Emitted after a bulk change was written (the window reads the cases again).
    written = Signal()

    def __init__(
        self,
        database: Database,
        case_ids: list[int],
        *,
        actor: str,
        today: date,
        mediators: list[str],
        scope: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("批量处理"))
        self.resize(760, 520)
        self._database = database
        self._case_ids = list(case_ids)
        self._actor = actor
        self._today = today
        self.preview: Preview | None = None
        self.job: JobHandle[Any] | None = None
        self.result_text = ""
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("{scope}：{count} 件案件").format(scope=scope, count=len(case_ids))))
        form = QFormLayout()
        self.action_combo = QComboBox(self)
        for key, label in ACTIONS:
            self.action_combo.addItem(_(label), key)
        form.addRow(_("操作"), self.action_combo)
        layout.addLayout(form)
        self.pages = QStackedWidget(self)
        self._build_pages(mediators)
        layout.addWidget(self.pages)
        self.preview_button = QPushButton(_("预览"), self)
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.preview_button)
        row.addWidget(self.summary_label, 1)
        layout.addLayout(row)
        self.tree = QTreeWidget(self)
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels([_("案号"), _("投资者"), _("现在"), _("之后 / 不能处理的原因")])
        for column, width in enumerate((190, 80, 110)):
            self.tree.setColumnWidth(column, width)
        layout.addWidget(self.tree, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.run_button = self.buttons.addButton(_("执行"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setEnabled(False)
        layout.addWidget(self.buttons)
        self.action_combo.currentIndexChanged.connect(self._action_changed)
        self.preview_button.clicked.connect(self.run_preview)
        self.run_button.clicked.connect(self.run_change)
        self.buttons.rejected.connect(self.reject)

    # --- the values of each action -----------------------------------------------------------

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit(qdate(self._today), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMaximumDate(qdate(self._today))  # no step dated in the future
        edit.dateChanged.connect(lambda _d: self._values_changed())
        return edit

    def _page(self, rows: list[tuple[str, QWidget]]) -> None:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        for label, widget in rows:
            form.addRow(label, widget)
        self.pages.addWidget(page)

    def _build_pages(self, mediators: list[str]) -> None:
        self.mediator_combo = QComboBox(self)
        self.mediator_combo.addItems(mediators)
        self._page([(_("调解员"), self.mediator_combo)])
        self.status_combo = QComboBox(self)
        for status in MOVE_TARGETS:
            self.status_combo.addItem(status.label, status.value)
        self.move_date = self._date_edit()
        self._page([(_("变更为"), self.status_combo), (_("日期"), self.move_date)])
        self.outcome_combo = QComboBox(self)
        for outcome in ContactOutcome:
            if outcome is not ContactOutcome.SENT:
                self.outcome_combo.addItem(outcome.label, outcome.value)
        self.channel_combo = QComboBox(self)
        for channel in ContactChannel:
            self.channel_combo.addItem(channel.label, channel.value)
        self.note_edit = QLineEdit(self)
        self._page(
            [
                (_("联系方式"), self.channel_combo),
                (_("结果"), self.outcome_combo),
                (_("备注"), self.note_edit),
            ]
        )
        self.applied_date = self._date_edit()
        self.late_edit = QLineEdit(self)
        self.late_edit.setPlaceholderText(_("超过30日申请期限时必填"))
        self._page([(_("申请日期"), self.applied_date), (_("逾期原因"), self.late_edit)])
        self.rulings_edit = QLineEdit(self)
        self.rulings_edit.setPlaceholderText(_("案号、裁定案号、裁定日期（.xlsx/.xls/.csv）"))
        browse = QPushButton(_("选择文件…"), self)
        browse.clicked.connect(self._browse)
        picker = QWidget(self)
        picker_layout = QHBoxLayout(picker)
        picker_layout.setContentsMargins(0, 0, 0, 0)
        picker_layout.addWidget(self.rulings_edit, 1)
        picker_layout.addWidget(browse)
        self._page([(_("裁定清单"), picker)])
        for combo in (self.mediator_combo, self.status_combo, self.outcome_combo, self.channel_combo):
            combo.currentIndexChanged.connect(lambda _i: self._values_changed())
        for edit in (self.note_edit, self.late_edit, self.rulings_edit):
            edit.textChanged.connect(lambda _t: self._values_changed())

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("选择裁定清单"), "", _("表格文件 (*.xlsx *.xls *.ods *.csv)")
        )
        if path:
            self.rulings_edit.setText(path)

    @property
    def action(self) -> str:
        return str(self.action_combo.currentData())

    def _action_changed(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self._values_changed()

    def _values_changed(self) -> None:
        # A preview stands for the values it was made with: changing one asks for a new preview.
        self.preview = None
        self.tree.clear()
        self.summary_label.setText("")
        self.run_button.setEnabled(False)

    # --- preview and run --------------------------------------------------------------------------

    def operation(self, *, dry_run: bool) -> Callable[[Progress], Preview]:
        """The service call for the chosen action and values (runs in a worker)."""
        database, ids, actor, action = self._database, list(self._case_ids), self._actor, self.action
        if action == "assign":
            name = self.mediator_combo.currentText()
            return lambda progress: _bulk_preview(
                _call(
                    "assign_mediator",
                    database,
                    name,
                    actor=actor,
                    case_ids=ids,
                    dry_run=dry_run,
                    progress=progress,
                )
            )
        if action == "move":
            target, on = str(self.status_combo.currentData()), _pydate(self.move_date.date())
            return lambda progress: _bulk_preview(
                _call(
                    "move_cases",
                    database,
                    target,
                    actor=actor,
                    on=on,
                    case_ids=ids,
                    dry_run=dry_run,
                    progress=progress,
                )
            )
        if action == "contact":
            outcome, channel = str(self.outcome_combo.currentData()), str(self.channel_combo.currentData())
            note = self.note_edit.text().strip() or None
            return lambda progress: _bulk_preview(
                _call(
                    "contact_cases",
                    database,
                    outcome,
                    actor=actor,
                    channel=channel,
                    note=note,
                    case_ids=ids,
                    dry_run=dry_run,
                    progress=progress,
                )
            )
        late = self.late_edit.text().strip() or None
        applied = _pydate(self.applied_date.date()) if action == "apply" else None
        text = self.rulings_edit.text().strip()
        rulings = Path(text) if action == "rulings" and text else None
        if action == "rulings" and rulings is None:
            return lambda _progress: Preview([], _("请先选择裁定清单文件。"))
        return lambda progress: _confirmation_preview(
            database,
            ids,
            actor,
            applied=applied,
            late_reason=late,
            rulings=rulings,
            dry_run=dry_run,
            progress=progress,
        )

    def run_preview(self) -> JobHandle[Preview] | None:
        if self.job is not None and self.job.running:
            return None
        self.summary_label.setText(_("正在预览……"))
        self.preview_button.setEnabled(False)

        def landed(preview: Preview) -> None:
            self.preview_button.setEnabled(True)
            self.show_preview(preview)

        def failed(exc: BaseException) -> None:
            self.preview_button.setEnabled(True)
            self.summary_label.setText("")
            show_error(self, exc)

        # The preview is the service's own run, rolled back: it goes through the write pool.
        self.job = run_job(
            self,
            self.operation(dry_run=True),
            title=_("预览批量处理"),
            on_success=landed,
            on_failure=failed,
            pool=Pool.WRITE,
        )
        return self.job

    def show_preview(self, preview: Preview) -> None:
        self.preview = preview
        self.tree.clear()
        red = QBrush(WARNING_RED)
        for line in preview.lines:
            item = QTreeWidgetItem([line.case_number, line.investor, line.before, line.refusal or line.after])
            if line.refusal is not None:
                item.setForeground(3, red)
                item.setToolTip(3, line.refusal)
            self.tree.addTopLevelItem(item)
        text = preview.summary
        if preview.refused:
            text += "\n" + _("有 {count} 件不能处理：请先处理这些案件，或不选它们。").format(
                count=preview.refused
            )
        self.summary_label.setText(text)
        self.run_button.setEnabled(bool(preview.lines) and not preview.refused)

    def run_change(self) -> JobHandle[Preview] | None:
        if self.preview is None or self.preview.refused or (self.job is not None and self.job.running):
            return None
        self.run_button.setEnabled(False)
        self.preview_button.setEnabled(False)

        def landed(result: Preview) -> None:
            self.result_text = result.summary
            self.written.emit()
            self.accept()

        def failed(exc: BaseException) -> None:
            self.preview_button.setEnabled(True)
            self._values_changed()
            show_error(self, exc)

        self.job = run_job(
            self,
            self.operation(dry_run=False),
            title=_("批量处理"),
            on_success=landed,
            on_failure=failed,
            pool=Pool.WRITE,
        )
        return self.job


def _call(name: str, *args: Any, **kwargs: Any) -> Any:
    """A bulk service by name (imported in the worker: the dialog opens without loading them)."""
    from mediator.services.cases import bulk

    return getattr(bulk, name)(*args, **kwargs)


def _bulk_preview(result: Any) -> Preview:
    lines = [PreviewLine(c.case_number, c.investor, c.before, c.after, c.refusal) for c in result.changes]
    return Preview(lines, result.summary().splitlines()[0])


def _confirmation_preview(
    database: Database,
    case_ids: list[int],
    actor: str,
    *,
    applied: date | None,
    late_reason: str | None,
    rulings: Path | None,
    dry_run: bool,
    progress: Progress,
) -> Preview:
    """The application or rulings for the cases; refusals become preview lines, not errors."""
    from mediator.services.cases.bulk import BulkRefused
    from mediator.services.documents.rulings import RulingListProblems, record_confirmations

    try:
        result = record_confirmations(
            database,
            actor=actor,
            case_ids=case_ids,
            applied=applied,
            late_reason=late_reason,
            rulings=rulings,
            dry_run=dry_run,
            progress=progress,
        )
    except BulkRefused as refused:
        if not dry_run:
            raise
        lines = [PreviewLine(case, "", "", "", reason) for case, reason in refused.refusals]
        return Preview(lines, refused.headline)
    except RulingListProblems as problems:
        if not dry_run:
            raise
        lines = [
            PreviewLine(
                p.value or "—", _("第{row}行").format(row=p.row) if p.row else "", p.column, "", p.message
            )
            for p in problems.problems
        ]
        return Preview(lines, str(problems))
    lines = []
    for record in result.records:
        after = CaseStatus(record.status).label
        if record.ruling_number:
            after += f"　{record.ruling_number}（{record.ruling_date}）"
        if record.late:
            after += "　" + _("逾期申请")
        lines.append(PreviewLine(record.case_number, "", "", after))
    summary = result.summary().splitlines()[0]
    if dry_run:
        summary = _("将登记 {count} 件案件的司法确认。").format(count=len(result.records))
    return Preview(lines, summary)


class _Window(Protocol):
    """What the bulk actions need of the main window."""

    database: Database
    preferences: Preferences
    form: Ui_MainWindow

    def selected_case_ids(self) -> list[int]: ...
    def document_case_ids(self) -> list[int]: ...
    def refresh(self) -> None: ...


class BulkActions:
    """The 案件 menu's 批量处理… entry of the main window."""

    def __init__(self, window: Any, *, today: Callable[[], date] = china_today) -> None:
        self._main: QMainWindow = window
        self._window: _Window = window
        self._today = today
        self.dialog: BulkDialog | None = None
        self.action = QAction(_("批量处理…"), self._main)
        self.action.setObjectName("actionBulk")
        self.action.setShortcut(QKeySequence("Ctrl+B"))
        self.action.setToolTip(
            _("所选案件（未选时为当前筛选出的全部案件）：分配调解员、变更状态、记录联系结果、登记司法确认")
        )
        self.action.triggered.connect(self.open)
        window.form.menuCase.addSeparator()
        window.form.menuCase.addAction(self.action)

    def open(self) -> BulkDialog | None:
        window = self._window
        selected = window.selected_case_ids()
        ids = selected or window.document_case_ids()
        if not ids:
            QMessageBox.information(
                self._main, _("批量处理"), _("没有可处理的案件：请先选择案件或调整筛选条件。")
            )
            return None
        combo = window.form.mediatorCombo
        mediators = [combo.itemText(i) for i in range(1, combo.count())]
        scope = _("所选案件") if selected else _("当前筛选出的案件")
        dialog = BulkDialog(
            window.database,
            ids,
            actor=window.preferences.actor(),
            today=self._today(),
            mediators=mediators,
            scope=scope,
            parent=self._main,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.written.connect(lambda: self._written(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _written(self, dialog: BulkDialog) -> None:
        self._main.statusBar().showMessage(dialog.result_text, 10_000)
        self._window.refresh()
