"""Art. 31 of 法释〔2022〕2号: the part of a loss caused by market risk is deducted.

The Provisions name no method; courts mostly use an index comparison (同步指数对比法): the index
moves over the same holding window as the investor's shares, and the share of the stock's move the
index explains is deducted:

    deduction = index change ÷ stock change, clamped to 0–100 %

Both changes are measured from the investor's weighted "in" point to the "out" point: for 诱多 the
average buy price against the average sell price / 基准价, and the index weighted the same way (by
the shares bought on each day; by the shares sold on each day, and for shares held at 基准日 the
mean index close from 揭露日 to 基准日, mirroring 基准价). An index that rose, or a stock that did
not fall, deducts nothing. The percentage is rounded half up to 0.01 % and that printed figure is
the one applied, so the breakdown can be checked by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PERCENT_STEP = Decimal("0.0001")  # 0.01 %
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class RiskDeduction:
    """The index comparison of one investor and the fraction of the loss it deducts."""

    stock_in: Decimal
    stock_out: Decimal
    index_in: Decimal
    index_out: Decimal
    fraction: Decimal  # 0 ≤ fraction ≤ 1, four places

    @property
    def stock_change(self) -> Decimal:
        return (self.stock_out - self.stock_in) / self.stock_in if self.stock_in else ZERO

    @property
    def index_change(self) -> Decimal:
        return (self.index_out - self.index_in) / self.index_in if self.index_in else ZERO

    @property
    def percent(self) -> Decimal:
        return self.fraction * 100


def index_deduction(
    stock_in: Decimal, stock_out: Decimal, index_in: Decimal, index_out: Decimal, *, falling: bool = True
) -> RiskDeduction:
    """The Art. 31 deduction: the index's move as a share of the stock's harmful move (0–100 %).

    ``falling`` is True for 诱多 (the investor lost as the price fell) and False for 诱空 (the
    investor lost as the price rose after selling).
    """
    fraction = ZERO
    if stock_in > 0 and index_in > 0:
        sign = -1 if falling else 1
        stock_move = sign * (stock_out - stock_in) / stock_in
        index_move = sign * (index_out - index_in) / index_in
        if stock_move > 0 and index_move > 0:
            fraction = min(ONE, index_move / stock_move).quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)
    return RiskDeduction(stock_in, stock_out, index_in, index_out, fraction)
