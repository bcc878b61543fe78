"""履行完毕: closing a case's payments with the final payment's amount and date, or with the reason
the rest is waived, never by booking what is still owed unasked.

``complete_payment`` books the final payment through the payments ledger (services/payments) and
moves the case to 履行完毕 in one transaction; what the final payment leaves unpaid needs a
reason (the investor waived it, the company went bankrupt ...), kept in the case's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col

from mediator.domain.clock import china_today
from mediator.domain.money import format_money, parse_amount, to_money
from mediator.domain.validators import canonical_case_number
from mediator.domain.workflow import CaseStatus, check_transition
from mediator.errors import NotFoundError, TransitionError, UserError, ValidationError
from mediator.i18n import _
from mediator.services.cases.changes import paid_total, transition_case
from mediator.services.payments.ledger import SOURCE_MANUAL, book_payment, lock_case, lock_cases
from mediator.store.database import Database
from mediator.store.mapping import to_entity
from mediator.store.tables import CaseRow

WAIVER_LIMIT = 200


@dataclass(frozen=True)
class Settlement:
    """How a case was closed: the final payment booked, the rest waived."""

    case_id: int
    case_number: str
    final_amount: Decimal | None
    paid_on: date | None
    waived: Decimal
    paid_total: Decimal
    status: CaseStatus
    version: int

    def as_json(self) -> dict[str, Any]:
        return {
            "case_no": self.case_number,
            "final_amount": None if self.final_amount is None else str(self.final_amount),
            "paid_on": self.paid_on.isoformat() if self.paid_on else None,
            "waived": str(self.waived),
            "paid": str(self.paid_total),
            "status": self.status.value,
        }

    def summary(self) -> str:
        text = _("案件{case}已履行完毕，共收到{paid}元。").format(
            case=self.case_number, paid=format_money(self.paid_total)
        )
        if self.final_amount is not None and self.paid_on is not None:
            text += _("最后一笔付款{amount}元（{day}）。").format(
                amount=format_money(self.final_amount), day=self.paid_on.isoformat()
            )
        if self.waived > 0:
            text += _("其余{amount}元免于支付。").format(amount=format_money(self.waived))
        return text


def _waiver_text(waiver: str | None) -> str | None:
    text = " ".join((waiver or "").split())
    if len(text) > WAIVER_LIMIT:
        raise ValidationError(
            _("免于支付的理由过长（最多{limit}个字）。").format(limit=WAIVER_LIMIT),
            field="waiver",
            value=waiver,
        )
    return text or None


def complete_payment(
    database: Database,
    case_id: int,
    *,
    actor: str,
    amount: Decimal | str | None = None,
    paid_on: date | None = None,
    waiver: str | None = None,
    expected_version: int | None = None,
) -> Settlement:
    """Move a case to 履行完毕: book the final payment (``amount`` on ``paid_on``) and, when it
    leaves something unpaid (or no payment is given), record ``waiver``, why the rest is not paid.

    Refuses, changing nothing: no final payment and no reason while money is still owed, a final
    payment above what is owed or dated in the future, a case that may not be closed yet.
    """
    reason, money = _checked(amount, paid_on, waiver)
    with database.transaction() as session:
        case = lock_case(session, case_id)
        if expected_version is not None and case.version != expected_version:
            raise UserError(_("该案件已被他人修改，请刷新后重试"))
        return _complete(session, case, actor=actor, money=money, paid_on=paid_on, reason=reason)


def complete_payment_by_number(
    database: Database,
    case_number: str,
    *,
    actor: str,
    amount: Decimal | str | None = None,
    paid_on: date | None = None,
    waiver: str | None = None,
) -> Settlement:
    """``complete_payment`` for the case the user names by its 案号 (``mediator payments complete``)."""
    number = canonical_case_number(case_number)
    reason, money = _checked(amount, paid_on, waiver)
    with database.transaction() as session:
        found = lock_cases(session, col(CaseRow.case_number) == number)
        if not found:
            raise NotFoundError(_("没有案号为{number}的案件。").format(number=number))
        return _complete(session, found[0], actor=actor, money=money, paid_on=paid_on, reason=reason)


def _checked(
    amount: Decimal | str | None, paid_on: date | None, waiver: str | None
) -> tuple[str | None, Decimal | None]:
    reason = _waiver_text(waiver)
    money = None if amount in (None, "") else parse_amount(amount)
    if money is not None and paid_on is None:
        raise ValidationError(_("请填写最后一笔付款的日期。"), field="paid_on")
    return reason, money


def _complete(
    session: Session,
    case: CaseRow,
    *,
    actor: str,
    money: Decimal | None,
    paid_on: date | None,
    reason: str | None,
) -> Settlement:
    """Step: the final payment booked, the rest waived with its reason, the case 履行完毕."""
    assert case.id is not None
    entity = to_entity(case)
    check_transition(
        CaseStatus(case.status), CaseStatus.PAID, agreed_amount_set=entity.agreed_amount is not None
    )
    owed = entity.outstanding(paid_total(session, case.id))
    if money is not None and money > owed:
        raise ValidationError(
            _("最后一笔付款{amount}元多于尚未支付的{owed}元。").format(
                amount=format_money(money), owed=format_money(owed)
            ),
            field="amount",
            value=money,
        )
    rest = owed - (money or Decimal("0.00"))
    if rest > 0 and reason is None:
        raise TransitionError(
            _("尚有{rest}元未付：请登记最后一笔付款的金额和日期，或说明其余款项免于支付的理由。").format(
                rest=format_money(rest)
            )
        )
    if money is not None and paid_on is not None:
        # The ledger moves the case on: to 履行完毕 when nothing is left.
        book_payment(session, case, money, paid_on, reference=None, source=SOURCE_MANUAL, actor=actor)
    if CaseStatus(case.status) is not CaseStatus.PAID:
        on = max(paid_on or china_today(), to_entity(case).last_step_date)
        transition_case(session, case.id, CaseStatus.PAID, actor=actor, on=on, waiver=reason)
    return Settlement(
        case_id=case.id,
        case_number=case.case_number,
        final_amount=money,
        paid_on=paid_on if money is not None else None,
        waived=to_money(max(rest, Decimal("0.00"))),
        paid_total=paid_total(session, case.id),
        status=CaseStatus(case.status),
        version=case.version,
    )
