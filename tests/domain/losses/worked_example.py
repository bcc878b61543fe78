"""The worked example shared by the domain, service and CLI tests of the loss calculator.

Market (synthetic; every weekday from 2023-12-01 to 2024-04-30 is a trading day):
- before 揭露日 2024-03-01: close 12.00, volume 2,000,000, float 100,000,000, index 3000;
- from 揭露日: volume 9,000,000 a day, index 2940; closes of the first 12 days
  9.00 8.80 8.40 8.20 8.00 7.90 7.80 7.70 7.60 7.60 7.50 7.50 (sum 96.00), then 7.50.

实施日 2024-01-02, 揭露日 2024-03-01 (Fri). Investor 张三's trades:
    2023-12-15 buy  1000 @ 10.00   before 实施日: no loss (Art. 11)
    2024-01-10 buy  2000 @ 12.00   causal window
    2024-01-22 buy  1000 @ 13.50   causal window
    2024-02-05 sell 1500 @ 14.00   sells the 1000 old shares first, then 500 causal
    2024-02-20 buy  1000 @ 11.00   causal window
    2024-03-05 sell 1000 @  8.50   揭露日..基准日: 1000 causal shares sold
    2024-03-08 buy   500 @  8.00   after 揭露日: no loss (Art. 11)
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from mediator.domain.losses.base_day import MarketDay
from mediator.domain.losses.trades import Side, Trade

IMPLEMENTED_ON = date(2024, 1, 2)
DISCLOSED_ON = date(2024, 3, 1)
CLOSES_AFTER = (
    "9.00",
    "8.80",
    "8.40",
    "8.20",
    "8.00",
    "7.90",
    "7.80",
    "7.70",
    "7.60",
    "7.60",
    "7.50",
    "7.50",
)
FLOAT = Decimal(100_000_000)


def trading_days(first: date = date(2023, 12, 1), last: date = date(2024, 4, 30)) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def market() -> list[MarketDay]:
    rows = []
    after = 0
    for day in trading_days():
        if day < DISCLOSED_ON:
            rows.append(MarketDay(day, Decimal("12.00"), Decimal(2_000_000), FLOAT, Decimal(3000)))
        else:
            close = Decimal(CLOSES_AFTER[after]) if after < len(CLOSES_AFTER) else Decimal("7.50")
            rows.append(MarketDay(day, close, Decimal(9_000_000), FLOAT, Decimal(2940)))
            after += 1
    return rows


# (day, side, quantity, price) as the trades file lists them.
TRADES = (
    (date(2023, 12, 15), Side.BUY, 1000, "10.00"),
    (date(2024, 1, 10), Side.BUY, 2000, "12.00"),
    (date(2024, 1, 22), Side.BUY, 1000, "13.50"),
    (date(2024, 2, 5), Side.SELL, 1500, "14.00"),
    (date(2024, 2, 20), Side.BUY, 1000, "11.00"),
    (date(2024, 3, 5), Side.SELL, 1000, "8.50"),
    (date(2024, 3, 8), Side.BUY, 500, "8.00"),
)


def trades() -> list[Trade]:
    return [
        Trade(day, side, qty, Decimal(price), row)
        for row, (day, side, qty, price) in enumerate(TRADES, start=2)
    ]


# The figures computed by hand (see test_calculation.py), per method:
# (average buy, investment loss, deduction %, deduction, net, commission, stamp duty, total, proposed at 0.4)
EXPECTED = {
    "mwa": ("12.0714", "13750.00", "6.15", "845.63", "12904.37", "3.87", "6.45", "12914.69", "5165.88"),
    "fifo": ("12.1429", "14000.00", "6.07", "849.80", "13150.20", "3.95", "6.58", "13160.73", "5264.29"),
    "actual": ("11.8571", "13000.00", "6.38", "829.40", "12170.60", "3.65", "6.09", "12180.34", "4872.14"),
    "wavg": ("12.1250", "13937.50", "6.09", "848.79", "13088.71", "3.93", "6.54", "13099.18", "5239.67"),
    "arith": ("12.1667", "14083.34", "6.05", "852.04", "13231.30", "3.97", "6.62", "13241.89", "5296.76"),
}
