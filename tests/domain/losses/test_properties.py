"""Properties of the loss rules that hold for any trades (hypothesis)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mediator.domain.losses.averages import Method
from mediator.domain.losses.calculation import LossParameters, calculate_loss
from mediator.domain.losses.market_risk import index_deduction
from mediator.domain.losses.trades import Side, Trade, check_trades
from tests.domain.losses import worked_example as ex

MARKET = ex.market()
DAYS = [d.day for d in MARKET]
BEFORE = [d for d in DAYS if d < ex.IMPLEMENTED_ON]
WINDOW = [d for d in DAYS if ex.IMPLEMENTED_ON <= d < ex.DISCLOSED_ON]
AFTER = [d for d in DAYS if d >= ex.DISCLOSED_ON]
prices = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("30.00"), places=2)
lots = st.integers(min_value=1, max_value=50).map(lambda n: n * 100)


@st.composite
def trade_lists(draw: st.DrawFn, days: list[date]) -> list[Trade]:
    """Buys and sells on ``days`` that never sell more than held (T+1: not what was bought that day)."""
    chosen = sorted(draw(st.lists(st.sampled_from(days), min_size=1, max_size=8)))
    trades: list[Trade] = []
    settled = bought_today = 0
    today = None
    for day in chosen:
        if day != today:
            settled, bought_today, today = settled + bought_today, 0, day
        if settled and draw(st.booleans()):
            quantity = draw(st.integers(min_value=1, max_value=settled))
            trades.append(Trade(day, Side.SELL, quantity, draw(prices)))
            settled -= quantity
        else:
            quantity = draw(lots)
            trades.append(Trade(day, Side.BUY, quantity, draw(prices)))
            bought_today += quantity
    return trades


def _params(method: Method) -> LossParameters:
    return LossParameters(ex.IMPLEMENTED_ON, ex.DISCLOSED_ON, method=method)


@settings(max_examples=60, deadline=None)
@given(trade_lists(BEFORE + AFTER), st.sampled_from(list(Method)))
def test_no_loss_without_a_buy_in_the_causal_window(trades: list[Trade], method: Method) -> None:
    # Art. 11: shares bought before 实施日 or on/after 揭露日 carry no loss.
    assert check_trades(trades, DAYS) == []
    result = calculate_loss("甲", "", trades, MARKET, _params(method))
    assert result.total == 0


@settings(max_examples=60, deadline=None)
@given(trade_lists(WINDOW + AFTER), st.lists(st.tuples(st.sampled_from(AFTER), lots, prices), max_size=4))
def test_buys_after_disclosure_change_nothing(
    trades: list[Trade], late: list[tuple[date, int, Decimal]]
) -> None:
    more = trades + [Trade(day, Side.BUY, quantity, price) for day, quantity, price in late]
    before = calculate_loss("甲", "", trades, MARKET, _params(Method.MWA))
    after = calculate_loss("甲", "", more, MARKET, _params(Method.MWA))
    assert after.total == before.total


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(WINDOW),
    lots,
    prices,
    st.lists(st.tuples(st.sampled_from(AFTER), prices), max_size=3),
)
def test_methods_agree_on_a_single_purchase(
    day: date, quantity: int, price: Decimal, sells: list[tuple[date, Decimal]]
) -> None:
    trades = [Trade(day, Side.BUY, quantity, price)]
    part = quantity // 4
    trades += [Trade(sell_day, Side.SELL, part, sell_price) for sell_day, sell_price in sells if part]
    totals = {calculate_loss("甲", "", trades, MARKET, _params(m)).total for m in Method}
    assert len(totals) == 1


@settings(max_examples=100, deadline=None)
@given(trade_lists(BEFORE + WINDOW + AFTER), st.sampled_from(list(Method)))
def test_loss_is_never_negative_and_the_deduction_stays_in_range(trades: list[Trade], method: Method) -> None:
    result = calculate_loss("甲", "", trades, MARKET, _params(method))
    assert result.investment_loss >= 0
    assert result.total >= 0
    assert 0 <= result.risk_deduction_pct <= 100
    assert 0 <= result.deduction <= result.investment_loss


positive = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000"), places=2)


@given(positive, positive, positive, positive, st.booleans())
def test_deduction_fraction_between_0_and_1(
    stock_in: Decimal, stock_out: Decimal, index_in: Decimal, index_out: Decimal, falling: bool
) -> None:
    risk = index_deduction(stock_in, stock_out, index_in, index_out, falling=falling)
    assert 0 <= risk.fraction <= 1
