"""Reading the company's offers list and a payment list with the referral intake's reader.

The files come as messy as court lists (.xlsx/.xls/.ods or CSV in any of the Chinese encodings,
title rows above the header, full-width digits, ￥ and 元): ``intake.reader`` opens them, the header
row is found among the first rows by the synonyms of ``domain.payment_headers``, and every problem
is a ``RowError`` (file, row as Excel shows it, column as typed) shown with the intake's table.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from mediator.domain import referral_headers as rh
from mediator.errors import ValidationError
from mediator.i18n import _
from mediator.services.calendar import parse_day
from mediator.services.intake import checks
from mediator.services.intake.reader import FileProblem, column_letter, open_rows
from mediator.services.intake.report import RowError
from mediator.services.intake.rows import display_value, is_blank

# Excel counts days from 1899-12-30; a number in a date column that is not formatted as a date.
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass
class Sheet:
    """A list whose header row was found: the headers as typed and the data rows below them."""

    path: Path
    header_number: int  # the header's row number as Excel shows it
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.path)

    def header(self, column: int) -> str:
        if column < len(self.headers) and self.headers[column]:
            return self.headers[column]
        return _("第{letter}列").format(letter=column_letter(column))

    def problem(
        self, row: int | None, column: int | None, value: object, message: str, field: str | None = None
    ) -> RowError:
        """A problem at ``row`` (None: the file's) and ``column``; ``field`` "id_number" masks it."""
        shown = "" if column is None else self.header(column)
        return RowError(self.name, row, shown, display_value(value), message, field)


def cell(cells: Sequence[Any], column: int | None) -> Any:
    if column is None or column >= len(cells):
        return None
    return cells[column]


def read_sheet(
    path: Path, find_header: Callable[[Sequence[Sequence[object]]], int | None], missing: str
) -> Sheet:
    """Open ``path`` and find its header with ``find_header`` (the index among the first rows, or
    None, then ``FileProblem(missing)``). Blank rows and a 合计 row are left out."""
    source = open_rows(path)
    head = list(itertools.islice(source.rows, rh.HEADER_SCAN_ROWS))
    index = find_header([cells for _number, cells in head])
    if index is None:
        raise FileProblem(missing)
    header_number, header_cells = head[index]
    headers = [display_value(value).strip() for value in header_cells]
    sheet = Sheet(path, header_number, headers)
    for number, cells in itertools.chain(head[index + 1 :], source.rows):
        if all(is_blank(value) for value in cells):
            continue
        if any(rh.is_total_label(value) for value in cells[:3]):
            continue
        sheet.rows.append((number, list(cells)))
    return sheet


def read_file(
    path: str | Path, find_header: Callable[[Sequence[Sequence[object]]], int | None], missing: str
) -> Sheet | RowError:
    """``read_sheet``, or the file's one problem (unreadable, no header) as a ``RowError``."""
    try:
        return read_sheet(Path(path), find_header, missing)
    except FileProblem as exc:
        return RowError(str(path), None, "", "", str(exc))


def date_cell(value: object) -> date:
    """A date as a spreadsheet holds it (a date cell, or 2025-06-30 / 2025年9月30日 typed as text,
    full width too, or an unformatted Excel day number)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_day(value)
    if is_blank(value):
        raise ValidationError(_("请填写日期。"), field="date", value=value)
    return parse_day(str(value))


def _excel_day(value: float) -> date:
    """An unformatted Excel day number (45838 → 2025-06-30); other numbers are not dates."""
    if 20000 <= value <= 80000 and float(value).is_integer():
        return _EXCEL_EPOCH + timedelta(days=int(value))
    raise ValidationError(
        _("无法识别的日期：{text}（请写作2026-10-01或2026年10月1日）。").format(text=display_value(value)),
        field="date",
        value=value,
    )


def amount_cell(value: object) -> Decimal:
    """An amount typed the messy ways (12,345.67元, ￥8000, ７５９４３９.１)."""
    if is_blank(value):
        raise ValidationError(_("请填写金额。"), field="amount", value=value)
    return checks.amount(value)


def case_number_cell(value: object) -> str:
    if is_blank(value):
        raise ValidationError(_("请填写案号。"), field="case_number", value=value)
    return checks.case_number(value)
