"""The batch list: each court referral with its company, referral date, the days left in the
commissioned-mediation term and how its cases stand (for the small stacked bar)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from mediator.domain.deadlines import Deadline, WorkCalendar, mediation_term
from mediator.domain.workflow import STATUS_ORDER, CaseStatus
from mediator.i18n import _
from mediator.store.tables import BatchRow, CaseRow, ListedCompanyRow

# The mediation term binds the cases still being mediated; agreed or closed ones are done with it.
IN_MEDIATION: frozenset[CaseStatus] = frozenset(
    {CaseStatus.REFERRED, CaseStatus.CONTACTED, CaseStatus.MEDIATING}
)


@dataclass(frozen=True)
class BatchSummary:
    id: int
    number: int
    company: str
    referral_date: date
    term: Deadline
    days_left: int
    by_status: dict[CaseStatus, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return _("第{number}批").format(number=self.number)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def in_mediation(self) -> int:
        """Cases the term still applies to (not yet agreed, failed or returned)."""
        return sum(n for status, n in self.by_status.items() if status in IN_MEDIATION)

    @property
    def overdue(self) -> bool:
        return self.in_mediation > 0 and self.days_left < 0


def list_batches(
    session: Session, *, today: date, calendar: WorkCalendar | None = None
) -> list[BatchSummary]:
    """All batches, newest first, with term deadlines counted on the work calendar (民诉法 §85)."""
    if calendar is None:
        from mediator.services.calendar import load_work_calendar

        calendar = load_work_calendar(session)
    counts: dict[int, dict[CaseStatus, int]] = {}
    for batch_id, status, number in session.execute(
        select(CaseRow.batch_id, CaseRow.status, func.count()).group_by(CaseRow.batch_id, CaseRow.status)  # type: ignore[arg-type]
    ):
        counts.setdefault(batch_id, {})[CaseStatus(status)] = int(number)
    rows = session.execute(
        select(
            BatchRow.id,
            BatchRow.number,
            ListedCompanyRow.name,
            BatchRow.referral_date,
            BatchRow.term_days,
            BatchRow.extension_days,
        )
        .join(ListedCompanyRow, ListedCompanyRow.id == BatchRow.company_id)  # type: ignore[arg-type]
        .order_by(BatchRow.number.desc())  # type: ignore[attr-defined]
    )
    result: list[BatchSummary] = []
    for batch_id, number, company, referred, term_days, extension_days in rows:
        term = mediation_term(referred, term_days, extension_days, calendar=calendar)
        by_status = counts.get(batch_id, {})
        result.append(
            BatchSummary(
                id=batch_id,
                number=number,
                company=company,
                referral_date=referred,
                term=term,
                days_left=term.days_left(today),
                by_status={s: by_status[s] for s in STATUS_ORDER if by_status.get(s)},
            )
        )
    return result
