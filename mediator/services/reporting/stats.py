"""The figures the fusion court publishes (batches, companies, investors, amounts, cases by status).

Everything is aggregated in the database (a handful of scalar subqueries and one GROUP BY), so the
dashboard and ``mediator stats`` stay fast at 100,000 cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from mediator.domain.money import format_money
from mediator.domain.workflow import STATUS_ORDER, CaseStatus
from mediator.i18n import _
from mediator.store.database import Database
from mediator.store.tables import (
    BatchRow,
    CaseRow,
    InstallmentRow,
    InvestorRow,
    ListedCompanyRow,
)

# A failed case keeps the amount it was once close to; it is not an agreement any more.
_NOT_AGREED = (CaseStatus.FAILED.value, CaseStatus.RETURNED_TO_COURT.value)


@dataclass(frozen=True)
class Stats:
    """Headline figures; money is ``Decimal`` yuan."""

    batches: int
    companies: int
    investors: int
    cases: int
    claimed_total: Decimal
    agreed_total: Decimal
    paid_total: Decimal
    by_status: dict[CaseStatus, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The ``stats --json`` object: amounts as decimal strings such as ``"100234567.89"``."""
        return {
            "batches": self.batches,
            "companies": self.companies,
            "investors": self.investors,
            "cases": self.cases,
            "claimed_total": str(self.claimed_total),
            "agreed_total": str(self.agreed_total),
            "paid_total": str(self.paid_total),
            "by_status": {status.value: self.by_status.get(status, 0) for status in STATUS_ORDER},
        }

    def as_text(self) -> str:
        """A small table for the terminal, in the user's language."""
        rows: list[tuple[str, str]] = [
            (_("批次"), str(self.batches)),
            (_("上市公司"), str(self.companies)),
            (_("投资者"), str(self.investors)),
            (_("案件"), str(self.cases)),
            (_("诉请金额（元）"), format_money(self.claimed_total)),
            (_("调解金额（元）"), format_money(self.agreed_total)),
            (_("已履行金额（元）"), format_money(self.paid_total)),
        ]
        status_rows = [(status.label, str(self.by_status.get(status, 0))) for status in STATUS_ORDER]
        width = max(_display_width(label) for label, _value in rows + status_rows) + 2
        lines = [_pad(label, width) + value for label, value in rows]
        lines.append("")
        lines.append(_("按状态："))
        lines.extend("  " + _pad(label, width) + value for label, value in status_rows)
        return "\n".join(lines)


def _display_width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def load_stats(database: Database) -> Stats:
    """The headline figures (``mediator stats``), read in a session of its own."""
    with database.session() as session:
        return compute_stats(session)


def compute_stats(session: Session) -> Stats:
    """Step: count and sum over the whole database in two statements (the dashboard composes it
    into its own read; ``load_stats`` is the entry point)."""
    zero = Decimal("0.00")

    def count(table: Any) -> Any:
        return select(func.count()).select_from(table).scalar_subquery()

    agreed_sum = (
        select(func.coalesce(func.sum(CaseRow.agreed_amount), zero))
        .where(CaseRow.status.not_in(_NOT_AGREED))  # type: ignore[attr-defined]
        .scalar_subquery()
    )
    totals = session.execute(
        select(
            count(BatchRow),
            count(ListedCompanyRow),
            count(InvestorRow),
            count(CaseRow),
            select(func.coalesce(func.sum(CaseRow.claimed_amount), zero)).scalar_subquery(),
            agreed_sum,
            select(func.coalesce(func.sum(InstallmentRow.paid_amount), zero)).scalar_subquery(),
        )
    ).one()
    by_status = {status: 0 for status in STATUS_ORDER}
    for status, number in session.connection().execute(
        select(col(CaseRow.status), func.count()).group_by(col(CaseRow.status))
    ):
        by_status[CaseStatus(status)] = int(number)
    return Stats(
        batches=int(totals[0]),
        companies=int(totals[1]),
        investors=int(totals[2]),
        cases=int(totals[3]),
        # The Money column type turns the fen sums back into Decimal yuan.
        claimed_total=totals[4],
        agreed_total=totals[5],
        paid_total=totals[6],
        by_status=by_status,
    )
