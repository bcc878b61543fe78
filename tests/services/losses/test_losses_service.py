"""Reading the calculator's files (messy headers, text amounts, full-width digits), the batch run
with progress, refusals that name the row, and the breakdown PDF."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from mediator.domain.losses.calculation import LossParameters
from mediator.errors import Cancelled
from mediator.services.losses.batch import run_losses
from mediator.services.losses.breakdown import breakdown_pdf, write_breakdowns
from mediator.services.losses.files import LossInputProblems, read_market, read_trades
from mediator.services.progress import Progress
from tests.domain.losses import worked_example as ex
from tests.services.losses.files_factory import ID_ZHANG, trade_rows, write_market_csv, write_trades_xlsx

PARAMETERS = LossParameters(ex.IMPLEMENTED_ON, ex.DISCLOSED_ON, ratio=Decimal("0.4"))


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_market_csv(tmp_path / "行情.csv"), write_trades_xlsx(tmp_path / "交割单.xlsx")


def test_market_units_and_index_name(tmp_path: Path) -> None:
    market, problems = read_market(write_market_csv(tmp_path / "m.csv", lots=True, encoding="gb18030"))
    assert problems == []
    assert market is not None
    first = market.days[0]
    assert first.volume == Decimal(2_000_000)  # 20000 手 × 100
    assert first.float_shares == Decimal(100_000_000)  # 10000 万股 × 10000
    assert market.index_name == "沪深300"
    assert [d.day for d in market.days] == [d.day for d in ex.market()]


def test_messy_trades_file_reads_as_the_worked_example(tmp_path: Path) -> None:
    data, problems = read_trades(write_trades_xlsx(tmp_path / "t.xlsx"))
    assert problems == []
    investors = data.investors
    assert [(i.name, i.id_number) for i in investors] == [("张三", ID_ZHANG), ("李四", "110105194912310029")]
    zhang = investors[0].trades
    assert [(t.day, t.side, t.quantity, t.price) for t in zhang] == [
        (day, side, qty, Decimal(price)) for day, side, qty, price in ex.TRADES
    ]
    assert zhang[0].row == 3  # the row Excel shows: title, header, then data


def test_batch_gives_the_hand_figures_with_progress(files: tuple[Path, Path]) -> None:
    progress = Progress()
    run = run_losses(*files, PARAMETERS, progress)
    zhang = run.as_json()[0]
    assert zhang["investor"] == "张三"
    assert zhang["id_number"] == "110***********002X"
    assert (zhang["base_date"], zhang["base_price"]) == ("2024-03-18", "8.0000")
    assert (zhang["investment_loss"], zhang["risk_deduction_pct"]) == ("13750.00", "6.15")
    assert (zhang["commission"], zhang["stamp_duty"], zhang["interest"]) == ("3.87", "6.45", "0.00")
    assert (zhang["total"], zhang["proposed"]) == ("12914.69", "5165.88")
    assert zhang["index"] == "沪深300"
    snapshot = progress.snapshot()
    assert (snapshot.done, snapshot.total) == (2, 2)


def test_cancel_between_investors(files: tuple[Path, Path]) -> None:
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        run_losses(*files, PARAMETERS, progress)


def _problems(market: Path, trades: Path) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(LossInputProblems) as caught:
        run_losses(market, trades, PARAMETERS)
    return [(p.file, p.row, p.column, p.message) for p in caught.value.problems]


def test_non_trading_day_and_oversell_name_their_rows(tmp_path: Path) -> None:
    rows = trade_rows()
    rows[1][2] = "2024-01-13"  # a Saturday
    rows.append(["李四", "110105194912310029", "2024-03-05", "卖出", 5000, 8.5])
    market = write_market_csv(tmp_path / "m.csv")
    found = _problems(market, write_trades_xlsx(tmp_path / "t.xlsx", rows))
    assert [(f, r, c) for f, r, c, _m in found] == [("t.xlsx", 4, "交易日期"), ("t.xlsx", 11, "成交股数")]
    assert "2024-01-13 不是交易日" in found[0][3]
    assert "5000" in found[1][3]


def test_bad_cells_are_all_reported(tmp_path: Path) -> None:
    rows = trade_rows()
    rows[0][3] = "红股入账"
    rows[2][5] = "abc"
    rows[3][4] = None
    found = _problems(write_market_csv(tmp_path / "m.csv"), write_trades_xlsx(tmp_path / "t.xlsx", rows))
    assert [(r, c) for _f, r, c, _m in found] == [(3, "业务类型"), (5, "成交均价（元）"), (6, "成交股数")]


def test_missing_price_or_float_in_the_market_file(tmp_path: Path) -> None:
    market = write_market_csv(tmp_path / "m.csv")
    lines = market.read_text(encoding="utf-8-sig").splitlines()
    lines[5] = lines[5].replace(",12.00,", ",,")  # no close on the 5th data row
    lines[7] = ",".join([*lines[7].split(",")[:3], "", "3000"])  # no float
    market.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = _problems(market, write_trades_xlsx(tmp_path / "t.xlsx"))
    assert [(f, r, c) for f, r, c, _m in found] == [("m.csv", 6, "收盘"), ("m.csv", 8, "流通A股(万股)")]


def test_missing_file_and_header(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    found = _problems(tmp_path / "m.csv", tmp_path / "absent.xlsx")
    assert found[0][0] == "m.csv" and "找不到表头" in found[0][3]
    assert found[1][0] == "absent.xlsx" and found[1][1] is None


def test_market_too_short_for_the_base_day(tmp_path: Path) -> None:
    market = write_market_csv(tmp_path / "m.csv")
    lines = market.read_text(encoding="utf-8-sig").splitlines()
    market.write_text(
        "\n".join(line for line in lines if not line[0].isdigit() or line < "2024-03-08"), encoding="utf-8"
    )
    found = _problems(market, write_trades_xlsx(tmp_path / "t.xlsx"))
    assert len(found) == 1 and "基准日" in found[0][3]


def test_breakdown_pdf_per_investor(files: tuple[Path, Path], tmp_path: Path) -> None:
    run = run_losses(*files, replace(PARAMETERS, interest_rate=Decimal("0.0035")))
    written = write_breakdowns(run.results, tmp_path / "明细", company="某某股份有限公司")
    assert [p.name for p in written] == ["0001_张三.pdf", "0002_李四.pdf"]
    data = breakdown_pdf(run.results[0])
    assert data.startswith(b"%PDF")
    assert ID_ZHANG.encode() not in data
