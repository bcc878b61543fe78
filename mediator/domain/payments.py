"""Paying what the mediation agreement awards: the payment plan and how money received is booked.

The listed company pays the agreed amount in one sum or in installments (分期履行). A plan must add
up to the agreed amount, with due dates in order; money received fills the installments in order,
and the case is paid (履行完毕) when nothing is left outstanding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from mediator.domain.money import to_money
from mediator.domain.workflow import CaseStatus
from mediator.errors import ValidationError
from mediator.i18n import _

_ZERO = Decimal("0.00")


class InstallmentState(Protocol):
    """What allocating a payment needs to know about one installment line: its amount and what
    it has received so far (``None`` when nothing yet)."""

    @property
    def amount(self) -> Decimal: ...

    @property
    def paid_amount(self) -> Decimal | None: ...


class InstallmentDue(InstallmentState, Protocol):
    """An installment line with its due date (what telling it overdue needs)."""

    @property
    def due_date(self) -> date: ...


@dataclass(frozen=True, slots=True)
class Allocation:
    """The part of one payment booked on installment line ``index`` (0-based, plan order):
    ``share`` now, ``paid_after`` received on that line in all once it is booked."""

    index: int
    share: Decimal
    paid_after: Decimal


@dataclass(frozen=True, slots=True)
class PlanProblem:
    """What is wrong with a payment plan: ``line`` is the 0-based plan line at fault (its date when
    ``on_date``, else its amount), or None when the problem is the total."""

    line: int | None
    message: str
    on_date: bool = False


def plan_problems(
    plan: Sequence[tuple[date | None, Decimal | None]], agreed: Decimal | None
) -> list[PlanProblem]:
    """Every reason a payment plan cannot be performed: no line, a missing date or amount, an amount
    that is not positive, due dates out of order or twice the same day, a total other than
    ``agreed``. The case detail checks the plan as it is typed with this; imports name the cell."""
    if not plan:
        return [PlanProblem(None, _("付款计划至少应有一期。"))]
    problems: list[PlanProblem] = []
    previous: date | None = None
    for index, (due, amount) in enumerate(plan):
        n = index + 1
        if due is None:
            problems.append(PlanProblem(index, _("请填写第{n}期的到期日。").format(n=n), on_date=True))
        elif previous is not None and due < previous:
            message = _("第{n}期的到期日早于上一期，请按时间顺序填写。").format(n=n)
            problems.append(PlanProblem(index, message, on_date=True))
        elif previous is not None and due == previous:
            # Two lines due the same day are one installment; which one money fills first is arbitrary.
            message = _("第{n}期的到期日与上一期相同，请合并为一期或调整日期。").format(n=n)
            problems.append(PlanProblem(index, message, on_date=True))
        previous = due or previous
        if amount is None:
            problems.append(PlanProblem(index, _("请填写第{n}期的金额。").format(n=n)))
        elif amount <= 0:
            problems.append(PlanProblem(index, _("第{n}期的金额应大于零。").format(n=n)))
    amounts = [amount for _due, amount in plan if amount is not None]
    if agreed is not None and len(amounts) == len(plan):
        total = sum(amounts, _ZERO)
        if total != agreed:
            message = _("各期金额合计{total}元，与调解金额{agreed}元不一致。").format(
                total=total, agreed=agreed
            )
            problems.append(PlanProblem(None, message))
    return problems


def check_installment_plan(plan: Sequence[tuple[date, Decimal]], agreed: Decimal) -> None:
    """Refuse a payment plan the agreement cannot be performed by (the first of ``plan_problems``)."""
    problems = plan_problems(plan, agreed)
    if problems:
        raise ValidationError(problems[0].message, field="installments")


def overdue_lines(installments: Sequence[InstallmentDue], today: date) -> list[int]:
    """The 0-based plan lines due before ``today`` and not yet fully paid."""
    return [
        index
        for index, line in enumerate(installments)
        if line.due_date < today and (line.paid_amount or _ZERO) < line.amount
    ]


def allocate_payment(
    installments: Sequence[InstallmentState], amount: Decimal, *, outstanding: Decimal
) -> list[Allocation]:
    """Book ``amount`` on the installments in plan order, each line filled before the next.

    Returns one ``Allocation`` per line (share 0 for lines this payment does not reach). Money left
    once every line is full (a plan adding up to less than the agreed amount, edited outside the
    app) goes on the last line rather than being lost. Refuses a payment that is not positive or
    that exceeds ``outstanding`` (what the agreement still awards).
    """
    if not installments:
        raise ValueError("allocate_payment needs at least one installment line")
    if amount == 0:
        raise ValidationError(_("金额不能为零。"), field="amount", value=amount)
    if amount < 0:
        raise ValidationError(
            _("金额不能为负数：{value}。").format(value=amount), field="amount", value=amount
        )
    if amount > outstanding:
        raise ValidationError(
            _("本次付款{amount}元超过尚未履行的金额{outstanding}元。").format(
                amount=amount, outstanding=outstanding
            ),
            field="amount",
            value=amount,
        )
    received = [line.paid_amount or _ZERO for line in installments]
    shares: list[Decimal] = []
    left = amount
    for line, already in zip(installments, received, strict=True):
        share = max(min(line.amount - already, left), _ZERO)
        shares.append(share)
        left -= share
    if left > 0:
        shares[-1] += left
    return [
        Allocation(index=i, share=to_money(share), paid_after=to_money(already + share))
        for i, (share, already) in enumerate(zip(shares, received, strict=True))
    ]


def status_after_payment(current: CaseStatus, amount: Decimal, outstanding: Decimal) -> CaseStatus | None:
    """The status a confirmed case moves to once ``amount`` of ``outstanding`` is received:
    paid when nothing is left, partially paid on the first of several payments, else no change."""
    if amount == outstanding:
        return CaseStatus.PAID
    if CaseStatus(current) is CaseStatus.CONFIRMED:
        return CaseStatus.PARTIALLY_PAID
    return None
