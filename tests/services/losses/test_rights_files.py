"""A market file with a 复权因子 column: the trades are restated before they are checked and computed
(the hand-computed example of tests/domain/losses/test_rights.py), and the breakdown shows both."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from mediator.domain.losses.calculation import LossParameters
from mediator.services.losses.batch import run_losses
from mediator.services.losses.breakdown import breakdown_pdf, breakdown_story
from mediator.services.losses.files import LossInputProblems
from tests.domain.losses import worked_example as ex
from tests.domain.losses.test_rights import raw_market
from tests.services.losses.files_factory import write_trades_xlsx

PARAMETERS = LossParameters(ex.IMPLEMENTED_ON, ex.DISCLOSED_ON)
ID_WANG = "110105194912310010"


def _market(path: Path, *, factor: bool = True, blank_on: int | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["交易日期", "收盘价", "成交量", "流通股本", "指数收盘", *(["复权因子"] if factor else [])]
        )
        for number, day in enumerate(raw_market()):
            cells = [day.day.isoformat(), day.close, day.volume, day.float_shares, day.index_close]
            if factor:
                cells.append("" if number == blank_on else day.factor)
            writer.writerow(cells)
    return path


def _trades(path: Path) -> Path:
    rows: list[list[object]] = [
        ["王五", ID_WANG, "2024-01-10", "买入", 1000, "24.00"],
        ["王五", ID_WANG, "2024-03-05", "卖出", 1500, "8.50"],
    ]
    return write_trades_xlsx(path, rows)


def test_the_factor_restates_the_trades_and_the_loss_is_the_hand_figure(tmp_path: Path) -> None:
    run = run_losses(_market(tmp_path / "m.csv"), _trades(tmp_path / "t.xlsx"), PARAMETERS)
    [wang] = run.results
    assert wang.parameters.rights_adjusted
    assert (wang.investment_loss, wang.risk_deduction_pct) == (Decimal("7250.00"), Decimal("6.62"))
    assert wang.total == Decimal("6775.47")
    buy = wang.trades[0]
    assert (buy.quantity, buy.price, buy.typed) == (2000, Decimal(12), (1000, Decimal("24.00")))
    cells = [
        getattr(cell, "text", "")
        for flowable in breakdown_story(wang)
        for row in getattr(flowable, "_cellvalues", [])
        for cell in row
    ]
    assert "2,000（原 1,000）" in cells and "12.0000（原 24.00）" in cells
    assert "已按复权因子调整至揭露日口径" in cells and "复权调整" in cells
    assert breakdown_pdf(wang).startswith(b"%PDF")


def test_without_the_factor_the_sell_of_bonus_shares_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LossInputProblems) as caught:
        run_losses(_market(tmp_path / "m.csv", factor=False), _trades(tmp_path / "t.xlsx"), PARAMETERS)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("t.xlsx", 4, "成交股数")
    assert "超过当时持股" in problem.message


def test_a_blank_factor_names_its_row(tmp_path: Path) -> None:
    market = _market(tmp_path / "m.csv", blank_on=4)
    with pytest.raises(LossInputProblems) as caught:
        run_losses(market, _trades(tmp_path / "t.xlsx"), PARAMETERS)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("m.csv", 6, "复权因子")
