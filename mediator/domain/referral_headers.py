"""The columns of a court referral list and the names clerks give them (the one home of the synonyms).

Clerks type headers freely: 原告 / 原告姓名 / 投资者; 诉讼请求金额（元） / 诉请金额 / 标的额... This
module turns a header cell into a field key, finds the header row among the first rows of a sheet,
and reads the batch number (第15批) and the referral date (委派日期：2025年3月3日) from the title rows.
Pure data and matching: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from mediator.domain.batch_numbers import batch_number_in
from mediator.domain.validators import to_half_width
from mediator.i18n import N_

# Field keys. ``IGNORED`` columns (序号, 备注, 错误说明) are recognised and skipped without a warning.
NAME = "name"
ID_NUMBER = "id_number"
CLAIMED_AMOUNT = "claimed_amount"
PHONE = "phone"
SECURITIES_ACCOUNT = "securities_account"
CASE_NUMBER = "case_number"
COMPANY = "company"
AGREED_AMOUNT = "agreed_amount"
ADDRESS = "address"
AGENT = "agent"
IGNORED = "ignored"

# Header synonyms per field, in their normalised form (see ``normalise_header``).
SYNONYMS: dict[str, tuple[str, ...]] = {
    NAME: ("原告", "原告姓名", "原告名称", "投资者", "投资者姓名", "投资人", "姓名", "当事人姓名"),
    ID_NUMBER: (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号码",
        "证件号",
        "身份证件号码",
        "原告身份证号",
    ),
    CLAIMED_AMOUNT: (
        "诉讼请求金额",
        "诉请金额",
        "标的额",
        "标的金额",
        "起诉金额",
        "诉讼标的额",
        "诉讼请求",
        "请求金额",
    ),
    PHONE: ("联系电话", "手机号码", "手机号", "电话", "手机", "联系方式", "电话号码"),
    SECURITIES_ACCOUNT: ("证券账户", "股东账户", "证券账号", "股东账号", "证券账户号", "股东代码"),
    CASE_NUMBER: ("案号", "案件号", "案件编号"),
    COMPANY: ("被告", "上市公司", "被告名称", "被告公司"),
    AGREED_AMOUNT: ("调解金额", "和解金额", "调解协议金额", "赔偿金额", "和解款"),
    ADDRESS: ("地址", "住址", "联系地址", "送达地址", "住所地"),
    AGENT: ("代理人", "委托代理人", "诉讼代理人", "原告代理人"),
    IGNORED: ("序号", "编号", "备注", "错误说明"),
}

# What the GUI's mapping combo boxes and the problem report call each field.
FIELD_LABELS: dict[str, str] = {
    NAME: N_("原告姓名"),
    ID_NUMBER: N_("身份证号码"),
    CLAIMED_AMOUNT: N_("诉讼请求金额"),
    PHONE: N_("联系电话"),
    SECURITIES_ACCOUNT: N_("证券账户"),
    CASE_NUMBER: N_("案号"),
    COMPANY: N_("被告（上市公司）"),
    AGREED_AMOUNT: N_("调解金额"),
    ADDRESS: N_("地址"),
    AGENT: N_("委托代理人"),
    IGNORED: N_("（忽略此列）"),
}

# Fields a list must have to be imported: a case is its 案号, investor and claimed amount.
REQUIRED_FIELDS: tuple[str, ...] = (CASE_NUMBER, NAME, ID_NUMBER, CLAIMED_AMOUNT)

_LOOKUP: dict[str, str] = {synonym: field for field, names in SYNONYMS.items() for synonym in names}
# Units and marks around a header: （元） (人民币元) （单位：元） and the * of a required column.
# （万元） is kept on purpose: an amount in 万元 read as 元 would be wrong by 10,000×.
_UNIT = re.compile(r"\((?:人民币)?(?:单位[:：]?)?(?:人民币)?元\)|[*＊:：]")
HEADER_SCAN_ROWS = 20


def normalise_header(text: object) -> str:
    """The comparable form of a header cell: half-width, no spaces, no （元） unit, no * mark."""
    if not isinstance(text, str):
        return ""
    return _UNIT.sub("", "".join(to_half_width(text).split()))


def match_header(text: object) -> str | None:
    """The field a header cell names, or None when it is not a known column name."""
    return _LOOKUP.get(normalise_header(text))


@dataclass(frozen=True)
class HeaderMatch:
    """Where the header row is (0-based index among the scanned rows) and what each column holds."""

    index: int
    fields: tuple[str | None, ...]  # one per column: a field key or None (unknown / blank)

    def column_of(self, field: str) -> int | None:
        try:
            return self.fields.index(field)
        except ValueError:
            return None


def _is_usable(fields: Sequence[str | None]) -> bool:
    present = set(fields)
    return NAME in present and CLAIMED_AMOUNT in present and bool(present & {CASE_NUMBER, ID_NUMBER})


def find_header(rows: Iterable[Sequence[object]]) -> HeaderMatch | None:
    """The row among ``rows`` (the first ~20 of a sheet) with the most recognised column names.

    Needs at least the name, the claimed amount and the 案号 or ID number; None when no row has them.
    """
    best: HeaderMatch | None = None
    best_count = 0
    for index, row in enumerate(rows):
        fields = tuple(match_header(cell) for cell in row)
        count = sum(1 for field in fields if field is not None)
        if count > best_count and _is_usable(fields):
            best, best_count = HeaderMatch(index, fields), count
    return best


def duplicated_fields(fields: Sequence[str | None]) -> list[str]:
    """Fields named by more than one column (besides ignored ones): the list is ambiguous."""
    seen: set[str] = set()
    twice: list[str] = []
    for field in fields:
        if field is None or field == IGNORED:
            continue
        if field in seen and field not in twice:
            twice.append(field)
        seen.add(field)
    return twice


# --- title rows ---------------------------------------------------------------------------------

_DATE_LABEL = re.compile(r"(?:委派|移送|立案|交办)?日期")
_DATE_TEXT = re.compile(r"((?:19|20)[0-9]{2})\s*[年./\-]\s*([0-9]{1,2})\s*[月./\-]\s*([0-9]{1,2})\s*日?")


def date_in(text: str) -> date | None:
    """A date written 2025年3月3日, 2025-03-03, 2025.3.3 or 2025/3/3 inside ``text``."""
    match = _DATE_TEXT.search(to_half_width(text))
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


@dataclass(frozen=True)
class TitleInfo:
    batch_number: int | None = None
    referral_date: date | None = None
    title: str = ""


def read_title_rows(rows: Iterable[Sequence[object]]) -> TitleInfo:
    """Batch number and referral date from the rows above the header.

    The date is taken from a cell labelled 委派日期 (its own text or the next cell, which a
    spreadsheet may hold as a real date), or from any date in the title when there is no label.
    """
    batch: int | None = None
    labelled: date | None = None
    loose: date | None = None
    title = ""
    for row in rows:
        cells = list(row)
        for position, cell in enumerate(cells):
            if isinstance(cell, datetime):
                cell = cell.date()
            if isinstance(cell, date):
                loose = loose or cell
                continue
            if not isinstance(cell, str) or not cell.strip():
                continue
            title = title or cell.strip()
            batch = batch or batch_number_in(cell)
            found = date_in(cell)
            if _DATE_LABEL.search(cell):
                if found is None and position + 1 < len(cells):
                    following = cells[position + 1]
                    if isinstance(following, datetime):
                        following = following.date()
                    if isinstance(following, date):
                        found = following
                    elif isinstance(following, str):
                        found = date_in(following)
                labelled = labelled or found
            else:
                loose = loose or found
    return TitleInfo(batch, labelled or loose, title)


def is_total_label(text: object) -> bool:
    """A 合计 / 总计 / 小计 cell that marks the total row at the bottom of a list."""
    if not isinstance(text, str):
        return False
    compact = "".join(text.split())
    return compact.startswith(("合计", "总计", "小计", "共计"))
