"""A batch run: every investor of a trades file computed against one market file, with progress.

All or nothing: the files are read and every investor's trades checked first; if anything is wrong
the run raises ``LossInputProblems`` naming each problem and computes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from mediator.domain.losses.base_day import find_base_day
from mediator.domain.losses.calculation import LossBreakdown, LossParameters, calculate_loss
from mediator.domain.losses.rights import adjust_market, adjust_trades, has_factors
from mediator.domain.losses.trades import check_trades
from mediator.domain.privacy import mask_id_number
from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.losses.files import (
    InputProblem,
    InvestorTrades,
    LossInputProblems,
    MarketData,
    read_market,
    read_trades,
)
from mediator.services.progress import Progress, null_progress

_PRICE_STEP = Decimal("0.0001")


@dataclass(frozen=True)
class LossRun:
    """The results of a batch, one per investor in the order of the trades file."""

    results: tuple[LossBreakdown, ...]
    market: MarketData

    def as_json(self) -> list[dict[str, Any]]:
        return [breakdown_json(result) for result in self.results]

    def as_text(self) -> str:
        """A table for the terminal: one line per investor (ID numbers masked), then the totals."""
        head = [_("投资者"), _("方法"), _("基准日"), _("基准价"), _("投资差额损失"), _("风险扣除%")]
        head += [_("佣金"), _("印花税"), _("利息"), _("合计")]
        with_ratio = any(result.proposed is not None for result in self.results)
        if with_ratio:
            head.append(_("建议金额"))
        lines = ["\t".join(head)]
        for result in self.results:
            row = [
                _investor_text(result.investor, result.id_number),
                result.parameters.method.value,
                result.base.day.isoformat(),
                str(result.base.price.quantize(_PRICE_STEP)),
                str(result.investment_loss),
                str(result.risk_deduction_pct),
                str(result.commission),
                str(result.stamp_duty),
                str(result.interest),
                str(result.total),
            ]
            if with_ratio:
                row.append(str(result.proposed))
            lines.append("\t".join(row))
        total = sum((result.total for result in self.results), Decimal(0))
        summary = _("共 {count} 位投资者，损失合计 {total} 元").format(count=len(self.results), total=total)
        if with_ratio:
            proposed = sum((result.proposed or Decimal(0) for result in self.results), Decimal(0))
            summary += _("，建议调解金额合计 {proposed} 元").format(proposed=proposed)
        lines.append(summary + _("。"))
        return "\n".join(lines)


def breakdown_json(result: LossBreakdown) -> dict[str, Any]:
    """One investor's result for ``--json``: amounts as decimal strings, the ID number masked."""
    p = result.parameters
    return {
        "investor": result.investor,
        "id_number": mask_id_number(result.id_number),
        "method": p.method.value,
        "kind": p.kind.value,
        "implemented_on": p.implemented_on.isoformat(),
        "disclosed_on": p.disclosed_on.isoformat(),
        "base_date": result.base.day.isoformat(),
        "base_price": str(result.base.price.quantize(_PRICE_STEP)),
        "causal_shares": result.legs.shares,
        "average_price": None
        if result.legs.average_in is None
        else str(result.legs.average_in.quantize(_PRICE_STEP)),
        "closed_shares": result.legs.closed_shares,
        "held_shares": result.legs.open_shares,
        "investment_loss": str(result.investment_loss),
        "risk_deduction_pct": str(result.risk_deduction_pct),
        "risk_deduction": str(result.deduction),
        "index": p.index_name or None,
        "net_loss": str(result.net_loss),
        "commission": str(result.commission),
        "stamp_duty": str(result.stamp_duty),
        "interest": str(result.interest),
        "total": str(result.total),
        "ratio": None if p.ratio is None else str(p.ratio),
        "proposed": None if result.proposed is None else str(result.proposed),
    }


def _investor_text(name: str, id_number: str) -> str:
    return f"{name}（{mask_id_number(id_number)}）" if id_number else name


def _investor_label(investor: InvestorTrades) -> str:
    return _investor_text(investor.name, investor.id_number)


def run_losses(
    market_path: Path,
    trades_path: Path,
    parameters: LossParameters,
    progress: Progress | None = None,
    *,
    only: Callable[[InvestorTrades], bool] | None = None,
) -> LossRun:
    """Compute every investor of ``trades_path`` (those ``only`` accepts, if given);
    ``LossInputProblems`` if any input is wrong.

    With a 复权因子 column in the market file, the market days and every investor's trades are
    restated in 揭露日's shares and prices first (``domain.losses.rights``), so a sell of bonus
    shares is not taken for a sell of shares never held.
    """
    progress = progress or null_progress()
    parameters.check()
    progress.update(0, message=_("读取行情与交易记录…"))
    market, problems = read_market(market_path)
    trades_data, trade_problems = read_trades(trades_path)
    investors = trades_data.investors
    problems += trade_problems
    if market is None or problems:
        raise LossInputProblems(problems)
    if only is not None:
        investors = [investor for investor in investors if only(investor)]
        if not investors:
            message = _("交易记录文件中没有该投资者的交易（按姓名与证件号码查找）。")
            raise LossInputProblems([InputProblem(trades_path.name, None, None, message)])
    if not parameters.index_name and market.index_name:
        parameters = replace(parameters, index_name=market.index_name)
    days = adjust_market(market.days, parameters.disclosed_on)
    if has_factors(market.days):
        parameters = replace(parameters, rights_adjusted=True)
        investors = [
            replace(investor, trades=adjust_trades(investor.trades, market.days, parameters.disclosed_on))
            for investor in investors
        ]
    try:
        base = find_base_day(days, parameters.disclosed_on)
    except UserError as exc:
        raise LossInputProblems([InputProblem(market_path.name, None, None, str(exc))]) from exc
    trading_days = [day.day for day in market.days]
    for investor in investors:
        for problem in check_trades(investor.trades, trading_days):
            label = trades_data.titles.get(problem.column) if problem.column else None
            problems.append(InputProblem(trades_path.name, problem.row, label, problem.message))
    if problems:
        raise LossInputProblems(problems)
    progress.update(0, total=len(investors), message=_("计算损失…"))
    results: list[LossBreakdown] = []
    for done, investor in enumerate(investors, start=1):
        progress.check()
        try:
            results.append(
                calculate_loss(
                    investor.name, investor.id_number, investor.trades, days, parameters, base=base
                )
            )
        except UserError as exc:
            row = investor.trades[0].row if investor.trades else None
            message = f"{_investor_label(investor)}：{exc}"
            problems.append(InputProblem(trades_path.name, row, None, message))
        progress.update(done)
    if problems:
        raise LossInputProblems(problems)
    return LossRun(tuple(results), market)
