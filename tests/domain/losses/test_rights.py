"""复权: a 10转10 on 2024-02-01, before 揭露日, checked by hand.

The worked example's market (worked_example.py) is the one of 揭露日's shares. Before the event the
raw data is in the old shares: close 24.00 (12.00 × 2), volume 1,000,000, float 50,000,000, factor 1;
from 2024-02-01 the factor is 2 (= F₀, the factor of 揭露日), the figures as in the example.

王五 buys 1000 @ 24.00 on 2024-01-10 (F = 1) and sells 1500 @ 8.50 on 2024-03-05 (F = 2).
Restated: the buy is 1000 × 2 ÷ 1 = 2000 shares at 24000 ÷ 2000 = 12.00. Without the adjustment the
sell of 1500 is more than the 1000 held.
- 基准日 2024-03-18, 基准价 8.00 (the days from 揭露日 have F = F₀: unchanged).
- Sold part (12.00 − 8.50) × 1500 = 5250.00; held part (12.00 − 8.00) × 500 = 2000.00; loss 7250.00.
- Risk: stock 12.00 → (1500 × 8.50 + 500 × 8.00) ÷ 2000 = 8.375, fall 30.2083 %; index 3000 → 2940,
  fall 2 %; 2 ÷ 30.2083 = 6.6207 % → 6.62 %; 7250 × 0.0662 = 479.95; net 6770.05.
- Commission 6770.05 × 0.0003 = 2.031 → 2.03; stamp duty × 0.0005 = 3.385 → 3.39; total 6775.47.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from mediator.domain.losses.base_day import MarketDay
from mediator.domain.losses.calculation import LossParameters, calculate_loss
from mediator.domain.losses.rights import adjust_market, adjust_trades, has_factors
from mediator.domain.losses.trades import Side, Trade, check_trades
from tests.domain.losses import worked_example as ex

EVENT = date(2024, 2, 1)
PARAMETERS = LossParameters(ex.IMPLEMENTED_ON, ex.DISCLOSED_ON, rights_adjusted=True)


def raw_market() -> list[MarketDay]:
    """The worked example's market as the exchange printed it, with the vendor's 复权因子."""
    days = []
    for day in ex.market():
        if day.day < EVENT:
            days.append(
                replace(
                    day,
                    close=day.close * 2,
                    volume=day.volume / 2,
                    float_shares=day.float_shares / 2,
                    factor=Decimal(1),
                )
            )
        else:
            days.append(replace(day, factor=Decimal(2)))
    return days


def raw_trades() -> list[Trade]:
    return [
        Trade(date(2024, 1, 10), Side.BUY, 1000, Decimal("24.00"), 2),
        Trade(date(2024, 3, 5), Side.SELL, 1500, Decimal("8.50"), 3),
    ]


def test_the_trades_are_restated_in_the_shares_of_the_disclosure_day() -> None:
    market = raw_market()
    buy, sell = adjust_trades(raw_trades(), market, ex.DISCLOSED_ON)
    assert (buy.quantity, buy.price, buy.typed) == (2000, Decimal(12), (1000, Decimal("24.00")))
    assert buy.amount == Decimal("24000.00")  # the amount paid is unchanged
    assert (sell.quantity, sell.price, sell.typed) == (1500, Decimal("8.50"), None)


def test_the_market_is_restated_the_same_way() -> None:
    adjusted = adjust_market(raw_market(), ex.DISCLOSED_ON)
    by_day = {day.day: day for day in adjusted}
    before = by_day[date(2024, 1, 10)]
    assert (before.close, before.volume, before.float_shares) == (
        Decimal(12),
        Decimal(2_000_000),
        Decimal(100_000_000),
    )
    assert by_day[date(2024, 3, 18)].close == Decimal("7.50")
    # No factor column: nothing changes.
    assert adjust_market(ex.market(), ex.DISCLOSED_ON) == ex.market()
    assert not has_factors(ex.market())


def test_without_the_adjustment_the_sell_looks_like_shares_never_held() -> None:
    days = [day.day for day in raw_market()]
    [problem] = check_trades(raw_trades(), days)
    assert problem.row == 3 and "1500" in problem.message
    assert check_trades(adjust_trades(raw_trades(), raw_market(), ex.DISCLOSED_ON), days) == []


def test_the_loss_after_the_adjustment_to_the_fen() -> None:
    market = adjust_market(raw_market(), ex.DISCLOSED_ON)
    trades = adjust_trades(raw_trades(), raw_market(), ex.DISCLOSED_ON)
    result = calculate_loss("王五", "", trades, market, PARAMETERS)
    assert (result.base.day, result.base.price) == (date(2024, 3, 18), Decimal(8))
    assert result.legs.average_in == Decimal(12)
    assert result.investment_loss == Decimal("7250.00")
    assert result.risk_deduction_pct == Decimal("6.62")
    assert (result.deduction, result.net_loss) == (Decimal("479.95"), Decimal("6770.05"))
    assert (result.commission, result.stamp_duty) == (Decimal("2.03"), Decimal("3.39"))
    assert result.total == Decimal("6775.47")
    assert result.steps[0].label == "复权调整"


def test_a_factor_without_an_event_changes_nothing() -> None:
    """A factor that is the same on every day (no event) gives the worked example's figures."""
    market = [replace(day, factor=Decimal("1.5")) for day in ex.market()]
    trades = adjust_trades(ex.trades(), market, ex.DISCLOSED_ON)
    result = calculate_loss("张三", "", trades, adjust_market(market, ex.DISCLOSED_ON), PARAMETERS)
    assert result.total == Decimal(ex.EXPECTED["mwa"][7])
