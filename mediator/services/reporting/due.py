"""The due list (``mediator due``, the reminders panel): per case, every mediation term,
judicial-confirmation window and unpaid installment whose last day falls within the next days, and
every overdue one, counted on the work calendar.

The day each deadline counts from has one home, ``mediator.domain.deadlines``: the batch's term
(``mediation_term``, 民诉法 §85), the window from the agreement taking effect
(``confirmation_window_of``, 民诉法 §205) and an installment's agreed day moved off a holiday
(``installment_deadline``, 民法典 §203). Installments are read from the installment table here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, or_, select
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
    entries: list[DueEntry]  # all of them, or the most urgent when a limit was asked for
    due_count: int = 0  # due within ``days`` days, not yet overdue (all, whatever the limit)
    overdue_count: int = 0

    @property
    def overdue(self) -> list[DueEntry]:
        return [entry for entry in self.entries if entry.overdue]

    def summary(self) -> str:
        """What `mediator due` prints: one line per deadline, then the counts."""
        lines = [_line(entry) for entry in self.entries]
        lines.append(
            _("未来{days}天内到期 {due} 项，已逾期 {overdue} 项。").format(
                days=self.days, due=self.due_count, overdue=self.overdue_count
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


# A period ends on its nominal last day or on the next working day: never earlier, and never more
# than this many days later (the longest run of rest days, Spring Festival and a weekend, is ~10).
SHIFT_SLACK = 31


@dataclass(frozen=True)
class _Part:
    """One kind's deadlines: the entries read (all, or the most urgent ``limit``) and the counts."""

    entries: list[DueEntry]
    due: int
    overdue: int

    @classmethod
    def of(cls, entries: list[DueEntry], days: int) -> _Part:
        kept = [entry for entry in entries if entry.days_left <= days]
        overdue = sum(1 for entry in kept if entry.overdue)
        return cls(kept, len(kept) - overdue, overdue)


def _terms(session: Session, calendar: WorkCalendar, today: date, days: int, limit: int | None) -> _Part:
    """Cases still in mediation in the batches whose term ends within ``days`` or has ended: the
    term is a batch's, so it is worked out once per batch and only those batches' cases are read,
    the most urgent batches first (with ``limit``, the rest are only counted)."""
    in_mediation = col(CaseRow.status).in_(_IN_MEDIATION)
    open_cases = select(col(CaseRow.id)).where(col(CaseRow.batch_id) == col(BatchRow.id), in_mediation)
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
    counted = session.connection().execute(
        select(col(CaseRow.batch_id), func.count())
        .where(in_mediation, col(CaseRow.batch_id).in_(list(due)))
        .group_by(col(CaseRow.batch_id))
    )
    overdue = due_soon = 0
    for batch_id, cases in counted:
        if due[batch_id].days_left(today) < 0:
            overdue += cases
        else:
            due_soon += cases
    entries: list[DueEntry] = []
    for batch_id in sorted(due, key=lambda b: due[b].end):
        if limit is not None and len(entries) >= limit:
            break
        query = (
            select(*_case_columns())
            .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
            .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
            .where(in_mediation, col(CaseRow.batch_id) == batch_id)
            .order_by(col(CaseRow.case_number))
        )
        if limit is not None:
            query = query.limit(limit - len(entries))
        term = due[batch_id]
        entries += [
            _entry(DueKind.MEDIATION_TERM, term, row, today) for row in session.connection().execute(query)
        ]
    return _Part(entries, due_soon, overdue)


def _windows(session: Session, calendar: WorkCalendar, today: date, days: int, limit: int | None) -> _Part:
    # The start is agreement_effective_on's rule (the effective date, else the signing date).
    start = func.coalesce(col(AgreementRow.effective_on), col(CaseRow.signed_on))
    query = (
        select(*_case_columns(), col(AgreementRow.effective_on), col(CaseRow.signed_on))
        .select_from(CaseRow)
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .outerjoin(AgreementRow, col(AgreementRow.case_id) == col(CaseRow.id))
        .where(col(CaseRow.status) == CaseStatus.SIGNED.value)
    )

    def entries(rows: Any) -> list[DueEntry]:
        found = []
        for row in rows:
            window = confirmation_window_of(row[4], row[5], calendar)
            if window is not None:
                found.append(_entry(DueKind.CONFIRMATION_WINDOW, window, row[:4], today))
        return found

    offset = timedelta(days=CONFIRMATION_WINDOW_DAYS)
    return _narrowed(session, query, start, offset, entries, today, days, limit)


def _installments(
    session: Session, calendar: WorkCalendar, today: date, days: int, limit: int | None
) -> _Part:
    amount, paid = col(InstallmentRow.amount), col(InstallmentRow.paid_amount)
    query = (
        select(
            *_case_columns(),
            col(InstallmentRow.sequence),
            col(InstallmentRow.due_date),
            amount,
            paid,
        )
        .select_from(InstallmentRow)
        .join(CaseRow, col(CaseRow.id) == col(InstallmentRow.case_id))
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .where(col(CaseRow.status).in_(_OWING), or_(paid.is_(None), paid < amount))
    )

    def entries(rows: Any) -> list[DueEntry]:
        found = []
        for row in rows:
            sequence, due_date, owed = row[4], row[5], row[6] - (row[7] or Decimal("0.00"))
            if owed <= 0:
                continue
            detail = _("第{n}期 未付 {owed} 元").format(n=sequence, owed=format_money(owed))
            deadline = installment_deadline(due_date, calendar)
            found.append(_entry(DueKind.INSTALLMENT, deadline, row[:4], today, detail))
        return found

    due_date = col(InstallmentRow.due_date)
    return _narrowed(session, query, due_date, timedelta(0), entries, today, days, limit)


def _narrowed(
    session: Session,
    query: Select[Any],
    start: Any,
    length: timedelta,
    entries: Callable[[Any], list[DueEntry]],
    today: date,
    days: int,
    limit: int | None,
) -> _Part:
    """The deadlines of ``query``, whose nominal end is ``start`` + ``length``, narrowed in the
    database: none ends before its nominal day, none more than SHIFT_SLACK days after it. So a
    start past ``today + days - length`` cannot be due yet, and one before ``today - SHIFT_SLACK
    - length`` is surely overdue: with ``limit`` those are counted, and only the most urgent read."""
    query = query.where(start <= today + timedelta(days=days) - length)
    if limit is None:
        return _Part.of(entries(session.connection().execute(query)), days)
    surely_overdue = start < today - timedelta(days=SHIFT_SLACK) - length
    overdue = int(
        session.connection()
        .execute(select(func.count()).select_from(query.where(surely_overdue).subquery()))
        .scalar()
        or 0
    )
    oldest = entries(session.connection().execute(query.where(surely_overdue).order_by(start).limit(limit)))
    recent = _Part.of(entries(session.connection().execute(query.where(~surely_overdue))), days)
    merged = sorted(oldest + recent.entries, key=_urgency)[:limit]
    return _Part(merged, recent.due, overdue + recent.overdue)


def _urgency(entry: DueEntry) -> tuple[date, str, str]:
    return (entry.due_on, entry.kind.value, entry.case_number)


def due_entries(
    session: Session, *, today: date, days: int, calendar: WorkCalendar, limit: int | None = None
) -> _Part:
    """Step: every deadline due within ``days`` days of ``today`` or overdue, most urgent first
    (with ``limit``: the most urgent ``limit``, and the counts of all)."""
    parts = [reader(session, calendar, today, days, limit) for reader in (_terms, _windows, _installments)]
    entries = sorted((entry for part in parts for entry in part.entries), key=_urgency)
    return _Part(
        entries if limit is None else entries[:limit],
        sum(part.due for part in parts),
        sum(part.overdue for part in parts),
    )


def load_due_list(
    database: Database, *, today: date, days: int = DEFAULT_DAYS, limit: int | None = None
) -> DueList:
    """What is due within ``days`` days (default 7) and everything overdue, holiday-aware; with
    ``limit``, only the most urgent ``limit`` entries (the counts still cover every one)."""
    if not 0 <= days <= MAX_DAYS:
        raise ValidationError(
            _("天数应在0到{max}之间：{value}。").format(max=MAX_DAYS, value=days), field="days", value=days
        )
    with database.session() as session:
        calendar = load_work_calendar(session)
        part = due_entries(session, today=today, days=days, calendar=calendar, limit=limit)
        return DueList(today, days, part.entries, due_count=part.due, overdue_count=part.overdue)
