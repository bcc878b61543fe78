"""Contact outcomes and channels as users type them, and the rule proposing unreachable cases."""

from __future__ import annotations

from datetime import date

import pytest

from mediator.domain.contacts import (
    LOGGED_OUTCOMES,
    ContactChannel,
    ContactOutcome,
    UnreachableRule,
    parse_channel,
    parse_outcome,
)
from mediator.errors import ValidationError


@pytest.mark.parametrize(
    ("typed", "outcome"),
    [
        ("已接通", ContactOutcome.REACHED),
        ("未接听", ContactOutcome.NO_ANSWER),
        (" 号码错误 ", ContactOutcome.WRONG_NUMBER),
        ("拒绝调解", ContactOutcome.REFUSED),
        ("同意调解", ContactOutcome.AGREED),
        ("no_answer", ContactOutcome.NO_ANSWER),
        ("NO-ANSWER", ContactOutcome.NO_ANSWER),
        ("agreed", ContactOutcome.AGREED),
    ],
)
def test_outcomes_are_read_in_chinese_or_as_keys(typed: str, outcome: ContactOutcome) -> None:
    assert parse_outcome(typed) is outcome


def test_an_unknown_outcome_is_refused_naming_the_choices() -> None:
    with pytest.raises(
        ValidationError, match=r"未知的联系结果：接通了.*已接通（reached）.*同意调解（agreed）"
    ):
        parse_outcome("接通了")
    with pytest.raises(ValidationError, match="未知的联系方式：信鸽"):
        parse_channel("信鸽")
    assert parse_channel("电话") is ContactChannel.PHONE and parse_channel("sms") is ContactChannel.SMS


def test_the_five_call_back_outcomes_come_first_and_only_answers_count_as_reached() -> None:
    assert [o.label for o in LOGGED_OUTCOMES[:5]] == ["已接通", "未接听", "号码错误", "拒绝调解", "同意调解"]
    assert ContactOutcome.SENT not in LOGGED_OUTCOMES
    assert {o for o in ContactOutcome if o.reached} == {
        ContactOutcome.REACHED,
        ContactOutcome.REFUSED,
        ContactOutcome.AGREED,
    }


def test_unreachable_after_n_call_backs_over_m_days() -> None:
    rule = UnreachableRule(attempts=3, days=7)
    sms = (date(2025, 3, 1), ContactOutcome.SENT)
    tries = [
        sms,
        (date(2025, 3, 2), ContactOutcome.NO_ANSWER),
        (date(2025, 3, 5), ContactOutcome.WRONG_NUMBER),
        (date(2025, 3, 8), ContactOutcome.NO_ANSWER),
    ]
    assert rule.proposes_failure(tries, date(2025, 3, 9))  # 3 call-backs, first 7 days ago
    assert not rule.proposes_failure(tries, date(2025, 3, 8))  # only 6 days
    assert not rule.proposes_failure(tries[:3], date(2025, 4, 1))  # the SMS is not a call-back
    assert not rule.proposes_failure([*tries, (date(2025, 3, 9), ContactOutcome.REFUSED)], date(2025, 4, 1))


def test_a_rule_out_of_range_is_refused() -> None:
    with pytest.raises(ValidationError, match="联系次数"):
        UnreachableRule(attempts=0, days=7)
    with pytest.raises(ValidationError, match="天数"):
        UnreachableRule(attempts=3, days=-1)
