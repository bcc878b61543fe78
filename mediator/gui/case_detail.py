"""The case detail panel: editable fields checked as you type, one button per allowed next step,
history, contact attempts, payments, documents and judicial confirmation (its 30-day window, the
application and the ruling)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidgetItem,
    QWidget,
)

from mediator.domain import contacts
from mediator.domain.clock import china_clock, china_today, typed_moment
from mediator.domain.money import format_money, parse_amount
from mediator.domain.payments import overdue_lines
from mediator.domain.referral_kinds import confirmation_refusal
from mediator.domain.validators import validate_mobile, validate_person_name, validate_resident_id
from mediator.domain.workflow import CaseStatus, FailureReason, allowed_transitions
from mediator.errors import ValidationError
from mediator.gui.dates import qdate, qdatetime_now
from mediator.gui.errors import show_error
from mediator.gui.jobs import JobHandle, Pool, run_job
from mediator.gui.settings import CONFIRM_TRANSITIONS, Preferences
from mediator.gui.style import WARNING_RED
from mediator.gui.ui_case_detail import Ui_CaseDetail
from mediator.gui.ui_contact_dialog import Ui_ContactDialog
from mediator.gui.ui_failure_dialog import Ui_FailureDialog
from mediator.gui.ui_payment_dialog import Ui_PaymentDialog
from mediator.i18n import _
from mediator.services.cases.lists import (
    CaseConfirmation,
    CaseDetail,
    Choice,
    case_confirmation,
    case_detail,
)
from mediator.services.payments.recovered import OWING
from mediator.store.database import Database

log = logging.getLogger("mediator.gui.cases")

# Labels (msgids) by stored key; their one home is mediator.domain.contacts.
CHANNEL_LABELS: dict[str, str] = {channel.value: label for channel, label in contacts.CHANNEL_LABELS.items()}
OUTCOME_LABELS: dict[str, str] = {outcome.value: label for outcome, label in contacts.OUTCOME_LABELS.items()}
_INVALID_STYLE = "QLineEdit { border: 2px solid #c62828; border-radius: 3px; }"
# Days left in the confirmation window at or under which it is shown in red (as the batch term).
URGENT_DAYS = 3
# Statuses whose case still has to apply for judicial confirmation.
_AWAITING_APPLICATION = frozenset({CaseStatus.SIGNED})
# A plan can no longer change once the case is closed either way.
_PLAN_CLOSED = frozenset({CaseStatus.PAID.value, CaseStatus.FAILED.value, CaseStatus.RETURNED_TO_COURT.value})


def _not_empty_amount(text: str) -> object:
    return parse_amount(text)


def _optional(check: Callable[[str], object]) -> Callable[[str], object]:
    def run(text: str) -> object:
        return None if not text.strip() else check(text)

    return run


class FailureDialog(QDialog):
    """Asks why mediation failed (FailureReason labels) and an optional note (forms/failure_dialog.ui)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = Ui_FailureDialog()
        self.form.setupUi(self)
        self.reason = self.form.reasonCombo
        self.note = self.form.noteEdit
        for reason in FailureReason:
            self.reason.addItem(reason.label, reason.value)


class ContactDialog(QDialog):
    """One contact attempt: when, how, outcome, note (forms/contact_dialog.ui)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = Ui_ContactDialog()
        self.form.setupUi(self)
        self.at = self.form.atEdit
        self.channel = self.form.channelCombo
        self.outcome = self.form.outcomeCombo
        self.note = self.form.noteEdit
        # Nanjing's wall clock, whatever the machine's zone (domain/clock.py).
        self.at.setDateTime(qdatetime_now())
        for key, label in CHANNEL_LABELS.items():
            self.channel.addItem(_(label), key)
        for outcome in contacts.LOGGED_OUTCOMES:
            self.outcome.addItem(outcome.label, outcome.value)

    def values(self) -> dict[str, Any]:
        at = self.at.dateTime().toPython()
        assert isinstance(at, datetime)
        # The edit shows Nanjing's wall clock; store aware UTC (the project's rule for datetimes).
        return {
            "at": typed_moment(at).astimezone(UTC),
            "channel": self.channel.currentData(),
            "outcome": self.outcome.currentData(),
            "note": self.note.text().strip() or None,
        }


class PaymentDialog(QDialog):
    """A payment received from the company: amount and day (forms/payment_dialog.ui)."""

    def __init__(self, outstanding: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = Ui_PaymentDialog()
        self.form.setupUi(self)
        self.amount = self.form.amountEdit
        self.paid_on = self.form.paidOnEdit
        self.amount.setText(outstanding)
        self.paid_on.setDate(qdate())
        # The bank's or company's reference: one reference is booked once (services/payments).
        self.reference = QLineEdit(self)
        self.reference.setObjectName("referenceEdit")
        self.reference.setPlaceholderText(_("可不填；同一流水号只能登记一次"))
        self.form.formLayout.insertRow(2, _("流水号"), self.reference)


class CaseDetailPanel(QWidget):
    """Shows and edits one case. Each write is a job in the write pool (services.cases opens its
    transaction); the panel is disabled while it runs and shows the case again when it lands."""

    # A case changed (the table refreshes its row): case id.
    case_changed = Signal(int)

    def __init__(
        self,
        database: Database,
        preferences: Preferences,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = china_today,
    ) -> None:
        super().__init__(parent)
        self.form = Ui_CaseDetail()
        self.form.setupUi(self)
        self._database = database
        self._preferences = preferences
        self._today = today
        self._detail: CaseDetail | None = None
        self._show_personal_data = False
        self._invalid: set[str] = set()
        self.transition_buttons: dict[CaseStatus, QPushButton] = {}
        f = self.form
        # field name in update_case_fields → (line edit, validator run as the user types)
        self._fields: dict[str, tuple[QLineEdit, Callable[[str], object]]] = {
            "investor_name": (f.nameEdit, validate_person_name),
            "investor_id_number": (f.idNumberEdit, validate_resident_id),
            "investor_phone": (f.phoneEdit, _optional(validate_mobile)),
            "investor_address": (f.addressEdit, lambda text: text),
            "investor_agent": (f.agentEdit, lambda text: text),
            "claimed_amount": (f.claimedEdit, _not_empty_amount),
            "agreed_amount": (f.agreedEdit, _optional(parse_amount)),
        }
        for name, (edit, _check) in self._fields.items():
            edit.textEdited.connect(lambda _text, name=name: self._validate(name))
        f.mediatorCombo.activated.connect(lambda _i: self._update_buttons())
        f.saveButton.clicked.connect(self.save)
        f.revertButton.clicked.connect(self.revert)
        f.addContactButton.clicked.connect(self.add_contact)
        f.recordPaymentButton.clicked.connect(self.record_payment)
        # The installment plan (gui/payments.py), beside 登记付款.
        self.plan_button = QPushButton(_("付款计划…"), f.paymentsTab)
        self.plan_button.setObjectName("planButton")
        self.plan_button.clicked.connect(self.edit_plan)
        f.paymentButtons.insertWidget(f.paymentButtons.indexOf(f.recordPaymentButton), self.plan_button)
        f.documentsButton.clicked.connect(self.open_documents)
        f.recordConfirmationButton.clicked.connect(self.record_confirmation)
        # 更正日期…: a mistyped step date, corrected with a reason (gui/correct_date_dialog.py).
        self.correct_date_button = QPushButton(_("更正日期…"), f.historyTab)
        self.correct_date_button.setObjectName("correctDateButton")
        self.correct_date_button.clicked.connect(self.correct_date)
        f.historyLayout.addWidget(self.correct_date_button)
        # The loss calculator (gui/loss_dialog.py) beside the agreed amount it proposes.
        self.loss_button = QPushButton(_("损失测算…"), f.fieldsBox)
        self.loss_button.setObjectName("lossButton")
        self.loss_button.clicked.connect(self.open_loss_calculator)
        f.saveLayout.insertWidget(0, self.loss_button)
        self._confirmation: CaseConfirmation | None = None
        self._mediators_loaded = False
        # The running write, if any (tests wait for its ``finished``).
        self.job: JobHandle[Any] | None = None
        for tree in (f.historyTree, f.contactsTree):
            tree.setColumnWidth(0, 125)
            tree.setColumnWidth(1, 70)
        self.set_mediators([])
        self.show_case(None)

    # --- loading ---------------------------------------------------------------------------------

    @property
    def detail(self) -> CaseDetail | None:
        return self._detail

    def set_mediators(self, mediators: Sequence[Choice]) -> None:
        """The mediators to offer (the main window reads them with the filter choices)."""
        combo = self.form.mediatorCombo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_("（未指定）"), None)
        for choice in mediators:
            combo.addItem(choice.label, choice.id)
        self._mediators_loaded = bool(mediators)
        if self._detail is not None:
            combo.setCurrentIndex(max(0, combo.findData(self._detail.mediator_id)))
        combo.blockSignals(False)

    def set_show_personal_data(self, show: bool) -> None:
        self._show_personal_data = show
        if self._detail is not None:
            self.show_case(self._detail.id)

    def show_case(self, case_id: int | None) -> None:
        """Load ``case_id`` (None clears the panel)."""
        self._invalid.clear()
        if case_id is None:
            self._detail = None
        else:
            # One case: a few small queries, fast enough to read on the GUI thread.
            self._detail = case_detail(self._database, case_id, show_personal_data=self._show_personal_data)
            self._confirmation = case_confirmation(self._database, case_id)
        self._fill()

    def _fill(self) -> None:
        f = self.form
        d = self._detail
        enabled = d is not None
        for widget in (f.fieldsBox, f.transitionsBox, f.detailTabs):
            widget.setEnabled(enabled)
        if d is None:
            f.titleLabel.setText(_("未选择案件"))
            for edit, _check in self._fields.values():
                edit.clear()
                self._mark(edit, None)
            self._rebuild_transitions([])
            for tree in (f.historyTree, f.contactsTree, f.paymentsTree):
                tree.clear()
            f.paidSummary.clear()
            self._confirmation = None
            self._fill_confirmation(None)
            return
        f.titleLabel.setText(f"<b>{d.case_number}</b>　{d.investor_name}")
        status_text = d.status.label
        if d.failure_reason:
            status_text += f"（{FailureReason(d.failure_reason).label}）"
        step_day = d.step_dates.get(d.status)
        if step_day:
            status_text += "　" + step_day.isoformat()
        f.statusValue.setText(status_text)
        batch_label = _("第{number}批").format(number=d.batch_number)
        f.batchValue.setText(f"{batch_label} / {d.company}")
        values = {
            "investor_name": d.investor_name,
            "investor_id_number": d.id_number,
            "investor_phone": d.phone,
            "investor_address": d.address,
            "investor_agent": d.agent,
            "claimed_amount": format_money(d.claimed_amount),
            "agreed_amount": "" if d.agreed_amount is None else format_money(d.agreed_amount),
        }
        for name, (edit, _check) in self._fields.items():
            edit.setText(values[name])
            self._mark(edit, None)
        # Masked numbers are not editable: unmask with "显示个人信息" first (recorded in the audit log).
        for edit in (f.idNumberEdit, f.phoneEdit):
            edit.setReadOnly(not d.personal_data_shown)
            edit.setToolTip("" if d.personal_data_shown else _("打开“显示个人信息”后才能修改"))
        combo = f.mediatorCombo
        combo.setCurrentIndex(max(0, combo.findData(d.mediator_id)))
        self._rebuild_transitions(allowed_transitions(d.status))
        self._fill_history(d)
        self._fill_contacts(d)
        self._fill_payments(d)
        self._fill_confirmation(d)
        self._update_buttons()

    def _fill_history(self, d: CaseDetail) -> None:
        tree = self.form.historyTree
        tree.clear()
        for line in d.history:
            text = line.text  # in the interface language, old → new
            item = QTreeWidgetItem([_local(line.at), line.actor, text])
            item.setToolTip(2, text)
            tree.addTopLevelItem(item)

    def _fill_contacts(self, d: CaseDetail) -> None:
        tree = self.form.contactsTree
        tree.clear()
        for c in d.contacts:
            channel = _(CHANNEL_LABELS.get(c.channel, c.channel))
            outcome = _(OUTCOME_LABELS.get(c.outcome, c.outcome))
            tree.addTopLevelItem(QTreeWidgetItem([_local(c.at), channel, outcome, c.note or ""]))

    def _fill_payments(self, d: CaseDetail) -> None:
        f = self.form
        tree = f.paymentsTree
        tree.clear()
        late = set(overdue_lines(d.installments, self._today())) if d.status.value in OWING else set()
        for index, i in enumerate(d.installments):
            item = QTreeWidgetItem(
                [
                    str(i.sequence),
                    i.due_date.isoformat(),
                    format_money(i.amount),
                    "" if i.paid_amount is None else format_money(i.paid_amount),
                    "" if i.paid_on is None else i.paid_on.isoformat(),
                ]
            )
            if index in late:
                for column in range(5):
                    item.setForeground(column, WARNING_RED)
                item.setToolTip(1, _("已逾期"))
            tree.addTopLevelItem(item)
        f.paidSummary.setStyleSheet("")
        if d.agreed_amount is not None:
            text = _("已付 {paid} / 调解金额 {agreed} 元").format(
                paid=format_money(d.paid_total), agreed=format_money(d.agreed_amount)
            )
            if late:
                text += "　" + _("逾期{n}期").format(n=len(late))
                f.paidSummary.setStyleSheet(f"color: {WARNING_RED.name()}; font-weight: bold")
            f.paidSummary.setText(text)
        else:
            f.paidSummary.setText(_("尚未确定调解金额"))
        self.plan_button.setEnabled(
            d.agreed_amount is not None
            and d.status.value not in _PLAN_CLOSED
            and not any(i.paid_amount for i in d.installments)
        )
        f.recordPaymentButton.setEnabled(d.status in (CaseStatus.CONFIRMED, CaseStatus.PARTIALLY_PAID))

    def _fill_confirmation(self, d: CaseDetail | None) -> None:
        f = self.form
        c = self._confirmation
        labels = (f.effectiveValue, f.windowValue, f.appliedValue, f.rulingValue)
        for label in labels:
            label.clear()
            label.setStyleSheet("")
            label.setToolTip("")
        refusal = confirmation_refusal(d.case_number) if d is not None else None
        f.recordConfirmationButton.setEnabled(
            d is not None
            and refusal is None
            and d.status in (CaseStatus.SIGNED, CaseStatus.CONFIRMATION_APPLIED)
        )
        f.recordConfirmationButton.setToolTip(refusal or "")
        if d is None or c is None:
            return
        if c.effective_on is None:
            f.effectiveValue.setText(_("协议尚未生效（尚未签署）"))
        else:
            f.effectiveValue.setText(c.effective_on.isoformat())
        f.windowValue.setText(self.window_text(d, c))
        urgent = c.window is not None and c.window.days_left(self._today()) <= URGENT_DAYS
        if urgent and d.status in _AWAITING_APPLICATION:
            f.windowValue.setStyleSheet(f"color: {WARNING_RED.name()}; font-weight: bold")
        if c.window is not None:
            tip = _(
                "民事诉讼法第二百零五条：自调解协议生效之日起三十日内共同申请；"
                "期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期。"
            )
            f.windowValue.setToolTip(tip)
        f.appliedValue.setText(c.application_date.isoformat() if c.application_date else _("未登记"))
        if c.late:
            # Applied after the window: shown as late, with the reason given (民事诉讼法 §205).
            f.appliedValue.setText(
                _("{day}（逾期申请：{reason}）").format(
                    day=c.application_date.isoformat() if c.application_date else "",
                    reason=c.late_reason or "",
                )
            )
            f.appliedValue.setStyleSheet(f"color: {WARNING_RED.name()}")
        if c.ruling_number:
            ruling_day = c.ruling_date.isoformat() if c.ruling_date else ""
            f.rulingValue.setText(f"{c.ruling_number}　{ruling_day}".rstrip())
        else:
            f.rulingValue.setText(_("未登记"))

    def window_text(self, d: CaseDetail, c: CaseConfirmation) -> str:
        """The window's last day and how it stands: days left, applied, or overdue."""
        window = c.window
        if window is None:
            return _("协议生效后起算")
        end = window.end.isoformat()
        if d.status not in _AWAITING_APPLICATION:
            if c.application_date is not None:
                text = _("{end}（已于 {day} 申请）").format(end=end, day=c.application_date.isoformat())
            else:
                text = end
        else:
            left = window.days_left(self._today())
            if left > 0:
                text = _("{end}（还剩 {days} 天）").format(end=end, days=left)
            elif left == 0:
                text = _("{end}（今天到期）").format(end=end)
            else:
                text = _("{end}（已过期 {days} 天）").format(end=end, days=-left)
        if window.shifted:
            text += "\n" + _("原定 {nominal} 为法定休假日，顺延至 {end}。").format(
                nominal=window.nominal_end.isoformat(), end=end
            )
        if not window.calendar_known:
            text += "\n" + _("⚠ 节假日日历尚未收录{year}年，截止日期仅按周末推算，请核对。").format(
                year=window.end.year
            )
        return text

    def _rebuild_transitions(self, targets: list[CaseStatus]) -> None:
        layout = self.form.transitionsLayout
        for button in self.transition_buttons.values():
            layout.removeWidget(button)
            button.deleteLater()
        self.transition_buttons = {}
        for i, target in enumerate(targets):
            button = QPushButton(_("→ {status}").format(status=target.label))
            button.setObjectName(f"transition_{target.value}")
            button.clicked.connect(lambda _checked=False, target=target: self.transition(target))
            layout.addWidget(button, i // 3, i % 3)
            self.transition_buttons[target] = button
        if not targets:
            self.form.transitionsBox.setTitle(_("下一步（本案已办结）"))
        else:
            self.form.transitionsBox.setTitle(_("下一步"))

    # --- validation as you type ------------------------------------------------------------------

    def _mark(self, edit: QLineEdit, message: str | None) -> None:
        edit.setStyleSheet(_INVALID_STYLE if message else "")
        edit.setToolTip(message or "")
        edit.setProperty("invalid", bool(message))

    def _validate(self, name: str) -> bool:
        edit, check = self._fields[name]
        if edit.isReadOnly():
            return True
        try:
            check(edit.text())
        except ValidationError as exc:
            self._mark(edit, str(exc))
            self._invalid.add(name)
            self._update_buttons()
            return False
        self._mark(edit, None)
        self._invalid.discard(name)
        self._update_buttons()
        return True

    def changes(self) -> dict[str, Any]:
        """The fields the user changed, as update_case_fields takes them."""
        d = self._detail
        if d is None:
            return {}
        changes: dict[str, Any] = {}
        originals = {
            "investor_name": d.investor_name,
            "investor_id_number": d.id_number,
            "investor_phone": d.phone,
            "investor_address": d.address,
            "investor_agent": d.agent,
            "claimed_amount": format_money(d.claimed_amount),
            "agreed_amount": "" if d.agreed_amount is None else format_money(d.agreed_amount),
        }
        for name, (edit, _check) in self._fields.items():
            if edit.isReadOnly():
                continue
            text = edit.text().strip()
            if text != originals[name]:
                changes[name] = text if text else None
        mediator_id = self.form.mediatorCombo.currentData()
        # Before the mediators are read the combo cannot show the case's: that is no change.
        if self._mediators_loaded and mediator_id != d.mediator_id:
            changes["mediator_id"] = mediator_id
        return changes

    def _update_buttons(self) -> None:
        dirty = bool(self.changes())
        self.form.saveButton.setEnabled(dirty and not self._invalid)
        self.form.revertButton.setEnabled(dirty)

    # --- actions ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A write started here is still running."""
        return self.job is not None and self.job.running

    def _set_busy(self, busy: bool) -> None:
        f = self.form
        enabled = not busy and self._detail is not None
        for widget in (f.fieldsBox, f.transitionsBox, f.detailTabs):
            widget.setEnabled(enabled)
        if not busy:
            self._update_buttons()

    def _write(self, title: str, op: Callable[[], object]) -> JobHandle[Any] | None:
        """Run one write in the write pool, the panel disabled meanwhile; when it lands show the case
        again, and on failure show the service's message and keep the panel as it was."""
        d = self._detail
        if d is None or self.busy:
            return None

        def done(_result: object) -> None:
            self._set_busy(False)
            if self._detail is not None and self._detail.id == d.id:  # still the case on show
                self.show_case(d.id)
            self.case_changed.emit(d.id)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            show_error(self, exc)

        self._set_busy(True)
        self.job = run_job(
            self,
            lambda _progress: op(),
            title=title,
            on_success=done,
            on_failure=failed,
            pool=Pool.WRITE,
            cancellable=False,
        )
        return self.job

    def save(self) -> JobHandle[Any] | None:
        from mediator.services.cases.changes import update_case_fields

        d = self._detail
        if d is None or self._invalid:
            return None
        changes = self.changes()
        if not changes:
            return None
        actor = self._preferences.actor()
        database = self._database
        return self._write(
            _("保存案件"),
            lambda: update_case_fields(database, d.id, changes, actor=actor, expected_version=d.version),
        )

    def revert(self) -> None:
        if self._detail is not None and not self.busy:
            self.show_case(self._detail.id)

    def ask_failure_reason(self) -> tuple[str, str | None] | None:
        """The reason and note for "调解不成", or None when the user cancels."""
        dialog = FailureDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason.currentData(), dialog.note.text().strip() or None

    def confirm(self, question: str) -> bool:
        if not self._preferences.get(CONFIRM_TRANSITIONS):
            return True
        answer = QMessageBox.question(self, _("确认"), question)
        return answer == QMessageBox.StandardButton.Yes

    def transition(self, target: CaseStatus) -> JobHandle[Any] | None:
        from mediator.services.cases.changes import change_status

        d = self._detail
        if d is None:
            return None
        reason: str | None = None
        note: str | None = None
        if target is CaseStatus.PAID and d.agreed_amount is not None and d.paid_total < d.agreed_amount:
            return self.settle(d)
        if target is CaseStatus.FAILED:
            answer = self.ask_failure_reason()
            if answer is None:
                return None
            reason, note = answer
        elif not self.confirm(
            _("将案件 {case} 变更为“{status}”？").format(case=d.case_number, status=target.label)
        ):
            return None
        actor = self._preferences.actor()
        on = self._today()
        database = self._database
        return self._write(
            _("变更案件状态"),
            lambda: change_status(
                database,
                d.id,
                target,
                actor=actor,
                on=on,
                failure_reason=reason,
                note=note,
                expected_version=d.version,
            ),
        )

    def settle(self, d: CaseDetail) -> JobHandle[Any] | None:
        """履行完毕 with money still owed: ask for the final payment (or why the rest is waived)."""
        from mediator.gui.settlement_dialog import SettlementDialog
        from mediator.services.cases.settlement import complete_payment

        assert d.agreed_amount is not None
        owed = d.agreed_amount - d.paid_total
        dialog = SettlementDialog(d.case_number, d.paid_total, owed, self._today(), self)
        if self.exec_dialog(dialog) != QDialog.DialogCode.Accepted:
            return None
        values = dialog.values()
        actor = self._preferences.actor()
        database = self._database
        return self._write(
            _("履行完毕"),
            lambda: complete_payment(
                database,
                d.id,
                actor=actor,
                amount=values.amount,
                paid_on=values.paid_on,
                waiver=values.waiver,
                expected_version=d.version,
            ),
        )

    def add_contact(self) -> JobHandle[Any] | None:
        from mediator.services.contacts.attempts import record_contact_attempt

        d = self._detail
        if d is None:
            return None
        dialog = ContactDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        values = dialog.values()
        actor = self._preferences.actor()
        database = self._database
        return self._write(
            _("登记联系记录"), lambda: record_contact_attempt(database, d.id, actor=actor, **values)
        )

    def record_payment(self) -> JobHandle[Any] | None:
        from mediator.services.payments.ledger import record_payment

        d = self._detail
        if d is None or d.agreed_amount is None:
            return None
        dialog = PaymentDialog(str(d.agreed_amount - d.paid_total), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        amount = dialog.amount.text()
        paid_on = dialog.paid_on.date().toPython()
        assert isinstance(paid_on, date)
        reference = dialog.reference.text()
        actor = self._preferences.actor()
        database = self._database
        return self._write(
            _("登记履行款项"),
            lambda: record_payment(database, d.id, amount, paid_on, actor=actor, reference=reference),
        )

    def edit_plan(self) -> JobHandle[Any] | None:
        """付款计划: edit the installments (checked as you type), saved in the write pool."""
        from mediator.gui.payments import PlanDialog
        from mediator.services.payments.ledger import set_installments

        d = self._detail
        if d is None or d.agreed_amount is None:
            return None
        lines = [(i.due_date, i.amount) for i in d.installments]
        dialog = PlanDialog(d.agreed_amount, lines, self)
        if self.exec_dialog(dialog) != QDialog.DialogCode.Accepted:
            return None
        plan = dialog.plan()
        actor = self._preferences.actor()
        database = self._database
        return self._write(_("保存付款计划"), lambda: set_installments(database, d.id, plan, actor=actor))

    def record_confirmation(self) -> JobHandle[Any] | None:
        """Ask for the application date and/or the ruling; record them as `mediator confirmation-record`."""
        from mediator.gui.confirmation_dialog import ConfirmationDialog

        d, c = self._detail, self._confirmation
        if d is None:
            return None
        dialog = ConfirmationDialog(
            d.case_number,
            d.status,
            self._today(),
            self,
            applied=c.application_date if c else None,
            ruling_number=c.ruling_number if c else None,
            ruling_date=c.ruling_date if c else None,
        )
        if self.exec_dialog(dialog) != QDialog.DialogCode.Accepted:
            return None
        values = dialog.values()
        late_reason = None
        applied, window = values["applied"], c.window if c else None
        if applied is not None and window is not None and applied > window.end:
            late_reason = self.ask_late_reason(window.end)
            if late_reason is None:
                return None
        actor = self._preferences.actor()
        database = self._database
        from mediator.services.documents.confirmation import record_confirmation

        return self._write(
            _("登记司法确认"),
            lambda: record_confirmation(
                database, d.case_number, actor=actor, late_reason=late_reason, **values
            ),
        )

    def exec_dialog(self, dialog: QDialog) -> int:
        """Run a modal dialog (tests replace this to fill the dialog in and accept it)."""
        return dialog.exec()

    def ask_late_reason(self, end: date) -> str | None:
        """Why the application comes after the window (ending ``end``); None when cancelled."""
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(
            self,
            _("逾期申请"),
            _("申请期限已于 {end} 届满（民事诉讼法第205条）。\n如确系逾期申请，请说明原因：").format(
                end=end.isoformat()
            ),
        )
        return text.strip() or None if ok else None

    def correct_date(self) -> JobHandle[Any] | None:
        """更正日期…: the corrected step date, with its reason, as `mediator cases correct-date`."""
        from mediator.gui.correct_date_dialog import CorrectDateDialog
        from mediator.services.cases.corrections import correct_step_date

        d = self._detail
        if d is None:
            return None
        dialog = CorrectDateDialog(d.case_number, d.step_dates, self._today(), self)
        if self.exec_dialog(dialog) != QDialog.DialogCode.Accepted:
            return None
        step, on, reason, late = dialog.values()
        actor = self._preferences.actor()
        database = self._database
        return self._write(
            _("更正日期"),
            lambda: correct_step_date(
                database, case_id=d.id, step=step, on=on, reason=reason, late_reason=late, actor=actor
            ),
        )

    def open_documents(self) -> None:
        if self._detail is None:
            return
        dialog_class = document_preview_class()
        if dialog_class is None:
            QMessageBox.information(self, _("文书"), _("本版本尚未安装文书生成功能。"))
            return
        dialog = dialog_class(self._database, [self._detail.id], self)
        dialog.open()

    def open_loss_calculator(self) -> QDialog | None:
        """The loss calculator for this case's investor; the case is shown again when it applied."""
        if self._detail is None:
            return None
        from mediator.gui.loss_dialog import CaseLossDialog

        dialog = CaseLossDialog(self._database, self._detail.id, self._preferences, self)
        dialog.applied.connect(self._loss_applied)
        dialog.open()
        return dialog

    def _loss_applied(self, case_id: int) -> None:
        if self._detail is not None and self._detail.id == case_id and not self.busy:
            self.show_case(case_id)
        self.case_changed.emit(case_id)


def document_preview_class() -> type[Any] | None:
    """The document dialog (written separately); None while it is not installed."""
    try:
        from mediator.gui.document_preview import DocumentPreviewDialog
    except ImportError as exc:  # not written yet, or a Qt module it needs is missing
        log.warning("document dialog unavailable: %s", exc)
        return None
    return DocumentPreviewDialog


def _local(moment: datetime) -> str:
    return china_clock(moment)
