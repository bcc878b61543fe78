"""Ex-rights adjustment (复权) of the market data and the trades, when the market file carries a factor.

A 送股 / 转增 / 配股 (or a cash dividend) between a buy and 基准日 changes the number of shares and
the price: 1,000 shares bought at 10.00 are 2,000 shares at about 5.00 after 10转10. Without an
adjustment the buy price cannot be compared with 基准价, and a later sell of the 2,000 shares looks
like a sell of shares never held. The market file may therefore carry the cumulative adjustment
factor (复权因子, as data vendors publish it: it grows at each ex-rights or ex-dividend day, and the
后复权 price is close × factor).

Every figure is restated in the shares and prices of 揭露日: the factor F₀ of 揭露日 (of the first
trading day from it) is the reference, and for a day with factor F

    quantity' = quantity × F₀ ÷ F     (whole shares, half up; price' = amount ÷ quantity', so the
                                        trade's amount is unchanged)
    close'    = close × F ÷ F₀        (前复权 to 揭露日)
    volume'   = volume × F₀ ÷ F, float' = float × F₀ ÷ F   (shares in the same basis)

Check with 10转10 before 揭露日 (F: 1 → 2, so F₀ = 2): 1,000 shares bought at 10.00 before the event
count as 1,000 × 2 ÷ 1 = 2,000 shares at 5.00; a close of 10.00 on that day as 10.00 × 1 ÷ 2 = 5.00.

The loss does not depend on the basis chosen (prices scale one way, shares the other); it only
makes the printed prices and shares those of 揭露日. A trade on a day outside the market file takes
the factor of the nearest trading day before it (or the first one). Bonus-share rows of a broker's
export (红股入账) must then be left out: the factor already counts those shares.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from mediator.domain.losses.base_day import MarketDay
from mediator.domain.losses.trades import Trade


def has_factors(market: Sequence[MarketDay]) -> bool:
    """True when the market data carries an adjustment factor on its days."""
    return any(day.factor is not None for day in market)


def reference_factor(market: Sequence[MarketDay], disclosed_on: date) -> Decimal:
    """F₀: the factor of 揭露日 (or of the first trading day after it; the last day if none)."""
    for day in market:
        if day.day >= disclosed_on and day.factor is not None:
            return day.factor
    return _factor_on(market, disclosed_on)


def _factor_on(market: Sequence[MarketDay], day: date) -> Decimal:
    days = [m.day for m in market]
    index = bisect.bisect_right(days, day) - 1
    chosen = market[max(index, 0)]
    return chosen.factor if chosen.factor is not None else Decimal(1)


def adjust_market(market: Sequence[MarketDay], disclosed_on: date) -> list[MarketDay]:
    """The market days restated in 揭露日's prices and shares (unchanged without factors)."""
    if not has_factors(market):
        return list(market)
    reference = reference_factor(market, disclosed_on)
    adjusted = []
    for day in market:
        factor = day.factor if day.factor is not None else reference
        shares = reference / factor
        adjusted.append(
            replace(
                day,
                close=day.close * factor / reference,
                volume=day.volume * shares,
                float_shares=day.float_shares * shares,
            )
        )
    return adjusted


def adjust_trades(trades: Sequence[Trade], market: Sequence[MarketDay], disclosed_on: date) -> list[Trade]:
    """Trades restated in 揭露日's shares and prices; each keeps its amount and its typed figures."""
    if not has_factors(market):
        return list(trades)
    reference = reference_factor(market, disclosed_on)
    adjusted = []
    for trade in trades:
        factor = _factor_on(market, trade.day)
        if factor == reference:
            adjusted.append(trade)
            continue
        quantity = int((trade.quantity * reference / factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        quantity = max(quantity, 1)
        price = trade.price * trade.quantity / quantity
        adjusted.append(replace(trade, quantity=quantity, price=price, typed=(trade.quantity, trade.price)))
    return adjusted
