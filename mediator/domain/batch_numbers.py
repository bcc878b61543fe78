"""Batch numbers as the court writes them: 第15批, 第十五批, 15, ｢第１５批｣ — the one parser."""

from __future__ import annotations

import re

from mediator.domain.validators import to_half_width
from mediator.errors import UserError
from mediator.i18n import _

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = r"([0-9]+|[零〇一二两三四五六七八九十百]+)"
_IN_TITLE = re.compile(rf"第{_NUMBER}批")
# Digits stand alone ("15"); Chinese numerals only as the court writes them, framed by 第…批.
_WHOLE = re.compile(r"第?([0-9]+)批?|第([零〇一二两三四五六七八九十百]+)批")


def chinese_number(text: str) -> int | None:
    """十五 → 15, 一百零二 → 102, 15 → 15 (batch numbers up to 999)."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        elif char == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            return None
    return total + digit


def _compact(text: str) -> str:
    return "".join(to_half_width(text).split())


def batch_number_in(text: str) -> int | None:
    """The batch number inside a title such as 南京市中级人民法院委派调解案件清单（第15批）."""
    match = _IN_TITLE.search(_compact(text))
    if not match:
        return None
    return chinese_number(match[1]) or None


def parse_batch_number(text: str | int) -> int:
    """The batch a user named: "第15批", "第十五批", "15" or " 第１５批 "; anything else is refused."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    match = _WHOLE.fullmatch(_compact(str(text)))
    number = chinese_number(match[1] or match[2]) if match else None
    if not number:
        raise UserError(_("无法识别的批次“{text}”：请写作“第15批”或“15”。").format(text=str(text).strip()))
    return number
