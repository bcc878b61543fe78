"""Extending a batch's commissioned-mediation term (forms/extend_term_dialog.ui).

Both parties' consent is what allows an extension, so a reason is required; the service records
it with the batch and in the audit log.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from mediator.errors import UserError
from mediator.gui.errors import show_error
from mediator.gui.jobs import JobHandle, Pool, run_job
from mediator.gui.ui_extend_term_dialog import Ui_ExtendTermDialog
from mediator.i18n import _
from mediator.services.cases.batches import BatchSummary
from mediator.services.cases.changes import TermExtension, extend_mediation_term
from mediator.store.database import Database


class ExtendTermDialog(QDialog):
    """Asks how many days and why, then extends the batch's term in a write job; the dialog closes
    (accepted) when the extension is recorded, ``extension`` holds the outcome."""

    def __init__(
        self, database: Database, batch: BatchSummary, *, actor: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.form = Ui_ExtendTermDialog()
        self.form.setupUi(self)
        self.database = database
        self.batch = batch
        self.actor = actor
        self.form.batchValue.setText(f"{batch.label}　{batch.company}")
        self.form.currentValue.setText(batch.term.end.isoformat())
        self.form.buttonBox.accepted.connect(self.extend)
        self.extension: TermExtension | None = None
        self.job: JobHandle[TermExtension] | None = None

    def extend(self) -> None:
        days = self.form.daysSpin.value()
        reason = self.form.reasonEdit.text()
        if not reason.strip():
            self._refused(UserError(_("延长调解期限必须填写理由。")))
            return
        if self.job is not None and self.job.running:
            return
        database, number, actor = self.database, self.batch.number, self.actor
        self._set_busy(True)
        self.job = run_job(
            self,
            lambda _progress: extend_mediation_term(database, number, days, reason, actor=actor),
            title=_("延长调解期限"),
            on_success=self._extended,
            on_failure=self._refused,
            pool=Pool.WRITE,
            cancellable=False,
        )

    def _set_busy(self, busy: bool) -> None:
        self.form.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)
        self.form.daysSpin.setEnabled(not busy)
        self.form.reasonEdit.setEnabled(not busy)

    def _extended(self, extension: TermExtension) -> None:
        self.extension = extension
        self._set_busy(False)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        show_error(self, exc)
        self.form.reasonEdit.setFocus()
