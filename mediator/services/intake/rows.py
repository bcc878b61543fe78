"""A checked referral row as the intake hands it from the checks to the writer, and the helpers for
raw cells that every part of the intake shares.

Rows are plain tuples, not objects: 100,000 of them stay small, are quick to build and cross to the
writer process cheaply. Amounts are integer fen (exact: checked to two places; Money stores fen too).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Final

from mediator.domain.validators import to_half_width

# (row number, case number, name, id type, id number, phone, account, address, agent, claimed fen,
# agreed fen, company)
Row = tuple[
    int,
    str,
    str,
    str,
    str,
    str | None,
    str | None,
    str | None,
    str | None,
    int,
    int | None,
    str | None,
]

# Positions in a Row (Final, so that the type checker knows each position's type).
NUMBER: Final = 0
CASE_NUMBER: Final = 1
NAME: Final = 2
ID_TYPE: Final = 3
ID_NUMBER: Final = 4
PHONE: Final = 5
ACCOUNT: Final = 6
ADDRESS: Final = 7
AGENT: Final = 8
CLAIMED: Final = 9
AGREED: Final = 10
COMPANY: Final = 11

_COMPANY_SEPARATORS = re.compile(r"[、，,;；/]| 及 |等$")


def company_head(name: str) -> str:
    """The listed company in a 被告 cell that also names co-defendants: "甲公司、乙会计师事务所" → 甲公司."""
    compact = "".join(to_half_width(name).split())
    return _COMPANY_SEPARATORS.split(compact, maxsplit=1)[0]


def is_blank(cell: object) -> bool:
    return cell is None or cell == "" or (isinstance(cell, str) and not cell.strip())


def display_value(value: object) -> str:
    """A cell as the clerk typed it: 12345.0 → "12345", dates as 2025-03-03."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
