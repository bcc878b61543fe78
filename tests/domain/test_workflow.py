"""The case workflow: every allowed step, a sample of forbidden ones, and the messages."""

from __future__ import annotations

import pytest

from mediator.domain.workflow import (
    CaseStatus,
    FailureReason,
    allowed_transitions,
    check_transition,
)
from mediator.errors import TransitionError

S = CaseStatus

ALLOWED = [
    (S.REFERRED, S.CONTACTED),
    (S.CONTACTED, S.MEDIATING),
    (S.MEDIATING, S.AGREED),
    (S.AGREED, S.SIGNED),
    (S.SIGNED, S.CONFIRMATION_APPLIED),
    (S.CONFIRMATION_APPLIED, S.CONFIRMED),
    (S.CONFIRMED, S.PARTIALLY_PAID),
    (S.CONFIRMED, S.PAID),
    (S.PARTIALLY_PAID, S.PAID),
    (S.REFERRED, S.FAILED),
    (S.CONTACTED, S.FAILED),
    (S.MEDIATING, S.FAILED),
    (S.AGREED, S.FAILED),
    (S.FAILED, S.RETURNED_TO_COURT),
]

FORBIDDEN = [
    (S.REFERRED, S.SIGNED),
    (S.REFERRED, S.AGREED),
    (S.CONTACTED, S.PAID),
    (S.SIGNED, S.FAILED),
    (S.CONFIRMED, S.FAILED),
    (S.PAID, S.FAILED),
    (S.PAID, S.REFERRED),
    (S.RETURNED_TO_COURT, S.REFERRED),
    (S.FAILED, S.MEDIATING),
    (S.AGREED, S.MEDIATING),
    (S.SIGNED, S.AGREED),
    (S.REFERRED, S.RETURNED_TO_COURT),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_step_passes(current: CaseStatus, target: CaseStatus) -> None:
    reason = FailureReason.UNREACHABLE if target is S.FAILED else None
    check_transition(current, target, failure_reason=reason)
    assert target in allowed_transitions(current)


def test_allowed_table_is_exactly_the_workflow() -> None:
    every_step = {(s, t) for s in S for t in allowed_transitions(s)}
    assert every_step == set(ALLOWED)


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_forbidden_step_raises_with_both_labels(current: CaseStatus, target: CaseStatus) -> None:
    with pytest.raises(TransitionError) as caught:
        check_transition(current, target, failure_reason=FailureReason.OTHER)
    message = str(caught.value)
    assert current.label in message
    assert target.label in message


def test_forbidden_step_names_what_is_possible() -> None:
    with pytest.raises(TransitionError, match="“已联系”、“调解不成”"):
        check_transition(S.REFERRED, S.SIGNED)


def test_failing_needs_a_reason() -> None:
    with pytest.raises(TransitionError, match="原因"):
        check_transition(S.MEDIATING, S.FAILED)
    with pytest.raises(TransitionError, match="未知"):
        check_transition(S.MEDIATING, S.FAILED, failure_reason="bored")


def test_agreeing_needs_an_amount() -> None:
    with pytest.raises(TransitionError, match="调解金额"):
        check_transition(S.MEDIATING, S.AGREED, agreed_amount_set=False)


def test_statuses_accept_their_string_values() -> None:
    check_transition("referred", "contacted")
    assert allowed_transitions("paid") == []
    assert allowed_transitions("agreed") == [S.SIGNED, S.FAILED]
