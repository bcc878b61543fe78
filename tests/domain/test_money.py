from decimal import Decimal

import pytest

from mediator.domain.money import FEN, format_money, parse_amount, rmb_upper, to_money
from mediator.errors import ValidationError


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # the examples of the PBoC rules (README "Uppercase amounts")
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("30105000", "叁仟零壹拾万伍仟元整"),
        ("0.05", "伍分"),
        ("100000", "壹拾万元整"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
        ("0", "零元整"),
        ("10", "壹拾元整"),
        ("100000000", "壹亿元整"),
        ("100010000", "壹亿零壹万元整"),
        ("1000000.01", "壹佰万元零壹分"),
        ("20.3", "贰拾元零叁角"),
        # more
        ("107000.53", "壹拾万柒仟元零伍角叁分"),  # the PBoC's own example, first form
        ("100001000", "壹亿零壹仟元整"),  # a whole zero group between: one 零
        ("10000500", "壹仟万零伍佰元整"),
        ("1010", "壹仟零壹拾元整"),
        ("110", "壹佰壹拾元整"),
        ("1.00", "壹元整"),
        ("0.5", "伍角"),
        ("0.12", "壹角贰分"),
        ("10.05", "壹拾元零伍分"),
        ("200000000.10", "贰亿元零壹角"),
        ("759439.10", "柒拾伍万玖仟肆佰叁拾玖元壹角"),
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        (5, "伍元整"),
        (Decimal("2000000"), "贰佰万元整"),
    ],
)
def test_rmb_upper(amount: Decimal | int | str, expected: str) -> None:
    assert rmb_upper(amount) == expected


@pytest.mark.parametrize(
    ("amount", "error"), [("-0.01", ValueError), (-5, ValueError), ("1000000000000", ValueError)]
)
def test_rmb_upper_refuses(amount: str | int, error: type[Exception]) -> None:
    with pytest.raises(error):
        rmb_upper(amount)


def test_rmb_upper_refuses_float() -> None:
    with pytest.raises(TypeError):
        rmb_upper(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.005", Decimal("1.01")),  # half up, not banker's rounding
        (Decimal("2.675"), Decimal("2.68")),
        ("2.665", Decimal("2.67")),
        (3, Decimal("3.00")),
        ("0.004", Decimal("0.00")),
    ],
)
def test_to_money(value: Decimal | int | str, expected: Decimal) -> None:
    result = to_money(value)
    assert result == expected
    assert result.as_tuple().exponent == FEN.as_tuple().exponent


def test_to_money_refuses_float_and_text() -> None:
    with pytest.raises(TypeError):
        to_money(0.1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        to_money("twelve")
    with pytest.raises(ValidationError):
        to_money("NaN")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,345.67元", "12345.67"),
        ("￥8000", "8000.00"),
        ("¥8,000.00", "8000.00"),
        ("７５９４３９.１", "759439.10"),
        ("７５９４３９．１", "759439.10"),
        (" 1 234.5 ", "1234.50"),
        ("8000元整", "8000.00"),
        ("人民币 3,000,000 元", "3000000.00"),
        ("RMB 99.9", "99.90"),
        ("100.500", "100.50"),  # trailing zeros lose nothing
        ("8000.", "8000.00"),
        (12, "12.00"),
        (Decimal("3.5"), "3.50"),
        (759439.1, "759439.10"),  # spreadsheet float, through repr
        (1e11, "100000000000.00"),
        (0.3, "0.30"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_parse_amount_accepts(text: object, expected: str) -> None:
    result = parse_amount(text)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写金额"),
        ("   ", "请填写金额"),
        (None, "请填写金额"),
        ("abc", "无法识别的金额：abc"),
        ("12元5角", "无法识别的金额"),
        ("1.2.3", "无法识别的金额"),
        ("12,5", "无法识别的金额"),  # a decimal comma is not a thousands separator
        ("1,23,456", "无法识别的金额"),
        ("1e5", "无法识别的金额"),
        (float("nan"), "无法识别的金额"),
        (float("inf"), "无法识别的金额"),
        (True, "无法识别的金额"),
        ([1], "无法识别的金额"),
        ("-100", "不能为负数：-100"),
        ("－１００元", "不能为负数"),
        (-1, "不能为负数"),
        ("0", "不能为零"),
        ("0.00元", "不能为零"),
        (0, "不能为零"),
        ("1.234", "两位小数.*1.234"),
        ("0.001", "两位小数"),
        (0.1 + 0.2, "两位小数.*0.30000000000000004"),
        (1e-05, "两位小数"),
        ("1000000000000", "金额过大"),
        (1e16, "金额过大"),
        (Decimal("1E+20"), "金额过大"),
    ],
)
def test_parse_amount_refuses(text: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        parse_amount(text)
    assert caught.value.field == "amount"
    assert caught.value.value is text or caught.value.value == text


@pytest.mark.parametrize("text", ["0", "0.00", 0, "￥0元"])
def test_parse_amount_allow_zero(text: object) -> None:
    assert parse_amount(text, allow_zero=True) == Decimal("0.00")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("12345.67"), "12,345.67"),
        (Decimal("0"), "0.00"),
        (Decimal("999.5"), "999.50"),
        (Decimal("1000"), "1,000.00"),
        (Decimal("123456789.005"), "123,456,789.01"),
    ],
)
def test_format_money(amount: Decimal, expected: str) -> None:
    assert format_money(amount) == expected
