"""Agreement data: the number format and the fingerprint that ties a signed copy to its case."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from mediator.domain.agreement_terms import (
    AgreementData,
    IncompleteParticulars,
    InstallmentTerm,
    check_complete,
    format_agreement_number,
    missing_particulars,
    parse_agreement_number,
    refuse_incomplete,
)
from mediator.domain.referral_kinds import ReferralKind
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


def test_incomplete_agreements_are_refused_naming_each_case_and_what_it_lacks() -> None:
    bare = replace(DATA, investor_address="", investor_phone=None, mediator_name=None)
    no_company = replace(
        DATA, case_number="（2025）苏01民诉前调3101号", company_legal_representative=None, company_address=""
    )
    assert missing_particulars(DATA) == []
    assert missing_particulars(bare) == ["投资者住址", "投资者联系电话", "承办调解员"]
    with pytest.raises(IncompleteParticulars) as refused:
        refuse_incomplete(
            {
                d.case_number: missing_particulars(d)
                for d in (bare, no_company, replace(DATA, case_number="x"))
            }
        )
    message = str(refused.value)
    assert message.startswith("3件案件资料不全，不能生成调解协议书：")
    assert "（2025）苏01民初3100号缺投资者住址、投资者联系电话、承办调解员" in message
    assert "（2025）苏01民诉前调3101号缺上市公司法定代表人、上市公司住所" in message
    assert "\n" not in message  # one line on stderr
    assert "x缺诉前调解（民诉前调）或立案（民初）案号" in message
    assert set(refused.value.cases) == {"（2025）苏01民初3100号", "（2025）苏01民诉前调3101号", "x"}
    refuse_incomplete({DATA.case_number: []})  # complete: no error


def test_many_incomplete_cases_are_named_up_to_twenty() -> None:
    missing = {f"（2025）苏01民诉前调{n}号": ["承办调解员"] for n in range(1, 31)}
    with pytest.raises(IncompleteParticulars, match=r"30件案件资料不全.*民诉前调20号缺承办调解员；另有10件"):
        refuse_incomplete(missing)


def test_referral_kind_comes_from_the_case_number() -> None:
    assert DATA.referral_kind is ReferralKind.FILED
    pre = replace(DATA, case_number="（2025）苏01民诉前调3100号")
    assert pre.referral_kind is ReferralKind.PRE_FILING
    assert pre.referral_kind.ends_in_confirmation and not DATA.referral_kind.ends_in_confirmation
    assert missing_particulars(replace(DATA, case_number="（2025）苏01民终3号")) == [
        "诉前调解（民诉前调）或立案（民初）案号"
    ]


def test_wrong_installment_total_is_refused() -> None:
    wrong_total = (InstallmentTerm(1, date(2025, 6, 30), Decimal("100.00")),)
    with pytest.raises(ValidationError, match=r"分期金额合计100\.00元与调解金额12345\.60元不一致"):
        check_complete(replace(DATA, installments=wrong_total))
    check_complete(DATA)  # complete: no error
