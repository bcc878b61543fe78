"""The worked example (worked_example.py) checked to the fen for every method, and the rules' edges.

By hand, common to all methods:
- 基准日 (Art. 26): from 揭露日 2024-03-01 the volume adds 9,000,000 a day; day 11 makes 99,000,000,
  day 12 108,000,000 ≥ the float of 100,000,000 → 基准日 = the 12th trading day, 2024-03-18.
- 基准价: 96.00 ÷ 12 = 8.00.
- Causal shares at the eve of 揭露日: buys 2000 + 1000 + 1000 = 4000; the 2024-02-05 sell of 1500
  takes the 1000 old shares first, then 500 causal → 3500. Sold 1000 on 2024-03-05 @ 8.50 (≤ 基准日),
  held 2500. The 2024-03-08 buy carries no loss.
- Index: 3000 at every buy, 2940 at the sell and over 揭露日..基准日 → index change −2 %.
- Stock "out" price: (1000 × 8.50 + 2500 × 8.00) ÷ 3500 = 28500 ÷ 3500.
- Loss = cost − 8500 − 20000 (cost = 3500 × average buy); stock fall = loss ÷ cost;
  deduction % = 2 % ÷ stock fall, rounded to 0.01 %; commission 0.03 %, stamp duty 0.05 % (2024).

mwa: 2000 @ 12 → cost 24000; +1000 @ 13.5 → 3000 sh, 37500; sell 500 keeps the average 12.5 →
  2500 sh, 31250; +1000 @ 11 → 3500 sh, cost 42250 (avg 12.0714...).
  sold part = 42250 × 1000/3500 − 8500 = 3571.428... → 3571.43;
  held part = 42250 × 2500/3500 − 20000 = 10178.571... → 10178.57; loss 13750.00.
  fall = 13750/42250 = 32.544 %; 2/32.544 = 6.1454 % → 6.15 %; 13750 × 0.0615 = 845.625 → 845.63;
  net 12904.37; commission 3.8713 → 3.87; stamp 6.4522 → 6.45; total 12914.69; × 0.4 = 5165.876 → 5165.88.
fifo: the 500 causal sold come from the 2000 @ 12 lot → lots 1500 @ 12, 1000 @ 13.5, 1000 @ 11 =
  cost 42500 (avg 12.142857); sold 12142.857 − 8500 → 3642.86; held 30357.143 − 20000 → 10357.14;
  loss 14000.00; fall 14000/42500 = 32.941 %; 6.0714 % → 6.07 %; 849.80; net 13150.20;
  commission 3.9451 → 3.95; stamp 6.5751 → 6.58; total 13160.73; proposed 5264.292 → 5264.29.
actual: (48500 − 500 × 14) ÷ 3500 → cost 41500 (avg 11.857143); sold 11857.143 − 8500 → 3357.14;
  held 29642.857 − 20000 → 9642.86; loss 13000.00; fall 31.325 %; 6.3846 % → 6.38 %; 829.40;
  net 12170.60; commission 3.6512 → 3.65; stamp 6.0853 → 6.09; total 12180.34; proposed 4872.136 → 4872.14.
wavg: 48500 ÷ 4000 = 12.125 → cost 42437.50; sold 12125 − 8500 = 3625.00; held 30312.50 − 20000 =
  10312.50; loss 13937.50; fall 32.842 %; 6.0897 % → 6.09 %; 848.79375 → 848.79; net 13088.71;
  commission 3.9266 → 3.93; stamp 6.5444 → 6.54; total 13099.18; proposed 5239.672 → 5239.67.
arith: (12 + 13.5 + 11) ÷ 3 = 12.1667 → cost 42583.33; sold 12166.667 − 8500 → 3666.67; held
  30416.667 − 20000 → 10416.67; loss 14083.34; fall 33.072 %; 6.0473 % → 6.05 %; 852.042 → 852.04;
  net 13231.30; commission 3.9694 → 3.97; stamp 6.6157 → 6.62; total 13241.89; proposed 5296.756 → 5296.76.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from mediator.domain.losses.averages import Method
from mediator.domain.losses.base_day import find_base_day
from mediator.domain.losses.calculation import Kind, LossParameters, calculate_loss, stamp_duty_rate
from mediator.domain.losses.trades import Side, Trade, check_trades
from mediator.errors import UserError
from tests.domain.losses import worked_example as ex


def _parameters(method: str = "mwa", **changes: object) -> LossParameters:
    base = LossParameters(ex.IMPLEMENTED_ON, ex.DISCLOSED_ON, method=Method(method), ratio=Decimal("0.4"))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_base_day_and_price() -> None:
    base = find_base_day(ex.market(), ex.DISCLOSED_ON)
    assert base.day == date(2024, 3, 18)
    assert base.ordinal == 12
    assert base.reached_on == 12
    assert base.price == Decimal("8.00")


@pytest.mark.parametrize("method", sorted(ex.EXPECTED))
def test_worked_example_to_the_fen(method: str) -> None:
    result = calculate_loss("张三", "", ex.trades(), ex.market(), _parameters(method))
    average, loss, pct, deduction, net, commission, stamp, total, proposed = ex.EXPECTED[method]
    assert result.legs.shares == 3500
    assert result.legs.closed_shares == 1000
    assert result.legs.open_shares == 2500
    assert result.legs.average_in is not None
    assert str(result.legs.average_in.quantize(Decimal("0.0001"))) == average
    assert str(result.investment_loss) == loss
    assert str(result.risk_deduction_pct) == pct
    assert str(result.deduction) == deduction
    assert str(result.net_loss) == net
    assert str(result.commission) == commission
    assert str(result.stamp_duty) == stamp
    assert str(result.interest) == "0.00"
    assert str(result.total) == total
    assert str(result.proposed) == proposed


def test_every_step_cites_its_article() -> None:
    result = calculate_loss("张三", "", ex.trades(), ex.market(), _parameters())
    articles = [step.article for step in result.steps]
    for article in ("第11条", "第26条", "第27条", "第25条", "第31条"):
        assert article in articles
    assert all(step.article for step in result.steps if step.label != "建议调解金额")


def test_interest_is_an_option() -> None:
    # From the last causal buy (2024-02-20): 14 days to the sell of 1000, 27 days to 基准日 for 2500
    # → (14 × 1000 + 27 × 2500) / 3500 = 23.2857 days; 12904.37 × 0.0035 × 23.2857 / 365 = 2.8814 → 2.88.
    result = calculate_loss(
        "张三", "", ex.trades(), ex.market(), _parameters(interest_rate=Decimal("0.0035"))
    )
    assert result.interest == Decimal("2.88")
    assert result.total == Decimal("12914.69") + Decimal("2.88")


def test_stamp_duty_halved_from_2023_08_28() -> None:
    assert stamp_duty_rate(date(2023, 8, 27)) == Decimal("0.001")
    assert stamp_duty_rate(date(2023, 8, 28)) == Decimal("0.0005")


def test_base_day_no_earlier_than_the_10th_and_no_later_than_the_30th() -> None:
    days = ex.market()
    fast = [replace(d, volume=Decimal(60_000_000)) if d.day >= ex.DISCLOSED_ON else d for d in days]
    assert find_base_day(fast, ex.DISCLOSED_ON).ordinal == 10
    assert find_base_day(fast, ex.DISCLOSED_ON).reached_on == 2
    slow = [replace(d, volume=Decimal(1_000)) for d in days]
    assert find_base_day(slow, ex.DISCLOSED_ON).ordinal == 30
    assert find_base_day(slow, ex.DISCLOSED_ON).reached_on is None


def test_disclosure_on_a_weekend_counts_from_the_next_trading_day() -> None:
    base = find_base_day(ex.market(), date(2024, 3, 2))  # a Saturday
    assert base.days[0].day == date(2024, 3, 4)


def test_market_data_ending_too_early_is_refused() -> None:
    short = [d for d in ex.market() if d.day <= date(2024, 3, 8)]
    with pytest.raises(UserError, match="基准日"):
        find_base_day(short, ex.DISCLOSED_ON)


def test_shares_bought_before_implementation_are_sold_first_after_disclosure() -> None:
    trades = [
        Trade(date(2023, 12, 15), Side.BUY, 1000, Decimal("10.00")),
        Trade(date(2024, 1, 10), Side.BUY, 1000, Decimal("12.00")),
        Trade(date(2024, 3, 5), Side.SELL, 1000, Decimal("8.50")),
    ]
    result = calculate_loss("李四", "", trades, ex.market(), _parameters())
    assert result.legs.old_shares == 1000
    assert result.legs.closed_shares == 0  # the sell took the old shares
    assert result.legs.open_shares == 1000
    # (12 − 8) × 1000 = 4000; fall 33.33 % → 2/33.33 = 6.00 % → 240.00; net 3760.00
    assert result.investment_loss == Decimal("4000.00")
    assert result.risk_deduction_pct == Decimal("6.00")
    assert result.net_loss == Decimal("3760.00")


def test_induced_sell_mirrors_art_28() -> None:
    # 诱空: sold 1000 @ 12 in the window (held from before); bought back 400 @ 8.50 on 2024-03-05;
    # 600 not bought back by 基准日 → base price 8.00. Both below the sell price: no loss.
    trades = [
        Trade(date(2023, 12, 15), Side.BUY, 1000, Decimal("10.00")),
        Trade(date(2024, 1, 10), Side.SELL, 1000, Decimal("7.00")),
        Trade(date(2024, 3, 5), Side.BUY, 400, Decimal("8.50")),
    ]
    result = calculate_loss("王五", "", trades, ex.market(), _parameters(kind=Kind.SHORT))
    # (8.50 − 7.00) × 400 = 600.00; (8.00 − 7.00) × 600 = 600.00 → 1200.00. Index fell while the
    # stock "rose" against the sell: no deduction.
    assert result.legs.shares == 1000
    assert result.investment_loss == Decimal("1200.00")
    assert result.risk_deduction_pct == Decimal("0.00")
    assert [step.article for step in result.steps].count("第28条") == 3


def test_checks_name_the_rows() -> None:
    trades = [
        Trade(date(2024, 1, 6), Side.BUY, 100, Decimal("12"), row=5),  # a Saturday
        Trade(date(2024, 1, 10), Side.SELL, 300, Decimal("12"), row=6),
    ]
    problems = check_trades(trades, [d.day for d in ex.market()])
    assert [(p.row, p.column) for p in problems] == [(5, "trade_date"), (6, "quantity")]
    assert "2024-01-06" in problems[0].message
    assert "300" in problems[1].message


def test_same_day_sell_is_of_shares_held_before() -> None:
    # T+1: a same-day sell listed before the buy is not "more than held".
    trades = [
        Trade(date(2024, 1, 10), Side.BUY, 100, Decimal("12")),
        Trade(date(2024, 1, 11), Side.BUY, 100, Decimal("12")),
        Trade(date(2024, 1, 11), Side.SELL, 100, Decimal("12")),
    ]
    assert check_trades(trades, [d.day for d in ex.market()]) == []


def test_parameters_are_checked() -> None:
    with pytest.raises(UserError, match="揭露日"):
        _parameters(disclosed_on=ex.IMPLEMENTED_ON).check()
    with pytest.raises(UserError, match="调解比例"):
        _parameters(ratio=Decimal("1.5")).check()
