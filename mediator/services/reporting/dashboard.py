"""The dashboard: the figures the fusion court publishes, recovered money over time and per
company, and the deadlines that fall due in the next days or are overdue (mediation terms,
confirmation windows).

Aggregation happens in the database; grouping by month is done here from per-day sums because
SQLite and PostgreSQL spell "month of a date" differently and there are only a few hundred days.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, select
from sqlmodel import Session, col

from mediator.domain.deadlines import WorkCalendar, confirmation_window_of, mediation_term
from mediator.domain.workflow import CaseStatus
from mediator.i18n import _
from mediator.services.contacts.reach import ReachReport, reach_rates
from mediator.services.payments.recovered import Recovered, load_recovered
from mediator.services.reporting.stats import Stats, compute_stats
from mediator.store.database import Database
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
    """A deadline overdue or falling due soon: one line per batch, kind and last day, with its
    case count."""

    kind: DeadlineKind
    batch_id: int
    batch_number: int
    company: str
    end: date
    days_left: int
    cases: int
    calendar_known: bool

    @property
    def overdue(self) -> bool:
        """The last day has passed and the cases have not moved on."""
        return self.days_left < 0


@dataclass(frozen=True)
class Dashboard:
    stats: Stats
    recovered_by_month: list[MonthAmount]
    recovered_by_company: list[CompanyAmount]
    due: list[DueItem]
    # The contact round: reach rates per batch and per mediator (services/contacts/reach.py).
    reach: ReachReport | None = None
    # Recovered and overdue per batch and per company (services/payments/recovered.py).
    recovered: Recovered | None = None


def recovered_by_month(session: Session) -> list[MonthAmount]:
    """Step of ``load_dashboard``: money paid to investors per calendar month, oldest first, months
    without payments included."""
    per_day = session.connection().execute(
        select(col(InstallmentRow.paid_on), func.sum(col(InstallmentRow.paid_amount)))
        .where(col(InstallmentRow.paid_on).is_not(None))
        .group_by(col(InstallmentRow.paid_on))
    )
    months: dict[date, Decimal] = {}
    for day, amount in per_day:
        if day is None:  # excluded by the query
            continue
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
    """Step of ``load_dashboard``: money paid per listed company, largest first."""
    rows = session.connection().execute(
        select(col(ListedCompanyRow.name), func.sum(col(InstallmentRow.paid_amount)))
        .join(CaseRow, col(CaseRow.id) == col(InstallmentRow.case_id))
        .join(ListedCompanyRow, col(ListedCompanyRow.id) == col(CaseRow.company_id))
        .where(col(InstallmentRow.paid_amount).is_not(None))
        .group_by(col(ListedCompanyRow.name))
    )
    result = [CompanyAmount(name, _yuan(amount)) for name, amount in rows]
    return sorted(result, key=lambda item: item.amount, reverse=True)


def _term_items(session: Session, *, today: date, calendar: WorkCalendar, within_days: int) -> list[DueItem]:
    """Mediation terms of batches with cases still in mediation, ending within ``within_days``."""
    due: list[DueItem] = []
    open_batches = session.connection().execute(
        select(
            col(BatchRow.id),
            col(BatchRow.number),
            col(ListedCompanyRow.name),
            col(BatchRow.referral_date),
            col(BatchRow.term_days),
            col(BatchRow.extension_days),
            col(BatchRow.received_on),
            func.count(col(CaseRow.id)),
        )
        .join(ListedCompanyRow, col(ListedCompanyRow.id) == col(BatchRow.company_id))
        .join(CaseRow, col(CaseRow.batch_id) == col(BatchRow.id))
        .where(col(CaseRow.status).in_(_IN_MEDIATION))
        .group_by(col(BatchRow.id), col(BatchRow.number), col(ListedCompanyRow.name))
    )
    for batch_id, number, company, referred, term_days, extension_days, received_on, cases in open_batches:
        assert batch_id is not None  # a primary key
        # From the 签收 date when recorded (deadlines.term_start).
        term = mediation_term(referred, term_days, extension_days, calendar=calendar, received_on=received_on)
        left = term.days_left(today)
        if left <= within_days:  # overdue ones stay listed until the cases move on
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
    return due


def _window_items(
    session: Session, *, today: date, calendar: WorkCalendar, within_days: int
) -> list[DueItem]:
    """Judicial-confirmation windows of signed cases not yet applied for, ending within
    ``within_days`` (民事诉讼法 §205: 30 days from the agreement taking effect)."""
    due: list[DueItem] = []
    signed = session.connection().execute(
        select(
            col(BatchRow.id),
            col(BatchRow.number),
            col(ListedCompanyRow.name),
            col(AgreementRow.effective_on),
            col(CaseRow.signed_on),
            func.count(col(CaseRow.id)),
        )
        .select_from(CaseRow)
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .join(ListedCompanyRow, col(ListedCompanyRow.id) == col(CaseRow.company_id))
        .outerjoin(AgreementRow, col(AgreementRow.case_id) == col(CaseRow.id))
        .where(col(CaseRow.status) == CaseStatus.SIGNED.value)
        .group_by(
            col(BatchRow.id),
            col(BatchRow.number),
            col(ListedCompanyRow.name),
            col(AgreementRow.effective_on),
            col(CaseRow.signed_on),
        )
    )
    for batch_id, number, company, effective_on, signed_on, cases in signed:
        # One rule for the start (domain.deadlines): the recorded effective date, else the signing day.
        window = confirmation_window_of(effective_on, signed_on, calendar)
        if window is None or batch_id is None:
            continue
        left = window.days_left(today)
        if left <= within_days:  # overdue ones stay listed until the cases move on
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
    return due


def deadlines_due(
    session: Session, *, today: date, calendar: WorkCalendar, within_days: int = DUE_WITHIN_DAYS
) -> list[DueItem]:
    """Step of ``load_dashboard``: mediation terms of batches with cases still in mediation, and
    judicial-confirmation windows of signed cases not yet applied for, whose last day has passed
    (overdue: they stay listed, first) or is today or within ``within_days``."""
    due = _term_items(session, today=today, calendar=calendar, within_days=within_days)
    due += _window_items(session, today=today, calendar=calendar, within_days=within_days)
    # Several signing days of one batch may end on the same day: one line each (batch, kind, day).
    merged: dict[tuple[DeadlineKind, int, date], DueItem] = {}
    for item in due:
        key = (item.kind, item.batch_id, item.end)
        if key in merged:
            item = replace(item, cases=merged[key].cases + item.cases)
        merged[key] = item
    return sorted(merged.values(), key=lambda item: (item.end, item.kind.value, item.batch_number))


def load_dashboard(
    database: Database,
    *,
    today: date,
    calendar: WorkCalendar | None = None,
    within_days: int = DUE_WITHIN_DAYS,
) -> Dashboard:
    """Everything the dashboard shows, read in one session of its own."""
    with database.session() as session:
        if calendar is None:
            from mediator.services.calendar import load_work_calendar

            calendar = load_work_calendar(session)
        return Dashboard(
            stats=compute_stats(session),
            recovered_by_month=recovered_by_month(session),
            recovered_by_company=recovered_by_company(session),
            due=deadlines_due(session, today=today, calendar=calendar, within_days=within_days),
            reach=reach_rates(session),
            recovered=load_recovered(session, today),
        )
