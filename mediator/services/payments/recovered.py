"""What has been recovered and what is late: totals per batch and per company, overdue installments.

An installment is overdue when its day has passed and it is not fully paid, on a case whose
agreement binds the company (signed or later) and that is not closed (paid, failed, returned).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, select
from sqlmodel import Session, col

from mediator.domain.clock import china_today
from mediator.domain.money import format_money, to_money
from mediator.domain.workflow import STATUS_ORDER, CaseStatus
from mediator.i18n import _
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InstallmentRow, ListedCompanyRow

_ZERO = Decimal("0.00")
# Cases whose agreement binds the company and which are not closed: their installments can be late.
OWING: tuple[str, ...] = tuple(
    s.value for s in STATUS_ORDER[STATUS_ORDER.index(CaseStatus.SIGNED) : STATUS_ORDER.index(CaseStatus.PAID)]
)
# Cases whose agreed amount counts as agreed (everything signed or later that did not fail).
_AGREED: tuple[str, ...] = (*OWING, CaseStatus.PAID.value)


def overdue_condition(today: date | ColumnElement[date]) -> ColumnElement[bool]:
    """An installment line that is late on ``today`` (join ``CaseRow`` for the case's status)."""
    return and_(
        col(InstallmentRow.due_date) < today,
        func.coalesce(col(InstallmentRow.paid_amount), 0) < col(InstallmentRow.amount),
        col(CaseRow.status).in_(OWING),
    )


def overdue_installments(today: date | ColumnElement[date]) -> ScalarSelect[int]:
    """How many installments of the enclosing query's case (``CaseRow``) are overdue: a subquery
    per case, so a page of the case table reads the count with its rows, one index probe each."""
    return (
        select(func.count())
        .select_from(InstallmentRow)
        .where(col(InstallmentRow.case_id) == col(CaseRow.id), overdue_condition(today))
        .correlate(CaseRow)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class RecoveredLine:
    """Agreed, paid and still owed for one batch or one company."""

    label: str
    agreed: Decimal
    paid: Decimal
    overdue_cases: int
    overdue_amount: Decimal

    @property
    def outstanding(self) -> Decimal:
        return to_money(self.agreed - self.paid)

    @property
    def rate(self) -> Decimal:
        """Paid as a share of agreed, in percent with one decimal (0 when nothing is agreed)."""
        if not self.agreed:
            return Decimal("0.0")
        return (self.paid * 100 / self.agreed).quantize(Decimal("0.1"))

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.label,
            "agreed": str(self.agreed),
            "paid": str(self.paid),
            "outstanding": str(self.outstanding),
            "overdue_cases": self.overdue_cases,
            "overdue_amount": str(self.overdue_amount),
        }


@dataclass(frozen=True)
class Recovered:
    """Recovered totals per batch and per company on ``today``."""

    today: date
    by_batch: tuple[RecoveredLine, ...]
    by_company: tuple[RecoveredLine, ...]

    @property
    def overdue_cases(self) -> int:
        return sum(line.overdue_cases for line in self.by_batch)

    @property
    def overdue_amount(self) -> Decimal:
        return sum((line.overdue_amount for line in self.by_batch), _ZERO)

    def summary(self) -> str:
        return _("已履行{paid}元 / 应履行{agreed}元；逾期未付{cases}件，{amount}元。").format(
            paid=format_money(sum((line.paid for line in self.by_batch), _ZERO)),
            agreed=format_money(sum((line.agreed for line in self.by_batch), _ZERO)),
            cases=self.overdue_cases,
            amount=format_money(self.overdue_amount),
        )

    def as_text(self) -> str:
        lines = [self.summary()]
        for title, group in ((_("按批次"), self.by_batch), (_("按上市公司"), self.by_company)):
            lines.append(title)
            for line in group:
                lines.append(
                    _("  {label}：已付{paid} / 应付{agreed} 元（{rate}%），逾期{cases}件 {amount} 元").format(
                        label=line.label,
                        paid=format_money(line.paid),
                        agreed=format_money(line.agreed),
                        rate=line.rate,
                        cases=line.overdue_cases,
                        amount=format_money(line.overdue_amount),
                    )
                )
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "by_batch": [line.as_json() for line in self.by_batch],
            "by_company": [line.as_json() for line in self.by_company],
        }


def _grouped(session: Session, key: Any, joins: Any, today: date) -> dict[Any, list[Any]]:
    agreed = dict(
        session.execute(
            select(key, func.sum(col(CaseRow.agreed_amount)))
            .select_from(CaseRow)
            .join(*joins)
            .where(col(CaseRow.status).in_(_AGREED))
            .group_by(key)
        ).all()
    )
    paid = dict(
        session.execute(
            select(key, func.sum(col(InstallmentRow.paid_amount)))
            .select_from(InstallmentRow)
            .join(CaseRow, col(CaseRow.id) == col(InstallmentRow.case_id))
            .join(*joins)
            .group_by(key)
        ).all()
    )
    late = {
        row[0]: (row[1], _yuan(row[2]) - _yuan(row[3]))
        for row in session.execute(
            select(
                key,
                func.count(func.distinct(col(InstallmentRow.case_id))),
                func.sum(col(InstallmentRow.amount)),
                func.sum(col(InstallmentRow.paid_amount)),
            )
            .select_from(InstallmentRow)
            .join(CaseRow, col(CaseRow.id) == col(InstallmentRow.case_id))
            .join(*joins)
            .where(overdue_condition(today))
            .group_by(key)
        ).all()
    }
    keys = set(agreed) | set(paid) | set(late)
    return {k: [agreed.get(k), paid.get(k), *late.get(k, (0, None))] for k in keys}


def load_recovered(session: Session, today: date) -> Recovered:
    """Step: agreed, paid, owed and overdue per batch and per company on ``today``."""
    batches = _grouped(
        session, col(BatchRow.number), (BatchRow, col(BatchRow.id) == col(CaseRow.batch_id)), today
    )
    companies = _grouped(
        session,
        col(ListedCompanyRow.name),
        (ListedCompanyRow, col(ListedCompanyRow.id) == col(CaseRow.company_id)),
        today,
    )

    def line(label: str, values: list[Any]) -> RecoveredLine:
        agreed, paid, cases, late = values
        return RecoveredLine(label, _yuan(agreed), _yuan(paid), int(cases or 0), _yuan(late))

    return Recovered(
        today,
        tuple(line(_("第{number}批").format(number=k), batches[k]) for k in sorted(batches)),
        tuple(line(str(k), companies[k]) for k in sorted(companies)),
    )


def recovered_totals(database: Database, *, today: date | None = None) -> Recovered:
    """Agreed, paid, owed and overdue per batch and per company (``mediator payments status``)."""

    with database.session() as session:
        return load_recovered(session, today or china_today())


def _yuan(value: object) -> Decimal:
    """A SUM over a Money column (already yuan), or nothing summed."""
    return _ZERO if value is None else to_money(Decimal(str(value)))
