"""The columns of the loss calculator's two files and the names they go by (the one home of the synonyms).

The market file (one row per trading day) comes from a data vendor or the exchange's site; the
trades file (one row per execution) from each investor's broker, whose exports name the same
column a dozen ways. A header may carry a unit: 成交量(手) is in lots of 100 shares and 流通股本(万股)
in units of 10,000 shares; the unit gives the factor to shares. Pure data and matching: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from mediator.domain.losses.trades import Side
from mediator.domain.validators import to_half_width
from mediator.i18n import N_

# Field keys of the market file.
TRADING_DAY = "trading_day"
CLOSE = "close"
VOLUME = "volume"
FLOAT_SHARES = "float_shares"
INDEX_CLOSE = "index_close"
ADJ_FACTOR = "adj_factor"  # optional: the ex-rights adjustment factor (see ``rights``)
# Field keys of the trades file.
INVESTOR = "investor"
ID_NUMBER = "id_number"
TRADE_DATE = "trade_date"
SIDE = "side"
QUANTITY = "quantity"
PRICE = "price"

# Index names that may head the index column directly (the name is then shown on the breakdown).
INDEX_NAMES = (
    "沪深300",
    "上证指数",
    "上证综指",
    "深证成指",
    "深证综指",
    "创业板指",
    "中证500",
    "中证1000",
    "科创50",
    "行业指数",
)

MARKET_SYNONYMS: dict[str, tuple[str, ...]] = {
    TRADING_DAY: ("交易日期", "日期", "交易日", "时间"),
    CLOSE: ("收盘价", "收盘", "收盘价格", "今收盘", "个股收盘价"),
    VOLUME: ("成交量", "总成交量", "集中竞价成交量", "成交股数", "成交数量"),
    FLOAT_SHARES: ("流通股本", "流通A股", "流通股", "流通股数", "流通股份", "A股流通股本", "流通A股股本"),
    INDEX_CLOSE: ("指数收盘", "指数收盘价", "指数", "参照指数", "对比指数", *INDEX_NAMES),
    ADJ_FACTOR: (
        "复权因子",
        "复权系数",
        "累计复权因子",
        "后复权因子",
        "除权因子",
        "adj_factor",
        "ADJ_FACTOR",
    ),
}

TRADE_SYNONYMS: dict[str, tuple[str, ...]] = {
    INVESTOR: (
        "投资者",
        "投资者姓名",
        "姓名",
        "客户名称",
        "客户姓名",
        "账户名称",
        "户名",
        "原告",
        "股东名称",
    ),
    ID_NUMBER: ("证件号码", "身份证号", "身份证号码", "证件号", "公民身份号码", "身份证件号码"),
    TRADE_DATE: ("成交日期", "交易日期", "日期", "发生日期", "交收日期"),
    SIDE: ("买卖", "买卖方向", "买卖标志", "业务类型", "业务名称", "操作", "委托类别", "交易类别", "摘要"),
    QUANTITY: ("成交数量", "成交股数", "数量", "成交量", "发生数量"),
    PRICE: ("成交价格", "成交均价", "成交价", "价格", "均价"),
}

MARKET_REQUIRED: tuple[str, ...] = (TRADING_DAY, CLOSE, VOLUME, FLOAT_SHARES, INDEX_CLOSE)
TRADE_REQUIRED: tuple[str, ...] = (INVESTOR, ID_NUMBER, TRADE_DATE, SIDE, QUANTITY, PRICE)

# What problem reports call each field.
FIELD_LABELS: dict[str, str] = {
    TRADING_DAY: N_("交易日期"),
    CLOSE: N_("收盘价"),
    VOLUME: N_("成交量"),
    FLOAT_SHARES: N_("流通股本"),
    INDEX_CLOSE: N_("指数收盘"),
    ADJ_FACTOR: N_("复权因子"),
    INVESTOR: N_("投资者"),
    ID_NUMBER: N_("证件号码"),
    TRADE_DATE: N_("成交日期"),
    SIDE: N_("买卖"),
    QUANTITY: N_("成交数量"),
    PRICE: N_("成交价格"),
}

# Units in a header and their factor to shares.
UNIT_FACTORS: dict[str, Decimal] = {
    "股": Decimal(1),
    "手": Decimal(100),
    "万股": Decimal(10_000),
    "亿股": Decimal(100_000_000),
    "元": Decimal(1),
    "点": Decimal(1),
}
_UNIT = re.compile(r"[(（\[]\s*(?:单位[:：]?)?\s*(股|手|万股|亿股|元|点)\s*[)）\]]$")

# Direction values as brokers write them (margin accounts included).
SIDE_WORDS: dict[str, Side] = {
    word: Side.BUY
    for word in ("买入", "买", "B", "证券买入", "普通买入", "担保品买入", "融资买入", "买入成交", "1")
} | {
    word: Side.SELL
    for word in ("卖出", "卖", "S", "证券卖出", "普通卖出", "担保品卖出", "融券卖出", "卖出成交", "2")
}


def normalise_header(text: object) -> tuple[str, Decimal]:
    """The comparable form of a header cell and the factor of its unit: ("成交量", 100) for 成交量（手）."""
    if not isinstance(text, str):
        return "", Decimal(1)
    compact = "".join(to_half_width(text).split()).replace("*", "")
    factor = Decimal(1)
    unit = _UNIT.search(compact)
    if unit:
        factor = UNIT_FACTORS[unit[1]]
        compact = compact[: unit.start()]
    return compact, factor


def side_of(text: object) -> Side | None:
    """买入 / 证券买入 / B → BUY; 卖出 / 证券卖出 / S → SELL; anything else None."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    compact = "".join(to_half_width(str(text)).split()).upper() if text is not None else ""
    return SIDE_WORDS.get(compact)


@dataclass(frozen=True)
class Columns:
    """Where the header row is and which column holds each field (with its unit factor)."""

    index: int
    positions: Mapping[str, int]
    factors: Mapping[str, Decimal]
    titles: Mapping[str, str]  # the header as typed, for problem reports and the index's name


def _match_row(
    row: Sequence[object], synonyms: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[int, Decimal, str]]:
    lookup = {name: key for key, names in synonyms.items() for name in names}
    found: dict[str, tuple[int, Decimal, str]] = {}
    for position, cell in enumerate(row):
        name, factor = normalise_header(cell)
        key = lookup.get(name)
        if key is not None and key not in found:
            found[key] = (position, factor, str(cell).strip())
    return found


def find_columns(
    rows: Iterable[Sequence[object]], synonyms: Mapping[str, tuple[str, ...]], required: Sequence[str]
) -> tuple[Columns | None, list[str]]:
    """The first row naming every required field; else (None, the fields missing from the best row)."""
    best_missing: list[str] = list(required)
    for index, row in enumerate(rows):
        found = _match_row(row, synonyms)
        missing = [key for key in required if key not in found]
        if not missing:
            return (
                Columns(
                    index,
                    {key: value[0] for key, value in found.items()},
                    {key: value[1] for key, value in found.items()},
                    {key: value[2] for key, value in found.items()},
                ),
                [],
            )
        if found and len(missing) < len(best_missing):
            best_missing = missing
    return None, best_missing
