"""Identity documents other than the resident ID card, each with its own check and label."""

from __future__ import annotations

from datetime import date

import pytest

from mediator.domain.identity import guess_identity, id_label, validate_identity
from mediator.domain.validators import make_resident_id, make_uscc
from mediator.errors import ValidationError

PERMIT = make_resident_id("810000", date(1994, 8, 23), 2)  # 港澳台居民居住证
FOREIGN = make_resident_id("915840", date(1980, 1, 2), 3)  # 外国人永久居留身份证 (2023 form)


@pytest.mark.parametrize(
    ("id_type", "text", "number"),
    [
        ("resident_id", make_resident_id("320102", date(1980, 3, 12), 11), None),
        ("uscc", make_uscc("91320100MA1XY1234"), None),
        ("residence_permit", PERMIT, None),
        ("foreign_permanent", FOREIGN, None),
        ("foreign_permanent", "usa 123456789012", "USA123456789012"),
        ("hk_macau_permit", "h1234 5678", "H12345678"),
        ("hk_macau_permit", "M1234567801", None),
        ("taiwan_permit", "１２３４５６７８", "12345678"),
        ("passport", "e12345678", "E12345678"),
    ],
)
def test_each_document_is_checked_and_kept_compact(id_type: str, text: str, number: str | None) -> None:
    assert validate_identity(id_type, text) == (number or text)


@pytest.mark.parametrize(
    ("id_type", "text", "message"),
    [
        ("residence_permit", make_resident_id("320102", date(1980, 3, 12), 11), "港澳台居民居住证号码"),
        ("hk_macau_permit", "X12345678", "港澳居民来往内地通行证号码"),
        ("taiwan_permit", "1234567", "台湾居民来往大陆通行证号码"),
        ("passport", "ABCDEFG", "护照号码"),
        ("foreign_permanent", "US1234", "外国人永久居留身份证号码"),
        ("resident_id", PERMIT[:-1] + ("0" if PERMIT[-1] != "0" else "1"), "校验"),
        ("seaman_book", "123", "未知的身份证件类型"),
    ],
)
def test_a_wrong_number_is_refused_naming_the_document(id_type: str, text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_identity(id_type, text)


def test_labels_printed_on_documents() -> None:
    assert id_label("resident_id") == "公民身份号码"
    assert id_label("uscc") == "统一社会信用代码"
    assert id_label("passport") == "护照号码"
    assert id_label("something_else") == "身份证件号码"


def test_only_unambiguous_shapes_are_guessed() -> None:
    assert guess_identity("H12345678") == ("hk_macau_permit", "H12345678")
    assert guess_identity("12345678") is None  # 8 digits: perhaps a truncated ID number
    assert guess_identity(PERMIT) == ("residence_permit", PERMIT)
    assert guess_identity(FOREIGN) == ("foreign_permanent", FOREIGN)
    assert guess_identity("E12345678") is None  # a passport is never guessed
    assert guess_identity(make_resident_id("320102", date(1980, 3, 12), 11)) is None
