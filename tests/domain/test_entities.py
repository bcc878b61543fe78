"""The entities' own rules: batch label and term, extensions, masked personal data, next steps,
what is still owed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from mediator.domain.deadlines import WorkCalendar
from mediator.domain.entities import Batch, Case, Investor
from mediator.domain.workflow import CaseStatus
from mediator.errors import UserError, ValidationError

S = CaseStatus
CREATED = datetime(2024, 9, 2, 1, 0, tzinfo=UTC)


def _batch(referral: date = date(2024, 9, 1), **changes: Any) -> Batch:
    values: dict[str, Any] = {"number": 15, "referral_date": referral, "company_id": 1, "created_at": CREATED}
    return Batch(**{**values, **changes})


def _case(status: CaseStatus = S.CONFIRMED, agreed: str | None = "30000.00", **dates: Any) -> Case:
    return Case(
        case_number="（2025）苏01民初3100号",
        batch_id=7,
        investor_id=3,
        company_id=1,
        claimed_amount=Decimal("45000.00"),
        agreed_amount=None if agreed is None else Decimal(agreed),
        status=status,
        referred_on=date(2025, 3, 3),
        updated_at=CREATED,
        **dates,
    )


def test_a_batch_is_labelled_as_the_court_writes_it() -> None:
    assert _batch().label == "第15批"
    assert _batch(number=1).label == "第1批"


@pytest.mark.parametrize(
    ("referral", "extension_days", "end", "shifted"),
    [
        # 30 days from 1 September 2024 is 1 October, National Day: the term ends on 8 October.
        (date(2024, 9, 1), 0, date(2024, 10, 8), True),
        (date(2024, 9, 1), 15, date(2024, 10, 16), False),
        (date(2025, 3, 3), 0, date(2025, 4, 2), False),
    ],
)
def test_the_mediation_term_of_a_batch(referral: date, extension_days: int, end: date, shifted: bool) -> None:
    term = _batch(referral, extension_days=extension_days).mediation_term(WorkCalendar())
    assert (term.end, term.shifted) == (end, shifted)


def test_the_mediation_term_follows_the_administrators_calendar() -> None:
    # 16 October 2024 declared a rest day: the extended term moves to the 17th.
    calendar = WorkCalendar({date(2024, 10, 16): False})
    assert _batch(extension_days=15).mediation_term(calendar).end == date(2024, 10, 17)


def test_extending_a_batch_adds_days_and_keeps_every_reason() -> None:
    batch = _batch()
    once = batch.extended(15, "  双方同意\n延长 ")
    twice = once.extended(10, "公司申请")
    assert (once.extension_days, once.extension_reason) == (15, "双方同意 延长")
    assert (twice.extension_days, twice.extension_reason) == (25, "双方同意 延长；公司申请")
    assert twice.mediation_term(WorkCalendar()).end == date(2024, 10, 28)
    assert (batch.extension_days, batch.extension_reason) == (0, None)


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [
        (15, "   ", "延长调解期限必须填写理由。"),
        (0, "双方同意", "延长天数应在1到365天之间。"),
        (366, "双方同意", "延长天数应在1到365天之间。"),
        (-5, "双方同意", "延长天数应在1到365天之间。"),
    ],
)
def test_an_extension_needs_a_reason_and_a_sensible_length(days: int, reason: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _batch().extended(days, reason)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("id_number", "phone", "masked_id", "masked_phone"),
    [
        ("320106198507153216", "13812345678", "320***********3216", "138****5678"),
        ("11010519491231002X", None, "110***********002X", ""),
    ],
)
def test_an_investor_shows_masked_personal_data(
    id_number: str, phone: str | None, masked_id: str, masked_phone: str
) -> None:
    investor = Investor(name="张䶮", id_number=id_number, phone=phone)
    assert (investor.masked_id, investor.masked_phone) == (masked_id, masked_phone)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (S.REFERRED, [S.CONTACTED, S.FAILED]),
        (S.AGREED, [S.SIGNED, S.FAILED]),
        (S.SIGNED, [S.CONFIRMATION_APPLIED]),
        (S.CONFIRMED, [S.PARTIALLY_PAID, S.PAID]),
        (S.FAILED, [S.RETURNED_TO_COURT]),
        (S.PAID, []),
        (S.RETURNED_TO_COURT, []),
    ],
)
def test_a_case_offers_its_next_steps(status: CaseStatus, allowed: list[CaseStatus]) -> None:
    assert _case(status).allowed_next == allowed


@pytest.mark.parametrize(
    ("agreed", "paid", "outstanding"),
    [("30000.00", "0.00", "30000.00"), ("30000.00", "15000.00", "15000.00"), ("325.04", "325.04", "0.00")],
)
def test_what_a_case_still_has_to_receive(agreed: str, paid: str, outstanding: str) -> None:
    assert _case(agreed=agreed).outstanding(Decimal(paid)) == Decimal(outstanding)


def test_a_case_without_an_agreed_amount_has_nothing_to_receive() -> None:
    with pytest.raises(UserError, match="案件没有调解金额，请先填写。"):
        _case(agreed=None).outstanding(Decimal("0.00"))


def test_the_last_step_date_is_the_latest_recorded_day() -> None:
    assert _case(S.REFERRED).last_step_date == date(2025, 3, 3)
    case = _case(contacted_on=date(2025, 3, 10), agreed_on=date(2025, 4, 1), confirmed_on=date(2025, 5, 6))
    assert case.last_step_date == date(2025, 5, 6)
