"""Per-cell checks of a referral list, fast enough for 100,000 rows.

Each function accepts the common, already-clean value with one regular expression (and, for ID
numbers, the check digit) and hands everything else to the domain validator, which gives the same
result or raises its Chinese message. So the rules stay the domain's; this only skips work for
values that are already in canonical form. ``tests/services/test_referral_import_checks.py``
compares both paths on generated values.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from mediator.domain.money import FEN, parse_amount
from mediator.domain.validators import (
    canonical_case_number,
    to_half_width,
    validate_mobile,
    validate_person_name,
    validate_resident_id,
)
from mediator.errors import ValidationError
from mediator.i18n import _

MAX_CELL = 300

# Canonical 案号 as canonical_case_number writes it: full-width brackets, no leading zero, no 之X.
CANONICAL_CASE_NUMBER = re.compile(
    r"（(?:19|20)[0-9]{2}）[\u4e00-\u9fff](?:[0-9]{2}|[0-9]{4})?[\u4e00-\u9fff]{1,5}[1-9][0-9]{0,5}号"
)
_RESIDENT_ID = re.compile(r"[1-9][0-9]{16}[0-9X]")
_ID_CHECK_CHARS = "10X98765432"
PLAIN_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}")
PLAIN_AMOUNT = re.compile(r"[1-9][0-9]{0,11}(?:\.[0-9]{1,2})?")
# 12,345.67元, ￥8000, 人民币1,000.5元: the usual decorations, with thousands grouped by three.
_DECORATED_AMOUNT = re.compile(
    r"(?:￥|¥|人民币)?([1-9][0-9]{0,2}(?:,[0-9]{3}){1,3}|[1-9][0-9]{0,11})(\.[0-9]{1,2})?元?"
)
_HALF_WIDTH_CASE_NUMBER = re.compile(
    r"\((?:19|20)[0-9]{2}\)[\u4e00-\u9fff](?:[0-9]{2}|[0-9]{4})?[\u4e00-\u9fff]{1,5}[1-9][0-9]{0,5}号"
)
MOBILE = re.compile(r"1[3-9][0-9]{9}")
_EARLIEST_BIRTH = "19000101"


def _today_digits() -> str:
    # China Standard Time, like the validator: an ID born "today" in Nanjing is valid.
    return (datetime.now(UTC) + timedelta(hours=8)).strftime("%Y%m%d")


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


def case_number(value: object) -> str:
    text = cell_text(value, "case_number")
    if CANONICAL_CASE_NUMBER.fullmatch(text):
        return text
    # Full-width digits, half-width brackets, stray inner spaces: the validator's own compact form
    # (half-width, no whitespace) gives the same result when it has the plain shape.
    compact = "".join(to_half_width(text).split())
    if _HALF_WIDTH_CASE_NUMBER.fullmatch(compact):
        return f"（{compact[1:5]}）{compact[6:]}"
    return canonical_case_number(text)


def resident_id(text: str) -> str:
    """``text`` already stripped. GB 11643-1999 check digit: Σ dᵢ·2^(17−i) mod 11, and 13 ≡ 2 (mod 11),
    so the weighted sum is 2 × (the 17 digits read in base 13)."""
    value = text[:17] + "X" if text[-1:] == "x" else text
    if (
        _RESIDENT_ID.fullmatch(value)
        and _ID_CHECK_CHARS[(2 * int(value[:17], 13)) % 11] == value[17]
        and _birth_ok(value[6:14])
    ):
        return value
    return validate_resident_id(text)


# Birth dates repeat across a list: each YYYYMMDD is checked once.
_BIRTHS: dict[str, bool] = {}


def _birth_ok(digits: str) -> bool:
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
    match = _DECORATED_AMOUNT.fullmatch(text)
    if match is None and not text.isascii():
        # Typed with full-width digits (７５９４３９．１): parse_amount reads the half-width form.
        text = "".join(to_half_width(text).split())
        if PLAIN_AMOUNT.fullmatch(text):
            return Decimal(text).quantize(FEN)
        match = _DECORATED_AMOUNT.fullmatch(text)
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
