"""The due list: per case, mediation terms, confirmation windows and installments due within N days
and everything overdue, on the work calendar (a deadline on a holiday moves to the next working day)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from mediator.errors import ValidationError
from mediator.services.calendar import set_calendar_override
from mediator.services.reporting.due import DueKind, load_due_list
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InstallmentRow
from tests.fixtures.document_factories import DocumentFixture, make_batch

NAMES = ("张䶮", "李堃", "王喆", "陈赟", "刘翀", "赵彧")
TODAY = date(2025, 10, 5)  # in the National Day holiday (2025-10-01 … 10-08)


@pytest.fixture
def database(any_database: Database) -> Database:
    """These tests run on SQLite and on PostgreSQL."""
    return any_database


@pytest.fixture
def batch(database: Database) -> DocumentFixture:
    fixture = make_batch(database, names=NAMES)
    ids = fixture.case_ids
    with database.transaction() as session:
        # Referred 2025-09-01: the 30-day term ends on 10-01, a holiday → the next working day, 10-09.
        session.execute(update(BatchRow).values(referral_date=date(2025, 9, 1)))
        statuses = ["confirmed", "mediating", "signed", "paid", "failed", "agreed"]
        for case_id, status in zip(ids, statuses, strict=True):
            session.execute(update(CaseRow).where(CaseRow.id == case_id).values(status=status))
        session.execute(update(CaseRow).where(CaseRow.id == ids[2]).values(signed_on=date(2025, 9, 20)))
        first, second = session.scalars(
            select(InstallmentRow).where(InstallmentRow.case_id == ids[0]).order_by(InstallmentRow.sequence)
        ).all()
        first.paid_amount, first.paid_on = (
            first.amount - Decimal("100.00"),
            date(2025, 6, 30),
        )  # 100 still owed
        second.due_date = date(2025, 10, 1)  # a holiday: payable on 10-09 (民法典 §203)
    return fixture


def test_due_within_days_and_all_overdue(database: Database, batch: DocumentFixture) -> None:
    due = load_due_list(database, today=TODAY, days=7)
    got = [(e.case_number, e.kind, e.due_on, e.days_left) for e in due.entries]
    numbers = batch.case_numbers
    assert got == [
        (numbers[0], DueKind.INSTALLMENT, date(2025, 6, 30), -97),  # overdue first
        (numbers[0], DueKind.INSTALLMENT, date(2025, 10, 9), 4),
        (numbers[1], DueKind.MEDIATION_TERM, date(2025, 10, 9), 4),
    ]
    assert [e.overdue for e in due.entries] == [True, False, False]
    assert due.entries[0].detail == "第1期 未付 100.00 元"
    assert due.entries[0].as_json() | {} == {
        "case_no": numbers[0],
        "kind": "installment",
        "due_on": "2025-06-30",
        "days_left": -97,
        "batch": 15,
        "investor": "张䶮",
        "detail": "第1期 未付 100.00 元",
        "calendar_known": True,
    }
    assert "已逾期97天" in due.summary() and "未来7天内到期 2 项，已逾期 1 项。" in due.summary()
    wider = load_due_list(database, today=TODAY, days=15)
    window = [e for e in wider.entries if e.kind is DueKind.CONFIRMATION_WINDOW]
    assert [(e.case_number, e.due_on) for e in window] == [(numbers[2], date(2025, 10, 20))]  # 9-20 + 30


def test_the_calendar_decides(database: Database, batch: DocumentFixture) -> None:
    set_calendar_override(database, date(2025, 10, 9), False, "测试", actor="管理员")
    due = load_due_list(database, today=TODAY, days=7)
    assert {e.due_on for e in due.entries if not e.overdue} == {date(2025, 10, 10)}


def test_a_paid_installment_or_a_closed_case_is_not_due(database: Database, batch: DocumentFixture) -> None:
    with database.transaction() as session:
        session.execute(update(CaseRow).where(CaseRow.id == batch.case_ids[0]).values(status="paid"))
    assert [e.kind for e in load_due_list(database, today=TODAY).entries] == [DueKind.MEDIATION_TERM]


def test_days_out_of_range_are_refused(database: Database) -> None:
    with pytest.raises(ValidationError, match="天数"):
        load_due_list(database, today=TODAY, days=-1)
    assert load_due_list(database, today=TODAY).entries == []


def test_the_term_counts_from_the_recorded_receipt(database: Database, batch: DocumentFixture) -> None:
    # Signed for (签收) on 09-10: the term runs to 10-10 (a working day), not the referral's 10-09.
    with database.transaction() as session:
        session.execute(update(BatchRow).values(received_on=date(2025, 9, 10)))
    due = load_due_list(database, today=TODAY, days=7)
    terms = [(e.case_number, e.due_on) for e in due.entries if e.kind is DueKind.MEDIATION_TERM]
    assert terms == [(batch.case_numbers[1], date(2025, 10, 10))]
    assert load_due_list(database, today=TODAY, days=4).entries[-1].kind is DueKind.INSTALLMENT


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_a_limited_list_keeps_the_most_urgent_and_counts_them_all(
    database: Database, batch: DocumentFixture, limit: int
) -> None:
    # The reminders panel asks for the most urgent few; its counts must still cover every one.
    whole = load_due_list(database, today=TODAY, days=15)
    part = load_due_list(database, today=TODAY, days=15, limit=limit)
    assert len(whole.entries) > limit
    assert part.entries == whole.entries[:limit]
    assert (part.due_count, part.overdue_count) == (whole.due_count, whole.overdue_count)
    assert whole.overdue_count == len(whole.overdue) == 1
    assert whole.due_count == len(whole.entries) - 1
