"""Extending a batch's commissioned-mediation term (forms/extend_term_dialog.ui).

Both parties' consent is what allows an extension, so a reason is required; the service records
it with the batch and in the audit log.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from mediator.errors import UserError
from mediator.gui.errors import show_error
from mediator.gui.ui_extend_term_dialog import Ui_ExtendTermDialog
from mediator.i18n import _
from mediator.services.cases.batches import BatchSummary
from mediator.services.cases.changes import extend_mediation_term
from mediator.store.database import Database


class ExtendTermDialog(QDialog):
    """Asks how many days and why, then extends the batch's term in one transaction."""

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

    def extend(self) -> None:
        days = self.form.daysSpin.value()
        reason = self.form.reasonEdit.text()
        try:
            if not reason.strip():
                raise UserError(_("延长调解期限必须填写理由。"))
            with self.database.transaction() as session:
                extend_mediation_term(session, self.batch.id, days, reason, actor=self.actor)
        except Exception as exc:
            show_error(self, exc)
            self.form.reasonEdit.setFocus()
            return
        self.accept()
