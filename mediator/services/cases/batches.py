"""The batch list: each court referral with its company, referral date, the days left in the
commissioned-mediation term, how its cases stand (for the small stacked bar) and how long the
e-signing round took (signing package written → each case's last signature)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from mediator.domain.clock import stored_moment
from mediator.domain.deadlines import Deadline, WorkCalendar, mediation_term
from mediator.domain.workflow import STATUS_ORDER, CaseStatus
from mediator.i18n import _
from mediator.store.database import Database
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
    # Median and longest signing turnaround, None before any case came back signed.
    turnaround: tuple[timedelta, timedelta] | None = None
    closed_on: date | None = None  # the close-out (mediator batch close)

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
    database: Database, *, today: date, calendar: WorkCalendar | None = None
) -> list[BatchSummary]:
    """All batches, newest first, with term deadlines counted on the work calendar (民诉法 §85)."""
    with database.session() as session:
        return _list_batches(session, today=today, calendar=calendar)


def _list_batches(session: Session, *, today: date, calendar: WorkCalendar | None) -> list[BatchSummary]:
    if calendar is None:
        from mediator.services.calendar import load_work_calendar

        calendar = load_work_calendar(session)
    counts: dict[int, dict[CaseStatus, int]] = {}
    for case_batch, status, number in session.connection().execute(
        select(col(CaseRow.batch_id), col(CaseRow.status), func.count()).group_by(
            col(CaseRow.batch_id), col(CaseRow.status)
        )
    ):
        counts.setdefault(case_batch, {})[CaseStatus(status)] = int(number)
    turnarounds = signing_turnarounds(session)
    rows = session.connection().execute(
        select(
            col(BatchRow.id),
            col(BatchRow.number),
            col(ListedCompanyRow.name),
            col(BatchRow.referral_date),
            col(BatchRow.term_days),
            col(BatchRow.extension_days),
            col(BatchRow.closed_on),
            col(BatchRow.received_on),
        )
        .join(ListedCompanyRow, col(ListedCompanyRow.id) == col(BatchRow.company_id))
        .order_by(col(BatchRow.number).desc())
    )
    result: list[BatchSummary] = []
    for batch_id, number, company, referred, term_days, extension_days, closed_on, received_on in rows:
        assert batch_id is not None
        # The term counts from the 签收 date when recorded (deadlines.term_start).
        term = mediation_term(referred, term_days, extension_days, calendar=calendar, received_on=received_on)
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
                turnaround=turnarounds.get(batch_id),
                closed_on=closed_on,
            )
        )
    return result


def signing_turnarounds(session: Session) -> dict[int, tuple[timedelta, timedelta]]:
    """Step of ``list_batches``: per batch id, median and longest time from its signing package to
    each case's last signature.

    One query for all batches; the same figures as ``services.signing.signing_turnaround`` gives
    for one batch.
    """
    spans: dict[int, list[timedelta]] = {}
    query = (
        select(col(CaseRow.batch_id), col(BatchRow.signing_package_at), col(CaseRow.signed_at))
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
        .where(
            col(BatchRow.signing_package_at).is_not(None),
            col(CaseRow.signed_at).is_not(None),
        )
    )
    for batch_id, sent, signed in session.connection().execute(query):
        if sent is None or signed is None:  # excluded by the query; says so to the type checker
            continue
        spans.setdefault(batch_id, []).append(max(stored_moment(signed) - stored_moment(sent), timedelta(0)))
    return {batch_id: (_median(s), max(s)) for batch_id, s in spans.items()}


def _median(spans: list[timedelta]) -> timedelta:
    ordered = sorted(spans)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def format_span(span: timedelta) -> str:
    """A turnaround as people say it: 3天4小时 / 5小时20分."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("{d}天{h}小时").format(d=days, h=hours)
    return _("{h}小时{m}分").format(h=hours, m=minutes)
