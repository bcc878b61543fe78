"""Trade records of one investor and the checks a trade list must pass before any loss is computed."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mediator.i18n import _


class Side(enum.Enum):
    BUY = "buy"
    SELL = "sell"

    @property
    def label(self) -> str:
        return _("买入") if self is Side.BUY else _("卖出")


@dataclass(frozen=True)
class Trade:
    """One execution as the broker exported it; ``row`` is the row the user sees in the file."""

    day: date
    side: Side
    quantity: int
    price: Decimal
    row: int | None = None
    # (quantity, price) as typed, when 复权 restated them (see ``rights``); None otherwise.
    typed: tuple[int, Decimal] | None = None

    @property
    def amount(self) -> Decimal:
        return self.price * self.quantity


@dataclass(frozen=True)
class TradeProblem:
    """A trade that makes the list unusable; ``column`` is a field key of ``headers`` (or None)."""

    row: int | None
    column: str | None
    message: str


def in_order(trades: Iterable[Trade]) -> list[Trade]:
    """Trades by day, sells before buys on the same day, file order otherwise.

    A-shares settle T+1: a share bought today cannot be sold today, so a same-day sell always
    sells shares held from before, whatever order the broker listed them in.
    """
    indexed = list(enumerate(trades))
    indexed.sort(key=lambda item: (item[1].day, item[1].side is Side.BUY, item[0]))
    return [trade for _index, trade in indexed]


def check_trades(trades: Sequence[Trade], trading_days: Sequence[date]) -> list[TradeProblem]:
    """Every problem of one investor's trades: a day the market was closed, a sell of shares not held.

    ``trading_days`` (sorted) are the days of the market file; a trade outside its range cannot be
    checked against it and is accepted here (the calculation asks for the days it needs).
    """
    problems: list[TradeProblem] = []
    known = set(trading_days)
    first, last = (trading_days[0], trading_days[-1]) if trading_days else (None, None)
    for trade in trades:
        inside = first is not None and last is not None and first <= trade.day <= last
        if inside and trade.day not in known:
            message = _("{day} 不是交易日（行情文件中没有这一天）。").format(day=trade.day.isoformat())
            problems.append(TradeProblem(trade.row, "trade_date", message))
    held = 0
    for trade in in_order(trades):
        if trade.side is Side.BUY:
            held += trade.quantity
            continue
        if trade.quantity > held:
            message = _("卖出 {sold} 股超过当时持股 {held} 股（缺少更早的买入记录？）。").format(
                sold=trade.quantity, held=held
            )
            problems.append(TradeProblem(trade.row, "quantity", message))
            held = 0
        else:
            held -= trade.quantity
    return problems
