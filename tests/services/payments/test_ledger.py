"""Payment plans and payments: installments filled in order, references booked once, overdue lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from mediator.domain.workflow import CaseStatus
from mediator.errors import NotFoundError, TransitionError, UserError, ValidationError
from mediator.services.cases.changes import change_status
from mediator.services.payments.ledger import add_payment, case_plan, record_payment, set_installments
from mediator.services.reporting.stats import load_stats
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow, CaseRow, InstallmentRow, PaymentRow
from tests.fixtures.document_factories import make_batch

CASE = "（2025）苏01民初3100号"


def _confirmed(database: Database, amount: str = "100000.00") -> int:
    fixture = make_batch(
        database, names=("张䶮",), agreed=(amount,), status="confirmed", installments_for_first=False
    )
    return fixture.case_ids[0]


def test_payments_fill_installments_in_order_and_finish_the_case(any_database: Database) -> None:
    case_id = _confirmed(any_database)
    with pytest.raises(ValidationError, match="不一致"):
        set_installments(any_database, case_id, [(date(2025, 5, 1), Decimal("60000"))], actor="吴彧")
    plan = set_installments(
        any_database, case_id, [(date(2025, 5, 1), "60,000.00"), (date(2025, 6, 1), "40000")], actor="吴彧"
    )
    assert [(line.sequence, line.amount) for line in plan.installments] == [
        (1, Decimal("60000.00")),
        (2, Decimal("40000.00")),
    ]
    first = add_payment(
        any_database, "(2025)苏01民初3100号", "50000", date(2025, 5, 2), actor="吴彧", reference="A1"
    )
    assert first.status is CaseStatus.PARTIALLY_PAID and first.outstanding == Decimal("50000.00")
    plan = case_plan(any_database, case_id)
    assert [line.paid_amount for line in plan.installments] == [Decimal("50000.00"), None]
    with pytest.raises(ValidationError, match="超过"):
        record_payment(any_database, case_id, Decimal("50000.01"), date(2025, 5, 3), actor="吴彧")
    second = record_payment(
        any_database, case_id, "20,000.00", date(2025, 5, 20), actor="吴彧", reference="A2"
    )
    plan = case_plan(any_database, case_id)
    assert [line.paid_amount for line in plan.installments] == [Decimal("60000.00"), Decimal("10000.00")]
    assert second.paid_total == Decimal("70000.00") and second.status is CaseStatus.PARTIALLY_PAID
    last = record_payment(any_database, case_id, "30000", date(2025, 6, 1), actor="吴彧")
    assert last.status is CaseStatus.PAID and last.outstanding == 0
    plan = case_plan(any_database, case_id)
    assert [(p.amount, p.reference) for p in plan.payments] == [
        (Decimal("50000.00"), "A1"),
        (Decimal("20000.00"), "A2"),
        (Decimal("30000.00"), None),
    ]
    assert load_stats(any_database).paid_total == Decimal("100000.00")
    with any_database.session() as session:
        actions = session.scalars(select(AuditEventRow.action).where(AuditEventRow.case_id == case_id)).all()
    assert actions.count("payment") == 3 and actions.count("installments") == 1


def test_a_duplicate_reference_or_an_overpayment_writes_nothing(any_database: Database) -> None:
    case_id = _confirmed(any_database, "1000.00")
    add_payment(any_database, CASE, "100", date(2025, 5, 2), actor="吴彧", reference="ＢＫ-001")
    with pytest.raises(UserError, match=r"BK-001.*已登记过"):
        add_payment(any_database, CASE, "100", date(2025, 5, 3), actor="吴彧", reference="BK-001")
    with pytest.raises(ValidationError, match=r"超过尚未履行的金额900\.00元"):
        add_payment(any_database, CASE, "900.01", date(2025, 5, 3), actor="吴彧", reference="BK-002")
    with any_database.session() as session:
        assert session.scalars(select(PaymentRow.reference)).all() == ["BK-001"]
        case = session.get(CaseRow, case_id)
        assert case is not None and case.status == "partially_paid"
    assert case_plan(any_database, case_id).paid_total == Decimal("100.00")


def test_payments_are_refused_before_confirmation_and_for_unknown_cases(database: Database) -> None:
    make_batch(database, names=("张䶮",), agreed=("1000.00",), status="signed", installments_for_first=False)
    with pytest.raises(UserError, match="司法确认后"):
        add_payment(database, CASE, "100", date(2025, 5, 2), actor="吴彧")
    with pytest.raises(NotFoundError, match="3199"):
        add_payment(database, "（2025）苏01民初3199号", "100", date(2025, 5, 2), actor="吴彧")
    with pytest.raises(ValidationError, match="晚于今天"):
        add_payment(database, CASE, "100", date(2999, 1, 1), actor="吴彧")


def test_a_payment_bumps_the_case_version(database: Database) -> None:
    case_id = _confirmed(database)
    before = case_plan(database, case_id).version
    outcome = record_payment(database, case_id, "10", date(2025, 5, 2), actor="吴彧")
    after = record_payment(database, case_id, "10", date(2025, 5, 3), actor="吴彧")
    assert before < outcome.version < after.version


def test_a_plan_with_money_received_stays(database: Database) -> None:
    case_id = _confirmed(database, "1000.00")
    set_installments(database, case_id, [(date(2025, 5, 1), "500"), (date(2025, 6, 1), "500")], actor="吴彧")
    record_payment(database, case_id, "100", date(2025, 5, 2), actor="吴彧")
    assert not case_plan(database, case_id).plan_editable
    with pytest.raises(UserError, match="已有付款记录"):
        set_installments(database, case_id, [(date(2025, 5, 1), "1000")], actor="吴彧")


def test_overdue_installments_are_flagged(database: Database) -> None:
    case_id = _confirmed(database, "1000.00")
    set_installments(database, case_id, [(date(2025, 5, 1), "400"), (date(2999, 6, 1), "600")], actor="吴彧")
    plan = case_plan(database, case_id)
    assert [line.overdue for line in plan.installments] == [True, False]
    assert "逾期1期" in plan.summary()
    record_payment(database, case_id, "400", date(2025, 5, 2), actor="吴彧")
    assert case_plan(database, case_id).overdue == ()


def test_marking_an_unpaid_case_paid_books_the_whole_sum_in_the_ledger(database: Database) -> None:
    case_id = _confirmed(database, "1000.00")
    with pytest.raises(TransitionError):
        change_status(database, case_id, CaseStatus.PAID, actor="吴彧", on=date(2025, 3, 1))
    change_status(database, case_id, CaseStatus.PAID, actor="吴彧", on=date(2025, 6, 3))
    plan = case_plan(database, case_id)
    assert [(p.amount, p.paid_on, p.source) for p in plan.payments] == [
        (Decimal("1000.00"), date(2025, 6, 3), "marked_paid")
    ]
    with database.session() as session:
        assert sum(i.paid_amount or 0 for i in session.scalars(select(InstallmentRow))) == Decimal("1000.00")


def test_the_demo_resets_with_payments_in_the_ledger(database: Database) -> None:
    from mediator.demo.first_year import load_demo_into

    load_demo_into(database)
    with database.session() as session:
        case_id = session.scalar(select(CaseRow.id).where(CaseRow.status == "confirmed").limit(1))
    assert case_id is not None
    record_payment(database, case_id, "1", date(2025, 6, 1), actor="吴彧", reference="R-1")
    load_demo_into(database, reset=True)
    with database.session() as session:
        assert session.scalars(select(PaymentRow)).all() == []
