"""Checking a list's rows: the field checkers of ``checks``, composed per file from its columns.

``FIELD_CHECKS`` says, for each field a list may carry, where its value goes in a ``Row`` and
which checker reads it; ``RowChecker`` keeps the entries for the columns the file has. The
plaintiff's name and ID number are checked together (an institution has a credit code instead).
``check_rows`` streams the rows of an opened file (merged cells filled down, blank rows skipped,
the 合计 row noted) and yields the good ones in chunks; each problem becomes a ``RowError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from mediator.domain import referral_headers as rh
from mediator.domain.money import format_money, parse_amount
from mediator.errors import ValidationError
from mediator.i18n import _
from mediator.services.intake import checks
from mediator.services.intake import rows as r
from mediator.services.intake.layout import MergedFill, OpenedList, ParsedFile
from mediator.services.intake.report import RowError
from mediator.services.intake.rows import Row, display_value, is_blank
from mediator.services.progress import Progress

# Rows are checked and written in chunks; cancel is looked at between chunks.
CHUNK = 2000

Checker = Callable[[Any], Any]


class FieldCheck(NamedTuple):
    position: int  # in a Row
    check: Checker  # cell as read → stored value; raises ValidationError
    optional: bool  # an empty cell ("" or None) is skipped: the value stays None


# In the order the problems of a row are reported; the name and ID number come after the 案号.
FIELD_CHECKS: dict[str, FieldCheck] = {
    rh.CASE_NUMBER: FieldCheck(r.CASE_NUMBER, checks.case_number, optional=False),
    rh.CLAIMED_AMOUNT: FieldCheck(r.CLAIMED, checks.amount_fen, optional=False),
    rh.AGREED_AMOUNT: FieldCheck(r.AGREED, checks.optional_amount_fen, optional=True),
    rh.PHONE: FieldCheck(r.PHONE, checks.phone, optional=True),
    rh.SECURITIES_ACCOUNT: FieldCheck(r.ACCOUNT, checks.account, optional=True),
    rh.ADDRESS: FieldCheck(r.ADDRESS, checks.address, optional=True),
    rh.AGENT: FieldCheck(r.AGENT, checks.agent, optional=True),
    rh.COMPANY: FieldCheck(r.COMPANY, checks.company, optional=True),
}


class _Cached:
    """A checker for a column whose few values repeat down the list (被告): each checked once."""

    def __init__(self, check: Checker) -> None:
        self._check = check
        self._known: dict[object, Any] = {}

    def __call__(self, value: object) -> Any:
        try:
            return self._known[value]
        except KeyError:
            result = self._known[value] = self._check(value)
            return result


# Columns whose values repeat: checked once per distinct cell.
_REPEATING = frozenset({rh.COMPANY})


class RowChecker:
    """The checks of one list, composed from its columns; problems go to ``errors``."""

    def __init__(self, columns: Mapping[str, int], headers: Mapping[str, str], file: str) -> None:
        self.errors: list[RowError] = []
        self._headers = headers
        self._file = file
        self._id, self._name = columns[rh.ID_NUMBER], columns[rh.NAME]
        steps = [
            (columns[key], key, entry.position, _Cached(entry.check) if key in _REPEATING else entry.check)
            for key, entry in FIELD_CHECKS.items()
            if key in columns
        ]
        optional = {key for key, entry in FIELD_CHECKS.items() if entry.optional}
        self._first = steps[:1]  # the 案号
        self._required = [step for step in steps[1:] if step[1] not in optional]
        self._optional = [step for step in steps[1:] if step[1] in optional]

    def problem(self, number: int, field_name: str, value: object, message: str) -> None:
        self.errors.append(
            RowError(self._file, number, self._headers[field_name], display_value(value), message, field_name)
        )

    def check(self, number: int, cells: list[Any]) -> Row | None:
        """The row's stored values, or None when a cell has a problem (recorded in ``errors``)."""
        out: list[Any] = [number, "", "", "resident_id", "", None, None, None, None, 0, None, None]
        before = len(self.errors)
        for column, key, position, check in self._first:
            try:
                out[position] = check(cells[column])
            except ValidationError as exc:
                self.problem(number, key, cells[column], str(exc))
        self._identity(number, cells, out)
        for column, key, position, check in self._required:
            try:
                out[position] = check(cells[column])
            except ValidationError as exc:
                self.problem(number, key, cells[column], str(exc))
        for column, key, position, check in self._optional:
            raw = cells[column]
            if raw is None or raw == "":
                continue
            try:
                out[position] = check(raw)
            except ValidationError as exc:
                self.problem(number, key, raw, str(exc))
        return tuple(out) if len(self.errors) == before else None

    def _identity(self, number: int, cells: list[Any], out: list[Any]) -> None:
        raw, name_raw = cells[self._id], cells[self._name]
        try:
            out[r.ID_TYPE], out[r.ID_NUMBER] = checks.identity(raw, name_raw)
        except ValidationError as exc:
            self.problem(number, rh.ID_NUMBER, raw, str(exc))
        try:
            out[r.NAME] = checks.plaintiff_name(name_raw, out[r.ID_TYPE])
        except ValidationError as exc:
            self.problem(number, rh.NAME, name_raw, str(exc))


class _Totals:
    """The 合计 row: recognised in the label columns, its claimed amount compared with the rows'."""

    def __init__(self, columns: Mapping[str, int]) -> None:
        ignored = {columns[rh.IGNORED]} if rh.IGNORED in columns else set()
        self.labels = sorted({0, columns[rh.CASE_NUMBER], columns[rh.NAME]} | ignored)
        self.claim_column = columns[rh.CLAIMED_AMOUNT]
        self.seen = False
        self.stated: Decimal | None = None

    def is_total(self, cells: list[Any]) -> bool:
        for label in map(cells.__getitem__, self.labels):
            if label.__class__ is str and "计" in label and rh.is_total_label(label):
                return True
        return False

    def note(self, cells: list[Any]) -> None:
        self.seen = True
        try:
            self.stated = parse_amount(cells[self.claim_column], allow_zero=True)
        except ValidationError:
            self.stated = None

    def warning(self, claimed_fen: int) -> str | None:
        if self.stated is None:
            return None
        total = Decimal(claimed_fen) / 100
        if total == self.stated:
            return None
        return _("合计行的诉讼请求金额 {stated} 与各行之和 {total} 不符，请核对是否漏行。").format(
            stated=format_money(self.stated), total=format_money(total)
        )


def _data_rows(opened: OpenedList, width: int, case_column: int) -> Iterator[tuple[int, list[Any]]]:
    """The rows with content, padded to ``width``, merged cells filled down."""
    fill = MergedFill(opened.source.merged, opened.source.first_column)
    fill_active = bool(fill)
    blank_cells = ("", None)
    for number, cells in opened.rest:
        if len(cells) < width:
            cells = [*cells, *([""] * (width - len(cells)))]
        if fill_active:
            fill.apply(number, cells)
        if not any(cells):
            continue
        raw = cells[case_column]
        if (raw in blank_cells or (raw.__class__ is str and not raw.strip())) and all(map(is_blank, cells)):
            continue  # only spaces
        yield number, cells


def check_rows(parsed: ParsedFile, progress: Progress | None, done_before: int) -> Iterator[list[Row]]:
    """Stream the rows of an opened file, check each, and yield the good ones in chunks."""
    opened = parsed.opened
    assert opened is not None
    columns = parsed.columns
    report = parsed.report
    checker = RowChecker(columns, parsed.header_names, report.file)
    checker.errors = report.errors
    totals = _Totals(columns)
    case_canonical = checks.CANONICAL_CASE_NUMBER.fullmatch
    check = checker.check
    case_column = columns[rh.CASE_NUMBER]
    rows: list[Row] = []
    claimed_sum = 0  # fen
    count = 0
    for number, cells in _data_rows(opened, max(columns.values()) + 1, case_column):
        if totals.seen:
            report.warnings.append(_("合计行之后的第 {row} 行已忽略。").format(row=number))
            continue
        raw = cells[case_column]
        # A row with a well-formed 案号 is no 合计 row: only look at the others.
        if not (raw.__class__ is str and case_canonical(raw)) and totals.is_total(cells):
            totals.note(cells)
            continue
        count += 1
        if count % CHUNK == 0:
            if progress is not None:
                progress.check()
                progress.update(done_before + count)
            if rows:
                yield rows
                rows = []
        row = check(number, cells)
        if row is not None:
            rows.append(row)
            claimed_sum += row[r.CLAIMED]
    if rows:
        yield rows
    report.rows = count
    parsed.opened = None
    parsed.total_claimed = totals.stated
    warning = totals.warning(claimed_sum) if not report.errors else None
    if warning:
        report.warnings.append(warning)
