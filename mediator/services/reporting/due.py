"""The due list (``mediator due``, the reminders panel): per case, every mediation term,
judicial-confirmation window and unpaid installment whose last day falls within the next days, and
every overdue one, counted on the work calendar.

The day each deadline counts from has one home, ``mediator.domain.deadlines``: the batch's term
(``mediation_term``, 民诉法 §85), the window from the agreement taking effect
(``confirmation_window_of``, 民诉法 §205) and an installment's agreed day moved off a holiday
(``installment_deadline``, 民法典 §203). Installments are read from the installment table here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from mediator.domain.deadlines import (
    CONFIRMATION_WINDOW_DAYS,
    Deadline,
    WorkCalendar,
    confirmation_window_of,
    installment_deadline,
    mediation_term,
)
from mediator.domain.money import format_money
from mediator.domain.workflow import CaseStatus
from mediator.errors import ValidationError
from mediator.i18n import N_, _
from mediator.services.calendar import load_work_calendar
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, BatchRow, CaseRow, InstallmentRow, InvestorRow

DEFAULT_DAYS = 7
MAX_DAYS = 366
_IN_MEDIATION = (CaseStatus.REFERRED.value, CaseStatus.CONTACTED.value, CaseStatus.MEDIATING.value)
# Installments are owed once the agreement is signed, until the case is paid (or it fell through).
_OWING = (
    CaseStatus.SIGNED.value,
    CaseStatus.CONFIRMATION_APPLIED.value,
    CaseStatus.CONFIRMED.value,
    CaseStatus.PARTIALLY_PAID.value,
)


class DueKind(StrEnum):
    MEDIATION_TERM = "mediation_term"
    CONFIRMATION_WINDOW = "confirmation_window"
    INSTALLMENT = "installment"

    @property
    def label(self) -> str:
        return _(DUE_KIND_LABELS[self])


DUE_KIND_LABELS: dict[DueKind, str] = {
    DueKind.MEDIATION_TERM: N_("委派调解期限"),
    DueKind.CONFIRMATION_WINDOW: N_("申请司法确认期限"),
    DueKind.INSTALLMENT: N_("分期付款"),
}


@dataclass(frozen=True)
class DueEntry:
    """One deadline of one case."""

    case_id: int
    case_number: str
    kind: DueKind
    due_on: date  # the last day, moved off rest days
    days_left: int  # negative when overdue
    batch_number: int
    investor: str
    detail: str  # 第2期 5,000.00 元 for an installment
    calendar_known: bool

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    def as_json(self) -> dict[str, Any]:
        return {
            "case_no": self.case_number,
            "kind": self.kind.value,
            "due_on": self.due_on.isoformat(),
            "days_left": self.days_left,
            "batch": self.batch_number,
            "investor": self.investor,
            "detail": self.detail,
            "calendar_known": self.calendar_known,
        }


@dataclass(frozen=True)
class DueList:
    """Everything due within ``days`` days of ``today`` and everything overdue, most urgent first."""

    today: date
    days: int
    entries: list[DueEntry]

    @property
    def overdue(self) -> list[DueEntry]:
        return [entry for entry in self.entries if entry.overdue]

    def summary(self) -> str:
        """What `mediator due` prints: one line per deadline, then the counts."""
        lines = [_line(entry) for entry in self.entries]
        lines.append(
            _("未来{days}天内到期 {due} 项，已逾期 {overdue} 项。").format(
                days=self.days, due=len(self.entries) - len(self.overdue), overdue=len(self.overdue)
            )
        )
        return "\n".join(lines)


def _line(entry: DueEntry) -> str:
    if entry.days_left < 0:
        left = _("已逾期{days}天").format(days=-entry.days_left)
    elif entry.days_left == 0:
        left = _("今天到期")
    else:
        left = _("还剩{days}天").format(days=entry.days_left)
    text = f"{entry.due_on.isoformat()}  {left}  {entry.kind.label}  {entry.case_number}  {entry.investor}"
    if entry.detail:
        text += f"  {entry.detail}"
    if not entry.calendar_known:
        text += "  " + _("（日历未收录该年，仅按周末推算）")
    return text


def _entry(kind: DueKind, deadline: Deadline, row: Any, today: date, detail: str = "") -> DueEntry:
    case_id, case_number, batch_number, investor = row
    return DueEntry(
        case_id=case_id,
        case_number=case_number,
        kind=kind,
        due_on=deadline.end,
        days_left=deadline.days_left(today),
        batch_number=batch_number,
        investor=investor,
        detail=detail,
        calendar_known=deadline.calendar_known,
    )


def _case_columns() -> tuple[Any, ...]:
    return (col(CaseRow.id), col(CaseRow.case_number), col(BatchRow.number), col(InvestorRow.name))


def _terms(session: Session, calendar: WorkCalendar, today: date, days: int) -> list[DueEntry]:
    """Cases still in mediation in the batches whose term ends within ``days`` or has ended: the
    term is a batch's, so it is worked out once per batch and only those batches' cases are read
    (a million cases, most of them in batches far from their end, cost nothing)."""
    open_cases = select(col(CaseRow.id)).where(
        col(CaseRow.batch_id) == col(BatchRow.id), col(CaseRow.status).in_(_IN_MEDIATION)
    )
    batches = select(
        col(BatchRow.id),
        col(BatchRow.referral_date),
        col(BatchRow.term_days),
        col(BatchRow.extension_days),
        col(BatchRow.received_on),
    ).where(open_cases.exists())
    due: dict[int, Deadline] = {}
    for batch_id, referred, term_days, extension_days, received in session.connection().execute(batches):
        term = mediation_term(referred, term_days, extension_days, calendar=calendar, received_on=received)
        if batch_id is not None and term.days_left(today) <= days:
            due[batch_id] = term
    if not due:
        return []
    query = (
        select(*_case_columns(), col(CaseRow.batch_id))
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .where(col(CaseRow.status).in_(_IN_MEDIATION), col(CaseRow.batch_id).in_(list(due)))
    )
    return [
        _entry(DueKind.MEDIATION_TERM, due[row[4]], row[:4], today)
        for row in session.connection().execute(query)
    ]


def _windows(session: Session, calendar: WorkCalendar, today: date, days: int) -> list[DueEntry]:
    # A period ends on its nominal last day or later (moved off rest days), never earlier: a
    # window that starts after this day cannot be due within ``days``. The start is
    # agreement_effective_on's rule (the effective date, else the signing date).
    latest_start = today + timedelta(days=days - CONFIRMATION_WINDOW_DAYS)
    query = (
        select(*_case_columns(), col(AgreementRow.effective_on), col(CaseRow.signed_on))
        .select_from(CaseRow)
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .outerjoin(AgreementRow, col(AgreementRow.case_id) == col(CaseRow.id))
        .where(
            col(CaseRow.status) == CaseStatus.SIGNED.value,
            func.coalesce(col(AgreementRow.effective_on), col(CaseRow.signed_on)) <= latest_start,
        )
    )
    entries = []
    for row in session.connection().execute(query):
        window = confirmation_window_of(row[4], row[5], calendar)
        if window is not None:
            entries.append(_entry(DueKind.CONFIRMATION_WINDOW, window, row[:4], today))
    return entries


def _installments(session: Session, calendar: WorkCalendar, today: date, days: int) -> list[DueEntry]:
    # As above: an installment is due on its agreed day or the next working day, never earlier.
    query = (
        select(
            *_case_columns(),
            col(InstallmentRow.sequence),
            col(InstallmentRow.due_date),
            col(InstallmentRow.amount),
            col(InstallmentRow.paid_amount),
        )
        .select_from(InstallmentRow)
        .join(CaseRow, col(CaseRow.id) == col(InstallmentRow.case_id))
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .where(
            col(CaseRow.status).in_(_OWING),
            col(InstallmentRow.due_date) <= today + timedelta(days=days),
        )
    )
    entries = []
    for row in session.connection().execute(query):
        sequence, due_date, amount, paid = row[4], row[5], row[6], row[7]
        owed = amount - (paid or Decimal("0.00"))
        if owed <= 0:
            continue
        detail = _("第{n}期 未付 {owed} 元").format(n=sequence, owed=format_money(owed))
        entries.append(
            _entry(DueKind.INSTALLMENT, installment_deadline(due_date, calendar), row[:4], today, detail)
        )
    return entries


def due_entries(session: Session, *, today: date, days: int, calendar: WorkCalendar) -> list[DueEntry]:
    """Step: every deadline due within ``days`` days of ``today`` or overdue, most urgent first."""
    entries = _terms(session, calendar, today, days) + _windows(session, calendar, today, days)
    entries += _installments(session, calendar, today, days)
    kept = [entry for entry in entries if entry.days_left <= days]
    return sorted(kept, key=lambda e: (e.due_on, e.kind.value, e.case_number))


def load_due_list(database: Database, *, today: date, days: int = DEFAULT_DAYS) -> DueList:
    """What is due within ``days`` days (default 7) and everything overdue, holiday-aware."""
    if not 0 <= days <= MAX_DAYS:
        raise ValidationError(
            _("天数应在0到{max}之间：{value}。").format(max=MAX_DAYS, value=days), field="days", value=days
        )
    with database.session() as session:
        calendar = load_work_calendar(session)
        return DueList(today, days, due_entries(session, today=today, days=days, calendar=calendar))
