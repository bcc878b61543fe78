"""Spreadsheet cells written safely with xlsxwriter: text stays text, money stays exact.

Text that begins with = + - @ would be taken for a formula by a spreadsheet program (formula
injection from a name or an address typed by someone else). Every text cell is written with
``write_string`` (never evaluated), and such cells also get Excel's quote prefix, so editing the
cell later does not turn it into a formula either.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@")


class SafeSheet:
    """A worksheet wrapper whose writers keep text as text and money exact."""

    def __init__(self, workbook: Any, sheet: Any) -> None:
        self.workbook = workbook
        self.sheet = sheet
        self._quoted: dict[int, Any] = {}

    def _quote_format(self, cell_format: Any) -> Any:
        key = id(cell_format)
        if key not in self._quoted:
            properties = dict(getattr(cell_format, "_mediator_properties", {}) or {})
            properties["quote_prefix"] = True
            quoted = self.workbook.add_format(properties)
            self._quoted[key] = quoted
        return self._quoted[key]

    def text(self, row: int, column: int, value: object, cell_format: Any = None) -> None:
        """A string cell (names, 案号, ID numbers), never a formula or a number."""
        text = "" if value is None else str(value)
        if text.startswith(FORMULA_STARTS):
            cell_format = self._quote_format(cell_format)
        self.sheet.write_string(row, column, text, cell_format)

    def money(self, row: int, column: int, amount: Decimal | None, cell_format: Any = None) -> None:
        """A ``Decimal`` amount as a number cell; converted through ``str`` at the cell, no float math."""
        if amount is None:
            self.sheet.write_blank(row, column, None, cell_format)
            return
        # xlsx stores doubles; the shortest decimal text of a 2-place amount reads back to the same cents.
        self.sheet.write_number(row, column, float(str(amount)), cell_format)

    def day(self, row: int, column: int, value: date | None, cell_format: Any = None) -> None:
        if value is None:
            self.sheet.write_blank(row, column, None, cell_format)
        else:
            self.sheet.write_string(row, column, value.isoformat(), cell_format)


def add_format(workbook: Any, properties: dict[str, Any]) -> Any:
    """``workbook.add_format`` that remembers its properties (to derive a quote-prefixed twin)."""
    cell_format = workbook.add_format(properties)
    cell_format._mediator_properties = dict(properties)
    return cell_format
