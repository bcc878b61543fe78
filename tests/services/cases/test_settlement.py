"""履行完毕 on a partly paid case: the final payment's amount and date, or why the rest is waived;
never the rest booked unasked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from mediator.domain.clock import china_today
from mediator.domain.workflow import CaseStatus
from mediator.errors import TransitionError, ValidationError
from mediator.services.audit.history import describe_event
from mediator.services.cases.changes import change_status
from mediator.services.cases.lists import case_detail
from mediator.services.cases.settlement import complete_payment
from mediator.services.payments.ledger import record_payment
from mediator.store.database import Database
from tests.services.cases.test_changes import _make_case

PAID_ON = china_today() - timedelta(days=1)


def _partly_paid(database: Database) -> int:
    """A confirmed case of 100,000.00 of which 40,000.00 came in."""
    with database.transaction() as session:
        case = _make_case(session, CaseStatus.CONFIRMED)
        assert case.id is not None
        case_id = case.id
    record_payment(database, case_id, "40000", PAID_ON - timedelta(days=10), actor="吴彧")
    return case_id


def _state(database: Database, case_id: int) -> tuple[CaseStatus, Decimal]:
    detail = case_detail(database, case_id)
    return detail.status, detail.paid_total


def test_marking_a_partly_paid_case_paid_without_the_final_payment_is_refused(database: Database) -> None:
    case_id = _partly_paid(database)
    assert _state(database, case_id) == (CaseStatus.PARTIALLY_PAID, Decimal("40000.00"))
    with pytest.raises(TransitionError, match=r"60,000\.00"):
        change_status(database, case_id, CaseStatus.PAID, actor="吴彧")
    with pytest.raises(TransitionError, match="免于支付的理由"):
        complete_payment(database, case_id, actor="吴彧")
    with pytest.raises(TransitionError, match=r"10,000\.00"):
        complete_payment(database, case_id, actor="吴彧", amount="50000", paid_on=PAID_ON)
    with pytest.raises(ValidationError, match="多于"):
        complete_payment(database, case_id, actor="吴彧", amount="70000", paid_on=PAID_ON)
    # Nothing was booked by any refusal.
    assert _state(database, case_id) == (CaseStatus.PARTIALLY_PAID, Decimal("40000.00"))


def test_the_final_payment_closes_the_case_on_its_day(database: Database) -> None:
    case_id = _partly_paid(database)
    done = complete_payment(database, case_id, actor="吴彧", amount="60,000.00", paid_on=PAID_ON)
    assert (done.status, done.paid_total, done.waived) == (CaseStatus.PAID, Decimal("100000.00"), 0)
    detail = case_detail(database, case_id)
    assert detail.step_dates[CaseStatus.PAID] == PAID_ON
    assert [i.paid_on for i in detail.installments] == [PAID_ON]
    assert "60,000.00" in done.summary()


def test_a_waived_rest_is_recorded_with_its_reason_and_not_booked(database: Database) -> None:
    case_id = _partly_paid(database)
    done = complete_payment(
        database, case_id, actor="吴彧", amount="50000", paid_on=PAID_ON, waiver="投资者同意放弃余款"
    )
    assert (done.status, done.paid_total, done.waived) == (CaseStatus.PAID, Decimal("90000.00"), 10000)
    history = [describe_event(line.action, line.detail) for line in case_detail(database, case_id).history]
    assert "状态变更：部分履行 → 履行完毕：其余10,000.00元免于支付，理由：投资者同意放弃余款" in history
    assert "其余10,000.00元免于支付" in done.summary()


def test_a_case_with_nothing_paid_yet_is_paid_in_one_sum_on_the_steps_day(database: Database) -> None:
    with database.transaction() as session:
        case = _make_case(session, CaseStatus.CONFIRMED)
        case_id = case.id
    assert case_id is not None
    change_status(database, case_id, CaseStatus.PAID, actor="吴彧", on=PAID_ON)
    assert _state(database, case_id) == (CaseStatus.PAID, Decimal("100000.00"))
