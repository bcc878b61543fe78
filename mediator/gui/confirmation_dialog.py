"""Record a case's judicial-confirmation application date and the court's ruling (民特 number, date).

The values go to ``services.confirmation.record_confirmation``, the function behind
``mediator confirmation-record``; the ruling number is checked as the user types by the same
validator (``validate_ruling_number``): a 民特 (special procedure) number.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from mediator.domain.referral_kinds import confirmation_refusal
from mediator.domain.validators import validate_ruling_number
from mediator.domain.workflow import CaseStatus
from mediator.errors import ValidationError
from mediator.gui.dates import qdate
from mediator.gui.ui_confirmation_dialog import Ui_ConfirmationDialog
from mediator.i18n import _


class ConfirmationValues(TypedDict):
    """What the dialog asks: keyword arguments for ``record_confirmation``."""

    applied: date | None
    ruling: str | None
    ruling_date: date | None


_INVALID_STYLE = "QLineEdit { border: 2px solid #c62828; border-radius: 3px; }"


class ConfirmationDialog(QDialog):
    """Application date and/or ruling of one case. Only the steps its status allows are offered."""

    def __init__(
        self,
        case_number: str,
        status: CaseStatus,
        today: date,
        parent: QWidget | None = None,
        *,
        applied: date | None = None,
        ruling_number: str | None = None,
        ruling_date: date | None = None,
    ) -> None:
        super().__init__(parent)
        # Layout in forms/confirmation_dialog.ui; the names below are what the behaviour uses.
        self.form = Ui_ConfirmationDialog()
        self.form.setupUi(self)
        f = self.form
        f.caseLabel.setText(_("案件 {case}").format(case=case_number))
        self.apply_check = f.applyCheck
        self.applied_edit = f.appliedEdit
        self.ruling_check = f.rulingCheck
        self.ruling_edit = f.rulingEdit
        self.ruling_date_edit = f.rulingDateEdit
        self.message = f.messageLabel
        self.buttons = f.buttonBox
        self.applied_edit.setDate(qdate(applied or today))
        self.ruling_edit.setText(ruling_number or "")
        self.ruling_date_edit.setDate(qdate(ruling_date or today))

        # 民事诉讼法 §205: the application comes first; a signed case may record both at once.
        # Only a pre-filing referral (民诉前调) takes this path; a filed case (民初) is told why.
        self.refusal = confirmation_refusal(case_number)
        can_apply = self.refusal is None and status in (CaseStatus.SIGNED, CaseStatus.CONFIRMATION_APPLIED)
        self.apply_check.setEnabled(can_apply)
        self.apply_check.setChecked(can_apply and status is CaseStatus.SIGNED)
        self.ruling_check.setEnabled(can_apply)
        for widget in (self.apply_check, self.ruling_check):
            widget.toggled.connect(lambda _on: self.validate())
        self.ruling_edit.textChanged.connect(lambda _text: self.validate())
        self.applied_edit.dateChanged.connect(lambda _d: self.validate())
        self.ruling_date_edit.dateChanged.connect(lambda _d: self.validate())
        self.validate()

    def validate(self) -> bool:
        """Check the input as it stands; the OK button follows the result."""
        self.applied_edit.setEnabled(self.apply_check.isChecked())
        ruling = self.ruling_check.isChecked()
        self.ruling_edit.setEnabled(ruling)
        self.ruling_date_edit.setEnabled(ruling)
        problem: str | None = None
        self.ruling_edit.setStyleSheet("")
        if self.refusal is not None:
            problem = self.refusal
        elif not (self.apply_check.isChecked() or ruling):
            problem = ""  # nothing to record: no message, OK stays off
        elif ruling:
            try:
                validate_ruling_number(self.ruling_edit.text())
            except ValidationError as exc:
                problem = str(exc)
                self.ruling_edit.setStyleSheet(_INVALID_STYLE)
            else:
                if self.apply_check.isChecked() and self.ruling_date() < self.applied_date():
                    problem = _("裁定日期早于申请日期，请核对。")
        self.message.setText(problem or "")
        ok = problem is None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def applied_date(self) -> date:
        value = self.applied_edit.date().toPython()
        assert isinstance(value, date)
        return value

    def ruling_date(self) -> date:
        value = self.ruling_date_edit.date().toPython()
        assert isinstance(value, date)
        return value

    def values(self) -> ConfirmationValues:
        """Keyword arguments for ``record_confirmation``."""
        ruling = self.ruling_check.isChecked()
        return ConfirmationValues(
            applied=self.applied_date() if self.apply_check.isChecked() else None,
            ruling=validate_ruling_number(self.ruling_edit.text()) if ruling else None,
            ruling_date=self.ruling_date() if ruling else None,
        )
