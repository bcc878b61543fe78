"""Per-cell checks of a referral list, one checker per field, fast enough for 100,000 rows.

Each checker takes the cell as read (text, number or None), returns the stored form and raises
``ValidationError`` with the Chinese message otherwise. It accepts the common forms (already clean,
or typed the usual messy ways: full-width digits, ￥/元/thousands separators, a lowercase x, spaces in
a phone number) with one precompiled regular expression and hands everything else to the domain
validator, which gives the same result or raises its message. So the rules stay the domain's; this
only skips work. ``tests/services/intake/test_checks.py`` compares both paths on generated values.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from mediator.domain import referral_headers as rh
from mediator.domain.clock import china_today
from mediator.domain.identity import guess_identity
from mediator.domain.money import FEN, parse_amount
from mediator.domain.validators import (
    UNSAFE_CHARACTERS,
    canonical_case_number,
    refuse_unsafe_characters,
    to_half_width,
    validate_mobile,
    validate_person_name,
    validate_resident_id,
    validate_uscc,
)
from mediator.errors import ValidationError
from mediator.i18n import _

MAX_CELL = 300
# Longest address and agent kept (the database columns' sizes).
ADDRESS_LIMIT = 200
AGENT_LIMIT = 100

# Canonical 案号 as canonical_case_number writes it: full-width brackets, no leading zero, no 之X.
CANONICAL_CASE_NUMBER = re.compile(
    r"（(?:19|20)[0-9]{2}）[\u4e00-\u9fff](?:[0-9]{2}|[0-9]{4})?[\u4e00-\u9fff]{1,5}[1-9][0-9]{0,5}号"
)
RESIDENT_ID = re.compile(r"[1-9][0-9]{16}[0-9X]")
ID_CHECK_CHARS = "10X98765432"
PLAIN_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}")
PLAIN_AMOUNT = re.compile(r"[1-9][0-9]{0,11}(?:\.[0-9]{1,2})?")
# 12,345.67元, ￥8000, 人民币1,000.5元: the usual decorations, with thousands grouped by three.
DECORATED_AMOUNT = re.compile(
    r"(?:￥|¥|人民币)?([1-9][0-9]{0,2}(?:,[0-9]{3}){1,3}|[1-9][0-9]{0,11})(\.[0-9]{1,2})?元?"
)
_HALF_WIDTH_CASE_NUMBER = re.compile(
    r"\((?:19|20)[0-9]{2}\)[\u4e00-\u9fff](?:[0-9]{2}|[0-9]{4})?[\u4e00-\u9fff]{1,5}[1-9][0-9]{0,5}号"
)
BRACKETED_CASE_NUMBER = re.compile(
    r"\s*[（(]((?:19|20)[0-9]{2})[）)]([\u4e00-\u9fff](?:[0-9]{2}|[0-9]{4})?[\u4e00-\u9fff]{1,5})\s*"
    r"([1-9][0-9]{0,5}号)\s*"
)
# The same two typed with full-width digits, brackets, commas or points (what ``half_width`` makes
# plain): the digits are read by int(), which reads full-width digits as well.
WIDE_CASE_NUMBER = re.compile(
    r"\s*[（(]((?:19|20|１９|２０)[0-9０-９]{2})[）)]([\u4e00-\u9fff])([0-9０-９]{2}|[0-9０-９]{4})?"
    r"([\u4e00-\u9fff]{1,5})\s*([1-9１-９][0-9０-９]{0,5})号\s*"
)
WIDE_AMOUNT = re.compile(
    r"(?:￥|¥|人民币)?([1-9１-９][0-9０-９]{0,2}(?:[,，][0-9０-９]{3}){1,3}|[1-9１-９][0-9０-９]{0,11})"
    r"([.．][0-9０-９]{1,2})?元?"
)
MOBILE = re.compile(r"1[3-9][0-9]{9}")
# 138 1234 5678, 138-1234-5678, +86 13812345678: what ``mobile`` reads after dropping spaces and dashes.
SPACED_MOBILE = re.compile(r"\s*(?:\+86)?[ -]*(1[3-9][0-9])[ -]*([0-9]{4})[ -]*([0-9]{4})\s*")
# An address or agent needing no tidying: single spaces between words, nothing to translate to half
# width, no control or bidi-override character (what ``free_text`` gives back unchanged).
_WORD = f"[^\\s{UNSAFE_CHARACTERS}\uff01-\uff5e\u3000]+"
TIDY_TEXT = re.compile(f"{_WORD}(?: {_WORD})*")
# A text of CJK ideographs, printable ASCII, full-width ASCII, the ideographic comma and full stop
# and spaces: characters whose NFKC form is what to_half_width makes of them.
WIDE_TEXT = re.compile("[\u4e00-\u9fff\x20-\x7e\uff01-\uff5e\u3000-\u3002]*")
# Characters that to_half_width changes: translating a string with none of them is wasted work.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_INSTITUTION = re.compile(r"(公司|企业|合伙\)|合伙）|基金|银行|事务所|中心|研究院|协会|学校|医院|集团)$")
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(?:-[0-9]{1,5})?")
PLAIN_ACCOUNT = re.compile(r"[A-Z0-9]{6,20}")
_ID_FLOAT_MESSAGE = "身份证号被 Excel 存为数字，末位可能已丢失，请将该列设为文本"
_EARLIEST_BIRTH = "19000101"


def _today_digits() -> str:
    # China's day, like the validator: an ID born "today" in Nanjing is valid.
    return china_today().strftime("%Y%m%d")


_TODAY = _today_digits()


def cell_text(value: object, field: str) -> str:
    """A text cell, stripped; refuses a giant cell before any validator echoes it in a message."""
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = "" if value is None else str(value)
    if len(text) > MAX_CELL:
        raise ValidationError(
            _("内容过长（{count} 个字符），不像是该列的内容，请核对此单元格。").format(count=len(text)),
            field=field,
            value=value,
        )
    return text


def half_width(text: str) -> str:
    """``to_half_width(text)``, without the translation when there is nothing to translate."""
    return to_half_width(text) if _FULL_WIDTH.search(text) else text


def case_number(value: object) -> str:
    if value.__class__ is str:
        # Either kind of bracket, spaces around the cell or before the serial number: canonical
        # in one step (what the compact form below would give).
        match = BRACKETED_CASE_NUMBER.fullmatch(value)
        if match is not None:
            return f"（{match[1]}）{match[2]}{match[3]}"
    text = cell_text(value, "case_number")
    if CANONICAL_CASE_NUMBER.fullmatch(text):
        return text
    # Full-width digits, half-width brackets, stray inner spaces: the validator's own compact form
    # (half-width, no whitespace) gives the same result when it has the plain shape.
    compact = "".join(half_width(text).split())
    if _HALF_WIDTH_CASE_NUMBER.fullmatch(compact):
        return f"（{compact[1:5]}）{compact[6:]}"
    return canonical_case_number(text)


def resident_id(text: str) -> str:
    """``text`` already stripped. GB 11643-1999 check digit: Σ dᵢ·2^(17−i) mod 11, and 13 ≡ 2 (mod 11),
    so the weighted sum is 2 × (the 17 digits read in base 13)."""
    value = text[:17] + "X" if text[-1:] == "x" else text
    if (
        RESIDENT_ID.fullmatch(value)
        and ID_CHECK_CHARS[(2 * int(value[:17], 13)) % 11] == value[17]
        and birth_ok(value[6:14])
    ):
        return value
    return validate_resident_id(text)


# Birth dates repeat across a list: each YYYYMMDD is checked once.
_BIRTHS: dict[str, bool] = {}


def birth_ok(digits: str) -> bool:
    known = _BIRTHS.get(digits)
    if known is None:
        known = _EARLIEST_BIRTH <= digits <= _TODAY
        if known:
            try:
                date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
            except ValueError:
                known = False
        _BIRTHS[digits] = known
    return known


def person_name(text: str) -> str:
    if PLAIN_NAME.fullmatch(text):
        return text
    return validate_person_name(text)


def amount(value: object) -> Decimal:
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, float):
        text = repr(value)
    else:
        return parse_amount(value)
    if PLAIN_AMOUNT.fullmatch(text):
        return Decimal(text).quantize(FEN)
    match = DECORATED_AMOUNT.fullmatch(text)
    if match is None and not text.isascii():
        # Typed with full-width digits (７５９４３９．１): parse_amount reads the half-width form.
        text = "".join(to_half_width(text).split())
        if PLAIN_AMOUNT.fullmatch(text):
            return Decimal(text).quantize(FEN)
        match = DECORATED_AMOUNT.fullmatch(text)
    if match:
        return Decimal(match[1].replace(",", "") + (match[2] or "")).quantize(FEN)
    return parse_amount(value)


def mobile(text: str) -> str:
    if MOBILE.fullmatch(text):
        return text
    compact = text.replace(" ", "").replace("-", "")
    if compact.startswith("+86"):
        compact = compact[3:]
    if MOBILE.fullmatch(compact):
        return compact
    return validate_mobile(text)


def amount_fen(value: object) -> int:
    """An amount cell in fen (what ``amount`` gives, times 100), without Decimal for the usual forms."""
    if value.__class__ is str:
        text = value.strip()
    elif value.__class__ is float:
        text = repr(value)
    else:
        return int(amount(value) * 100)
    match = DECORATED_AMOUNT.fullmatch(text)
    if match is None and not text.isascii():
        match = DECORATED_AMOUNT.fullmatch("".join(half_width(text).split()))
    if match is None:
        return int(amount(value) * 100)
    return matched_fen(match)


def matched_fen(match: re.Match[str]) -> int:
    """A ``DECORATED_AMOUNT`` or ``WIDE_AMOUNT`` match in fen (int() reads full-width digits)."""
    fraction = match[2]
    fen = int(match[1].replace(",", "").replace("，", "")) * 100
    return fen + int(fraction[1:].ljust(2, "0")) if fraction else fen


def optional_amount_fen(value: object) -> int | None:
    """An amount that may be left blank (调解金额)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return amount_fen(value)


def resident_id_cell(value: object) -> str:
    """An 身份证号码 cell; a number cell is refused (Excel has already dropped digits)."""
    if value.__class__ is str and len(value) <= MAX_CELL:
        return resident_id(value.strip())
    if value.__class__ is float:
        raise ValidationError(_(_ID_FLOAT_MESSAGE), field=rh.ID_NUMBER, value=value)
    return resident_id(cell_text(value, rh.ID_NUMBER))


def identity(value: object, name: object) -> tuple[str, str]:
    """(id type, number) of a plaintiff: a resident ID, or an institution's credit code when the
    name is an institution's. Raises the resident ID's problem when neither fits."""
    try:
        return "resident_id", resident_id_cell(value)
    except ValidationError as exc:
        if value.__class__ is float:
            raise
        text = cell_text(value, rh.ID_NUMBER)
        # An institution's credit code first: codes start with 9 like the new foreign permanent
        # residence cards, which the guess below would take them for.
        if isinstance(name, str) and _INSTITUTION.search(name.strip()):
            try:
                return "uscc", validate_uscc(text)
            except ValidationError:
                pass
        # A permit whose shape tells it (港澳/台湾 travel permits, residence permits, foreign
        # permanent residence cards: domain.identity), each with its own check.
        guessed = guess_identity(text)
        if guessed is not None:
            return guessed
        raise exc from None


def plaintiff_name(value: object, id_type: str) -> str:
    """A person's name, or an institution's (with a credit code) as typed, spaces tidied."""
    if id_type == "uscc":
        name = " ".join(half_width(cell_text(value, rh.NAME)).split())
        if not name:
            raise ValidationError(_("请填写原告名称。"), field=rh.NAME, value=value)
        return name
    if value.__class__ is str and PLAIN_NAME.fullmatch(value):
        return value
    return person_name(cell_text(value, rh.NAME))


def phone(value: object) -> str | None:
    """A mobile (spaces, dashes and +86 dropped) or a landline; None for an empty cell."""
    if value.__class__ is str:
        if MOBILE.fullmatch(value):
            return value
        match = SPACED_MOBILE.fullmatch(value)
        if match is not None:
            return match[1] + match[2] + match[3]
    # An 11-digit mobile survives a float exactly; cell_text writes it back without ".0".
    text = cell_text(value, rh.PHONE)
    if not text:
        return None
    try:
        return mobile(text)
    except ValidationError:
        compact = "".join(half_width(text).split())
        if _LANDLINE.fullmatch(compact):
            return compact
        raise


def account(value: object) -> str | None:
    """A securities account as text; a number cell is refused (a leading 0 may be lost)."""
    if value.__class__ is str and PLAIN_ACCOUNT.fullmatch(value):
        return value
    if isinstance(value, float):
        # A Shenzhen account starts with 0: stored as a number it has already lost it.
        raise ValidationError(
            _("证券账户被 Excel 存为数字，开头的 0 可能已丢失，请将该列设为文本。"),
            field=rh.SECURITIES_ACCOUNT,
            value=value,
        )
    text = cell_text(value, rh.SECURITIES_ACCOUNT)
    if not text:
        return None
    if PLAIN_ACCOUNT.fullmatch(text):
        return text
    text = "".join(half_width(text).split()).upper()
    if len(text) > 30:
        raise ValidationError(_("证券账户过长：{value}。").format(value=text), field=rh.SECURITIES_ACCOUNT)
    return text


def free_text(value: object, field_name: str, limit: int) -> str | None:
    """Text with full-width ASCII and runs of spaces tidied; None when empty. Control and
    bidi-override characters are refused, an overlong text too (with its limit), never cut."""
    raw = cell_text(value, field_name)
    refuse_unsafe_characters(raw, field_name, _("该项"))
    text = " ".join(half_width(raw).split())
    if not text:
        return None
    if len(text) > limit:
        raise ValidationError(
            _("内容过长（{count} 个字符，最多 {limit} 个）。").format(count=len(text), limit=limit),
            field=field_name,
            value=value,
        )
    return text


def address(value: object) -> str | None:
    return free_text(value, rh.ADDRESS, ADDRESS_LIMIT)


def agent(value: object) -> str | None:
    return free_text(value, rh.AGENT, AGENT_LIMIT)


def company(value: object) -> str | None:
    return free_text(value, rh.COMPANY, 100)
