"""The 文档 menu's jobs, one per registered document kind (``services.documents.kinds.KINDS``):
agreements into a folder, the signing package, signed files back, the judicial-confirmation
applications and the report to the court.

``DocumentJobs.run(kind, target)`` asks where (a folder or the report's file), runs the kind's
entry point (the one its CLI command runs) through ``gui.jobs.run_job`` (progress dialog, cancel,
never a frozen window), then shows the result's ``summary()`` (the CLI's text) in a
``ResultDialog`` that offers to open the folder. The GUI never builds SQL: the services read and
write the database in their own transaction (all or nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mediator.gui.jobs import JobHandle, Pool, run_job
from mediator.gui.style import WARNING_RED
from mediator.gui.ui_report_dialog import Ui_ReportDialog
from mediator.i18n import _
from mediator.services.documents.kinds import (
    Destination,
    DocumentKind,
    DocumentRequest,
    DocumentResult,
    Scope,
)
from mediator.services.progress import Progress
from mediator.store.database import Database

log = logging.getLogger("mediator.gui.documents")

# Up to this many agreements render in the worker thread itself; more use two spawned processes
# (spawn, not fork: forking a process that runs Qt threads can copy a held lock).
_POOL_THRESHOLD = 24


@dataclass(frozen=True)
class DocumentTarget:
    """What a document job works on: a batch (its court number) and, for agreements, chosen cases."""

    batch_number: int | None
    case_ids: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.case_ids:
            return _("所选 {count} 件案件").format(count=len(self.case_ids))
        return _("第{number}批").format(number=self.batch_number)


class ResultDialog(QDialog):
    """What a job wrote: a summary, optionally a table of files, and "打开文件夹"."""

    def __init__(
        self,
        title: str,
        summary: str,
        folder: Path | None,
        parent: QWidget | None = None,
        *,
        columns: list[str] | None = None,
        rows: list[tuple[list[str], bool]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.folder = folder
        layout = QVBoxLayout(self)
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(self.summary.textInteractionFlags() | _selectable())
        layout.addWidget(self.summary)
        self.table: QTreeWidget | None = None
        if columns:
            self.table = QTreeWidget()
            self.table.setRootIsDecorated(False)
            self.table.setAlternatingRowColors(True)
            self.table.setHeaderLabels(columns)
            for values, bad in rows or []:
                item = QTreeWidgetItem(values)
                for column, value in enumerate(values):
                    item.setToolTip(column, value)
                    if bad:
                        item.setForeground(column, WARNING_RED)
                self.table.addTopLevelItem(item)
            header = self.table.header()
            header.setStretchLastSection(True)
            for column in range(len(columns) - 1):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
            layout.addWidget(self.table, 1)
            self.resize(900, 480)
        else:
            self.resize(520, 160)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.open_button: QPushButton | None = None
        if folder is not None:
            self.open_button = buttons.addButton(_("打开文件夹"), QDialogButtonBox.ButtonRole.ActionRole)
            self.open_button.clicked.connect(self.open_folder)
        layout.addWidget(buttons)

    def open_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))


def _selectable() -> Any:
    from PySide6.QtCore import Qt

    return Qt.TextInteractionFlag.TextSelectableByMouse


class ReportDialog(QDialog):
    """Where to write the report to the court, whether a PDF copy goes along, and whether full ID
    numbers are shown (masked by default; unmasking is recorded in the audit log)."""

    def __init__(self, batch_label: str, default_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Layout in forms/report_dialog.ui.
        self.form = Ui_ReportDialog()
        self.form.setupUi(self)
        self.form.batchLabel.setText(_("{batch}的反馈表").format(batch=batch_label))
        self.path_edit = self.form.pathEdit
        self.pdf_check = self.form.pdfCheck
        self.personal_check = self.form.personalCheck
        self.path_edit.setText(str(default_path))
        self.form.browseButton.clicked.connect(self._browse)

    def _browse(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("保存反馈表"), self.path_edit.text(), _("Excel 工作簿 (*.xlsx);;PDF 文件 (*.pdf)")
        )
        if path:
            self.path_edit.setText(path)

    def choice(self) -> tuple[Path, Path | None, bool]:
        """(report file, PDF copy or None, show full ID numbers)."""
        out = Path(self.path_edit.text().strip())
        pdf = (
            out.with_suffix(".pdf") if self.pdf_check.isChecked() and out.suffix.lower() == ".xlsx" else None
        )
        return out, pdf, self.personal_check.isChecked()


class DocumentJobs(QObject):
    """Runs the document jobs for a window; ``result_dialog`` is the last result shown."""

    # A job changed cases (signed import, agreement numbers): the window reloads.
    data_changed = Signal()
    # Agreements refused for the company's missing particulars: the user asked for its form.
    company_form_requested = Signal()

    def __init__(
        self,
        parent: QWidget,
        database: Database,
        *,
        actor: Callable[[], str],
        last_folder: Callable[[], str] = lambda: "",
        remember_folder: Callable[[str], None] = lambda _folder: None,
        signature_trust: Callable[[], tuple[str, bool]] = lambda: ("", False),
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._database = database
        self._actor = actor
        self._last_folder = last_folder
        self._remember_folder = remember_folder
        # (trusted root certificates file or "", strict): the settings behind signed import.
        self._signature_trust = signature_trust
        self.job: JobHandle[Any] | None = None
        self.result_dialog: ResultDialog | None = None
        self.missing_box: QMessageBox | None = None

    # --- helpers -----------------------------------------------------------------------------------

    def _ask_folder(self, title: str) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self._parent, title, self._last_folder())
        if not folder:
            return None
        self._remember_folder(folder)
        return Path(folder)

    def _show(self, dialog: ResultDialog) -> ResultDialog:
        if self.result_dialog is not None:
            self.result_dialog.deleteLater()
        self.result_dialog = dialog
        dialog.open()
        return dialog

    # --- the registered kinds ------------------------------------------------------------------------

    def run(self, kind: DocumentKind, target: DocumentTarget | None) -> JobHandle[Any] | None:
        """Ask where (a folder, or the report's file), run the kind's service as a job, then show
        its result's ``summary()`` (the text the CLI prints) in a ``ResultDialog``."""
        request = self._ask(kind, target)
        if request is None:
            return None
        database = self._database

        def op(progress: Progress) -> DocumentResult:
            return kind.run(database, replace(request, progress=progress))

        def done(result: DocumentResult) -> None:
            self._show_result(kind, result)

        self.job = run_job(
            self._parent,
            op,
            title=_(kind.progress_text),
            on_success=done,
            on_failure=self._failed,
            pool=Pool.WRITE,
        )
        return self.job

    def _failed(self, exc: BaseException) -> None:
        """A refusal for the company's missing particulars offers to open the company's form."""
        from mediator.domain.agreement_terms import IncompleteParticulars
        from mediator.domain.parties import REQUIRED_FOR_AGREEMENT
        from mediator.gui import errors

        if not isinstance(exc, IncompleteParticulars):
            errors.show_error(self._parent, exc)
            return
        company_labels = {_(label) for _key, label in REQUIRED_FOR_AGREEMENT}
        lacking = any(company_labels & set(items) for items in exc.cases.values())
        box = QMessageBox(QMessageBox.Icon.Warning, _("无法生成"), str(exc), parent=self._parent)
        box.setObjectName("missingParticularsBox")
        # The cases to complete, one per line (the message names at most 20 of them).
        box.setDetailedText("\n".join(f"{case}：{'、'.join(items)}" for case, items in exc.cases.items()))
        fill_in = None
        if lacking:
            fill_in = box.addButton(_("补全上市公司资料…"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.buttonClicked.connect(
            lambda button: self.company_form_requested.emit() if button is fill_in else None
        )
        self.missing_box = box
        box.open()

    def _ask(self, kind: DocumentKind, target: DocumentTarget | None) -> DocumentRequest | None:
        """The request for ``kind``, after asking the user where; None when they cancel."""
        batch = target.batch_number if target is not None else None
        case_ids = target.case_ids if target is not None and kind.scope is Scope.BATCH_OR_CASES else []
        base = DocumentRequest(batch=batch, case_ids=case_ids or None, actor=self._actor())
        if kind.destination is Destination.REPORT_FILE:
            assert target is not None
            answer = self.ask_report(target)
            if answer is None:
                return None
            out, pdf, show_personal_data = answer
            self._remember_folder(str(out.parent))
            return replace(base, out=out, pdf=pdf, show_personal_data=show_personal_data)
        trust: dict[str, Any] = {}
        if kind.scope is Scope.FOLDER:
            trust = self._trust_options()
            if trust.get("invalid"):
                return None
            trust.pop("invalid")
        folder = self._ask_folder(_(kind.folder_prompt))
        if folder is None:
            return None
        # Up to _POOL_THRESHOLD chosen cases render in the worker thread itself; more (or a whole
        # batch) use two spawned processes.
        large = not case_ids or len(case_ids) > _POOL_THRESHOLD
        return replace(
            base, out=folder, jobs=2 if large else 1, start_method="spawn" if large else None, **trust
        )

    def _trust_options(self) -> dict[str, Any]:
        """The settings behind signed import (as ``--trust-roots`` and ``--strict``), checked
        before the folder is asked for: a bad certificate file stops here, nothing imported."""
        from mediator.errors import UserError
        from mediator.services.documents.signing import load_trust_roots

        roots_text, strict = self._signature_trust()
        trust_roots = Path(roots_text.strip()) if roots_text.strip() else None
        try:
            load_trust_roots(trust_roots)
        except UserError as exc:
            from mediator.gui import errors

            errors.show_error(self._parent, exc)
            return {"invalid": True}
        return {"invalid": False, "trust_roots": trust_roots, "strict": strict}

    def _show_result(self, kind: DocumentKind, result: DocumentResult) -> None:
        table = result.table()
        columns, rows = table if table is not None else (None, None)
        dialog = ResultDialog(
            _(kind.dialog_title),
            result.summary(),
            result.output_folder(),
            self._parent,
            columns=columns,
            rows=rows,
        )
        self._show(dialog)
        if kind.changes_data:
            self.data_changed.emit()

    def ask_report(self, target: DocumentTarget) -> tuple[Path, Path | None, bool] | None:
        """The report dialog (its own method so tests can answer it)."""
        start = Path(self._last_folder() or Path.home())
        default = start / _("第{n}批-反馈表.xlsx").format(n=target.batch_number)
        dialog = ReportDialog(target.label, default, self._parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()
