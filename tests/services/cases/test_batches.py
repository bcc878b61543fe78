"""The batch list: 第N批 labels, cases by status, days left in the mediation term counted on the
work calendar (民诉法 §85: a term ending on a holiday ends on the next working day)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, select, update

from mediator.domain.deadlines import WorkCalendar
from mediator.domain.workflow import CaseStatus
from mediator.services.cases.batches import list_batches
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow
from tests.fixtures.synthetic import insert_synthetic_cases


def test_batches_newest_first_with_status_counts(database: Database) -> None:
    with database.transaction() as session:
        insert_synthetic_cases(session, 250, batch_size=100)
    batches = list_batches(database, today=date(2024, 6, 1), calendar=WorkCalendar())
    with database.session() as session:
        paid = len(session.scalars(select(CaseRow.id).where(CaseRow.status == "paid")).all())
    assert [b.label for b in batches] == ["第3批", "第2批", "第1批"]
    assert [b.total for b in batches] == [50, 100, 100]
    assert sum(b.by_status.get(CaseStatus.PAID, 0) for b in batches) == paid > 0


def _one_batch(database: Database, referral: date, statuses: list[str], extension: int = 0) -> None:
    with database.transaction() as session:
        insert_synthetic_cases(session, len(statuses), batch_size=len(statuses), first_referral=referral)
        session.execute(update(BatchRow).values(extension_days=extension))
        ids = session.scalars(select(CaseRow.id).order_by(CaseRow.id)).all()
        for case_id, status in zip(ids, statuses, strict=True):
            session.execute(update(CaseRow).where(CaseRow.id == case_id).values(status=status))


def test_term_ending_in_the_national_day_holiday_moves_to_the_next_working_day(database: Database) -> None:
    # Referred 2024-09-01: 30 days end on 2024-10-01 (National Day); the holiday runs to 10-07,
    # so the term ends on Tuesday 2024-10-08.
    _one_batch(database, date(2024, 9, 1), ["mediating", "paid"])
    (batch,) = list_batches(database, today=date(2024, 9, 30), calendar=WorkCalendar())
    assert batch.term.nominal_end == date(2024, 10, 1)
    assert batch.term.end == date(2024, 10, 8)
    assert batch.days_left == 8
    assert batch.in_mediation == 1
    assert not batch.overdue


def test_overdue_and_extended_terms(database: Database) -> None:
    _one_batch(database, date(2024, 3, 4), ["referred", "contacted"], extension=15)
    (batch,) = list_batches(database, today=date(2024, 4, 30), calendar=WorkCalendar())
    # 30 + 15 days from 2024-03-04 is Friday 2024-04-18.
    assert batch.term.end == date(2024, 4, 18)
    assert batch.days_left == -12
    assert batch.overdue


def test_administrator_override_changes_the_term(database: Database) -> None:
    from mediator.services.calendar import set_calendar_override

    _one_batch(database, date(2024, 3, 4), ["referred"])
    # 2024-04-03 (a Wednesday, the 30th day) declared a rest day: the term moves on one day.
    set_calendar_override(database, date(2024, 4, 3), False, "测试", actor="管理员")
    (batch,) = list_batches(database, today=date(2024, 4, 1))
    # 04-04..04-06 is the Qingming break; Sunday 04-07 is a 调休 working day.
    assert batch.term.end == date(2024, 4, 7)
    assert batch.term.shifted


def test_batch_without_cases_is_listed(database: Database) -> None:
    with database.transaction() as session:
        insert_synthetic_cases(session, 1)
        company = session.scalar(select(BatchRow.company_id))
        session.execute(
            insert(BatchRow).values(
                number=99, referral_date=date(2025, 1, 6), company_id=company, created_at=datetime.now(UTC)
            )
        )
    batches = list_batches(database, today=date(2025, 1, 6), calendar=WorkCalendar())
    empty = next(b for b in batches if b.number == 99)
    assert (empty.total, empty.in_mediation, empty.by_status) == (0, 0, {})
