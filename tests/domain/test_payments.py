"""Payment plans and how money received is booked on them: exact amounts, refusals and messages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mediator.domain.entities import Installment
from mediator.domain.payments import allocate_payment, check_installment_plan, status_after_payment
from mediator.domain.workflow import CaseStatus
from mediator.errors import ValidationError

D = Decimal
S = CaseStatus


def _plan(*lines: tuple[str, str | None]) -> list[Installment]:
    """Installment lines (amount, received so far), due a month apart."""
    return [
        Installment(
            case_id=1,
            sequence=n,
            due_date=date(2025, n, 1),
            amount=D(amount),
            paid_amount=None if paid is None else D(paid),
        )
        for n, (amount, paid) in enumerate(lines, start=1)
    ]


THREE_OF_10K = (("10000.00", None), ("10000.00", None), ("10000.00", None))

ALLOCATIONS = [
    # (plan, amount, outstanding, shares, received per line afterwards)
    (THREE_OF_10K, "15000.00", "30000.00", ["10000.00", "5000.00", "0.00"], ["10000.00", "5000.00", "0.00"]),
    (THREE_OF_10K, "30000.00", "30000.00", ["10000.00"] * 3, ["10000.00"] * 3),
    (THREE_OF_10K, "0.01", "30000.00", ["0.01", "0.00", "0.00"], ["0.01", "0.00", "0.00"]),
    # A second payment continues where the first stopped.
    (
        (("10000.00", "10000.00"), ("10000.00", "5000.00"), ("10000.00", None)),
        "7500.50",
        "15000.00",
        ["0.00", "5000.00", "2500.50"],
        ["10000.00", "10000.00", "2500.50"],
    ),
    # A lump sum: one line.
    ((("325.04", None),), "325.04", "325.04", ["325.04"], ["325.04"]),
    # The plan adds up to 25,000.00 of an agreed 30,000.00 (edited outside the app): the 5,000.00
    # left once every line is full goes on the last line, not lost.
    (
        (("10000.00", None), ("15000.00", None)),
        "30000.00",
        "30000.00",
        ["10000.00", "20000.00"],
        ["10000.00", "20000.00"],
    ),
    # Overflow when the earlier lines are already full.
    (
        (("10000.00", "10000.00"), ("10000.00", "10000.00")),
        "2000.00",
        "2000.00",
        ["0.00", "2000.00"],
        ["10000.00", "12000.00"],
    ),
]


@pytest.mark.parametrize(("plan", "amount", "outstanding", "shares", "paid_after"), ALLOCATIONS)
def test_a_payment_fills_the_installments_in_order(
    plan: tuple[tuple[str, str | None], ...],
    amount: str,
    outstanding: str,
    shares: list[str],
    paid_after: list[str],
) -> None:
    allocations = allocate_payment(_plan(*plan), D(amount), outstanding=D(outstanding))
    assert [a.index for a in allocations] == list(range(len(plan)))
    assert [a.share for a in allocations] == [D(s) for s in shares]
    assert [a.paid_after for a in allocations] == [D(p) for p in paid_after]
    assert sum(a.share for a in allocations) == D(amount)


@pytest.mark.parametrize(
    ("amount", "outstanding", "message"),
    [
        ("30000.01", "30000.00", "本次付款30000.01元超过尚未履行的金额30000.00元。"),
        ("15000.00", "14999.99", "本次付款15000.00元超过尚未履行的金额14999.99元。"),
        ("0.01", "0.00", "本次付款0.01元超过尚未履行的金额0.00元。"),
        ("0.00", "30000.00", "金额不能为零。"),
        ("-100.00", "30000.00", "金额不能为负数：-100.00。"),
    ],
)
def test_a_payment_beyond_what_is_owed_or_not_positive_is_refused(
    amount: str, outstanding: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        allocate_payment(_plan(*THREE_OF_10K), D(amount), outstanding=D(outstanding))
    assert str(caught.value) == message and caught.value.field == "amount"


@pytest.mark.parametrize(
    ("current", "amount", "outstanding", "expected"),
    [
        (S.CONFIRMED, "30000.00", "30000.00", S.PAID),  # paid in one sum: skips partially paid
        (S.CONFIRMED, "15000.00", "30000.00", S.PARTIALLY_PAID),
        (S.PARTIALLY_PAID, "10000.00", "15000.00", None),  # already partially paid: stays
        (S.PARTIALLY_PAID, "15000.00", "15000.00", S.PAID),
    ],
)
def test_the_case_status_follows_what_is_left_to_pay(
    current: CaseStatus, amount: str, outstanding: str, expected: CaseStatus | None
) -> None:
    assert status_after_payment(current, D(amount), D(outstanding)) is expected


def test_a_plan_that_adds_up_in_order_is_accepted() -> None:
    plan = [
        (date(2025, 5, 1), D("10000.00")),
        (date(2025, 6, 1), D("10000.00")),
        (date(2025, 7, 1), D("10000.00")),
    ]
    assert check_installment_plan(plan, D("30000.00")) is None


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ([], "付款计划至少应有一期。"),
        ([(date(2025, 5, 1), D("60000.00"))], "各期金额合计60000.00元，与调解金额100000.00元不一致。"),
        (
            [(date(2025, 5, 1), D("60000.00")), (date(2025, 6, 1), D("40000.01"))],
            "各期金额合计100000.01元，与调解金额100000.00元不一致。",
        ),
        ([(date(2025, 5, 1), D("100000.00")), (date(2025, 6, 1), D("0.00"))], "第2期的金额应大于零。"),
        ([(date(2025, 5, 1), D("-1.00")), (date(2025, 6, 1), D("100001.00"))], "第1期的金额应大于零。"),
        (
            [(date(2025, 6, 1), D("60000.00")), (date(2025, 5, 1), D("40000.00"))],
            "第2期的到期日早于上一期，请按时间顺序填写。",
        ),
        (
            [(date(2025, 5, 1), D("60000.00")), (date(2025, 5, 1), D("40000.00"))],
            "第2期的到期日与上一期相同，请合并为一期或调整日期。",
        ),
    ],
)
def test_a_plan_that_cannot_be_performed_is_refused(plan: list[tuple[date, Decimal]], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_installment_plan(plan, D("100000.00"))
    assert str(caught.value) == message and caught.value.field == "installments"
