from datetime import date

import pytest

from mediator.domain.validators import (
    canonical_case_number,
    case_number_year,
    make_resident_id,
    make_uscc,
    resident_id_birth_date,
    resident_id_sex,
    safe_file_name,
    to_half_width,
    validate_mobile,
    validate_person_name,
    validate_resident_id,
    validate_ruling_number,
    validate_stock_code,
    validate_uscc,
)
from mediator.errors import ValidationError

# Independent re-statements of the check-character rules, written from the standards' tables, so
# the module's own arithmetic is checked against a second implementation.
GB11643_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
GB32100_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def gb11643(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, GB11643_WEIGHTS, strict=True)) % 11]


def gb32100(first17: str) -> str:
    total = sum(GB32100_CHARS.index(c) * w for c, w in zip(first17, GB32100_WEIGHTS, strict=True))
    return GB32100_CHARS[(31 - total % 31) % 31]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("（２０２５）", "(2025)"),
        ("７５９４３９．１", "759439.1"),
        ("张\u3000三", "张 三"),
        ("～！＠", "~!@"),
        ("中文不变。", "中文不变。"),
    ],
)
def test_to_half_width(text: str, expected: str) -> None:
    assert to_half_width(text) == expected


# --- resident ID ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "birth", "sex"),
    [
        # the worked example of GB 11643-1999 itself
        ("11010519491231002X", "11010519491231002X", date(1949, 12, 31), "女"),
        ("11010519491231002x", "11010519491231002X", date(1949, 12, 31), "女"),
        ("110105 1949 1231 002X", "11010519491231002X", date(1949, 12, 31), "女"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", date(1949, 12, 31), "女"),
        (" 320102199003071239 ", "320102199003071239", date(1990, 3, 7), "男"),
        ("320106200002290019", "320106200002290019", date(2000, 2, 29), "男"),
    ],
)
def test_validate_resident_id(text: str, expected: str, birth: date, sex: str) -> None:
    assert validate_resident_id(text) == expected
    assert resident_id_birth_date(text) == birth
    assert resident_id_sex(text) == sex


@pytest.mark.parametrize(
    ("region", "birth", "seq"),
    [
        ("320102", date(1990, 3, 7), 123),
        ("320106", date(1965, 11, 30), 2),
        ("110105", date(1949, 12, 31), 2),
        ("440305", date(2001, 1, 1), 999),
        ("650102", date(1900, 1, 1), 0),
        ("320583", date(1988, 2, 29), 45),
    ],
)
def test_make_resident_id_round_trips(region: str, birth: date, seq: int) -> None:
    id_number = make_resident_id(region, birth, seq)
    assert id_number[:17] == f"{region}{birth:%Y%m%d}{seq:03d}"
    assert id_number[17] == gb11643(id_number[:17])
    assert validate_resident_id(id_number) == id_number
    assert resident_id_birth_date(id_number) == birth
    assert resident_id_sex(id_number) == ("男" if seq % 2 else "女")


def test_make_resident_id_agrees_with_the_standard_for_every_check_digit() -> None:
    ids = [make_resident_id("320102", date(1985, 6, 15), seq) for seq in range(1000)]
    assert all(i[17] == gb11643(i[:17]) for i in ids)
    assert {i[17] for i in ids} == set("0123456789X")


def test_make_resident_id_with_x_check_digit_accepts_lowercase() -> None:
    with_x = next(
        make_resident_id("320102", date(1985, 6, 15), seq)
        for seq in range(1000)
        if make_resident_id("320102", date(1985, 6, 15), seq).endswith("X")
    )
    assert validate_resident_id(with_x.lower()) == with_x


def _with_check(first17: str) -> str:
    return first17 + gb11643(first17)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写身份证号码"),
        ("32010219900307123", "应为18位.*17位"),
        ("3201021990030712390", "应为18位.*19位"),
        ("32010219900307123A", "最后一位为数字或X"),
        ("3201021990X3071239", "前17位应为数字"),
        ("320102199003071234", "校验位不符.*320102199003071234"),  # correct one is 9
        ("11010519491231002Y", "最后一位为数字或X"),
        ("110105194912310021", "校验位不符"),
        (_with_check("02010219900307123"), "地区码"),
        (_with_check("32010219900230123"), "出生日期无效"),  # 30 February
        (_with_check("32010219901301123"), "出生日期无效"),  # month 13
        (_with_check("32010218991231123"), "出生日期无效"),  # before 1900
        (_with_check("44052418800101001"), "出生日期无效"),  # GB 11643's 1880 example
        (_with_check("32010220990101123"), "出生日期无效"),  # in the future
        (_with_check("32010220010229123"), "出生日期无效"),  # 2001 is no leap year
    ],
)
def test_validate_resident_id_refuses(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        validate_resident_id(text)
    assert caught.value.field == "resident_id"


def test_resident_id_refuses_spreadsheet_float() -> None:
    with pytest.raises(ValidationError, match="文本"):
        validate_resident_id(3.20102199003071e17)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("region", "seq"),
    [("020102", 1), ("32010", 1), ("3201022", 1), ("320102", -1), ("320102", 1000)],
)
def test_make_resident_id_refuses_bad_parts(region: str, seq: int) -> None:
    with pytest.raises(ValueError):
        make_resident_id(region, date(1990, 1, 1), seq)


# --- unified social credit code --------------------------------------------------------------

# Published codes of well-known companies; each check character agrees with GB 32100-2015.
PUBLISHED_USCC = [
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司
    "911000001000013428",  # 中国银行股份有限公司
    "91100000100003962T",  # 中国工商银行股份有限公司
]


@pytest.mark.parametrize("code", PUBLISHED_USCC)
def test_validate_uscc_published(code: str) -> None:
    assert gb32100(code[:17]) == code[17]
    assert validate_uscc(code) == code
    assert validate_uscc(code.lower()) == code
    assert make_uscc(code[:17]) == code


@pytest.mark.parametrize(
    ("prefix17", "expected"),
    [
        ("91320000134781735", "91320000134781735U"),  # 35 → 91320000134781735T is not a valid code
        ("91110000100006558", "91110000100006558F"),
        ("92320102MA1MXXXX0", None),
        ("31320000MA1N12345", None),
        ("12100000400000000", None),
    ],
)
def test_make_uscc(prefix17: str, expected: str | None) -> None:
    code = make_uscc(prefix17)
    if expected is not None:
        assert code == expected
    assert code[17] == gb32100(prefix17)
    assert validate_uscc(code) == code


def test_make_uscc_agrees_with_the_standard_for_every_check_char() -> None:
    codes = [make_uscc(f"91320100MA{n:07d}") for n in range(2000)]
    assert all(c[17] == gb32100(c[:17]) and validate_uscc(c) == c for c in codes)
    assert {c[17] for c in codes} == set(GB32100_CHARS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写统一社会信用代码"),
        ("9132000013478173", "应为18位"),
        ("91320000134781735T", "校验位不符"),
        ("91110000100006558K", "校验位不符"),
        ("91330100716105852G", "校验位不符"),
        ("91330100716I05852F", "不允许的字符“I”"),
        ("913301007161O5852F", "不允许的字符“O”"),
        ("9133010071610585SZ", "不允许的字符“SZ”"),
        ("91A30100716105852F", "行政区划码"),
    ],
)
def test_validate_uscc_refuses(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_uscc(text)


def test_validate_uscc_full_width_and_spaces() -> None:
    assert validate_uscc(" ９１３３０１００７１６１０５８５２ｆ ") == "91330100716105852F"


@pytest.mark.parametrize("prefix17", ["9133010071610585", "9133010071610585I", "913301007161058520"])
def test_make_uscc_refuses_bad_prefix(prefix17: str) -> None:
    with pytest.raises(ValueError):
        make_uscc(prefix17)


# --- stock codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("600000", ("600000", "SSE")),
        ("688981", ("688981", "SSE")),
        ("000001", ("000001", "SZSE")),
        ("002594", ("002594", "SZSE")),
        ("300750", ("300750", "SZSE")),
        ("430047", ("430047", "BSE")),
        ("830799", ("830799", "BSE")),
        ("873122", ("873122", "BSE")),
        ("920001", ("920001", "BSE")),
        ("600000.SH", ("600000", "SSE")),
        ("600000.ss", ("600000", "SSE")),
        ("000001.SZ", ("000001", "SZSE")),
        ("SH600000", ("600000", "SSE")),
        ("sz000001", ("000001", "SZSE")),
        ("BJ430047", ("430047", "BSE")),
        ("430047.BJ", ("430047", "BSE")),
        (" ６０００００．ＳＨ ", ("600000", "SSE")),
    ],
)
def test_validate_stock_code(text: str, expected: tuple[str, str]) -> None:
    assert validate_stock_code(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写股票代码"),
        ("60000", "无法识别"),
        ("6000000", "无法识别"),
        ("SH600000.SH", "无法识别"),
        ("600000.HK", "无法识别"),
        ("900901", "不是沪、深、北交所A股"),  # SSE B share
        ("200002", "不是沪、深、北交所A股"),  # SZSE B share
        ("510300", "不是沪、深、北交所A股"),  # an ETF
        ("600000.SZ", "与交易所标记SZ不符"),
        ("SZ688981", "与交易所标记SZ不符"),
        ("000001.BJ", "与交易所标记BJ不符"),
    ],
)
def test_validate_stock_code_refuses(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_stock_code(text)


# --- mobiles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+86-13812345678",
        "(+86)13812345678",
        "0086 13812345678",
        "8613812345678",
        "１３８１２３４５６７８",
        "＋８６　１３８－１２３４－５６７８",
    ],
)
def test_validate_mobile(text: str) -> None:
    assert validate_mobile(text) == "13812345678"


@pytest.mark.parametrize("text", ["19912345678", "16612345678", "14712345678"])
def test_validate_mobile_prefixes(text: str) -> None:
    assert validate_mobile(text) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写手机号码"),
        ("1381234567", "不是有效的手机号码"),
        ("138123456789", "不是有效的手机号码"),
        ("12812345678", "不是有效的手机号码"),
        ("02583334567", "不是有效的手机号码"),
        ("+1 13812345678x", "不是有效的手机号码"),
        ("138abcd5678", "不是有效的手机号码"),
    ],
)
def test_validate_mobile_refuses(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_mobile(text)


# --- case numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（2025）苏01民初3100号", "（2025）苏01民初3100号"),
        ("(2025)苏01民初3100号", "（2025）苏01民初3100号"),
        ("（2025)苏01民初3100号", "（2025）苏01民初3100号"),
        ("〔2025〕苏01民初3100号", "（2025）苏01民初3100号"),
        ("[2025]苏01民初3100号", "（2025）苏01民初3100号"),
        ("［2025］苏01民初3100号", "（2025）苏01民初3100号"),
        ("【2025】苏01民初3100号", "（2025）苏01民初3100号"),
        ("（２０２５）苏０１民初３１００号", "（2025）苏01民初3100号"),
        (" ( 2025 ) 苏01 民初 3100 号 ", "（2025）苏01民初3100号"),
        ("（2025）苏01民初3100", "（2025）苏01民初3100号"),
        ("（2025）苏01民初03100号", "（2025）苏01民初3100号"),
        ("（2025）苏0102民诉前调12号", "（2025）苏0102民诉前调12号"),
        ("(2024)苏01民特45号", "（2024）苏01民特45号"),
        ("（2024）苏01民终987号", "（2024）苏01民终987号"),
        ("（2024）苏01执123号", "（2024）苏01执123号"),
        ("（2023）苏民终12号", "（2023）苏民终12号"),
        ("（2024）最高法民终1号", "（2024）最高法民终1号"),
        ("（1999）沪02民初1号", "（1999）沪02民初1号"),
        ("（2025）苏01民初3100号之一", "（2025）苏01民初3100号之一"),
    ],
)
def test_canonical_case_number(text: str, expected: str) -> None:
    assert canonical_case_number(text) == expected
    assert canonical_case_number(expected) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2025苏01民初3100号",  # no brackets
        "（1899）苏01民初1号",
        "（2125）苏01民初1号",
        "（25）苏01民初1号",
        "（2025）苏1民初1号",  # court code needs 2 or 4 digits
        "（2025）苏012民初1号",
        "（2025）01民初1号",  # no province character
        "（2025）苏01民初号",  # no number
        "（2025）苏01民初0号",
        "（2025）苏01号",  # no case type
        "（2025）苏01民事诉前调解1号",  # case type too long
        "（2025）苏01民初3100号号",
        "（2025）苏01 Min 3100号",
    ],
)
def test_canonical_case_number_refuses(text: str) -> None:
    with pytest.raises(ValidationError, match="案号") as caught:
        canonical_case_number(text)
    assert caught.value.field == "case_number"


@pytest.mark.parametrize(
    ("text", "year"),
    [("（2025）苏01民初3100号", 2025), ("(2019)苏0102民诉前调7号", 2019), ("〔２０２４〕苏01民特1号", 2024)],
)
def test_case_number_year(text: str, year: int) -> None:
    assert case_number_year(text) == year


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", "张三"),
        ("  张  三 ", "张 三"),
        ("王䶮", "王䶮"),  # CJK Ext-A
        ("李𠇔", "李𠇔"),  # CJK Ext-B
        ("欧阳龑堃", "欧阳龑堃"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提・艾力", "买买提·艾力"),  # U+30FB katakana middle dot
        ("买买提•艾力", "买买提·艾力"),  # U+2022 bullet
        ("买买提‧艾力", "买买提·艾力"),  # U+2027 hyphenation point
        ("买买提･艾力", "买买提·艾力"),  # U+FF65 half-width katakana middle dot
        ("阿卜杜 · 热合曼", "阿卜杜·热合曼"),
        ("John Smith", "John Smith"),
        ("Ｊｏｈｎ　Ｓｍｉｔｈ", "John Smith"),
        ("Jean-Luc O'Brien", "Jean-Luc O'Brien"),
        ("José Müller", "José Müller"),
    ],
)
def test_validate_person_name(text: str, expected: str) -> None:
    assert validate_person_name(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写姓名"),
        ("   ", "请填写姓名"),
        ("张3", "不能含有数字"),
        ("张三１", "不能含有数字"),
        ("123", "不能含有数字"),
        ("·张三", "只能由"),
        ("张三·", "只能由"),
        ("张··三", "只能由"),
        ("张三@", "只能由"),
        ("张三（代理人）", "只能由"),
        ("张" * 51, "最多50个字"),
    ],
)
def test_validate_person_name_refuses(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_person_name(text)


# --- file names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（2025）苏01民初3100号", "（2025）苏01民初3100号"),
        ("(2025)苏01民初3100号", "(2025)苏01民初3100号"),
        ('a\\b/c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("张\t三\x00", "张_三_"),
        ("  张三. ", "张三"),
        ("..hidden..", "hidden"),
        ("...", "_"),
        ("CON", "_CON"),
        ("con.pdf", "_con.pdf"),
        ("Lpt9", "_Lpt9"),
        ("NUL .txt", "_NUL .txt"),
        ("CONSOLE", "CONSOLE"),
        ("COM10", "COM10"),
        ("王䶮 𠇔", "王䶮 𠇔"),
    ],
)
def test_safe_file_name(text: str, expected: str) -> None:
    assert safe_file_name(text) == expected


def test_safe_file_name_is_bounded() -> None:
    result = safe_file_name("𠇔" * 300)
    assert len(result) == 120
    assert len(result.encode("utf-16-le")) // 2 <= 255


@pytest.mark.parametrize("text", ["", "   "])
def test_safe_file_name_refuses_empty(text: str) -> None:
    with pytest.raises(ValidationError):
        safe_file_name(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(2025)苏01民特88号", "（2025）苏01民特88号"),
        ("（２０２５）苏01民特88号", "（2025）苏01民特88号"),
    ],
)
def test_ruling_number_is_a_canonical_minte_number(text: str, expected: str) -> None:
    assert validate_ruling_number(text) == expected


def test_ruling_number_of_another_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="民特"):
        validate_ruling_number("（2025）苏01民初3100号")
