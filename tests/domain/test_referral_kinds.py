"""The referral kind read off the case number: pre-filing (委派) or filed (委托)."""

from __future__ import annotations

import pytest

from mediator.domain.referral_kinds import ReferralKind, confirmation_refusal, party_roles, referral_kind
from mediator.errors import ValidationError


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("（2025）苏01民诉前调3100号", ReferralKind.PRE_FILING),
        ("(2025)苏01民诉前调3100号", ReferralKind.PRE_FILING),  # half-width brackets as lists write them
        ("（2024）苏0102诉前调88号", ReferralKind.PRE_FILING),
        ("（2025）苏01民初3100号", ReferralKind.FILED),
        ("〔2025〕苏01民初7号", ReferralKind.FILED),
    ],
)
def test_kind_of_each_case_number(number: str, kind: ReferralKind) -> None:
    assert referral_kind(number) is kind


def test_pre_filing_ends_in_confirmation_filed_in_a_mediation_statement() -> None:
    assert ReferralKind.PRE_FILING.ends_in_confirmation
    assert not ReferralKind.FILED.ends_in_confirmation
    assert ReferralKind.PRE_FILING.label == "诉前委派调解"
    assert ReferralKind.FILED.label == "立案后委托调解"


def test_roles_are_applicants_before_filing_and_plaintiff_defendant_after() -> None:
    assert party_roles(ReferralKind.PRE_FILING).investor == "申请人"
    assert party_roles(ReferralKind.PRE_FILING).company == "被申请人"
    assert party_roles(ReferralKind.FILED).investor == "原告"
    assert party_roles(ReferralKind.FILED).company == "被告"


@pytest.mark.parametrize("number", ["（2025）苏01民终3号", "（2025）苏01民特88号", "苏01民初3号"])
def test_other_numbers_are_refused(number: str) -> None:
    with pytest.raises(ValidationError):
        referral_kind(number)


def test_only_a_pre_filing_case_takes_the_confirmation_path() -> None:
    assert confirmation_refusal("（2025）苏01民诉前调3100号") is None
    filed = confirmation_refusal("（2025）苏01民初3100号")
    assert filed is not None and "court-request" in filed and "民事调解书" in filed
    other = confirmation_refusal("（2025）苏01民终3100号")
    assert other is not None and "民诉前调" in other
