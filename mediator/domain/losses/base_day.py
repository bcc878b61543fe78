"""基准日 and 基准价 (法释〔2022〕2号 Art. 26), from the daily market data of the stock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mediator.errors import UserError
from mediator.i18n import _

# Art. 26: no earlier than the 10th and no later than the 30th trading day from 揭露日.
EARLIEST_DAY = 10
LATEST_DAY = 30


@dataclass(frozen=True)
class MarketDay:
    """One trading day of the stock: close, centralised-trading volume and tradable float (shares)."""

    day: date
    close: Decimal
    volume: Decimal
    float_shares: Decimal
    index_close: Decimal | None = None
    row: int | None = None
    factor: Decimal | None = None  # cumulative ex-rights adjustment factor (复权因子), if given


@dataclass(frozen=True)
class BaseDay:
    """The 基准日, the 基准价 and how they were found."""

    day: date
    price: Decimal  # exact mean of the closes from 揭露日 to 基准日
    days: tuple[MarketDay, ...]  # the trading days from 揭露日 to 基准日, both included
    reached_on: int | None  # trading day (1-based) on which the volume reached the float, if ≤ 30

    @property
    def ordinal(self) -> int:
        return len(self.days)

    def explanation(self) -> str:
        if self.reached_on is None:
            return _("自揭露日起 30 个交易日内累计成交量未达流通股本的 100%，以第 30 个交易日为基准日。")
        if self.reached_on < EARLIEST_DAY:
            return _(
                "累计成交量在第 {n} 个交易日达到流通股本的 100%，"
                "早于第 10 个交易日，以第 10 个交易日为基准日。"
            ).format(n=self.reached_on)
        return _("累计成交量在第 {n} 个交易日达到流通股本的 100%，该日为基准日。").format(n=self.reached_on)


def find_base_day(market: Sequence[MarketDay], disclosed_on: date) -> BaseDay:
    """Art. 26: the day cumulative volume from 揭露日 reaches 100% of the float, within days 10–30.

    Counting starts on 揭露日 when it is a trading day, else on the next trading day (an announcement
    made on a weekend reaches the market then). ``market`` is sorted by day. Raises ``UserError``
    when the market data ends before the 基准日 can be known.
    """
    following = [day for day in market if day.day >= disclosed_on]
    cumulative = Decimal(0)
    reached: int | None = None
    for ordinal, day in enumerate(following[:LATEST_DAY], start=1):
        cumulative += day.volume
        if cumulative >= day.float_shares:
            reached = ordinal
            break
    if reached is None and len(following) < LATEST_DAY:
        last = following[-1].day.isoformat() if following else _("揭露日之前")
        raise UserError(
            _(
                "行情数据只到 {last}，自揭露日起不足 30 个交易日且累计成交量未达流通股本，无法确定基准日。"
            ).format(last=last)
        )
    ordinal = LATEST_DAY if reached is None else max(reached, EARLIEST_DAY)
    if len(following) < ordinal:
        raise UserError(
            _("行情数据只到 {last}，不足以确定基准日（需要自揭露日起第 {n} 个交易日）。").format(
                last=following[-1].day.isoformat(), n=ordinal
            )
        )
    days = tuple(following[:ordinal])
    # Art. 26: 基准价 = the average closing price from 揭露日 to 基准日 (a plain mean of the closes).
    price = sum((day.close for day in days), Decimal(0)) / len(days)
    return BaseDay(days[-1].day, price, days, reached)
