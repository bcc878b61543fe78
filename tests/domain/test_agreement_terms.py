"""Agreement data: the number format and the fingerprint that ties a signed copy to its case."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from mediator.domain.agreement_terms import (
    AgreementData,
    InstallmentTerm,
    check_complete,
    format_agreement_number,
    parse_agreement_number,
)
from mediator.errors import ValidationError

DATA = AgreementData(
    number="苏证调〔2025〕第0001号",
    drawn_up_on=date(2025, 3, 20),
    court="南京市中级人民法院",
    case_number="（2025）苏01民初3100号",
    batch_number=15,
    referral_date=date(2025, 3, 3),
    investor_name="张䶮",
    investor_id_type="resident_id",
    investor_id_number="320102198003120112",
    investor_sex="男",
    investor_birth_date=date(1980, 3, 12),
    investor_address="南京市鼓楼区中山路1号",
    investor_phone="13812340000",
    investor_agent=None,
    investor_account=None,
    company_name="金陵智造科技股份有限公司",
    company_uscc="91320100MA1XY1234K",
    company_legal_representative="周明远",
    company_address="南京市江宁区将军大道100号",
    company_agent=None,
    mediator_name="孙调解",
    claimed_amount=Decimal("30105000.00"),
    agreed_amount=Decimal("12345.60"),
)


@pytest.mark.parametrize(
    ("year", "sequence", "text"),
    [
        (2025, 1, "苏证调〔2025〕第0001号"),
        (2024, 645, "苏证调〔2024〕第0645号"),
        (2026, 12345, "苏证调〔2026〕第12345号"),
    ],
)
def test_agreement_number_round_trip(year: int, sequence: int, text: str) -> None:
    assert format_agreement_number(year, sequence) == text
    assert parse_agreement_number(text) == (year, sequence)


def test_malformed_agreement_number_is_refused() -> None:
    with pytest.raises(ValidationError, match="协议编号格式不对"):
        parse_agreement_number("苏证调(2025)第1号")


def test_fingerprint_is_stable_and_follows_every_field() -> None:
    assert DATA.fingerprint() == replace(DATA).fingerprint()
    assert len(DATA.fingerprint()) == 64
    # The same amount written with another exponent is the same agreement.
    assert replace(DATA, agreed_amount=Decimal("12345.6")).fingerprint() == DATA.fingerprint()
    changed = [
        replace(DATA, agreed_amount=Decimal("12345.61")),
        replace(DATA, investor_name="张龑"),
        replace(DATA, number="苏证调〔2025〕第0002号"),
        replace(DATA, installments=(InstallmentTerm(1, date(2025, 6, 30), Decimal("12345.60")),)),
    ]
    assert len({d.fingerprint() for d in changed} | {DATA.fingerprint()}) == len(changed) + 1


def test_incomplete_agreement_names_the_case() -> None:
    with pytest.raises(ValidationError, match=r"（2025）苏01民初3100号.*法定代表人、上市公司住所"):
        check_complete(replace(DATA, company_legal_representative=None, company_address=""))
    wrong_total = (InstallmentTerm(1, date(2025, 6, 30), Decimal("100.00")),)
    with pytest.raises(ValidationError, match=r"分期金额合计100\.00元与调解金额12345\.60元不一致"):
        check_complete(replace(DATA, installments=wrong_total))
    check_complete(DATA)  # complete: no error
