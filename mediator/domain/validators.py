"""Checks for what clerks type or referral lists carry: ID numbers, credit codes, stock codes,
mobiles, case numbers (案号), names and file names.

Each ``validate_*`` / ``canonical_*`` function returns the one canonical form that is stored, or
raises ``ValidationError`` with a Chinese sentence the user can act on.
"""

from __future__ import annotations

import re
from datetime import date

from mediator.domain.clock import china_today
from mediator.errors import ValidationError
from mediator.i18n import _

# Full-width ASCII block FF01–FF5E maps onto 0021–007E; U+3000 is the ideographic space.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def to_half_width(text: str) -> str:
    """Turn full-width ASCII (ＡＢＣ１２３（）．) into half-width and U+3000 into a plain space."""
    return text.translate(_HALF_WIDTH)


# C0 and C1 controls (ESC starts terminal escape sequences), line and paragraph separators, and the
# characters that reorder text on screen (bidi marks, embeddings, overrides such as RLO, isolates):
# refused in names and addresses, and shown as visible escapes wherever the terminal shows data.
# (The body of a regular-expression character class.)
UNSAFE_CHARACTERS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_CHARACTERS = re.compile(f"[{UNSAFE_CHARACTERS}]")
_LINE_SPACE = "\t\n\r"  # whitespace a cell may carry; collapsed into spaces, not refused


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, keep: str = "") -> str:
    """``text`` with control and bidi-override characters shown as escapes (``\\x1b``, ``\\u202e``);
    the characters in ``keep`` (e.g. line breaks of a multi-line message) stay as they are."""
    return _UNSAFE_CHARACTERS.sub(lambda m: m[0] if m[0] in keep else _escape(m[0]), text)


def refuse_unsafe_characters(text: str, field: str, label: str) -> None:
    """``ValidationError`` when ``text`` holds a control or bidi-override character."""
    if any(m[0] not in _LINE_SPACE for m in _UNSAFE_CHARACTERS.finditer(text)):
        raise ValidationError(
            _("{label}含有控制字符或文字方向控制符（{shown}），请删除后重试。").format(
                label=label, shown=printable(text)
            ),
            field=field,
            value=text,
        )


def _as_text(value: object, field: str) -> str:
    """The value as text for a code-like field; numbers from a spreadsheet are refused when lossy."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None:
        return ""
    # A float has already lost digits of an 18-digit code: the cell must be formatted as text.
    raise ValidationError(
        _("该项应为文本（表格中请设为文本格式）：{value}。").format(value=value), field=field, value=value
    )


def _compact(value: object, field: str) -> str:
    """Half-width, every kind of whitespace removed."""
    return "".join(to_half_width(_as_text(value, field)).split())


# --- 公民身份号码 (GB 11643-1999) -------------------------------------------------------------

# GB 11643-1999 / ISO 7064 MOD 11-2: weight of position i (1-based from the left) is 2^(18-i) mod 11.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"  # indexed by (sum of weighted digits) mod 11
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1900, 1, 1)


def _id_check_char(first17: str) -> str:
    # GB 11643-1999 check digit
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _birth_date_or_none(id_number: str) -> date | None:
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def validate_resident_id(text: str) -> str:
    """Check an 18-character resident ID number; returns it compact, with an uppercase X."""
    field = "resident_id"
    value = _compact(text, field).upper()
    if not value:
        raise ValidationError(_("请填写身份证号码。"), field=field, value=text)
    if len(value) != 18:
        raise ValidationError(
            _("身份证号码应为18位，“{value}”为{count}位。").format(value=value, count=len(value)),
            field=field,
            value=text,
        )
    if not _ID_SHAPE.fullmatch(value):
        raise ValidationError(
            _("身份证号码前17位应为数字、最后一位为数字或X：{value}。").format(value=value),
            field=field,
            value=text,
        )
    # GB 11643-1999: the first six digits are an administrative division code (GB/T 2260), never 0xxxxx.
    if value[0] == "0":
        raise ValidationError(
            _("身份证号码的地区码无效：{value}。").format(value=value), field=field, value=text
        )
    birth = _birth_date_or_none(value)
    if birth is None or not _EARLIEST_BIRTH <= birth <= china_today():
        raise ValidationError(
            _("身份证号码中的出生日期无效：{value}。").format(value=value), field=field, value=text
        )
    if _id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("身份证号码校验位不符，请逐位核对：{value}。").format(value=value), field=field, value=text
        )
    return value


def resident_id_birth_date(id_number: str) -> date:
    """The birth date coded in digits 7–14 of a resident ID number."""
    value = validate_resident_id(id_number)
    birth = _birth_date_or_none(value)
    assert birth is not None  # validate_resident_id checked it
    return birth


def resident_id_sex(id_number: str) -> str:
    """Return 男 or 女: GB 11643-1999 gives odd sequence codes (17th digit) to men, even to women."""
    value = validate_resident_id(id_number)
    # A data value printed on agreements as it is, not a UI string: not translated.
    return "男" if int(value[16]) % 2 else "女"


def make_resident_id(region: str, birth: date, seq: int) -> str:
    """Build a valid ID number (region code, birth date, 3-digit sequence, computed check digit).

    For demo data and test generators; an odd ``seq`` makes a man's number, an even one a woman's.
    """
    if not re.fullmatch(r"[1-9][0-9]{5}", region):
        raise ValueError(f"region must be 6 digits not starting with 0, got {region!r}")
    if not 0 <= seq <= 999:
        raise ValueError(f"seq must be 0..999, got {seq}")
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + _id_check_char(first17)


# --- 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------------

# GB 32100-2015: 31 code characters, the digits and capitals without I, O, Z, S, V.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_CHARS)}
# GB 32100-2015: weight of position i (0-based) is 3^i mod 31.
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def _uscc_check_char(first17: str) -> str:
    # GB 32100-2015 check character: C18 = 31 - (Σ Ci×Wi mod 31), with 31 written as 0.
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(text: str) -> str:
    """Check an 18-character unified social credit code; returns it uppercase."""
    field = "uscc"
    value = _compact(text, field).upper()
    if not value:
        raise ValidationError(_("请填写统一社会信用代码。"), field=field, value=text)
    if len(value) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，“{value}”为{count}位。").format(value=value, count=len(value)),
            field=field,
            value=text,
        )
    bad = [c for c in value if c not in _USCC_VALUE]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符“{chars}”（不使用I、O、Z、S、V）：{value}。").format(
                chars="".join(dict.fromkeys(bad)), value=value
            ),
            field=field,
            value=text,
        )
    # GB 32100-2015: characters 3–8 are the administrative division code (digits).
    if not value[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第3–8位应为行政区划码（数字）：{value}。").format(value=value),
            field=field,
            value=text,
        )
    if _uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不符，请逐位核对：{value}。").format(value=value),
            field=field,
            value=text,
        )
    return value


def make_uscc(prefix17: str) -> str:
    """Append the GB 32100-2015 check character to 17 code characters (demo data, tests)."""
    prefix = prefix17.upper()
    if len(prefix) != 17 or any(c not in _USCC_VALUE for c in prefix):
        raise ValueError(f"prefix17 must be 17 characters of {_USCC_CHARS}, got {prefix17!r}")
    return prefix + _uscc_check_char(prefix)


# --- 股票代码 -------------------------------------------------------------------------------

# A-share code prefixes: SSE main board 60, STAR 68; SZSE main board 00, ChiNext 30;
# BSE 43/83/87 (from the NEEQ) and the 92 series it moved to in 2024.
_EXCHANGE_BY_PREFIX = {
    "60": "SSE",
    "68": "SSE",
    "00": "SZSE",
    "30": "SZSE",
    "43": "BSE",
    "83": "BSE",
    "87": "BSE",
    "92": "BSE",
}
_EXCHANGE_BY_MARK = {"SH": "SSE", "SS": "SSE", "SZ": "SZSE", "BJ": "BSE"}
_STOCK_SHAPE = re.compile(r"(?:(SH|SZ|BJ)\.?)?([0-9]{6})(?:\.(SH|SS|SZ|BJ))?")


def validate_stock_code(text: str) -> tuple[str, str]:
    """A-share code as (six digits, "SSE" | "SZSE" | "BSE"); accepts 600000, 600000.SH, SH600000."""
    field = "stock_code"
    value = _compact(text, field).upper()
    if not value:
        raise ValidationError(_("请填写股票代码。"), field=field, value=text)
    match = _STOCK_SHAPE.fullmatch(value)
    if not match or (match[1] and match[3]):
        raise ValidationError(
            _("无法识别的股票代码：{value}（应为6位数字，如600000或600000.SH）。").format(value=value),
            field=field,
            value=text,
        )
    code = match[2]
    exchange = _EXCHANGE_BY_PREFIX.get(code[:2])
    if exchange is None:
        raise ValidationError(
            _("{value}不是沪、深、北交所A股股票代码。").format(value=code), field=field, value=text
        )
    mark = match[1] or match[3]
    if mark and _EXCHANGE_BY_MARK[mark] != exchange:
        raise ValidationError(
            _("股票代码{code}与交易所标记{mark}不符。").format(code=code, mark=mark), field=field, value=text
        )
    return code, exchange


# --- 手机号码 -------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def validate_mobile(text: str) -> str:
    """A mainland mobile number as its 11 digits; tolerates spaces, dashes, +86/0086, full width."""
    field = "mobile"
    value = re.sub(r"[-()\u2010-\u2015]", "", _compact(text, field))
    if not value:
        raise ValidationError(_("请填写手机号码。"), field=field, value=text)
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix) :]
            break
    if not _MOBILE.fullmatch(value):
        raise ValidationError(
            _("不是有效的手机号码（应为以13–19开头的11位数字）：{value}。").format(
                value=to_half_width(str(text)).strip()
            ),
            field=field,
            value=text,
        )
    return value


# --- 案号 -----------------------------------------------------------------------------------

_OPEN_BRACKETS = "(（〔[【"
_CLOSE_BRACKETS = ")）〕]】"
_BRACKETS = str.maketrans(_OPEN_BRACKETS + _CLOSE_BRACKETS, "(" * 5 + ")" * 5)
_CJK = "\u4e00-\u9fff"
# （year）court type number 号: court is 最高法, a province character alone (high court), or with
# 2 digits (intermediate court, e.g. 苏01) or 4 digits (basic court, e.g. 苏0102).
_CASE_NUMBER = re.compile(
    rf"\(((?:19|20)[0-9]{{2}})\)(最高法|[{_CJK}](?:[0-9]{{2}}|[0-9]{{4}})?)([{_CJK}]{{1,5}}?)"
    rf"([0-9]{{1,6}})号?(之[一二三四五六七八九十]+)?"
)


def _case_number_match(text: str) -> re.Match[str]:
    field = "case_number"
    value = _compact(text, field).translate(_BRACKETS)
    if not value:
        raise ValidationError(_("请填写案号。"), field=field, value=text)
    match = _CASE_NUMBER.fullmatch(value)
    if not match or int(match[4]) == 0:
        raise ValidationError(
            _("案号格式不对：{value}（应如“（2025）苏01民初3100号”）。").format(value=str(text).strip()),
            field=field,
            value=text,
        )
    return match


def canonical_case_number(text: str) -> str:
    """The stored form of a case number: full-width （）, half-width digits, e.g. （2025）苏01民初3100号."""
    match = _case_number_match(text)
    year, court, kind, number, suffix = match.groups()
    return f"（{year}）{court}{kind}{int(number)}号{suffix or ''}"


def validate_ruling_number(text: str) -> str:
    """The canonical case number of a judicial-confirmation ruling, which must be a 民特 number."""
    number = canonical_case_number(text)
    if "民特" not in number:
        raise ValidationError(
            _("司法确认裁定的案号应为“民特”字号，如（2025）苏01民特88号：{value}。").format(value=number),
            field="ruling_number",
            value=text,
        )
    return number


def case_number_year(cn: str) -> int:
    """The year in a case number's brackets (the year the case was filed)."""
    return int(_case_number_match(cn)[1])


def case_number_kind(cn: str) -> str:
    """The case-type characters of a case number (案件类型代字): 民初, 民诉前调, 民特…
    (``domain.referral_kinds`` says what each means for the mediation)."""
    return str(_case_number_match(cn)[3])


# --- 姓名 -----------------------------------------------------------------------------------

# Middle dots typed for the separator in minority and foreign names; GB 18030 and the public
# security registry use U+00B7.
_MIDDLE_DOTS = str.maketrans(dict.fromkeys("・•‧･∙⋅", "·"))
# CJK unified ideographs: BMP block, Ext-A (e.g. 䶮), Ext-B…F and the supplement (e.g. 𠇔),
# compatibility ideographs, and 〇.
_NAME_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U0003134f"
# Latin letters including accented ones (Latin-1 letters without × ÷, Extended-A and -B).
_NAME_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_NAME_PART = rf"[{_NAME_CJK}{_NAME_LATIN}]+(?:['.\-][{_NAME_CJK}{_NAME_LATIN}]*)*"
_PERSON_NAME = re.compile(rf"{_NAME_PART}(?:(?: ?· ?| ){_NAME_PART})*")
_NAME_MAX_LENGTH = 50


def validate_person_name(text: str) -> str:
    """A natural person's name: inner spaces collapsed, middle dots unified to U+00B7 (·)."""
    field = "name"
    refuse_unsafe_characters(_as_text(text, field), field, _("姓名"))
    value = " ".join(to_half_width(_as_text(text, field)).translate(_MIDDLE_DOTS).split())
    if not value:
        raise ValidationError(_("请填写姓名。"), field=field, value=text)
    if len(value) > _NAME_MAX_LENGTH:
        raise ValidationError(
            _("姓名过长：最多{limit}个字，现有{length}个。").format(
                limit=_NAME_MAX_LENGTH, length=len(value)
            ),
            field=field,
            value=text,
        )
    if any(c.isdigit() for c in value):
        raise ValidationError(_("姓名中不能含有数字：{value}。").format(value=value), field=field, value=text)
    if len(value) > _NAME_MAX_LENGTH or not _PERSON_NAME.fullmatch(value):
        raise ValidationError(
            _("姓名只能由汉字、字母、间隔号“·”和空格组成：{value}。").format(value=value),
            field=field,
            value=text,
        )
    return re.sub(" ?· ?", "·", value)


# --- 文件名 ---------------------------------------------------------------------------------

_FORBIDDEN_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
# Windows reserves these device names, with or without an extension (CON.pdf is still CON).
_RESERVED_FILE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{dev}{n}" for dev in ("COM", "LPT") for n in "123456789¹²³"}
)
# NTFS allows 255 UTF-16 units per name; 120 characters (≤ 240 units even for Ext-B names) leaves
# room for an extension and keeps full paths under MAX_PATH on older Windows.
_FILE_NAME_MAX_LENGTH = 120


def safe_file_name(text: str) -> str:
    """A name valid on Windows built from a 案号 or a person's name (the caller adds the extension)."""
    field = "file_name"
    value = _FORBIDDEN_IN_FILE_NAME.sub("_", _as_text(text, field).strip())
    if not value:
        raise ValidationError(_("文件名不能为空。"), field=field, value=text)
    # Windows drops trailing dots and spaces, so "a." and "a" would be the same file.
    value = value[:_FILE_NAME_MAX_LENGTH].strip(" .") or "_"
    if value.split(".", 1)[0].rstrip(" ").upper() in _RESERVED_FILE_NAMES:
        value = "_" + value
    return value
