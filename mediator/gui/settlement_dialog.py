"""履行完毕 on a case with money still owed: the final payment's amount and date, and, when it
leaves something unpaid, why the rest is waived (services/cases/settlement.py). Checked as typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from mediator.domain.money import format_money, parse_amount
from mediator.errors import ValidationError
from mediator.gui.dates import qdate
from mediator.i18n import _

_INVALID_STYLE = "QLineEdit { border: 2px solid #c62828; border-radius: 3px; }"


@dataclass(frozen=True)
class SettlementValues:
    amount: Decimal | None
    paid_on: date | None
    waiver: str | None


class SettlementDialog(QDialog):
    """Asks how the rest of the agreed amount was settled before a case becomes 履行完毕."""

    def __init__(
        self, case_number: str, paid: Decimal, owed: Decimal, today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("履行完毕"))
        self.setObjectName("settlementDialog")
        self._owed = owed
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "案件 {case} 已收到 {paid} 元，尚有 {owed} 元未付。"
                "请登记最后一笔付款；未付清的部分请说明免于支付的理由。"
            ).format(case=case_number, paid=format_money(paid), owed=format_money(owed))
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.amount = QLineEdit(format_money(owed))
        self.amount.setObjectName("finalAmount")
        self.paid_on = QDateEdit(qdate(today))
        self.paid_on.setObjectName("finalPaidOn")
        self.paid_on.setCalendarPopup(True)
        self.paid_on.setDisplayFormat("yyyy-MM-dd")
        self.paid_on.setMaximumDate(qdate(today))
        self.waiver = QLineEdit()
        self.waiver.setObjectName("waiverReason")
        self.waiver.setPlaceholderText(_("如：投资者同意放弃余款"))
        form.addRow(_("最后一笔付款（元）"), self.amount)
        form.addRow(_("付款日期"), self.paid_on)
        form.addRow(_("其余免于支付的理由"), self.waiver)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setObjectName("settlementProblem")
        self.problem.setStyleSheet("color: #c62828")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.amount.textChanged.connect(lambda _t: self.check())
        self.waiver.textChanged.connect(lambda _t: self.check())
        self.check()

    def final_amount(self) -> Decimal | None:
        """The final payment as typed (None: no payment, the whole rest is waived)."""
        text = self.amount.text().strip()
        return None if not text or parse_amount(text) == 0 else parse_amount(text)

    def check(self) -> bool:
        """Check what is typed; OK only when the rest is paid or its waiver has a reason."""
        problem = ""
        self.amount.setStyleSheet("")
        try:
            amount = self.final_amount()
        except ValidationError as exc:
            amount, problem = None, str(exc)
            self.amount.setStyleSheet(_INVALID_STYLE)
        if not problem and amount is not None and amount > self._owed:
            problem = _("最后一笔付款多于尚未支付的{owed}元。").format(owed=format_money(self._owed))
            self.amount.setStyleSheet(_INVALID_STYLE)
        rest = self._owed - (amount or Decimal("0.00"))
        if not problem and rest > 0 and not self.waiver.text().strip():
            problem = _("还有{rest}元未付：请填写免于支付的理由，或改为实际收到的金额。").format(
                rest=format_money(rest)
            )
        self.waiver.setEnabled(rest > 0 or bool(problem))
        self.problem.setText(problem)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problem)
        return not problem

    def values(self) -> SettlementValues:
        """What ``complete_payment`` takes."""
        amount = self.final_amount()
        paid_on = self.paid_on.date().toPython()
        assert isinstance(paid_on, date)
        return SettlementValues(
            amount, paid_on if amount is not None else None, self.waiver.text().strip() or None
        )
