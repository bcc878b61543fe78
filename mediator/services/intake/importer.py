"""Importing the court's referral lists (委派调解案件清单): messy spreadsheets in, every row checked,
all or nothing.

Rows stream from the file (``referral_reader``), are checked cell by cell here (``referral_checks``
and the domain validators) and go in chunks to the writer (``referral_writer``), which checks them
against what the database holds and bulk-inserts them inside ONE transaction. That transaction is
committed only when no error was found in any row of any file; any error, a cancel or a killed
process rolls it back, so nothing is ever half-imported (the project's bulk-job rule). Importing
the same list again creates nothing: identical rows count as ``skipped_duplicates``; a known 案号
with different data is an error naming both.
"""

from __future__ import annotations

import gc
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from mediator.domain import referral_headers as rh
from mediator.domain.batch_numbers import parse_batch_number
from mediator.domain.money import format_money, parse_amount
from mediator.domain.privacy import mask_id_number, mask_phone
from mediator.domain.validators import (
    to_half_width,
    validate_uscc,
)
from mediator.errors import UserError, ValidationError
from mediator.i18n import _
from mediator.services.intake import checks
from mediator.services.intake.reader import FileProblem, Prefetch, SheetRows, column_letter, open_rows
from mediator.services.progress import Progress
from mediator.store.database import Database

log = logging.getLogger("mediator.import")

# Rows are checked and written in chunks; cancel is looked at between chunks.
CHUNK = 2000
# Shown values are cut here in the console table and the JSON.
SHOWN_VALUE = 60

_ID_FLOAT_MESSAGE = "身份证号被 Excel 存为数字，末位可能已丢失，请将该列设为文本"
# An investor that is an institution (1% of plaintiffs) is named like one and has a credit code.
_INSTITUTION = re.compile(r"(公司|企业|合伙\)|合伙）|基金|银行|事务所|中心|研究院|协会|学校|医院|集团)$")
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(?:-[0-9]{1,5})?")
_COMPANY_SEPARATORS = re.compile(r"[、，,;；/]| 及 |等$")
_PLAIN_ACCOUNT = re.compile(r"[A-Z0-9]{6,20}")
_ZERO = Decimal(0)
_FEN = Decimal("0.01")
# ID numbers (15/18), mobiles (11) and anything as long, whole or mistyped: masked in messages.
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]{10,}[0-9Xx]?(?![0-9])")


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem, located as the clerk sees it: file, Excel row number, column header as typed."""

    file: str
    row: int | None  # None: the problem is the file's, not a row's
    column: str
    value: str  # as typed (full; mask with ``masked`` before showing it in a list)
    message: str
    field: str | None = None

    def masked(self) -> RowError:
        """The same problem with ID and phone numbers masked (personal-data rule for lists)."""
        value, message = self.value, self.message
        if self.field in (rh.ID_NUMBER, rh.PHONE) and value.strip():
            masked = mask_id_number(value) if self.field == rh.ID_NUMBER else mask_phone(value)
            # Validators quote the value in their message, as typed or normalised: mask it there too.
            typed = value.strip()
            for form in {typed, to_half_width(typed), "".join(to_half_width(typed).split()).upper()}:
                if form:
                    message = message.replace(form, masked)
            value = masked
        return RowError(self.file, self.row, self.column, _cut(value), mask_digits(message), self.field)

    def as_json(self) -> dict[str, Any]:
        shown = self.masked()
        return {"row": shown.row, "column": shown.column, "value": shown.value, "message": shown.message}


@dataclass
class FileReport:
    """What happened to one file."""

    file: str
    rows: int = 0  # data rows read (blank rows and the 合计 row not counted)
    imported: int = 0  # new cases (would be, on a dry run)
    skipped_duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    batch_number: int | None = None
    referral_date: date | None = None
    company: str | None = None
    header_row: int | None = None
    headers: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Exactly the keys the issue fixes: file, rows, imported, skipped_duplicates, errors."""
        return {
            "file": self.file,
            "rows": self.rows,
            "imported": self.imported,
            "skipped_duplicates": self.skipped_duplicates,
            "errors": [error.as_json() for error in self.errors],
        }


@dataclass
class ImportResult:
    files: list[FileReport]
    dry_run: bool = False
    written: bool = False

    @property
    def errors(self) -> list[RowError]:
        return [error for report in self.files for error in report.errors]

    @property
    def ok(self) -> bool:
        return not any(report.errors for report in self.files)

    @property
    def imported(self) -> int:
        return sum(report.imported for report in self.files)

    @property
    def skipped_duplicates(self) -> int:
        return sum(report.skipped_duplicates for report in self.files)

    def as_json(self) -> dict[str, Any] | list[dict[str, Any]]:
        """One object for one file, a list of objects (one per file) for several."""
        if len(self.files) == 1:
            return self.files[0].as_json()
        return [report.as_json() for report in self.files]


@dataclass
class FilePreview:
    """The first rows of a list as the import dialog shows them, with the detected mapping."""

    file: str
    header_row: int | None = None  # Excel row number of the header
    headers: list[str] = field(default_factory=list)
    fields: list[str | None] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    batch_number: int | None = None
    referral_date: date | None = None
    company: str | None = None
    problem: str | None = None


class PhaseEcho(Progress):
    """A ``Progress`` that also hands each new phase message to ``echo`` (the CLI prints it)."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        super().__init__()
        self._echo = echo
        self._last = ""

    def update(self, done: int, total: int | None = None, message: str | None = None) -> None:
        super().update(done, total, message)
        if message and message != self._last:
            self._last = message
            self._echo(message)


# --- small helpers --------------------------------------------------------------------------------


def _cut(text: str, limit: int = SHOWN_VALUE) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def mask_digits(text: str) -> str:
    """Mask anything in a message that looks like an ID or phone number (11+ digits)."""
    return _DIGIT_RUN.sub(lambda m: mask_id_number(m[0]) if len(m[0]) > 11 else mask_phone(m[0]), text)


def display_value(value: object) -> str:
    """A cell as the clerk typed it: 12345.0 → "12345", dates as 2025-03-03."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _blank(cell: object) -> bool:
    return cell is None or cell == "" or (isinstance(cell, str) and not cell.strip())


def _company_head(name: str) -> str:
    """The listed company in a 被告 cell that also names co-defendants: "甲公司、乙会计师事务所" → 甲公司."""
    compact = "".join(to_half_width(name).split())
    return _COMPANY_SEPARATORS.split(compact, maxsplit=1)[0]


# --- reading and checking one file ---------------------------------------------------------------

# One checked row: (row number, case number, name, id type, id number, phone, account, address, agent,
# claimed, agreed, company). Tuples, not objects: 100,000 of them stay small and fast. Amounts are
# integer fen (exact: checked to two places; Money stores fen too), cheaper than Decimal to hand to
# the writer process.
_Row = tuple[
    int,
    str,
    str,
    str,
    str,
    str | None,
    str | None,
    str | None,
    str | None,
    int,
    int | None,
    str | None,
]


@dataclass
class _ParsedFile:
    report: FileReport
    path: Path
    title: rh.TitleInfo = field(default_factory=rh.TitleInfo)
    total_claimed: Decimal | None = None
    columns: dict[str, int] = field(default_factory=dict)
    header_names: dict[str, str] = field(default_factory=dict)  # field → header as typed
    opened: Any = None  # the open source while its rows are streamed
    claimed_sum: Decimal = Decimal(0)


@dataclass
class _Opened:
    source: SheetRows
    header_number: int
    header_cells: list[Any]
    fields: list[str | None]
    title: rh.TitleInfo
    rest: Iterator[tuple[int, list[Any]]]


def _open_list(
    path: Path, mapping: Mapping[int, str | None] | None = None, prefetch: Prefetch | None = None
) -> _Opened:
    """Open a list, find its header row and title rows; raises ``FileProblem``."""
    source = open_rows(path, prefetch)
    head: list[tuple[int, list[Any]]] = list(itertools.islice(source.rows, rh.HEADER_SCAN_ROWS))
    match = rh.find_header([cells for _number, cells in head])
    if match is None:
        if not any(any(not _blank(cell) for cell in cells) for _number, cells in head):
            raise FileProblem(
                _("文件的前 {count} 行都是空的，找不到表头。").format(count=rh.HEADER_SCAN_ROWS)
            )
        raise FileProblem(
            _(
                "找不到表头：前 {count} 行中没有同时含有“原告/姓名”“诉讼请求金额”和“案号”或“身份证号码”的行。"
            ).format(count=rh.HEADER_SCAN_ROWS)
        )
    header_number, header_cells = head[match.index]
    fields: list[str | None] = list(match.fields)
    if mapping:
        width = max(len(fields), max(mapping) + 1)
        fields += [None] * (width - len(fields))
        for column, chosen in mapping.items():
            fields[column] = chosen
    title = rh.read_title_rows(cells for _number, cells in head[: match.index])
    rest = itertools.chain(head[match.index + 1 :], source.rows)
    return _Opened(source, header_number, list(header_cells), fields, title, rest)


def _header_name(opened: _Opened, column: int) -> str:
    if column < len(opened.header_cells) and not _blank(opened.header_cells[column]):
        return display_value(opened.header_cells[column]).strip()
    return _("第{letter}列").format(letter=column_letter(opened.source.first_column + column))


class _MergedFill:
    """Values of vertically merged cells (a 被告 column merged down the whole list), filled down."""

    def __init__(self, merged: Iterable[tuple[tuple[int, int], tuple[int, int]]], first_column: int) -> None:
        # By first row number (1-based as Excel shows it): [(last row, first col, last col)]
        self._starts: dict[int, list[tuple[int, int, int]]] = {}
        for (row0, col0), (row1, col1) in merged:
            if row1 > row0:
                self._starts.setdefault(row0 + 1, []).append(
                    (row1 + 1, col0 - first_column, col1 - first_column)
                )
        self._active: list[tuple[int, int, int, object]] = []

    def __bool__(self) -> bool:
        return bool(self._starts) or bool(self._active)

    def apply(self, number: int, cells: list[Any]) -> None:
        if self._active:
            self._active = [span for span in self._active if span[0] >= number]
            for _last, col0, col1, value in self._active:
                for column in range(max(col0, 0), min(col1 + 1, len(cells))):
                    if _blank(cells[column]):
                        cells[column] = value
        for last, col0, col1 in self._starts.pop(number, ()):
            if 0 <= col0 < len(cells):
                self._active.append((last, col0, col1, cells[col0]))


def _open_file(
    path: Path,
    display: str,
    mapping: Mapping[int, str | None] | None,
    prefetch: Prefetch | None = None,
) -> _ParsedFile:
    """Open one file and read its header and title rows; ``parsed.opened`` is set when its rows
    can be checked (no problem with the file or its columns)."""
    report = FileReport(file=display)
    parsed = _ParsedFile(report, path)
    try:
        opened = _open_list(path, mapping, prefetch)
    except FileProblem as exc:
        report.errors.append(RowError(display, None, "", "", str(exc)))
        return parsed
    report.header_row = opened.header_number
    report.headers = [display_value(cell).strip() for cell in opened.header_cells]
    parsed.title = opened.title
    fields = opened.fields
    twice = rh.duplicated_fields(fields)
    for field_name in twice:
        names = "、".join(f"“{_header_name(opened, i)}”" for i, f in enumerate(fields) if f == field_name)
        report.errors.append(
            RowError(
                display,
                opened.header_number,
                names,
                "",
                _("{columns}都表示“{field}”，请删去多余的列或在导入窗口中指定各列含义。").format(
                    columns=names, field=_(rh.FIELD_LABELS[field_name])
                ),
            )
        )
    missing = [f for f in rh.REQUIRED_FIELDS if f not in fields]
    if missing:
        report.errors.append(
            RowError(
                display,
                opened.header_number,
                "",
                "",
                _("缺少必需的列：{columns}。").format(
                    columns="、".join(_(rh.FIELD_LABELS[f]) for f in missing)
                ),
            )
        )
    for column, (cell, field_name) in enumerate(zip(opened.header_cells, fields, strict=False)):
        if field_name is None and not _blank(cell):
            report.warnings.append(
                _("未识别的列“{header}”（{letter}列）已忽略。").format(
                    header=_cut(display_value(cell).strip(), 30),
                    letter=column_letter(opened.source.first_column + column),
                )
            )
    if twice or missing:
        return parsed
    parsed.columns = {f: fields.index(f) for f in set(fields) if f is not None and f != rh.IGNORED}
    parsed.header_names = {f: _header_name(opened, i) for f, i in parsed.columns.items()}
    parsed.opened = opened
    return parsed


def _check_rows(parsed: _ParsedFile, progress: Progress | None, done_before: int) -> Iterator[list[_Row]]:
    """Stream the rows of an opened file, check each, and yield the good ones in chunks."""
    opened: _Opened = parsed.opened
    columns = parsed.columns
    report = parsed.report
    display = report.file
    headers = parsed.header_names
    width = max(columns.values()) + 1
    i_case, i_name, i_id, i_claim = (columns[f] for f in rh.REQUIRED_FIELDS)
    i_phone = columns.get(rh.PHONE)
    i_account = columns.get(rh.SECURITIES_ACCOUNT)
    i_address = columns.get(rh.ADDRESS)
    i_agent = columns.get(rh.AGENT)
    i_agreed = columns.get(rh.AGREED_AMOUNT)
    i_company = columns.get(rh.COMPANY)
    labels = sorted({0, i_case, i_name} | ({columns[rh.IGNORED]} if rh.IGNORED in columns else set()))
    fill = _MergedFill(opened.source.merged, opened.source.first_column)
    fill_active = bool(fill)
    errors = report.errors
    rows: list[_Row] = []
    claimed_sum = 0  # fen
    seen_total = False
    count = 0

    def problem(number: int, field_name: str, value: object, exc: ValidationError | str) -> None:
        errors.append(
            RowError(display, number, headers[field_name], display_value(value), str(exc), field_name)
        )

    company_cache: dict[object, tuple[str, str]] = {}
    blank_cells = ("", None)
    case_fast, name_fast = checks.CANONICAL_CASE_NUMBER.fullmatch, checks.PLAIN_NAME.fullmatch
    amount_fast, mobile_fast = checks.PLAIN_AMOUNT.fullmatch, checks.MOBILE.fullmatch
    account_fast, max_cell = _PLAIN_ACCOUNT.fullmatch, checks.MAX_CELL
    for number, cells in opened.rest:
        if len(cells) < width:
            cells = [*cells, *([""] * (width - len(cells)))]
        if fill_active:
            fill.apply(number, cells)
        if not any(cells):
            continue
        raw = cells[i_case]
        if (raw in blank_cells or (raw.__class__ is str and not raw.strip())) and all(map(_blank, cells)):
            continue  # only spaces
        if seen_total:
            report.warnings.append(_("合计行之后的第 {row} 行已忽略。").format(row=number))
            continue
        clean_case = raw.__class__ is str and case_fast(raw) is not None
        # A row with a well-formed 案号 is no 合计 row: only look at the others.
        total_row = False
        if not clean_case:
            for label in map(cells.__getitem__, labels):
                if label.__class__ is str and "计" in label and rh.is_total_label(label):
                    total_row = True
                    break
        if total_row:
            seen_total = True
            try:
                parsed.total_claimed = parse_amount(cells[i_claim], allow_zero=True)
            except ValidationError:
                parsed.total_claimed = None
            continue
        count += 1
        if count % CHUNK == 0:
            if progress is not None:
                progress.check()
                progress.update(done_before + count)
            if rows:
                yield rows
                rows = []
        before = len(errors)
        # 案号
        # Each check first tries the already-clean value inline (one regex, no call), then the
        # checks module, which falls back to the domain validator (see referral_checks).
        case_number = ""
        if clean_case:
            case_number = raw
        else:
            try:
                case_number = checks.case_number(raw)
            except ValidationError as exc:
                problem(number, rh.CASE_NUMBER, raw, exc)
        # 身份证号码 / an institution's credit code
        raw = cells[i_id]
        name_raw = cells[i_name]
        id_type = "resident_id"
        id_number = ""
        if raw.__class__ is float:
            problem(number, rh.ID_NUMBER, raw, _(_ID_FLOAT_MESSAGE))
        else:
            try:
                # cell_text without the call for the usual short text cell (same result).
                text = raw.strip() if raw.__class__ is str and len(raw) <= max_cell else None
                id_number = checks.resident_id(
                    text if text is not None else checks.cell_text(raw, rh.ID_NUMBER)
                )
            except ValidationError as exc:
                institution = isinstance(name_raw, str) and _INSTITUTION.search(name_raw.strip())
                try:
                    if not institution:
                        raise exc
                    id_number = validate_uscc(checks.cell_text(raw, rh.ID_NUMBER))
                    id_type = "uscc"
                except ValidationError:
                    problem(number, rh.ID_NUMBER, raw, exc)
        # 原告姓名
        name = ""
        try:
            if id_type == "uscc":
                name = " ".join(to_half_width(checks.cell_text(name_raw, rh.NAME)).split())
                if not name:
                    raise ValidationError(_("请填写原告名称。"), field=rh.NAME, value=name_raw)
            elif name_raw.__class__ is str and name_fast(name_raw):
                name = name_raw
            else:
                name = checks.person_name(checks.cell_text(name_raw, rh.NAME))
        except ValidationError as exc:
            problem(number, rh.NAME, name_raw, exc)
        # 诉讼请求金额, 调解金额
        raw = cells[i_claim]
        claimed = _ZERO
        if raw.__class__ is str and amount_fast(raw):
            claimed = Decimal(raw).quantize(_FEN)
        elif raw.__class__ is float and amount_fast(text := repr(raw)):
            claimed = Decimal(text).quantize(_FEN)  # as checks.amount reads a float: through repr
        else:
            try:
                claimed = checks.amount(raw)
            except ValidationError as exc:
                problem(number, rh.CLAIMED_AMOUNT, raw, exc)
        agreed: Decimal | None = None
        if i_agreed is not None and (raw := cells[i_agreed]) not in blank_cells and not _blank(raw):
            try:
                agreed = checks.amount(raw)
            except ValidationError as exc:
                problem(number, rh.AGREED_AMOUNT, raw, exc)
        # Optional columns
        phone = account = address = agent = company = None
        if i_phone is not None and (raw := cells[i_phone]) not in blank_cells:
            if raw.__class__ is str and mobile_fast(raw):
                phone = raw
            else:
                try:
                    phone = _phone(raw)
                except ValidationError as exc:
                    problem(number, rh.PHONE, raw, exc)
        if i_account is not None and (raw := cells[i_account]) not in blank_cells:
            if raw.__class__ is str and account_fast(raw):
                account = raw
            else:
                try:
                    account = _account(raw)
                except ValidationError as exc:
                    problem(number, rh.SECURITIES_ACCOUNT, raw, exc)
        if i_address is not None and (raw := cells[i_address]) not in blank_cells:
            try:
                address = _free_text(raw, rh.ADDRESS, 200)
            except ValidationError as exc:
                problem(number, rh.ADDRESS, raw, exc)
        if i_agent is not None and (raw := cells[i_agent]) not in blank_cells:
            try:
                agent = _free_text(raw, rh.AGENT, 100)
            except ValidationError as exc:
                problem(number, rh.AGENT, raw, exc)
        if i_company is not None and (raw := cells[i_company]) not in blank_cells:
            # The same few values repeat down the column: check each once.
            known = company_cache.get(raw)
            try:
                if known is None:
                    text = _free_text(raw, rh.COMPANY, 100) or ""
                    known = company_cache[raw] = (text, _company_head(text))
                company = known[0] or None
            except ValidationError as exc:
                problem(number, rh.COMPANY, raw, exc)
        if len(errors) == before:
            fen = int(claimed * 100)
            rows.append(
                (
                    number,
                    case_number,
                    name,
                    id_type,
                    id_number,
                    phone,
                    account,
                    address,
                    agent,
                    fen,
                    None if agreed is None else int(agreed * 100),
                    company,
                )
            )
            claimed_sum += fen
    if rows:
        yield rows
    report.rows = count
    parsed.opened = None
    if parsed.total_claimed is not None and not errors:
        total = Decimal(claimed_sum) / 100
        if total != parsed.total_claimed:
            report.warnings.append(
                _("合计行的诉讼请求金额 {stated} 与各行之和 {total} 不符，请核对是否漏行。").format(
                    stated=format_money(parsed.total_claimed), total=format_money(total)
                )
            )


def _phone(value: object) -> str | None:
    # An 11-digit mobile survives a float exactly; cell_text writes it back without ".0".
    text = checks.cell_text(value, rh.PHONE)
    if not text:
        return None
    try:
        return checks.mobile(text)
    except ValidationError:
        compact = "".join(to_half_width(text).split())
        if _LANDLINE.fullmatch(compact):
            return compact
        raise


def _account(value: object) -> str | None:
    if isinstance(value, float):
        # A Shenzhen account starts with 0: stored as a number it has already lost it.
        raise ValidationError(
            _("证券账户被 Excel 存为数字，开头的 0 可能已丢失，请将该列设为文本。"),
            field=rh.SECURITIES_ACCOUNT,
            value=value,
        )
    text = checks.cell_text(value, rh.SECURITIES_ACCOUNT)
    if not text:
        return None
    if _PLAIN_ACCOUNT.fullmatch(text):
        return text
    text = "".join(to_half_width(text).split()).upper()
    if len(text) > 30:
        raise ValidationError(_("证券账户过长：{value}。").format(value=text), field=rh.SECURITIES_ACCOUNT)
    return text


def _free_text(value: object, field_name: str, limit: int) -> str | None:
    text = " ".join(to_half_width(checks.cell_text(value, field_name)).split())
    if not text:
        return None
    if len(text) > limit:
        raise ValidationError(
            _("内容过长（{count} 个字符，最多 {limit} 个）。").format(count=len(text), limit=limit),
            field=field_name,
            value=value,
        )
    return text


# --- preview (the import dialog) -----------------------------------------------------------------


def preview_file(path: str | Path, rows: int = 20) -> FilePreview:
    """The header, the detected mapping and the first ``rows`` data rows of a list."""
    path = Path(path)
    preview = FilePreview(file=str(path))
    if not path.is_file():
        preview.problem = _("文件不存在：{path}").format(path=path)
        return preview
    try:
        opened = _open_list(path)
    except FileProblem as exc:
        preview.problem = str(exc)
        return preview
    preview.header_row = opened.header_number
    preview.headers = [display_value(cell).strip() for cell in opened.header_cells]
    preview.fields = list(opened.fields)
    preview.batch_number = opened.title.batch_number
    preview.referral_date = opened.title.referral_date
    i_company = opened.fields.index(rh.COMPANY) if rh.COMPANY in opened.fields else None
    width = len(preview.headers)
    for _number, cells in opened.rest:
        if all(_blank(cell) for cell in cells):
            continue
        shown = [display_value(cell) for cell in cells[:width]]
        shown += [""] * (width - len(shown))
        if i_company is not None and preview.company is None and shown[i_company].strip():
            preview.company = _company_head(shown[i_company])
        preview.rows.append(shown)
        if len(preview.rows) >= rows:
            break
    return preview


# --- the import --------------------------------------------------------------------------------


def import_referrals(
    database: Database,
    paths: Sequence[str | Path],
    *,
    batch: str | int | None = None,
    company: str | None = None,
    referred_on: date | None = None,
    mapping: Mapping[int, str | None] | Mapping[str, Mapping[int, str | None]] | None = None,
    dry_run: bool = False,
    actor: str = "",
    progress: Progress | None = None,
    prefetch: Prefetch | None = None,
) -> ImportResult:
    """Check every row of ``paths`` and, when nothing is wrong, write them all in one transaction.

    ``batch``, ``company`` and ``referred_on`` override what the title rows and the 被告 column say.
    ``mapping`` corrects the detected columns (column index → field key of ``referral_headers``, or
    None to ignore a column), for every file, or per file when keyed by the path as given.
    ``prefetch`` is a ``referral_reader.Prefetch`` the caller started on the first file.
    Raises ``UserError`` for a path that is not a file and ``Cancelled`` when ``progress`` is
    cancelled (nothing written); problems inside files come back as ``RowError``s.
    """
    from mediator.services.intake.writer import PROCESS_THRESHOLD_BYTES, FileInfo, Options, Outcome, Writer

    batch_number = parse_batch_number(batch) if batch not in (None, "") else None
    company_name = " ".join(to_half_width(company).split()) if company else None
    files = [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise UserError(_("文件不存在：{path}").format(path=path))
    progress = progress or Progress()
    progress.update(0, None, _("正在读取并检查……"))
    options = Options(batch_number, company_name, referred_on, dry_run, actor)
    reports: list[FileReport] = []
    result = ImportResult(reports, dry_run=dry_run)
    duplicates = _RunDuplicates()
    # Rows are checked here and handed in chunks to the writer, which matches them against the
    # database and inserts them inside one transaction; it commits only if no error was found
    # anywhere (see referral_writer).
    writer: Writer | None = None
    outcome: Outcome | None = None
    announced = False
    done = 0
    commit = False
    # Big lists get a writer process, started now so that it is ready when the first rows are.
    size = sum(path.stat().st_size for path in files)
    in_process = size >= PROCESS_THRESHOLD_BYTES and database.engine.url.database not in (
        None,
        "",
        ":memory:",
    )
    # A big list makes about a million small acyclic objects (cells, rows, keys): the cyclic
    # garbage collector's passes over them cost 0.1 s of a 2 s import and never free anything
    # (reference counting does). Paused for the import, as the writer process does.
    collecting = gc.isenabled()
    gc.disable()
    try:
        writer = Writer(database, options, in_process=in_process)
        for index, (given, path) in enumerate(zip(paths, files, strict=True)):
            progress.check()
            progress.update(done, None, _("正在检查 {file}……").format(file=path.name))
            parsed = _open_file(path, str(given), _mapping_for(mapping, str(given)), prefetch)
            reports.append(parsed.report)
            if parsed.opened is not None:
                title = parsed.title
                info = FileInfo(
                    parsed.report.file, title.batch_number, title.referral_date, parsed.header_names
                )
                writer.start_file(index, info)
                total = parsed.opened.source.total
                progress.update(done, done + total if total else None)
                for chunk in _check_rows(parsed, progress, done):
                    kept = duplicates.keep(parsed, chunk)
                    if parsed.report.errors:
                        writer.stop()
                    elif kept and not announced and not dry_run:
                        announced = True
                        progress.update(done, message=_("正在检查并写入数据库……"))
                    if kept:
                        writer.rows(index, kept)
                writer.end_file(index)
            if parsed.report.errors:
                writer.stop()
            done += parsed.report.rows
        progress.check()
        commit = not dry_run and result.ok
        progress.update(done, done, _("正在提交……") if commit else _("正在结束……"))
    finally:
        try:
            # Commits only when asked to and no error was found; rolls back on any exception here.
            if writer is not None:
                outcome = writer.finish(commit)
        finally:
            if collecting:
                gc.enable()
    if outcome is not None:
        for index, found in outcome.files.items():
            report = reports[index]
            report.errors += found.errors
            report.warnings += found.warnings
            report.imported = found.imported
            report.skipped_duplicates += found.skipped_duplicates
            report.batch_number = found.batch_number
            report.referral_date = found.referral_date
            report.company = found.company
    for report in reports:
        report.errors.sort(key=lambda e: e.row or 0)
    if not result.ok:
        for report in reports:
            report.imported = 0
    result.written = outcome is not None and outcome.committed
    if result.written:
        log.info(
            "imported %d new cases from %d file(s), %d duplicates skipped",
            result.imported,
            len(files),
            result.skipped_duplicates,
        )
    return result


def _mapping_for(
    mapping: Mapping[int, str | None] | Mapping[str, Mapping[int, str | None]] | None, key: str
) -> Mapping[int, str | None] | None:
    if not mapping:
        return None
    if all(isinstance(k, int) for k in mapping):
        return mapping  # type: ignore[return-value]
    return mapping.get(key)  # type: ignore[call-overload, no-any-return]


class _RunDuplicates:
    """Duplicate 案号 within and across the files of one run, and one ID number given two names."""

    def __init__(self) -> None:
        self._cases: dict[str, tuple[str, int, tuple[Any, ...]]] = {}
        self._ids: dict[tuple[str, str], tuple[str, int, str]] = {}

    def keep(self, p: _ParsedFile, rows: list[_Row]) -> list[_Row]:
        report = p.report
        headers = p.header_names
        seen_cases, seen_ids = self._cases, self._ids
        kept: list[_Row] = []
        for row in rows:
            number, case_number = row[0], row[1]
            signature = (row[2], row[4], row[9], row[10])
            earlier = seen_cases.get(case_number)
            if earlier is not None:
                if earlier[2] == signature:
                    report.skipped_duplicates += 1
                    continue
                where = _("第 {row} 行").format(row=earlier[1])
                if earlier[0] != report.file:
                    where = f"{earlier[0]} " + where
                report.errors.append(
                    RowError(
                        report.file,
                        number,
                        headers[rh.CASE_NUMBER],
                        case_number,
                        _("案号{case}与{where}重复，但内容不同。").format(case=case_number, where=where),
                        rh.CASE_NUMBER,
                    )
                )
                continue
            seen_cases[case_number] = (report.file, number, signature)
            key = (row[3], row[4])
            known = seen_ids.get(key)
            if known is not None and known[2] != row[2]:
                report.errors.append(
                    RowError(
                        report.file,
                        number,
                        headers[rh.NAME],
                        row[2],
                        _("同一身份证号码在第 {row} 行的姓名为“{other}”，与此行不同。").format(
                            row=known[1], other=known[2]
                        ),
                        rh.NAME,
                    )
                )
                continue
            if known is None:
                seen_ids[key] = (report.file, number, row[2])
            kept.append(row)
        return kept


# --- the problem table and the errors workbook ----------------------------------------------------


def format_problem_table(errors: Sequence[RowError], limit: int = 200) -> str:
    """The problems as an aligned text table (ID and phone numbers masked)."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    def pad(text: str, size: int) -> str:
        return text + " " * max(0, size - width(text))

    header = [_("文件"), _("行"), _("列"), _("值"), _("问题")]
    lines = [
        [Path(e.file).name, "" if e.row is None else str(e.row), _cut(e.column, 20), e.value, e.message]
        for e in (error.masked() for error in errors[:limit])
    ]
    widths = [max(width(r[i]) for r in [header, *lines]) for i in range(4)]
    out = [
        "  ".join(pad(cell, widths[i]) if i < 4 else cell for i, cell in enumerate(r))
        for r in [header, *lines]
    ]
    if len(errors) > limit:
        out.append(
            _("……另有 {count} 个问题未列出，请用 --errors-out 导出全部。").format(count=len(errors) - limit)
        )
    return "\n".join(line.rstrip() for line in out)


def write_errors_workbook(result: ImportResult, path: str | Path) -> Path:
    """An .xlsx of the offending rows with their original columns plus 错误说明, for the clerk to fix.

    Values are as typed (unmasked): the file goes back to the clerk who sent them. Written to a
    temporary name in the same folder and renamed (nothing half-written).
    """
    import os
    import tempfile

    import xlsxwriter

    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    handle, temp_name = tempfile.mkstemp(suffix=".xlsx", prefix=".~import-errors-", dir=folder)
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(temp_name, {"constant_memory": False, "strings_to_numbers": False})
        bold = workbook.add_format({"bold": True, "bg_color": "#FDE9D9"})
        wrap = workbook.add_format({"font_color": "#C00000", "text_wrap": True})
        used_names: set[str] = set()
        for report in result.files:
            if not report.errors:
                continue
            sheet = workbook.add_worksheet(_sheet_name(Path(report.file).stem, used_names))
            _fill_error_sheet(sheet, report, bold, wrap)
        if not used_names:
            workbook.add_worksheet(_("无错误"))
        workbook.close()
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def _sheet_name(stem: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", stem)[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]}({n})"
        n += 1
    used.add(name.lower())
    return name


def _fill_error_sheet(sheet: Any, report: FileReport, bold: Any, wrap: Any) -> None:
    by_row: dict[int | None, list[str]] = {}
    for error in report.errors:
        text = (
            error.message if error.row is not None or not error.column else f"{error.column}：{error.message}"
        )
        by_row.setdefault(error.row, []).append(
            f"{error.column}：{error.message}" if error.column and error.row is not None else text
        )
    headers = list(report.headers)
    sheet.write_row(0, 0, [*headers, _("错误说明")], bold)
    note_column = len(headers)
    out = 1
    file_level = by_row.pop(None, [])
    if report.header_row is not None:
        file_level += by_row.pop(report.header_row, [])
    for message in file_level:
        sheet.write(out, note_column, message, wrap)
        out += 1
    wanted = {row for row in by_row if row is not None}
    if wanted and report.header_row is not None:
        try:
            source = open_rows(Path(report.file))
            for number, cells in source.rows:
                if number in wanted:
                    for column, cell in enumerate(cells[:note_column]):
                        if isinstance(cell, str):
                            sheet.write_string(out, column, cell[:32767])
                        elif isinstance(cell, bool):
                            sheet.write_boolean(out, column, cell)
                        elif isinstance(cell, int | float):
                            sheet.write_number(out, column, cell)
                        elif cell not in (None, ""):
                            sheet.write_string(out, column, display_value(cell))
                    sheet.write(out, note_column, "；".join(by_row[number]), wrap)
                    out += 1
                    wanted.discard(number)
                    if not wanted:
                        break
        except FileProblem:
            pass
    sheet.set_column(note_column, note_column, 60)
