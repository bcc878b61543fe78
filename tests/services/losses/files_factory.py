"""Market and trades files as vendors and brokers send them, built from the worked example."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from mediator.domain.losses.trades import Side
from tests.domain.losses import worked_example as ex

FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
ID_ZHANG = "11010519491231002X"
ID_LI = "110105194912310029"


def write_market_csv(path: Path, *, lots: bool = True, encoding: str = "utf-8-sig") -> Path:
    """The market file with vendor headers: 日期, 收盘, 成交量(手), 流通A股(万股), 沪深300."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        volume_header = "成交量（手）" if lots else "成交量(股)"
        writer.writerow(["日期", "收盘", volume_header, "流通A股(万股)", "沪深300"])
        for day in ex.market():
            volume = day.volume / 100 if lots else day.volume
            writer.writerow(
                [
                    day.day.isoformat(),
                    str(day.close),
                    str(volume),
                    str(day.float_shares / 10_000),
                    str(day.index_close),
                ]
            )
    return path


def trade_rows() -> list[list[object]]:
    """张三's trades of the worked example with messy cells, and one more investor, 李四."""
    rows: list[list[object]] = []
    for index, (day, side, quantity, price) in enumerate(ex.TRADES):
        word = "证券买入" if side is Side.BUY else "证券卖出"
        when: object = day.strftime("%Y%m%d") if index % 2 else day.isoformat()
        amount: object = f"{quantity:,}股" if index == 1 else quantity  # typed as text
        price_cell: object = price.translate(FULL_WIDTH) if index == 2 else float(price)
        rows.append(["张三", ID_ZHANG, when, word, amount, price_cell])
    rows.append(["李四", ID_LI, "2024年1月10日", "买入", 1000, "12.00元"])
    return rows


def write_trades_xlsx(path: Path, rows: Sequence[Sequence[object]] | None = None) -> Path:
    """A broker's export: a title row, then 客户名称, 身份证号, 交易日期, 业务类型, 成交股数, 成交均价."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("对账单")
    sheet.write_row(0, 0, ["股票交割单（2023-12-01 至 2024-04-30）"])
    sheet.write_row(
        1, 0, ["客户名称", "身份证号", "交易日期", " 业务类型 ", "成交股数", "成交均价（元）", "备注"]
    )
    for offset, row in enumerate(rows if rows is not None else trade_rows(), start=2):
        for column, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(offset, column, value)
            elif value is not None:
                sheet.write(offset, column, value)
    workbook.close()
    return path
