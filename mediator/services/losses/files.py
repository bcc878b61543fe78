"""Reading the calculator's two files: the stock's daily market data and the investors' trades.

Both open as the referral lists do (``intake.reader``: .xlsx/.xls/.ods through python-calamine, CSV
in UTF-8 or GB18030); the column names come from ``domain.losses.headers``. Every problem is
collected with its file, row and column, and the caller computes nothing when there is one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from mediator.domain.losses import headers as h
from mediator.domain.losses.base_day import MarketDay
from mediator.domain.losses.trades import Trade
from mediator.domain.referral_headers import date_in, is_total_label
from mediator.domain.validators import to_half_width
from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.intake.reader import FileProblem, open_rows

HEADER_SCAN_ROWS = 20
_COMPACT_DATE = re.compile(r"((?:19|20)\d{2})(\d{2})(\d{2})")
_NUMBER_MARKS = ("￥", "¥", "元", "股", "手", "点", ",", "，")


@dataclass(frozen=True)
class InputProblem:
    """A problem of an input file: the file, the row as Excel shows it, the column as typed."""

    file: str
    row: int | None
    column: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}

    def as_text(self) -> str:
        where = self.file
        if self.row is not None:
            where += _("，第 {row} 行").format(row=self.row)
        if self.column:
            where += _("，“{column}”列").format(column=self.column)
        return f"{where}：{self.message}"


class LossInputProblems(UserError):
    """The input files have problems; nothing was computed. ``problems`` names each one."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        super().__init__(_("输入文件有 {count} 个问题，未计算。").format(count=len(problems)))
        self.problems = list(problems)


@dataclass(frozen=True)
class MarketData:
    days: tuple[MarketDay, ...]
    index_name: str


@dataclass(frozen=True)
class TradesData:
    """The investors of a trades file and its column headers as typed (for problem reports)."""

    investors: list[InvestorTrades]
    titles: Mapping[str, str]


@dataclass
class InvestorTrades:
    """One investor's trades (grouped by name and ID number, in file order)."""

    name: str
    id_number: str
    trades: list[Trade] = field(default_factory=list)


def number_of(value: object) -> Decimal:
    """A number as a sheet holds it or as typed ("1,000股", "１２.５０元", 12.5); ValueError if not."""
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # calamine's float → its shortest exact text, never float maths
    if isinstance(value, int | Decimal):
        return Decimal(value)
    text = "".join(to_half_width(str(value)).split())
    for mark in _NUMBER_MARKS:
        text = text.replace(mark, "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def day_of(value: object) -> date:
    """A date cell: a real date, 20240105 (as number or text), 2024-01-05, 2024/1/5, 2024年1月5日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "".join(to_half_width(str(value)).split()) if value is not None else ""
    compact = _COMPACT_DATE.fullmatch(text)
    if compact:
        try:
            return date(int(compact[1]), int(compact[2]), int(compact[3]))
        except ValueError:
            pass
    found = date_in(text)
    if found is None:
        raise ValueError(value)
    return found


def _cell(cells: Sequence[object], columns: h.Columns, key: str) -> object:
    position = columns.positions[key]
    value = cells[position] if position < len(cells) else None
    return value.strip() or None if isinstance(value, str) else value


def _blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _rows(path: Path, problems: list[InputProblem]) -> list[tuple[int, list[Any]]] | None:
    try:
        sheet = open_rows(path)
        return list(sheet.rows)
    except FileProblem as exc:
        problems.append(InputProblem(path.name, None, None, str(exc)))
        return None


def _header(
    path: Path,
    rows: list[tuple[int, list[Any]]],
    synonyms: Mapping[str, tuple[str, ...]],
    required: Sequence[str],
    problems: list[InputProblem],
) -> h.Columns | None:
    columns, missing = h.find_columns([cells for _n, cells in rows[:HEADER_SCAN_ROWS]], synonyms, required)
    if columns is None:
        names = "、".join(_(h.FIELD_LABELS[key]) for key in missing)
        problems.append(
            InputProblem(path.name, None, None, _("找不到表头：缺少 {names} 列。").format(names=names))
        )
    return columns


class _RowReader:
    """Reads the fields of one row, collecting a problem for each unusable cell."""

    def __init__(self, file: str, row: int, cells: Sequence[object], columns: h.Columns) -> None:
        self.file, self.row, self.cells, self.columns = file, row, cells, columns
        self.problems: list[InputProblem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(InputProblem(self.file, self.row, self.columns.titles.get(key), message))

    def raw(self, key: str) -> object:
        return _cell(self.cells, self.columns, key)

    def number(self, key: str, *, positive: bool = True) -> Decimal | None:
        value = self.raw(key)
        if value is None:
            self.problem(key, _("缺少{field}。").format(field=_(h.FIELD_LABELS[key])))
            return None
        try:
            number = number_of(value) * self.columns.factors.get(key, Decimal(1))
        except ValueError:
            self.problem(key, _("无法识别的数字：{value}。").format(value=value))
            return None
        if positive and number <= 0:
            self.problem(key, _("应为正数：{value}。").format(value=value))
            return None
        return number

    def day(self, key: str) -> date | None:
        value = self.raw(key)
        try:
            return day_of(value)
        except ValueError:
            shown = value if value is not None else _("（空）")
            self.problem(key, _("无法识别的日期：{value}（请写作 2024-01-05）。").format(value=shown))
            return None


def read_market(path: Path) -> tuple[MarketData | None, list[InputProblem]]:
    """The market file's trading days, sorted; every row needs a close, volume, float and index close."""
    problems: list[InputProblem] = []
    rows = _rows(path, problems)
    if rows is None:
        return None, problems
    columns = _header(path, rows, h.MARKET_SYNONYMS, h.MARKET_REQUIRED, problems)
    if columns is None:
        return None, problems
    days: dict[date, MarketDay] = {}
    for number, cells in rows[columns.index + 1 :]:
        if _blank(cells) or is_total_label(_cell(cells, columns, h.TRADING_DAY)):
            continue
        reader = _RowReader(path.name, number, cells, columns)
        day = reader.day(h.TRADING_DAY)
        close = reader.number(h.CLOSE)
        volume = reader.number(h.VOLUME, positive=False)
        float_shares = reader.number(h.FLOAT_SHARES)
        index_close = reader.number(h.INDEX_CLOSE)
        # 复权因子 is optional; a column that is there must be filled on every row.
        factor = reader.number(h.ADJ_FACTOR) if h.ADJ_FACTOR in columns.positions else None
        if volume is not None and volume < 0:
            reader.problem(h.VOLUME, _("成交量不能为负数。"))
        if day is not None and day in days:
            reader.problem(
                h.TRADING_DAY, _("{day} 重复出现（第 {row} 行已有）。").format(day=day, row=days[day].row)
            )
        problems += reader.problems
        if reader.problems or None in (day, close, volume, float_shares, index_close):
            continue
        assert day is not None and close is not None and volume is not None and float_shares is not None
        days[day] = MarketDay(day, close, volume, float_shares, index_close, number, factor)
    if not days and not problems:
        problems.append(InputProblem(path.name, None, None, _("行情文件没有任何数据行。")))
    index_title = columns.titles.get(h.INDEX_CLOSE, "")
    index_name = h.normalise_header(index_title)[0] if index_title else ""
    if index_name in ("指数收盘", "指数收盘价", "指数"):
        index_name = ""
    return MarketData(tuple(days[d] for d in sorted(days)), index_name), problems


def read_trades(path: Path) -> tuple[TradesData, list[InputProblem]]:
    """The investors of the trades file, in order of first appearance, each with its trades."""
    problems: list[InputProblem] = []
    rows = _rows(path, problems)
    if rows is None:
        return TradesData([], {}), problems
    columns = _header(path, rows, h.TRADE_SYNONYMS, h.TRADE_REQUIRED, problems)
    if columns is None:
        return TradesData([], {}), problems
    investors: dict[tuple[str, str], InvestorTrades] = {}
    for number, cells in rows[columns.index + 1 :]:
        if _blank(cells) or is_total_label(_cell(cells, columns, h.INVESTOR)):
            continue
        trade, investor = _trade_row(path.name, number, cells, columns, problems)
        if trade is None or investor is None:
            continue
        key = (investor.name, investor.id_number)
        investors.setdefault(key, investor).trades.append(trade)
    if not investors and not problems:
        problems.append(InputProblem(path.name, None, None, _("交易记录文件没有任何数据行。")))
    return TradesData(list(investors.values()), columns.titles), problems


def _trade_row(
    file: str, number: int, cells: Sequence[object], columns: h.Columns, problems: list[InputProblem]
) -> tuple[Trade | None, InvestorTrades | None]:
    reader = _RowReader(file, number, cells, columns)
    name = reader.raw(h.INVESTOR)
    if name is None:
        reader.problem(h.INVESTOR, _("缺少投资者姓名。"))
    raw_id = reader.raw(h.ID_NUMBER)
    if isinstance(raw_id, float | int):
        reader.problem(h.ID_NUMBER, _("证件号码被 Excel 存为数字，末位可能已丢失，请将该列设为文本。"))
    id_number = "".join(to_half_width(str(raw_id or "")).split()).upper()
    day = reader.day(h.TRADE_DATE)
    side = h.side_of(reader.raw(h.SIDE))
    if side is None:
        reader.problem(
            h.SIDE, _("无法识别的买卖方向：{value}（应为买入或卖出）。").format(value=reader.raw(h.SIDE))
        )
    quantity = reader.number(h.QUANTITY)
    if quantity is not None and quantity != quantity.to_integral_value():
        reader.problem(h.QUANTITY, _("成交数量应为整数股：{value}。").format(value=quantity))
    price = reader.number(h.PRICE)
    problems += reader.problems
    if reader.problems or day is None or side is None or quantity is None or price is None:
        return None, None
    trade = Trade(day, side, int(quantity), price, number)
    return trade, InvestorTrades(str(name).strip(), id_number)
