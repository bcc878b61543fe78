"""更正日期: correct a mistyped step date of a case, with the reason (audited).

The values go to ``services.cases.corrections.correct_step_date``, the function behind
``mediator cases correct-date``: it changes the case's step date and, for the judicial
confirmation, its application or ruling record too, and refuses a date in the future or out of
order with the case's other steps.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from mediator.domain.workflow import STATUS_ORDER, CaseStatus
from mediator.gui.dates import qdate
from mediator.i18n import _


class CorrectDateDialog(QDialog):
    """Pick one of the case's steps, the right date and why; OK only with a reason."""

    def __init__(
        self,
        case_number: str,
        step_dates: dict[CaseStatus, date],
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("更正日期"))
        self.setMinimumWidth(420)
        self._dates = step_dates
        form = QFormLayout(self)
        form.addRow(QLabel(_("案件 {case}").format(case=case_number)))
        self.step_combo = QComboBox(self)
        for status in STATUS_ORDER:
            if status in step_dates:
                self.step_combo.addItem(f"{status.label}（{step_dates[status].isoformat()}）", status.value)
        form.addRow(_("步骤"), self.step_combo)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(qdate(today))  # no step dated in the future
        form.addRow(_("正确的日期"), self.date_edit)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText(_("必填，如“录入时把3日误作30日”"))
        form.addRow(_("更正理由"), self.reason_edit)
        self.late_edit = QLineEdit(self)
        self.late_edit.setPlaceholderText(_("申请日期更正后超过30日期限时必填"))
        form.addRow(_("逾期原因"), self.late_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        form.addRow(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.step_combo.currentIndexChanged.connect(lambda _i: self._step_changed())
        self.reason_edit.textChanged.connect(lambda _t: self._update_ok())
        # The last step is the one most often mistyped.
        self.step_combo.setCurrentIndex(self.step_combo.count() - 1)
        self._step_changed()

    def step(self) -> CaseStatus:
        return CaseStatus(str(self.step_combo.currentData()))

    def _step_changed(self) -> None:
        if self.step_combo.count():
            self.date_edit.setDate(qdate(self._dates[self.step()]))
        applied = self.step_combo.count() > 0 and self.step() is CaseStatus.CONFIRMATION_APPLIED
        self.late_edit.setEnabled(applied)
        self._update_ok()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.step_combo.count() > 0 and bool(self.reason_edit.text().strip()))

    def values(self) -> tuple[CaseStatus, date, str, str | None]:
        """Step, new date, reason, late reason (for the application date)."""
        day = self.date_edit.date()
        late = self.late_edit.text().strip() or None
        return self.step(), date(day.year(), day.month(), day.day()), self.reason_edit.text().strip(), late
