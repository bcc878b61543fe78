"""The 文档 menu's jobs: agreements into a folder, the signing package, signed files back, the
judicial-confirmation applications and the report to the court.

Each asks where (a folder or a file), runs the same service function the CLI command runs through
``gui.jobs.run_job`` (progress dialog, cancel, never a frozen window), then says what was written
in a ``ResultDialog`` that offers to open the folder. The GUI never builds SQL: the services read
and write the database in their own transaction (all or nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
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
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mediator.gui.jobs import JobHandle, Pool, run_job
from mediator.gui.style import WARNING_RED
from mediator.gui.ui_report_dialog import Ui_ReportDialog
from mediator.i18n import N_, _
from mediator.services.progress import Progress
from mediator.store.database import Database

log = logging.getLogger("mediator.gui.documents")

# Up to this many agreements render in the worker thread itself; more use two spawned processes
# (spawn, not fork: forking a process that runs Qt threads can copy a held lock).
_POOL_THRESHOLD = 24

OUTCOME_LABELS = {
    "accepted": N_("已签署，已登记"),
    "incomplete": N_("签名不全"),
    "already_signed": N_("此前已登记"),
    "rejected": N_("拒收"),
}


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

    # --- helpers -----------------------------------------------------------------------------------

    def _ask_folder(self, title: str) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self._parent, title, self._last_folder())
        if not folder:
            return None
        self._remember_folder(folder)
        return Path(folder)

    def _run(self, title: str, op: Callable[[Progress], Any], done: Callable[[Any], None]) -> JobHandle[Any]:
        self.job = run_job(self._parent, op, title=title, on_success=done, pool=Pool.WRITE)
        return self.job

    def _show(self, dialog: ResultDialog) -> ResultDialog:
        if self.result_dialog is not None:
            self.result_dialog.deleteLater()
        self.result_dialog = dialog
        dialog.open()
        return dialog

    # --- agreements ----------------------------------------------------------------------------------

    def generate_agreements(self, target: DocumentTarget) -> JobHandle[Any] | None:
        """调解协议书 of the target's agreed cases into a folder the user picks."""
        folder = self._ask_folder(_("选择保存调解协议书的文件夹"))
        if folder is None:
            return None
        from mediator.services.documents.agreement import AgreementRun, generate_agreements

        database = self._database
        large = len(target.case_ids) > _POOL_THRESHOLD or not target.case_ids

        def op(progress: Progress) -> AgreementRun:
            return generate_agreements(
                database,
                batch=None if target.case_ids else target.batch_number,
                case_ids=target.case_ids or None,
                out_dir=folder,
                jobs=2 if large else 1,
                progress=progress,
                start_method="spawn" if large else None,
            )

        def done(run: AgreementRun) -> None:
            summary = _(
                "已为{target}生成调解协议书 {count} 份（用时 {seconds:.1f} 秒），保存在：\n{folder}"
            ).format(target=target.label, count=run.count, seconds=run.seconds, folder=folder)
            self._show(ResultDialog(_("生成调解协议书"), summary, folder, self._parent))
            self.data_changed.emit()

        return self._run(_("正在生成调解协议书"), op, done)

    # --- e-signing -----------------------------------------------------------------------------------

    def export_sign_package(self, target: DocumentTarget) -> JobHandle[Any] | None:
        """The batch's agreements awaiting signature and the manifest, for the court's signing module."""
        folder = self._ask_folder(_("选择保存签署包的文件夹"))
        if folder is None:
            return None
        from mediator.services.documents.signing import (
            MANIFEST_JSON,
            MANIFEST_XLSX,
            SignPackage,
            write_sign_package,
        )

        database, actor, batch = self._database, self._actor(), target.batch_number
        assert batch is not None

        def op(progress: Progress) -> SignPackage:
            return write_sign_package(database, batch, folder, actor=actor, jobs=2, progress=progress)

        def done(package: SignPackage) -> None:
            summary = _(
                "第{batch}批的签署包已写入：\n{folder}\n协议书 {count} 份，清单 {xlsx}、{json}。"
            ).format(batch=batch, folder=folder, count=package.count, xlsx=MANIFEST_XLSX, json=MANIFEST_JSON)
            self._show(ResultDialog(_("导出签署包"), summary, folder, self._parent))
            self.data_changed.emit()

        return self._run(_("正在生成签署包"), op, done)

    def import_signed(self) -> JobHandle[Any] | None:
        """Signed PDFs back from the court's signing module: verify, match, register.

        The trusted roots and strict mode come from the settings, as ``--trust-roots`` and
        ``--strict`` do for ``mediator signed-import``."""
        from mediator.errors import UserError
        from mediator.services.documents.signing import ImportReport, import_signed, load_trust_roots

        roots_text, strict = self._signature_trust()
        trust_roots = Path(roots_text.strip()) if roots_text.strip() else None
        try:
            # Read before the folder is asked for: a bad certificate file stops here, nothing imported.
            load_trust_roots(trust_roots)
        except UserError as exc:
            from mediator.gui import errors

            errors.show_error(self._parent, exc)
            return None
        folder = self._ask_folder(_("选择存放已签署协议书的文件夹"))
        if folder is None:
            return None

        database, actor = self._database, self._actor()

        def op(progress: Progress) -> ImportReport:
            return import_signed(
                database, folder, trust_roots=trust_roots, strict=strict, actor=actor, progress=progress
            )

        def done(report: ImportReport) -> None:
            summary = report.summary()
            if strict:
                summary += "\n" + _("严格模式：签名证书不在受信任的根证书之下的文件一律拒收。")
            rows = []
            for document in report.documents:
                notes = [document.reason] if document.reason else []
                notes += [_("警告：{text}").format(text=w) for w in document.warnings]
                rows.append(
                    (
                        [
                            document.file,
                            _(OUTCOME_LABELS[document.outcome]),
                            document.case_number or "",
                            "；".join(notes),
                        ],
                        document.outcome in ("rejected", "incomplete"),
                    )
                )
            columns = [_("文件"), _("结果"), _("案号"), _("原因 / 警告")]
            self._show(
                ResultDialog(_("导入已签署文件"), summary, None, self._parent, columns=columns, rows=rows)
            )
            self.data_changed.emit()

        return self._run(_("正在验证已签署的协议书"), op, done)

    # --- judicial confirmation and the report ---------------------------------------------------------

    def generate_confirmations(self, target: DocumentTarget) -> JobHandle[Any] | None:
        """司法确认申请书 of the batch's signed, unconfirmed cases."""
        folder = self._ask_folder(_("选择保存司法确认申请书的文件夹"))
        if folder is None:
            return None
        from mediator.services.documents.confirmation import ConfirmationRun, write_confirmation_applications

        database, batch = self._database, target.batch_number
        assert batch is not None

        def op(progress: Progress) -> ConfirmationRun:
            return write_confirmation_applications(database, batch, folder, progress=progress)

        def done(run: ConfirmationRun) -> None:
            kind = _("每批一份（附案件清单）") if run.per_batch else _("每案一份")
            summary = _(
                "已生成司法确认申请书 {files} 份（{kind}，涉及 {cases} 件案件），保存在：\n{folder}"
            ).format(files=len(run.files), kind=kind, cases=run.cases, folder=folder)
            earliest = run.earliest_window()
            if earliest is not None:
                summary += "\n" + _("最早的申请期限：{end}（{case}）。").format(
                    end=earliest[1].end.isoformat(), case=earliest[0]
                )
            self._show(ResultDialog(_("生成司法确认申请书"), summary, folder, self._parent))
            self.data_changed.emit()

        return self._run(_("正在生成司法确认申请书"), op, done)

    def ask_report(self, target: DocumentTarget) -> tuple[Path, Path | None, bool] | None:
        """The report dialog (its own method so tests can answer it)."""
        start = Path(self._last_folder() or Path.home())
        default = start / _("第{n}批-反馈表.xlsx").format(n=target.batch_number)
        dialog = ReportDialog(target.label, default, self._parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()

    def export_report(self, target: DocumentTarget) -> JobHandle[Any] | None:
        """The batch's report to the court (xlsx and/or PDF), ID numbers masked unless asked."""
        answer = self.ask_report(target)
        if answer is None:
            return None
        out, pdf, show_personal_data = answer
        self._remember_folder(str(out.parent))
        from mediator.services.documents.court_report import ReportFiles, write_court_report

        database, actor, batch = self._database, self._actor(), target.batch_number
        assert batch is not None

        def op(progress: Progress) -> ReportFiles:
            progress.update(0, 0, _("正在生成法院反馈表"))
            return write_court_report(
                database, batch, out, pdf=pdf, show_personal_data=show_personal_data, actor=actor
            )

        def done(files: ReportFiles) -> None:
            written = "\n".join(str(p) for p in (files.xlsx, files.pdf) if p is not None)
            summary = _("反馈表已写入（{cases} 件案件）：\n{files}").format(cases=files.cases, files=written)
            if show_personal_data:
                summary += "\n" + _("表中含完整身份证号，已记入操作日志。")
            self._show(ResultDialog(_("导出法院反馈表"), summary, out.parent, self._parent))

        return self._run(_("正在生成法院反馈表"), op, done)
