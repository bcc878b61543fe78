"""The dashboard: the figures the fusion court publishes, recovered money over time and per
company, and the deadlines that fall due in the next days (mediation terms, confirmation windows).

Aggregation happens in the database; grouping by month is done here from per-day sums because
SQLite and PostgreSQL spell "month of a date" differently and there are only a few hundred days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, select
from sqlmodel import Session

from mediator.domain.deadlines import WorkCalendar, confirmation_window, mediation_term
from mediator.domain.workflow import CaseStatus
from mediator.i18n import _
from mediator.services.reporting.stats import Stats, compute_stats
from mediator.store.tables import AgreementRow, BatchRow, CaseRow, InstallmentRow, ListedCompanyRow

DUE_WITHIN_DAYS = 7
_IN_MEDIATION = (CaseStatus.REFERRED.value, CaseStatus.CONTACTED.value, CaseStatus.MEDIATING.value)


class DeadlineKind(StrEnum):
    MEDIATION_TERM = "mediation_term"
    CONFIRMATION_WINDOW = "confirmation_window"

    @property
    def label(self) -> str:
        return {
            DeadlineKind.MEDIATION_TERM: _("委派调解期限"),
            DeadlineKind.CONFIRMATION_WINDOW: _("申请司法确认期限"),
        }[self]


@dataclass(frozen=True)
class MonthAmount:
    month: date  # first day of the month
    amount: Decimal


@dataclass(frozen=True)
class CompanyAmount:
    company: str
    amount: Decimal


@dataclass(frozen=True)
class DueItem:
    """A deadline falling due soon: one line per batch, kind and last day, with its case count."""

    kind: DeadlineKind
    batch_id: int
    batch_number: int
    company: str
    end: date
    days_left: int
    cases: int
    calendar_known: bool


@dataclass(frozen=True)
class Dashboard:
    stats: Stats
    recovered_by_month: list[MonthAmount]
    recovered_by_company: list[CompanyAmount]
    due: list[DueItem]


def recovered_by_month(session: Session) -> list[MonthAmount]:
    """Money paid to investors per calendar month, oldest first, months without payments included."""
    per_day = session.execute(
        select(InstallmentRow.paid_on, func.sum(InstallmentRow.paid_amount))
        .where(InstallmentRow.paid_on.is_not(None))  # type: ignore[union-attr]
        .group_by(InstallmentRow.paid_on)
    ).all()
    months: dict[date, Decimal] = {}
    for day, amount in per_day:
        key = date(day.year, day.month, 1)
        months[key] = months.get(key, Decimal("0.00")) + _yuan(amount)
    if not months:
        return []
    first, last = min(months), max(months)
    result: list[MonthAmount] = []
    month = first
    while month <= last:
        result.append(MonthAmount(month, months.get(month, Decimal("0.00"))))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return result


def _yuan(value: Decimal | None) -> Decimal:
    # SUM over a Money column keeps the column type: the sum of fen comes back as Decimal yuan.
    return Decimal("0.00") if value is None else value


def recovered_by_company(session: Session) -> list[CompanyAmount]:
    """Money paid per listed company, largest first."""
    rows = session.execute(
        select(ListedCompanyRow.name, func.sum(InstallmentRow.paid_amount))
        .join(CaseRow, CaseRow.id == InstallmentRow.case_id)  # type: ignore[arg-type]
        .join(ListedCompanyRow, ListedCompanyRow.id == CaseRow.company_id)  # type: ignore[arg-type]
        .where(InstallmentRow.paid_amount.is_not(None))  # type: ignore[union-attr]
        .group_by(ListedCompanyRow.name)
    ).all()
    result = [CompanyAmount(name, _yuan(amount)) for name, amount in rows]
    return sorted(result, key=lambda item: item.amount, reverse=True)


def deadlines_due(
    session: Session, *, today: date, calendar: WorkCalendar, within_days: int = DUE_WITHIN_DAYS
) -> list[DueItem]:
    """Mediation terms of batches with cases still in mediation, and judicial-confirmation windows
    of signed cases not yet applied for, whose last day is today or within ``within_days``."""
    due: list[DueItem] = []
    open_batches = session.execute(
        select(
            BatchRow.id,
            BatchRow.number,
            ListedCompanyRow.name,
            BatchRow.referral_date,
            BatchRow.term_days,
            BatchRow.extension_days,
            func.count(CaseRow.id),
        )
        .join(ListedCompanyRow, ListedCompanyRow.id == BatchRow.company_id)  # type: ignore[arg-type]
        .join(CaseRow, CaseRow.batch_id == BatchRow.id)  # type: ignore[arg-type]
        .where(CaseRow.status.in_(_IN_MEDIATION))  # type: ignore[attr-defined]
        .group_by(BatchRow.id, BatchRow.number, ListedCompanyRow.name)
    ).all()
    for batch_id, number, company, referred, term_days, extension_days, cases in open_batches:
        term = mediation_term(referred, term_days, extension_days, calendar=calendar)
        left = term.days_left(today)
        if 0 <= left <= within_days:
            due.append(
                DueItem(
                    DeadlineKind.MEDIATION_TERM,
                    batch_id,
                    number,
                    company,
                    term.end,
                    left,
                    cases,
                    term.calendar_known,
                )
            )
    # 民事诉讼法 §205: apply within 30 days of the agreement taking effect (when all have signed);
    # the signing date stands in when the agreement row has no effective date.
    effective = func.coalesce(AgreementRow.effective_on, CaseRow.signed_on)
    signed = session.execute(
        select(BatchRow.id, BatchRow.number, ListedCompanyRow.name, effective, func.count(CaseRow.id))
        .select_from(CaseRow)
        .join(BatchRow, BatchRow.id == CaseRow.batch_id)  # type: ignore[arg-type]
        .join(ListedCompanyRow, ListedCompanyRow.id == CaseRow.company_id)  # type: ignore[arg-type]
        .outerjoin(AgreementRow, AgreementRow.case_id == CaseRow.id)  # type: ignore[arg-type]
        .where(CaseRow.status == CaseStatus.SIGNED.value, effective.is_not(None))  # type: ignore[arg-type]
        .group_by(BatchRow.id, BatchRow.number, ListedCompanyRow.name, effective)
    ).all()
    for batch_id, number, company, start, cases in signed:
        window = confirmation_window(start, calendar)
        left = window.days_left(today)
        if 0 <= left <= within_days:
            due.append(
                DueItem(
                    DeadlineKind.CONFIRMATION_WINDOW,
                    batch_id,
                    number,
                    company,
                    window.end,
                    left,
                    cases,
                    window.calendar_known,
                )
            )
    # Several signing days of one batch may end on the same day: one line each (batch, kind, day).
    merged: dict[tuple[DeadlineKind, int, date], DueItem] = {}
    for item in due:
        key = (item.kind, item.batch_id, item.end)
        if key in merged:
            old = merged[key]
            item = DueItem(
                item.kind,
                item.batch_id,
                item.batch_number,
                item.company,
                item.end,
                item.days_left,
                old.cases + item.cases,
                item.calendar_known,
            )
        merged[key] = item
    return sorted(merged.values(), key=lambda item: (item.end, item.kind.value, item.batch_number))


def load_dashboard(
    session: Session,
    *,
    today: date,
    calendar: WorkCalendar | None = None,
    within_days: int = DUE_WITHIN_DAYS,
) -> Dashboard:
    """Everything the dashboard shows, in one call."""
    if calendar is None:
        from mediator.services.calendar import load_work_calendar

        calendar = load_work_calendar(session)
    return Dashboard(
        stats=compute_stats(session),
        recovered_by_month=recovered_by_month(session),
        recovered_by_company=recovered_by_company(session),
        due=deadlines_due(session, today=today, calendar=calendar, within_days=within_days),
    )
