"""The import's fast per-cell checks agree with the domain validators, and header/title matching."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from mediator.domain import referral_headers as rh
from mediator.domain.money import parse_amount
from mediator.domain.validators import (
    canonical_case_number,
    make_resident_id,
    make_uscc,
    validate_mobile,
    validate_person_name,
    validate_resident_id,
)
from mediator.errors import ValidationError
from mediator.services.intake import checks


def outcome(check: Callable[[object], object], value: object) -> object:
    try:
        return check(value)
    except ValidationError as exc:
        return ("error", str(exc))


def _ids(rng: random.Random) -> list[str]:
    values = []
    for i in range(3000):
        good = make_resident_id(
            rng.choice(["320102", "110105", "440305"]), date(1940, 1, 1) + timedelta(i * 9), i % 1000
        )
        values += [good, good.lower(), good[:17] + str((int(good[17]) + 1) % 10 if good[17] != "X" else 0)]
    values += ["32010219800230123X", "020102198001011234", "3201021980010112", "32010220990101123X", " 3201"]
    # Right check digit, impossible or future birth date: only the date can refuse them.
    for first17 in ("32010219800230123", "32010220990101123", "32010218991231123", "32010219801301123"):
        total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
        values.append(first17 + "10X98765432"[total % 11])
    return values


def test_resident_id_fast_path_agrees_with_the_validator() -> None:
    for value in _ids(random.Random(5)):
        assert outcome(checks.resident_id, value.strip()) == outcome(validate_resident_id, value.strip()), (
            value
        )


@pytest.mark.parametrize(
    "value",
    [
        "（2025）苏01民初3100号",
        "(2025)苏01民初3100号",
        "（２０２５）苏01民初３１００号",
        "(2025)苏0102民诉前调12号",
        "（2024）最高法民终1号",
        "（2025）苏01民初0031号",
        "（2025）苏01民初3100号之一",
        "(2025)苏01民初0号",
        "2025苏01民初3100号",
        "(1899)苏01民初1号",
        " （２０２５）苏０１民初１００００２号 ",
        "（2025）苏01民初 100003号",
        "（２０２５）苏01民初\u3000３１００号",
        "(２０２５) 苏01 民初0031号",
        "（２０２５）苏01民初３１００号之一",
        "（2025）苏01民初3100",
        " (2025)苏01民初100004号\t",
        "(2025）苏01民初 \u3000100005号 ",
        "（2025)苏0102民诉前调  12号",
        "（2025）苏01民初 0号",
        "（2025） 苏01民初5号",
    ],
)
def test_case_number_fast_path_agrees_with_the_validator(value: str) -> None:
    assert outcome(checks.case_number, value) == outcome(canonical_case_number, value)


@pytest.mark.parametrize(
    "value",
    [
        "12,345.67元",
        "￥8000",
        "¥8,000.5",
        "人民币1,000元",
        "７５９４３９.１",
        "759439.1",
        "12.345",
        "-5",
        "0",
        "0.00",
        "1,2345",
        "999999999999.99",
        "1000000000000",
        "1,000,000,000,000",
        12345.67,
        0.1 + 0.2,
        1e16,
        "12 345元",
        "RMB 80",
        "７５９４３９．１",
        " １２，３４５．６７元 ",
        "￥８０００",
        "７５９４３９．１２３",
        "－５",
        "０",
        "１ ０００元",
    ],
)
def test_amount_fast_path_agrees_with_parse_amount(value: object) -> None:
    assert outcome(checks.amount, value) == outcome(parse_amount, value)


def _fen_of_amount(value: object) -> object:
    found = outcome(checks.amount, value)
    return found if isinstance(found, tuple) else int(found * 100)  # type: ignore[operator]


@pytest.mark.parametrize(
    "value",
    [
        "12345.67",
        "12345.6",
        " 8000 ",
        "12,345.67元",
        "1,234,567.8元",
        "￥8000",
        "¥8000.5",
        "人民币1,000.05元",
        "７５９４３９．１",
        "７５９４３９.１",
        " １２，３４５．６７元 ",
        "￥８０００",
        12345.67,
        759439.1,
        8000.0,
        1e16,
        0.1 + 0.2,
        "12,34.5元",
        "0",
        "",
        None,
        "－５",
        "７５９４３９．１２３",
        "RMB 80",
    ],
)
def test_amount_in_fen_agrees_with_amount(value: object) -> None:
    assert outcome(checks.amount_fen, value) == _fen_of_amount(value)


def test_amount_in_fen_agrees_with_amount_on_generated_values() -> None:
    rng = random.Random(9)
    full = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
    for _ in range(3000):
        fen = rng.randrange(1, 10**11)
        plain = f"{fen // 100}.{fen % 100:02d}"
        for typed in (plain, f"{fen / 100:,.2f}元", f"￥{plain}", plain.translate(full), float(plain)):
            assert outcome(checks.amount_fen, typed) == _fen_of_amount(typed) == fen, typed


def test_an_id_number_stored_as_a_number_is_refused_even_for_an_institution() -> None:
    with pytest.raises(ValidationError, match="存为数字"):
        checks.identity(320102198001011234.0, "某某投资有限公司")


def test_an_institution_gets_its_credit_code_and_a_person_the_resident_id_problem() -> None:
    uscc = make_uscc("91320100MA1W2X3Y4")
    assert checks.identity(uscc, "南京某某投资有限公司") == ("uscc", uscc)
    # Codes start with 9 like the new foreign permanent residence cards: not taken for one.
    assert checks.identity(" " + uscc.lower(), "某某证券投资基金") == ("uscc", uscc)
    person = outcome(lambda v: checks.identity(v, "张三"), uscc)
    assert person == ("error", outcome(validate_resident_id, uscc)[1])  # type: ignore[index]
    # An invalid credit code reports the resident ID problem, as for a person.
    bad = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    assert outcome(lambda v: checks.identity(v, "南京某某投资有限公司"), bad) == outcome(
        lambda v: checks.identity(v, "张三"), bad
    )
    assert checks.plaintiff_name(" 南京某某投资  有限公司 ", "uscc") == "南京某某投资 有限公司"
    with pytest.raises(ValidationError, match="请填写原告名称"):
        checks.plaintiff_name("  ", "uscc")


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        (" +86-138-1234-5678\u3000", "13812345678"),
        ("138 12345678", "13812345678"),
        ("1381 234 5678", "13812345678"),
        (13812345678.0, "13812345678"),
        ("025-84567890", "025-84567890"),
        ("０２５－８４５６７８９０", "025-84567890"),
        ("  ", None),
    ],
)
def test_phone_cells(value: object, stored: str | None) -> None:
    assert checks.phone(value) == stored


@pytest.mark.parametrize(
    "value",
    [
        "138 1234 5678",
        " +86-138-1234-5678 ",
        "+86\u300013812345678",
        "+8613812345678",
        "1-38 1234 5678",
        "+86 1281234567",
    ],
)
def test_phone_fast_path_agrees_with_the_mobile_check(value: str) -> None:
    assert outcome(checks.phone, value) == outcome(checks.mobile, value.strip())


def test_account_and_free_text_cells() -> None:
    assert checks.account("A123456789") == "A123456789"
    assert checks.account(" ａ１２３４５６７８９ ") == "A123456789"
    with pytest.raises(ValidationError, match="开头的 0"):
        checks.account(123456789.0)
    assert checks.address("江苏省南京市中山路１２号 ") == "江苏省南京市中山路12号"
    assert checks.agent("江苏某某律师事务所　 周律师") == "江苏某某律师事务所 周律师"
    assert checks.company("  ") is None
    with pytest.raises(ValidationError, match="最多 100 个"):
        checks.agent("律" * 101)


@pytest.mark.parametrize(
    "value", ["13812345678", "138 1234 5678", "+86 13812345678", "+8613812345678", "12345678901"]
)
def test_mobile_fast_path_agrees_with_the_validator(value: str) -> None:
    assert outcome(checks.mobile, value) == outcome(validate_mobile, value)


@pytest.mark.parametrize("value", ["张三", "欧阳娜娜", "张䶮", "王𠇔", "阿卜杜拉・买买提", "Tom", "张3"])
def test_name_fast_path_agrees_with_the_validator(value: str) -> None:
    assert outcome(checks.person_name, value) == outcome(validate_person_name, value)


# --- headers and titles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ("诉讼请求金额（元）", rh.CLAIMED_AMOUNT),
        ("诉请金额 (元)", rh.CLAIMED_AMOUNT),
        ("标的额(单位：元)", rh.CLAIMED_AMOUNT),
        ("*案 号", rh.CASE_NUMBER),
        ("公民身份号码", rh.ID_NUMBER),
        ("股东账户", rh.SECURITIES_ACCOUNT),
        ("和解金额", rh.AGREED_AMOUNT),
        ("委托代理人", rh.AGENT),
        ("序号", rh.IGNORED),
        ("诉讼请求金额（万元）", None),  # 万元 read as 元 would be 10,000× too small: not matched
        ("开户营业部", None),
    ],
)
def test_header_synonyms(typed: str, field: str | None) -> None:
    assert rh.match_header(typed) == field


def test_the_header_row_is_the_one_with_most_known_names() -> None:
    rows = [
        ["南京市中级人民法院委派调解案件清单（第15批）", "", ""],
        ["委派日期：", date(2025, 3, 3), ""],
        ["原告", "说明", ""],
        ["序号", "原告姓名", "身份证号", "诉请金额", "案号", "备注"],
        ["1", "张三", "320102...", "100", "（2025）苏01民初1号", ""],
    ]
    match = rh.find_header(rows)
    assert match is not None and match.index == 3
    assert match.fields == (rh.IGNORED, rh.NAME, rh.ID_NUMBER, rh.CLAIMED_AMOUNT, rh.CASE_NUMBER, rh.IGNORED)
    assert rh.read_title_rows(rows[:3]) == rh.TitleInfo(15, date(2025, 3, 3), rows[0][0])


@pytest.mark.parametrize(
    ("title", "number", "day"),
    [
        ("南京市中级人民法院委派调解案件清单（第15批）", 15, None),
        ("第十五批委派调解案件 委派日期：2025年3月3日", 15, date(2025, 3, 3)),
        ("第一百零二批", 102, None),
        ("第２０批 2025-11-05", 20, date(2025, 11, 5)),
        ("案件清单", None, None),
    ],
)
def test_title_rows(title: str, number: int | None, day: date | None) -> None:
    info = rh.read_title_rows([[title]])
    assert (info.batch_number, info.referral_date) == (number, day)
