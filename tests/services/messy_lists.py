"""Generators of referral lists that look like what the court's clerks really send.

Title rows over a merged range, headers named one of several ways, full-width digits and brackets,
amounts typed as text (12,345.67元, ￥8000, ７５９４３９.１) or as numbers, lowercase x in ID numbers,
stray spaces, blank rows, names with rare characters, and a 合计 row at the bottom. Each generator
returns what the import should store (canonical forms), so tests assert on real values.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from mediator.domain.validators import make_resident_id

COMPANY = "金陵智造科技股份有限公司"
CO_DEFENDANTS = "、王某某、某会计师事务所（特殊普通合伙）"
REGIONS = ("320102", "320106", "320583", "310115", "110105", "440305", "330106", "510107")
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文龑堃喆昇珺婧赟翀彧䶮𠇔"
MINORITY_NAMES = ("阿卜杜拉・买买提", "古丽娜尔·吐尔逊", "迪丽热巴 · 迪力木拉提")

# Header rows as clerks type them: (field key, header text) in column order.
HEADER_STYLES: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("seq", "序号"),
        ("case_number", "案号"),
        ("name", "原告"),
        ("id_number", "身份证号码"),
        ("phone", "联系电话"),
        ("securities_account", "证券账户"),
        ("claimed_amount", "诉讼请求金额（元）"),
        ("company", "被告"),
    ),
    (
        ("seq", "序 号"),
        ("name", "投资者姓名"),
        ("id_number", "公民身份号码"),
        ("phone", "手机号码"),
        ("securities_account", "股东账户"),
        ("claimed_amount", "诉请金额"),
        ("case_number", "案  号"),
        ("company", "上市公司"),
        ("agreed_amount", "调解金额(元)"),
    ),
    (
        ("name", "姓名"),
        ("id_number", "证件号码"),
        ("phone", "电话"),
        ("securities_account", "证券账号"),
        ("claimed_amount", "标的额（元）"),
        ("case_number", "案号"),
        ("address", "住址"),
        ("agent", "委托代理人"),
        ("memo", "备注"),
    ),
)


@dataclass(frozen=True)
class Expected:
    """One row of a generated list: what is typed and what the import must store."""

    case_number: str  # canonical
    name: str  # canonical
    id_number: str  # canonical (uppercase X)
    phone: str | None
    securities_account: str
    claimed_amount: Decimal
    agreed_amount: Decimal | None = None
    address: str | None = None
    agent: str | None = None


def _name(rng: random.Random, i: int) -> str:
    if i % 97 == 13:
        return MINORITY_NAMES[i % len(MINORITY_NAMES)]
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def canonical_name(typed: str) -> str:
    return (
        " ".join(typed.replace("・", "·").split()).replace(" · ", "·").replace(" ·", "·").replace("· ", "·")
    )


def make_investors(
    count: int, *, seed: int = 7, first_case: int = 3100, year: int = 2025, agreed: bool = False
) -> list[Expected]:
    """``count`` distinct investors with valid, unique ID numbers and case numbers."""
    rng = random.Random(seed)
    rows: list[Expected] = []
    for i in range(count):
        # Unique for every (seed < 50, i < 400,000): a different birth day per seed and thousand.
        birth = date(1950, 1, 1) + timedelta(days=(seed % 50) * 400 + i // 1000)
        id_number = make_resident_id(REGIONS[i % len(REGIONS)], birth, i % 1000)
        fen = rng.randrange(100_00, 2_000_000_00)
        claimed = Decimal(fen) / 100
        rows.append(
            Expected(
                case_number=f"（{year}）苏01民初{first_case + i}号",
                name=canonical_name(_name(rng, i)),
                id_number=id_number,
                phone=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}" if i % 11 else None,
                securities_account=("A" if i % 2 else "0") + f"{rng.randrange(10**9):09d}",
                claimed_amount=claimed,
                agreed_amount=(claimed * Decimal("0.45")).quantize(Decimal("0.01")) if agreed else None,
                address=f"江苏省南京市鼓楼区中山路{i % 300 + 1}号" if i % 3 == 0 else None,
                agent="江苏某某律师事务所 周律师" if i % 5 == 0 else None,
            )
        )
    return rows


_FULL = str.maketrans("0123456789().,", "０１２３４５６７８９（）．，")


def _typed_case_number(e: Expected, i: int) -> str:
    if i % 4 == 1:
        return e.case_number.replace("（", "(").replace("）", ")")
    if i % 4 == 2:
        return " " + e.case_number.translate(_FULL) + " "
    if i % 4 == 3:
        return e.case_number.replace("民初", "民初 ")
    return e.case_number


def _typed_amount(amount: Decimal, i: int, numbers: bool) -> Any:
    if numbers and i % 5 == 0:
        return float(amount)  # a number cell; repr() gives back the typed digits
    style = i % 5
    if style == 1:
        return f"{amount:,.2f}元"
    if style == 2:
        return f"￥{amount}"
    if style == 3:
        return f"{amount.normalize():f}".translate(_FULL)  # ７５９４３９.１
    return f" {amount} "


def _typed_id(id_number: str, i: int) -> str:
    if id_number.endswith("X") and i % 2:
        return id_number[:-1] + "x"
    return f" {id_number}" if i % 7 == 0 else id_number


def _typed_phone(phone: str | None, i: int) -> str:
    if phone is None:
        return ""
    if i % 3 == 1:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if i % 3 == 2:
        return "+86 " + phone
    return phone


def _typed_name(e: Expected, i: int) -> str:
    if "·" in e.name:
        return e.name.replace("·", "・")
    return f"{e.name} " if i % 6 == 0 else e.name


def typed_rows(
    investors: Sequence[Expected],
    style: int,
    *,
    numbers: bool = True,
    company: str = COMPANY,
    co_defendants: bool = True,
) -> Iterator[list[Any]]:
    """The data rows in the column order of ``HEADER_STYLES[style]``."""
    columns = [key for key, _header in HEADER_STYLES[style]]
    for i, e in enumerate(investors):
        values: dict[str, Any] = {
            "seq": i + 1,
            "case_number": _typed_case_number(e, i),
            "name": _typed_name(e, i),
            "id_number": _typed_id(e.id_number, i),
            "phone": _typed_phone(e.phone, i),
            "securities_account": e.securities_account,
            "claimed_amount": _typed_amount(e.claimed_amount, i, numbers),
            "agreed_amount": _typed_amount(e.agreed_amount, i + 2, numbers) if e.agreed_amount else "",
            "company": company + (CO_DEFENDANTS if co_defendants and i % 2 else ""),
            "address": e.address or "",
            "agent": e.agent or "",
            "memo": "已电话确认" if i % 9 == 0 else "",
        }
        yield [values[key] for key in columns]


def title_rows(batch: int | None = 15, referral: str | None = "委派日期：2025年3月3日") -> list[str]:
    rows = []
    if batch is not None:
        rows.append(f"南京市中级人民法院委派调解案件清单（第{batch}批）")
    if referral is not None:
        rows.append(referral)
    return rows


def write_xlsx(
    path: Path,
    investors: Sequence[Expected],
    *,
    style: int = 0,
    batch: int | None = 15,
    referral: str | None = "委派日期：2025年3月3日",
    blank_every: int = 7,
    total_row: bool = True,
    constant_memory: bool = False,
    extra_rows: Sequence[tuple[int, Sequence[Any]]] = (),
    company: str = COMPANY,
    stated_total: Decimal | None = None,
) -> Path:
    """A .xlsx list: title rows merged across the table, header, data with blank rows, 合计 row.

    ``extra_rows`` are (position among data rows, cells) inserted as typed, for planting errors.
    """
    import xlsxwriter

    headers = [header for _key, header in HEADER_STYLES[style]]
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    sheet = workbook.add_worksheet("委派清单")
    bold = workbook.add_format({"bold": True, "align": "center"})
    text = workbook.add_format({"num_format": "@"})
    row = 0
    for title in title_rows(batch, referral):
        sheet.merge_range(row, 0, row, len(headers) - 1, title, bold)
        row += 1
    sheet.write_row(row, 0, headers, bold)
    row += 1
    extras = dict(extra_rows)
    claim_column = [key for key, _h in HEADER_STYLES[style]].index("claimed_amount")
    for i, cells in enumerate(typed_rows(investors, style, company=company)):
        if i in extras:
            sheet.write_row(row, 0, extras[i])
            row += 1
        for column, cell in enumerate(cells):
            if isinstance(cell, str):
                sheet.write_string(row, column, cell, text)
            else:
                sheet.write_number(row, column, cell)
        row += 1
        if blank_every and i % blank_every == blank_every - 1:
            row += 1  # a blank row
    if total_row:
        total = stated_total or sum((e.claimed_amount for e in investors), Decimal(0))
        sheet.write_string(row + 1, 0, "合 计")
        sheet.write_number(row + 1, claim_column, float(total))
    workbook.close()
    return path


def write_csv(
    path: Path,
    investors: Sequence[Expected],
    *,
    encoding: str = "gb18030",
    style: int = 1,
    batch: int | None = 15,
    referral: str | None = "委派日期：2025年3月3日",
    total_row: bool = True,
) -> Path:
    """A CSV as Excel or WPS save it on a Chinese Windows (GB18030) or as "CSV UTF-8" (with BOM)."""
    headers = [header for _key, header in HEADER_STYLES[style]]
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        for title in title_rows(batch, referral):
            writer.writerow([title] + [""] * (len(headers) - 1))
        writer.writerow(headers)
        for i, cells in enumerate(typed_rows(investors, style, numbers=False)):
            writer.writerow(cells)
            if i % 10 == 9:
                writer.writerow([""] * len(headers))
        if total_row:
            total = sum((e.claimed_amount for e in investors), Decimal(0))
            claim_column = [key for key, _h in HEADER_STYLES[style]].index("claimed_amount")
            cells = ["合计"] + [""] * (len(headers) - 1)
            cells[claim_column] = str(total)
            writer.writerow(cells)
    return path


def write_xls(path: Path, investors: Sequence[Expected], *, style: int = 2) -> Path:
    """A real BIFF8 .xls (needs xlwt, a test-only package)."""
    import xlwt

    headers = [header for _key, header in HEADER_STYLES[style]]
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    sheet.write_merge(0, 0, 0, len(headers) - 1, "南京市中级人民法院委派调解案件清单（第十五批）")
    sheet.write(1, 0, "委派日期：")
    sheet.write(1, 1, "2025.3.3")
    for column, header in enumerate(headers):
        sheet.write(2, column, header)
    for i, cells in enumerate(typed_rows(investors, style)):
        for column, cell in enumerate(cells):
            sheet.write(3 + i, column, cell)
    book.save(str(path))
    return path


def write_ods(path: Path, investors: Sequence[Expected], *, style: int = 0) -> Path:
    """An OpenDocument spreadsheet (needs odfpy, a test-only package)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    def row_of(cells: Sequence[Any]) -> TableRow:
        row = TableRow()
        for cell in cells:
            if isinstance(cell, float | int):
                tc = TableCell(valuetype="float", value=cell)
            else:
                tc = TableCell(valuetype="string")
            tc.addElement(P(text=str(cell)))
            row.addElement(tc)
        return row

    document = OpenDocumentSpreadsheet()
    table = Table(name="清单")
    for title in title_rows():
        table.addElement(row_of([title]))
    table.addElement(row_of([header for _key, header in HEADER_STYLES[style]]))
    for cells in typed_rows(investors, style):
        table.addElement(row_of(cells))
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def with_changes(e: Expected, **changes: Any) -> Expected:
    return replace(e, **changes)
