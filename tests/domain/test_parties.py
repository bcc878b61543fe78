"""A listed company's particulars: each checked, and the same list of what an agreement still needs."""

from __future__ import annotations

from datetime import date

import pytest

from mediator.domain.parties import (
    check_company_changes,
    check_company_name,
    missing_company_particulars,
    validate_phone,
)
from mediator.domain.validators import make_uscc
from mediator.errors import ValidationError

USCC = make_uscc("91320100MA1XYW12A")


def test_an_empty_record_misses_the_three_particulars_an_agreement_prints() -> None:
    assert missing_company_particulars(None, "", "  ") == [
        "上市公司统一社会信用代码",
        "上市公司法定代表人",
        "上市公司住所",
    ]
    assert missing_company_particulars(USCC, "王建国", "南京市玄武区中山路1号") == []


def test_given_particulars_are_normalised_and_others_left_alone() -> None:
    changes = check_company_changes(uscc=USCC.lower(), stock_code="600000.SH", address=" 南京市  玄武区 ")
    assert changes.values() == {
        "uscc": USCC,
        "stock_code": "600000",
        "exchange": "SSE",
        "address": "南京市 玄武区",
    }


def test_an_empty_string_clears_an_optional_particular() -> None:
    assert check_company_changes(stock_code="", phone="").values() == {
        "stock_code": None,
        "exchange": None,
        "phone": None,
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")}, "uscc"),
        ({"stock_code": "123456"}, "stock_code"),
        ({"phone": "电话"}, "phone"),
        ({"address": "南京" * 101}, "address"),
        ({"legal_representative": "王2"}, "name"),
        ({"stock_name": "金陵\u202e智造"}, "stock_name"),
    ],
)
def test_a_bad_particular_is_refused_by_name(changes: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_company_changes(**changes)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_disclosure_must_come_after_the_false_statement() -> None:
    with pytest.raises(ValidationError, match="揭露日"):
        check_company_changes(implemented_on=date(2023, 4, 28), disclosed_on=date(2023, 4, 28))
    # The stored 实施日 counts when only the 揭露日 is given now.
    with pytest.raises(ValidationError, match="实施日（2023-04-28）"):
        check_company_changes(disclosed_on=date(2022, 1, 5), current_implemented_on=date(2023, 4, 28))


def test_phones_and_names() -> None:
    assert validate_phone("025-8333 1234") == "025-8333 1234"
    assert validate_phone("１３９１２３４５６７８") == "13912345678"
    with pytest.raises(ValidationError):
        check_company_name("   ")
