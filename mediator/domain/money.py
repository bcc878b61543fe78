"""Money: amounts are ``Decimal`` yuan with two places (fen), never float.

``parse_amount`` reads what clerks type or spreadsheets hold, ``rmb_upper`` writes the uppercase
amount (大写金额) that agreements carry next to the figures, ``format_money`` the figures.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mediator.domain.validators import to_half_width
from mediator.errors import ValidationError
from mediator.i18n import _

FEN = Decimal("0.01")
# The largest amount rmb_upper can write: its biggest unit is 亿, so up to 9999亿.
MAX_AMOUNT = Decimal("999999999999.99")

_FIELD = "amount"


def to_money(value: Decimal | int | str) -> Decimal:
    """Quantize to fen, half up. Floats are refused: money is never float."""
    if isinstance(value, float | bool):
        raise TypeError(f"money is never float or bool, got {value!r}; pass a str or Decimal")
    try:
        amount = Decimal(value)
        if not amount.is_finite():
            raise InvalidOperation
        return amount.quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        # Not a number, NaN/Infinity, or too many digits for the context to quantize.
        raise ValidationError(
            _("无法识别的金额：{value}。").format(value=value), field=_FIELD, value=value
        ) from None


# What clerks put around the figures: currency marks before, 元/元整 after.
_PREFIXES = ("人民币", "RMB", "CNY", "￥", "¥")
_SUFFIXES = ("元整", "元正", "圆整", "圆正", "元", "圆", "整", "正")
# Thousands separators only in groups of three ("12,5" may be a European decimal comma: refuse it).
_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?")
_MINUS_SIGNS = ("-", "−", "－")


def _amount_from_text(text: str) -> Decimal:
    value = "".join(to_half_width(text).split()).upper()
    for prefix in _PREFIXES:
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if value.endswith(suffix):
            value = value[: -len(suffix)]
            break
    negative = value.startswith(_MINUS_SIGNS)
    if negative:
        value = value[1:]
    if not _NUMBER.fullmatch(value):
        raise ValidationError(_("无法识别的金额：{value}。").format(value=text), field=_FIELD, value=text)
    amount = Decimal(value.replace(",", ""))
    return -amount if negative else amount


def parse_amount(text: object, *, allow_zero: bool = False) -> Decimal:
    """Read an amount as typed ("12,345.67元", "￥8000", "７５９４３９.１") or as a spreadsheet holds it.

    Refuses empty, non-numeric, negative, zero (unless ``allow_zero``), more than two decimal
    places (never rounds silently) and amounts above 9999亿.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        raise ValidationError(_("请填写金额。"), field=_FIELD, value=text)
    shown = repr(text) if isinstance(text, float) else str(text).strip()
    if isinstance(text, bool):
        raise ValidationError(_("无法识别的金额：{value}。").format(value=shown), field=_FIELD, value=text)
    if isinstance(text, float):
        # Spreadsheet readers return floats; repr() is the shortest text that round-trips, so
        # 759439.1 stays 759439.1 while 0.1 + 0.2 shows its extra digits and is refused below.
        amount = Decimal(repr(text))
    elif isinstance(text, int | Decimal):
        amount = Decimal(text)
    elif isinstance(text, str):
        amount = _amount_from_text(text)
    else:
        raise ValidationError(_("无法识别的金额：{value}。").format(value=shown), field=_FIELD, value=text)
    if not amount.is_finite():
        raise ValidationError(_("无法识别的金额：{value}。").format(value=shown), field=_FIELD, value=text)
    if amount < 0:
        raise ValidationError(_("金额不能为负数：{value}。").format(value=shown), field=_FIELD, value=text)
    if amount > MAX_AMOUNT:
        raise ValidationError(_("金额过大，请核对：{value}。").format(value=shown), field=_FIELD, value=text)
    if amount != amount.quantize(FEN):
        raise ValidationError(
            _("金额最多保留两位小数（到分），请核对：{value}。").format(value=shown), field=_FIELD, value=text
        )
    if amount == 0 and not allow_zero:
        raise ValidationError(_("金额不能为零。"), field=_FIELD, value=text)
    return to_money(amount)


_UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("仟", "佰", "拾", "")
_GROUP_UNITS = ("亿", "万", "")


def _upper_yuan(yuan: int) -> str:
    """The integer part in uppercase, without 元 (yuan > 0)."""
    out: list[str] = []
    skipped_group = False
    for group, unit in zip((yuan // 10**8, yuan // 10**4 % 10**4, yuan % 10**4), _GROUP_UNITS, strict=True):
        if group == 0:
            skipped_group = bool(out)
            continue
        digits = f"{group:04d}"
        # PBoC: zeros running across a 万/亿 boundary are written as one 零 when a whole group is
        # zero or the group starts with 0 (壹亿零壹万); zeros that only end the previous group may
        # be left out when the next 仟 digit is not 0 (叁仟零壹拾万伍仟, 壹拾万柒仟): we leave them out.
        pending_zero = bool(out) and (skipped_group or digits[0] == "0")
        started = False
        for digit, place in zip(digits, _PLACES, strict=True):
            if digit == "0":
                pending_zero = pending_zero or started
                continue
            if pending_zero:
                out.append("零")  # PBoC: a run of 0 between digits is one 零
            out.append(_UPPER_DIGITS[int(digit)] + place)
            pending_zero, started = False, True
        out.append(unit)
        skipped_group = False
    return "".join(out)


def rmb_upper(amount: Decimal | int | str) -> str:
    """The PBoC uppercase form of an amount, e.g. 1409.50 → 壹仟肆佰零玖元伍角."""
    value = to_money(amount)
    if value < 0:
        raise ValueError(f"negative amount has no uppercase form: {value}")
    if value > MAX_AMOUNT:
        raise ValueError(f"amount above 9999亿 has no uppercase form here: {value}")
    yuan, cents = divmod(int(value * 100), 100)
    jiao, fen = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    parts: list[str] = []
    if yuan:
        parts += [_upper_yuan(yuan), "元"]
    if cents == 0:
        return "".join(parts) + "整"  # PBoC: 整 after 元 when there are no 角/分
    if jiao:
        if yuan and yuan % 10 == 0:
            parts.append("零")  # PBoC: 元 digit 0, 角 not 0: 零 may be written; we write it
        parts.append(_UPPER_DIGITS[jiao] + "角")
    if fen:
        if yuan and not jiao:
            parts.append("零")  # PBoC: 角 is 0 and 分 is not: write 零
        parts.append(_UPPER_DIGITS[fen] + "分")
    # PBoC: 整 may be left out after 角 and is never written after 分.
    return "".join(parts)


def format_money(amount: Decimal) -> str:
    """Figures with thousands separators and two places: 12,345.67."""
    return f"{to_money(amount):,.2f}"
