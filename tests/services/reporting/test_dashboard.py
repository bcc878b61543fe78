"""The dashboard figures: recovered money per month and per company add up to the paid total;
deadlines due within 7 days (mediation terms with cases still open, confirmation windows)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select, update

from mediator.domain.deadlines import WorkCalendar
from mediator.services.reporting.dashboard import DeadlineKind, deadlines_due, load_dashboard
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, BatchRow, CaseRow, InstallmentRow
from tests.fixtures.synthetic import insert_synthetic_cases


def test_recovered_per_month_and_company_add_up_to_the_paid_total(any_database: Database) -> None:
    with any_database.transaction() as session:
        insert_synthetic_cases(session, 300, batch_size=60, first_referral=date(2024, 5, 20))
        # A payment of exactly 100 yuan: a whole-yuan sum must not be mistaken for fen.
        first = session.scalar(select(InstallmentRow).order_by(InstallmentRow.id).limit(1))
        first.paid_amount = Decimal("100.00")
        first.paid_on = date(2023, 12, 15)
    dashboard = load_dashboard(any_database, today=date(2024, 6, 1), calendar=WorkCalendar())
    with any_database.session() as session:
        per_day = session.execute(select(InstallmentRow.paid_on, InstallmentRow.paid_amount)).all()
    paid = dashboard.stats.paid_total
    assert paid > 0
    assert sum(m.amount for m in dashboard.recovered_by_month) == paid
    assert sum(c.amount for c in dashboard.recovered_by_company) == paid
    months = [m.month for m in dashboard.recovered_by_month]
    assert months[0] == date(2023, 12, 1)
    assert dashboard.recovered_by_month[0].amount == Decimal("100.00")
    # Months without payments are there with zero, so the time axis has no gaps.
    assert date(2024, 1, 1) in months and dashboard.recovered_by_month[1].amount == Decimal("0.00")
    assert all((b.year * 12 + b.month) - (a.year * 12 + a.month) == 1 for a, b in itertools.pairwise(months))
    amounts = [c.amount for c in dashboard.recovered_by_company]
    assert amounts == sorted(amounts, reverse=True)
    may = sum(
        (amount for day, amount in per_day if day and (day.year, day.month) == (2024, 6)), Decimal("0.00")
    )
    assert next(m.amount for m in dashboard.recovered_by_month if m.month == date(2024, 6, 1)) == may


def test_deadlines_due_in_the_next_seven_days(database: Database) -> None:
    with database.transaction() as session:
        insert_synthetic_cases(session, 30, batch_size=10, first_referral=date(2024, 9, 2))
        batches = session.scalars(select(BatchRow).order_by(BatchRow.number)).all()
        # Batch 1 referred 09-02: term ends 10-02 in the National Day break → 10-08.
        # Batch 2 referred 09-09: term ends 10-09. Batch 3: all cases agreed, no term to watch.
        batches[1].referral_date = date(2024, 9, 9)
        batches[2].referral_date = date(2024, 9, 9)
        session.execute(update(CaseRow).where(CaseRow.batch_id == batches[0].id).values(status="mediating"))
        session.execute(update(CaseRow).where(CaseRow.batch_id == batches[1].id).values(status="contacted"))
        session.execute(
            update(CaseRow).where(CaseRow.batch_id == batches[2].id).values(status="agreed", agreed_amount=1)
        )
        # Three cases of batch 3 signed on 09-06: apply for confirmation by 10-06 → a holiday → 10-08.
        signed = session.scalars(select(CaseRow.id).where(CaseRow.batch_id == batches[2].id).limit(3)).all()
        session.execute(
            update(CaseRow).where(CaseRow.id.in_(signed)).values(status="signed", signed_on=date(2024, 9, 6))
        )
    due = load_dashboard(database, today=date(2024, 10, 1), calendar=WorkCalendar()).due
    later = load_dashboard(database, today=date(2024, 9, 20), calendar=WorkCalendar()).due
    assert [(d.kind, d.batch_number, d.end, d.days_left, d.cases) for d in due] == [
        (DeadlineKind.CONFIRMATION_WINDOW, 3, date(2024, 10, 8), 7, 3),
        (DeadlineKind.MEDIATION_TERM, 1, date(2024, 10, 8), 7, 10),
    ]
    assert later == []  # 18 days ahead: not yet
    # The agreement's recorded effective date wins over the signing day (domain.deadlines): one
    # case whose agreement took effect on 09-10 has until 10-10, not yet due on 10-01.
    with database.transaction() as session:
        case = session.scalars(select(CaseRow).where(CaseRow.status == "signed").order_by(CaseRow.id)).first()
        assert case is not None
        session.add(
            AgreementRow(
                case_id=case.id,
                number="苏证调〔2024〕第0001号",
                amount=Decimal("1.00"),
                fingerprint="f" * 64,
                created_at=datetime(2024, 9, 6, tzinfo=UTC),
                effective_on=date(2024, 9, 10),
            )
        )
    with database.session() as session:
        due = deadlines_due(session, today=date(2024, 10, 1), calendar=WorkCalendar())
    windows = [(d.end, d.cases) for d in due if d.kind is DeadlineKind.CONFIRMATION_WINDOW]
    assert windows == [(date(2024, 10, 8), 2)]
    on_the_day = load_dashboard(database, today=date(2024, 10, 10), calendar=WorkCalendar()).due
    assert (DeadlineKind.CONFIRMATION_WINDOW, date(2024, 10, 10), 1) in [
        (d.kind, d.end, d.cases) for d in on_the_day
    ]


def test_overdue_deadlines_stay_listed_above_those_due_soon(database: Database) -> None:
    with database.transaction() as session:
        insert_synthetic_cases(session, 20, batch_size=10, first_referral=date(2024, 9, 2))
        batches = session.scalars(select(BatchRow).order_by(BatchRow.number)).all()
        # Batch 1 referred 09-02: its term ended 10-08 with cases still in mediation (overdue).
        # Batch 2 referred 10-08: its term ends 11-07, due within 7 days of 11-01.
        batches[1].referral_date = date(2024, 10, 8)
        session.execute(update(CaseRow).values(status="mediating", agreed_amount=None))
    due = load_dashboard(database, today=date(2024, 11, 1), calendar=WorkCalendar()).due
    assert [(d.batch_number, d.end, d.days_left, d.overdue) for d in due] == [
        (1, date(2024, 10, 8), -24, True),
        (2, date(2024, 11, 7), 6, False),
    ]
    # Once its cases move on, the overdue term is no longer listed.
    with database.transaction() as session:
        session.execute(
            update(CaseRow).where(CaseRow.batch_id == batches[0].id).values(status="agreed", agreed_amount=1)
        )
    due = load_dashboard(database, today=date(2024, 11, 1), calendar=WorkCalendar()).due
    assert [d.batch_number for d in due] == [2]
