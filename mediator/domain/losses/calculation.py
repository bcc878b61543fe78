"""One investor's loss under 法释〔2022〕2号, step by step, each step citing its article.

Art. 25 defines the loss as the investment-difference loss plus the commission and stamp duty on
it; Art. 27 (诱多) and Art. 28 (诱空) compute the investment difference from the average prices,
the 基准价 (Art. 26) and the shares; Art. 31 deducts the part caused by market risk. Interest (the
2003 rules' Art. 30, demand-deposit rate) is only an option: the 2022 text lists none.

Rounding: amounts stay exact Decimals inside a step and are rounded half up to the fen where a
step prints them; the next step starts from the printed figure, so the breakdown adds up by hand.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from mediator.domain.losses.averages import Method, position_at_disclosure
from mediator.domain.losses.base_day import BaseDay, MarketDay, find_base_day
from mediator.domain.losses.market_risk import RiskDeduction, index_deduction
from mediator.domain.losses.trades import Side, Trade, in_order
from mediator.errors import UserError
from mediator.i18n import _

FEN = Decimal("0.01")
ZERO = Decimal(0)
# Commission: 万分之三 (0.03 %), the rate recent judgments and the investor service centre's
# calculations apply since brokers' commissions fell to about that level; a setting per case.
DEFAULT_COMMISSION_RATE = Decimal("0.0003")
# Stamp duty on sells: 0.1 %, halved to 0.05 % from 2023-08-28 (财政部 税务总局公告2023年第39号).
STAMP_DUTY_HALVED_ON = date(2023, 8, 28)
STAMP_DUTY_BEFORE = Decimal("0.001")
STAMP_DUTY_FROM = Decimal("0.0005")
DAYS_PER_YEAR = 365


def money(value: Decimal) -> Decimal:
    """A printed amount: half up to the fen."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def price_text(value: Decimal | None) -> str:
    """A price as the breakdown prints it (four places: averages rarely come out round)."""
    if value is None:
        return "—"
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def stamp_duty_rate(day: date) -> Decimal:
    return STAMP_DUTY_FROM if day >= STAMP_DUTY_HALVED_ON else STAMP_DUTY_BEFORE


class Kind(enum.Enum):
    LONG = "long"  # 诱多 (Art. 27): the statement pushed the price up, investors bought
    SHORT = "short"  # 诱空 (Art. 28): the statement pushed the price down, investors sold

    @property
    def label(self) -> str:
        return _("诱多型") if self is Kind.LONG else _("诱空型")


@dataclass(frozen=True)
class LossParameters:
    """The case's parameters: the statement's dates and kind, the method and the rates."""

    implemented_on: date
    disclosed_on: date
    method: Method = Method.MWA
    kind: Kind = Kind.LONG
    commission_rate: Decimal = DEFAULT_COMMISSION_RATE
    interest_rate: Decimal | None = None  # yearly demand-deposit rate, e.g. 0.0035; None: no interest
    ratio: Decimal | None = None  # settlement ratio offered, e.g. 0.4
    index_name: str = ""
    # The market data carried 复权因子: shares and prices are restated in 揭露日's (see ``rights``).
    rights_adjusted: bool = False

    def check(self) -> None:
        if self.disclosed_on <= self.implemented_on:
            raise UserError(_("揭露日必须晚于实施日。"))
        if self.commission_rate < 0 or self.commission_rate >= 1:
            raise UserError(_("佣金费率应在 0 与 1 之间，如 0.0003。"))
        if self.interest_rate is not None and not 0 <= self.interest_rate < 1:
            raise UserError(_("利率应在 0 与 1 之间，如 0.0035。"))
        if self.ratio is not None:
            check_ratio(self.ratio)


def check_ratio(ratio: Decimal) -> Decimal:
    """A settlement ratio (the share of the loss offered): more than 0, at most 1."""
    if not ratio.is_finite() or not 0 < ratio <= 1:
        raise UserError(_("调解比例应大于 0 且不超过 1，如 0.4。"))
    return ratio


@dataclass(frozen=True)
class Step:
    """One printed line of the breakdown: the article it applies, what it does, the figure."""

    article: str
    label: str
    detail: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class Fill:
    """Causal shares closed between 揭露日 and 基准日 (sold under 诱多, bought back under 诱空)."""

    shares: int
    price: Decimal
    day: date


@dataclass(frozen=True)
class Legs:
    """The causal position and how it was closed, whatever the kind."""

    shares: int  # 诱多: causal shares held at the eve of 揭露日; 诱空: shares sold in the window
    cost: Decimal  # shares × average in-price, exact
    in_weights: tuple[tuple[date, int], ...]  # (day, shares) of the trades that opened the position
    closed: tuple[Fill, ...]
    old_shares: int = 0
    start_day: date | None = None  # the last trade that opened the position (interest starts there)

    @property
    def average_in(self) -> Decimal | None:
        return self.cost / self.shares if self.shares else None

    @property
    def closed_shares(self) -> int:
        return sum(fill.shares for fill in self.closed)

    @property
    def closed_amount(self) -> Decimal:
        return sum((fill.price * fill.shares for fill in self.closed), ZERO)

    @property
    def open_shares(self) -> int:
        return self.shares - self.closed_shares


@dataclass(frozen=True)
class LossBreakdown:
    """One investor's result with every step that led to it."""

    investor: str
    id_number: str
    parameters: LossParameters
    base: BaseDay
    legs: Legs
    investment_loss: Decimal
    risk: RiskDeduction | None
    deduction: Decimal
    net_loss: Decimal
    commission: Decimal
    stamp_duty: Decimal
    interest: Decimal
    total: Decimal
    proposed: Decimal | None
    steps: tuple[Step, ...]
    trades: tuple[Trade, ...] = field(default=())

    @property
    def risk_deduction_pct(self) -> Decimal:
        return self.risk.percent.quantize(FEN) if self.risk else Decimal("0.00")

    def trade_role(self, trade: Trade) -> str:
        """Where a trade stands under Art. 11, for the printed list of trades."""
        p = self.parameters
        if trade.day < p.implemented_on:
            return _("实施日前")
        if trade.day < p.disclosed_on:
            return _("实施日至揭露日前")
        if trade.day <= self.base.day:
            return _("揭露日至基准日")
        return _("基准日后")


# --- the legs of each kind ------------------------------------------------------------------------


def _long_legs(trades: Sequence[Trade], p: LossParameters, base: BaseDay) -> Legs:
    position = position_at_disclosure(trades, p.implemented_on, p.disclosed_on, p.method)
    old, causal = position.old_shares, position.causal_shares
    fills: list[Fill] = []
    for trade in in_order(trades):
        if trade.day < p.disclosed_on or trade.side is Side.BUY:
            continue  # Art. 11: a buy on or after 揭露日 carries no loss
        # After 揭露日 a sell takes the oldest shares first: those held from before 实施日, then
        # the causal ones, then shares bought after 揭露日.
        from_old = min(old, trade.quantity)
        old -= from_old
        shares = min(causal, trade.quantity - from_old)
        causal -= shares
        if shares and trade.day <= base.day:
            # Art. 27 (2003 rules Art. 31: "基准日及以前卖出"): sold from 揭露日 to 基准日.
            fills.append(Fill(shares, trade.price, trade.day))
    weights = tuple((t.day, t.quantity) for t in position.window_buys)
    return Legs(
        position.causal_shares, position.cost, weights, tuple(fills), position.old_shares, position.last_buy
    )


def _short_legs(trades: Sequence[Trade], p: LossParameters, base: BaseDay) -> Legs:
    # Art. 28 (诱空): sold after 实施日 and before 揭露日; bought back from 揭露日 to 基准日. Shares
    # bought again inside the window offset the sells (the investor was back in the stock).
    sold: list[Trade] = []
    bought_again = 0
    for trade in in_order(trades):
        if p.implemented_on <= trade.day < p.disclosed_on:
            if trade.side is Side.SELL:
                sold.append(trade)
            else:
                bought_again += trade.quantity
    sold_shares = sum(t.quantity for t in sold)
    shares = max(0, sold_shares - bought_again)
    if not shares:
        return Legs(0, ZERO, (), ())
    # The average sell price is quantity-weighted whatever the method (the methods average buys).
    cost = sum((t.amount for t in sold), ZERO) * shares / sold_shares
    left = shares
    fills: list[Fill] = []
    for trade in in_order(trades):
        if left and trade.side is Side.BUY and p.disclosed_on <= trade.day <= base.day:
            taken = min(left, trade.quantity)
            fills.append(Fill(taken, trade.price, trade.day))
            left -= taken
    weights = tuple((t.day, t.quantity) for t in sold)
    return Legs(shares, cost, weights, tuple(fills), 0, sold[-1].day)


# --- the steps ------------------------------------------------------------------------------------


def _weighted_index(weights: Sequence[tuple[date, int]], market: Mapping[date, MarketDay]) -> Decimal:
    total = sum(shares for _day, shares in weights)
    return sum((_index_on(day, market) * shares for day, shares in weights), ZERO) / total


def _index_on(day: date, market: Mapping[date, MarketDay]) -> Decimal:
    market_day = market.get(day)
    if market_day is None or market_day.index_close is None:
        raise UserError(
            _("行情文件缺少 {day} 的指数收盘点位，无法计算市场风险扣除。").format(day=day.isoformat())
        )
    return market_day.index_close


def _risk(legs: Legs, base: BaseDay, market: Mapping[date, MarketDay], kind: Kind) -> RiskDeduction | None:
    # Art. 31: index comparison over the same window as the investor's shares (see market_risk).
    if not legs.shares or legs.average_in is None:
        return None
    stock_out = (legs.closed_amount + base.price * legs.open_shares) / legs.shares
    index_in = _weighted_index(legs.in_weights, market)
    base_index = sum((_index_on(d.day, market) for d in base.days), ZERO) / len(base.days)
    closed_index = sum((_index_on(f.day, market) * f.shares for f in legs.closed), ZERO)
    index_out = (closed_index + base_index * legs.open_shares) / legs.shares
    return index_deduction(legs.average_in, stock_out, index_in, index_out, falling=kind is Kind.LONG)


def _difference_steps(legs: Legs, base: BaseDay, kind: Kind, method: Method) -> tuple[list[Step], Decimal]:
    """Art. 27 / 28: the investment difference of the closed and the open shares."""
    closed, opened = legs.closed_shares, legs.open_shares
    part_of_cost = legs.cost * closed / legs.shares
    open_cost = legs.cost * opened / legs.shares
    average = price_text(legs.average_in)
    closed_avg = price_text(legs.closed_amount / closed) if closed else "—"
    if kind is Kind.LONG:
        article = _("第27条")
        closed_part = money(part_of_cost - legs.closed_amount)
        open_part = money(open_cost - base.price * opened)
        steps = [
            Step(
                article, _("买入均价"), _("按{method}：{price} 元").format(method=method.label, price=average)
            ),
            Step(
                article,
                _("揭露日至基准日卖出部分"),
                _("（买入均价 {buy} − 卖出均价 {sell}）× {n} 股").format(
                    buy=average, sell=closed_avg, n=closed
                ),
                closed_part,
            ),
            Step(
                article,
                _("基准日仍持有（或其后卖出）部分"),
                _("（买入均价 {buy} − 基准价 {base}）× {n} 股").format(
                    buy=average, base=price_text(base.price), n=opened
                ),
                open_part,
            ),
        ]
    else:
        article = _("第28条")
        closed_part = money(legs.closed_amount - part_of_cost)
        open_part = money(base.price * opened - open_cost)
        steps = [
            Step(
                article,
                _("卖出均价"),
                _("实施日至揭露日前卖出（加权平均）：{price} 元").format(price=average),
            ),
            Step(
                article,
                _("揭露日至基准日买回部分"),
                _("（买回均价 {back} − 卖出均价 {sell}）× {n} 股").format(
                    back=closed_avg, sell=average, n=closed
                ),
                closed_part,
            ),
            Step(
                article,
                _("基准日前未买回部分"),
                _("（基准价 {base} − 卖出均价 {sell}）× {n} 股").format(
                    base=price_text(base.price), sell=average, n=opened
                ),
                open_part,
            ),
        ]
    # Art. 25: a gain on one part offsets a loss on the other; the loss is never negative.
    loss = max(ZERO, closed_part + open_part)
    steps.append(Step(_("第25条"), _("投资差额损失"), _("以上两部分之和（不为负数）"), loss))
    return steps, loss


def _weighted_days(legs: Legs, base: BaseDay) -> tuple[Decimal, Decimal]:
    """(stamp duty rate, days for interest), both weighted by the shares of each leg."""
    if legs.shares == 0:
        return ZERO, ZERO
    rate_weight = sum((stamp_duty_rate(f.day) * f.shares for f in legs.closed), ZERO)
    rate_weight += stamp_duty_rate(base.day) * legs.open_shares
    start = legs.start_day or base.day
    day_weight = sum(((f.day - start).days * f.shares for f in legs.closed), 0)
    day_weight += (base.day - start).days * legs.open_shares
    return rate_weight / legs.shares, Decimal(day_weight) / legs.shares


def _causation_step(legs: Legs, p: LossParameters) -> Step:
    if p.kind is Kind.LONG:
        detail = _(
            "{start} 至揭露日 {end} 前买入、揭露日仍持有的股份 {n} 股；"
            "实施日前已持有的 {old} 股及揭露日后买入的股份不计损失。"
        ).format(
            start=p.implemented_on.isoformat(),
            end=p.disclosed_on.isoformat(),
            n=legs.shares,
            old=legs.old_shares,
        )
    else:
        detail = _("{start} 至揭露日 {end} 前卖出（扣除期间内再买入）的股份 {n} 股。").format(
            start=p.implemented_on.isoformat(), end=p.disclosed_on.isoformat(), n=legs.shares
        )
    return Step(_("第11条"), _("交易因果关系"), detail)


def _base_steps(base: BaseDay) -> list[Step]:
    article = _("第26条")
    return [
        Step(
            article,
            _("基准日"),
            _("{day}（自揭露日起第 {n} 个交易日）。{why}").format(
                day=base.day.isoformat(), n=base.ordinal, why=base.explanation()
            ),
        ),
        Step(
            article,
            _("基准价"),
            _("揭露日至基准日 {n} 个交易日收盘价的平均值：{price} 元").format(
                n=base.ordinal, price=price_text(base.price)
            ),
        ),
    ]


def _rights_step(p: LossParameters) -> Step:
    detail = _(
        "行情含复权因子：成交数量、成交价格与收盘价均换算为揭露日 {day} 的股本口径"
        "（数量 × 揭露日因子 ÷ 成交日因子，取整股，成交金额不变）。"
    ).format(day=p.disclosed_on.isoformat())
    return Step("", _("复权调整"), detail)


def _risk_step(risk: RiskDeduction | None, loss: Decimal, index_name: str) -> tuple[Step, Decimal]:
    if risk is None:
        return Step(_("第31条"), _("市场风险扣除"), _("无可扣除的损失。"), ZERO), ZERO
    deduction = money(loss * risk.fraction)
    detail = _(
        "{index}：{index_in} → {index_out}（{index_change}%）；"
        "个股：{stock_in} → {stock_out}（{stock_change}%）；扣除比例 {pct}%"
    ).format(
        index=index_name or _("指数"),
        index_in=price_text(risk.index_in),
        index_out=price_text(risk.index_out),
        index_change=(risk.index_change * 100).quantize(FEN, rounding=ROUND_HALF_UP),
        stock_in=price_text(risk.stock_in),
        stock_out=price_text(risk.stock_out),
        stock_change=(risk.stock_change * 100).quantize(FEN, rounding=ROUND_HALF_UP),
        pct=risk.percent.quantize(FEN),
    )
    return Step(_("第31条"), _("市场风险扣除（同步指数对比法）"), detail, deduction), deduction


def calculate_loss(
    investor: str,
    id_number: str,
    trades: Sequence[Trade],
    market: Sequence[MarketDay],
    parameters: LossParameters,
    *,
    base: BaseDay | None = None,
) -> LossBreakdown:
    """One investor's loss and its breakdown. ``market`` is sorted by day; trades were checked.

    ``base`` is the 基准日 of ``market`` when the caller computed it once for a whole batch.
    """
    p = parameters
    p.check()
    base = base or find_base_day(market, p.disclosed_on)
    by_day = {day.day: day for day in market}
    legs = _long_legs(trades, p, base) if p.kind is Kind.LONG else _short_legs(trades, p, base)
    steps = [_causation_step(legs, p), *_base_steps(base)]
    if p.rights_adjusted:
        steps.insert(0, _rights_step(p))
    loss = ZERO
    risk = None
    if legs.shares:
        difference, loss = _difference_steps(legs, base, p.kind, p.method)
        steps += difference
        risk = _risk(legs, base, by_day, p.kind) if loss else None
    risk_step, deduction = _risk_step(risk, loss, p.index_name)
    steps.append(risk_step)
    net = loss - deduction
    steps.append(Step(_("第31条"), _("扣除后的投资差额损失"), "", net))
    stamp_rate, days = _weighted_days(legs, base)
    # Art. 25: the commission and stamp duty on the investment-difference loss.
    commission = money(net * p.commission_rate)
    steps.append(
        Step(
            _("第25条"), _("佣金"), _("损失 × {rate}").format(rate=p.commission_rate.normalize()), commission
        )
    )
    stamp_duty = money(net * stamp_rate)
    stamp_text = _("损失 × {rate}（2023-08-28 前 0.1%，此后 0.05%）").format(rate=stamp_rate.normalize())
    steps.append(Step(_("第25条"), _("印花税"), stamp_text, stamp_duty))
    interest = money(ZERO)
    if p.interest_rate is not None:
        # Interest is not in the 2022 text; the 2003 rules' Art. 30 gave the demand-deposit rate
        # from the buy to the sell or 基准日. Here from the last trade that opened the position.
        interest = money(net * p.interest_rate * days / DAYS_PER_YEAR)
        interest_text = _("损失 × 年利率 {rate} × {days} 天 ÷ 365").format(
            rate=p.interest_rate.normalize(), days=days.quantize(FEN, rounding=ROUND_HALF_UP)
        )
        steps.append(Step(_("2003年规定第30条"), _("利息（本案选项）"), interest_text, interest))
    total = net + commission + stamp_duty + interest
    steps.append(Step(_("第25条"), _("损失合计"), "", total))
    proposed = None
    if p.ratio is not None:
        proposed = money(total * p.ratio)
        steps.append(
            Step(
                "",
                _("建议调解金额"),
                _("损失合计 × 调解比例 {ratio}").format(ratio=p.ratio.normalize()),
                proposed,
            )
        )
    return LossBreakdown(
        investor,
        id_number,
        p,
        base,
        legs,
        loss,
        risk,
        deduction,
        net,
        commission,
        stamp_duty,
        interest,
        total,
        proposed,
        tuple(steps),
        tuple(in_order(trades)),
    )
