"""Checking a list's rows: the field checkers of ``checks``, composed per file from its columns.

``FIELD_CHECKS`` says, for each field a list may carry, where its value goes in a ``Row`` and
which checker reads it; ``RowChecker`` keeps the entries for the columns the file has. The
plaintiff's name and ID number are checked together (an institution has a credit code instead).
``check_rows`` streams the rows of an opened file (merged cells filled down, blank rows skipped,
the 合计 row noted) and yields the good ones in chunks; each problem becomes a ``RowError``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import islice, repeat
from operator import itemgetter
from typing import Any, NamedTuple, cast

from mediator.domain import referral_headers as rh
from mediator.domain.money import format_money, parse_amount
from mediator.errors import ValidationError
from mediator.i18n import _
from mediator.services.intake import checks, columns
from mediator.services.intake import rows as r
from mediator.services.intake.columns import ColumnCheck
from mediator.services.intake.layout import MergedFill, OpenedList, ParsedFile
from mediator.services.intake.report import RowError
from mediator.services.intake.rows import Row, display_value, is_blank
from mediator.services.progress import Progress

# Rows are checked (a column at a time) and written in chunks; cancel is looked at between chunks.
CHUNK = 2000


class FieldCheck(NamedTuple):
    position: int  # in a Row
    column: ColumnCheck  # cells as read → stored values and problems (see ``columns``)


# In the order the problems of a row are reported (see _REPORT_ORDER).
FIELD_CHECKS: dict[str, FieldCheck] = {
    rh.CASE_NUMBER: FieldCheck(r.CASE_NUMBER, columns.case_numbers),
    rh.CLAIMED_AMOUNT: FieldCheck(r.CLAIMED, columns.claimed_amounts),
    rh.AGREED_AMOUNT: FieldCheck(r.AGREED, columns.agreed_amounts),
    rh.PHONE: FieldCheck(r.PHONE, columns.phones),
    rh.SECURITIES_ACCOUNT: FieldCheck(r.ACCOUNT, columns.accounts),
    rh.ADDRESS: FieldCheck(r.ADDRESS, columns.free_texts(checks.address, checks.ADDRESS_LIMIT)),
    rh.AGENT: FieldCheck(r.AGENT, columns.free_texts(checks.agent, checks.AGENT_LIMIT)),
    # The few 被告 cells of a list repeat on every row: each checked once.
    rh.COMPANY: FieldCheck(r.COMPANY, columns.repeating(checks.company, optional=True)),
}
# A row's problems are reported in this order: the 案号, the ID number and the name (checked
# together by ``columns.identities``: an institution has a credit code instead), then the rest.
# dict.fromkeys keeps the first place of the 案号, which FIELD_CHECKS names again.
_REPORT_ORDER = {
    key: order
    for order, key in enumerate(dict.fromkeys((rh.CASE_NUMBER, rh.ID_NUMBER, rh.NAME, *FIELD_CHECKS)))
}
# Fields a list may leave out: their value in a Row is then None.
_OPTIONAL_POSITIONS = (r.PHONE, r.ACCOUNT, r.ADDRESS, r.AGENT, r.AGREED, r.COMPANY)


class RowChecker:
    """The checks of one list, composed from its columns; problems go to ``errors``."""

    def __init__(self, columns: Mapping[str, int], headers: Mapping[str, str], file: str) -> None:
        self.errors: list[RowError] = []
        self._headers = headers
        self._file = file
        self._columns = columns
        self._id, self._name = columns[rh.ID_NUMBER], columns[rh.NAME]
        self._steps = [(key, entry) for key, entry in FIELD_CHECKS.items() if key in columns]
        present = {entry.position for _key, entry in self._steps}
        self._absent = [position for position in _OPTIONAL_POSITIONS if position not in present]

    def check_block(self, numbers: Sequence[int], block: Sequence[Sequence[Any]]) -> list[Row]:
        """The stored values of the rows without a problem (each problem recorded in ``errors``).

        ``numbers`` are the rows' numbers as Excel shows them, ``block`` their cells."""
        by_position: list[Iterable[Any]] = [()] * 12
        by_position[r.NUMBER] = numbers
        for position in self._absent:
            by_position[position] = repeat(None, len(block))
        problems: list[tuple[int, str, ValidationError]] = []  # (index in the block, field, problem)
        for key, entry in self._steps:
            column = self._columns[key]
            checked = entry.column(list(map(itemgetter(column), block)))
            by_position[entry.position] = checked.values
            problems += [(index, key, problem) for index, problem in checked.problems]
        found = columns.identities(
            [cells[self._id] for cells in block], [cells[self._name] for cells in block]
        )
        by_position[r.ID_TYPE], by_position[r.ID_NUMBER] = found.id_types, found.numbers
        by_position[r.NAME] = found.names
        problems += [(index, rh.ID_NUMBER, problem) for index, problem in found.id_problems]
        problems += [(index, rh.NAME, problem) for index, problem in found.name_problems]
        checked_rows = cast(list[Row], list(zip(*by_position, strict=False)))  # repeat() is endless
        if not problems:
            return checked_rows
        problems.sort(key=lambda found: (found[0], _REPORT_ORDER[found[1]]))
        for index, key, problem in problems:
            raw = block[index][self._columns[key]]
            self.errors.append(
                RowError(
                    self._file, numbers[index], self._headers[key], display_value(raw), str(problem), key
                )
            )
        failed = {index for index, _key, _problem in problems}
        return [row for index, row in enumerate(checked_rows) if index not in failed]


class _Totals:
    """The 合计 row: recognised in the label columns, its claimed amount compared with the rows'."""

    def __init__(self, columns: Mapping[str, int]) -> None:
        ignored = {columns[rh.IGNORED]} if rh.IGNORED in columns else set()
        self.labels = sorted({0, columns[rh.CASE_NUMBER], columns[rh.NAME]} | ignored)
        self.case_column = columns[rh.CASE_NUMBER]
        self.claim_column = columns[rh.CLAIMED_AMOUNT]
        self.seen = False
        self.stated: Decimal | None = None

    def find(self, block: Sequence[Sequence[Any]]) -> int | None:
        """The index of the 合计 row in ``block``, if it has one (a row with a well-formed 案号 is none)."""
        canonical = checks.CANONICAL_CASE_NUMBER.fullmatch
        found: int | None = None
        for column in self.labels:
            labels = list(map(itemgetter(column), block))
            if _no_total_mark(labels):
                continue
            # Rows whose label cell has a 计 (a comprehension: 2,000 rows per block).
            marked = [i for i, label in enumerate(labels) if label.__class__ is str and "计" in label]
            for index in marked:
                if found is not None and index >= found:
                    break
                if rh.is_total_label(block[index][column]):
                    case = block[index][self.case_column]
                    if not (case.__class__ is str and canonical(case)):
                        found = index
                        break
        return found

    def note(self, cells: Sequence[Any]) -> None:
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


def _no_total_mark(labels: list[Any]) -> bool:
    """Whether no cell of ``labels`` can be a 合计 label (the rows above it, nearly every block),
    known by one search of the column's texts joined (a 序号 column's numbers left out)."""
    try:
        return "计" not in "\n".join(labels)
    except TypeError:
        return "计" not in "\n".join([label for label in labels if label.__class__ is str])


def _blocks(opened: OpenedList, width: int, case_column: int) -> Iterator[tuple[list[int], list[list[Any]]]]:
    """The rows with content in blocks of up to ``CHUNK``: their numbers and cells, padded to
    ``width``, merged cells filled down. Each step is a C-level pass over the block where it can be
    (100,000 rows go through here)."""
    fill = MergedFill(opened.source.merged, opened.source.first_column)
    first, second = itemgetter(0), itemgetter(1)
    while pairs := list(islice(opened.rest, CHUNK)):
        numbers = list(map(first, pairs))
        block = list(map(second, pairs))
        if fill or min(map(len, block)) < width:
            block = [
                [*cells, *([""] * (width - len(cells)))] if len(cells) < width else cells for cells in block
            ]
            for number, cells in zip(numbers, block, strict=True):
                fill.apply(number, cells)
        # A row is left out when it is empty, or holds only spaces: only a row without a 案号 can be.
        empty = {index for index in _without_case_number(block, case_column) if _is_empty(block[index])}
        if empty:
            numbers = [number for index, number in enumerate(numbers) if index not in empty]
            block = [cells for index, cells in enumerate(block) if index not in empty]
        if block:
            yield numbers, block


def _without_case_number(block: list[list[Any]], case_column: int) -> list[int]:
    """The indices of the rows whose 案号 cell is not a text with content (few: a column of texts
    is stripped and searched at C speed)."""
    cases = list(map(itemgetter(case_column), block))
    try:
        stripped = list(map(str.strip, cases))
    except TypeError:  # a number or a date in the column
        return [index for index, case in enumerate(cases) if not (case.__class__ is str and case.strip())]
    found: list[int] = []
    index = -1
    with contextlib.suppress(ValueError):
        while True:
            index = stripped.index("", index + 1)
            found.append(index)
    return found


def _is_empty(cells: list[Any]) -> bool:
    return not any(cells) or all(map(is_blank, cells))


def check_rows(parsed: ParsedFile, progress: Progress | None, done_before: int) -> Iterator[list[Row]]:
    """Stream the rows of an opened file, check them a block at a time, and yield the good ones."""
    opened = parsed.opened
    assert opened is not None
    columns = parsed.columns
    report = parsed.report
    checker = RowChecker(columns, parsed.header_names, report.file)
    checker.errors = report.errors
    totals = _Totals(columns)
    claimed_sum = 0  # fen
    count = 0
    for numbers, block in _blocks(opened, max(columns.values()) + 1, columns[rh.CASE_NUMBER]):
        if not totals.seen and (at := totals.find(block)) is not None:
            totals.note(block[at])
            ignored = numbers[at + 1 :]
            numbers, block = numbers[:at], block[:at]
        elif totals.seen:
            ignored, numbers, block = numbers, [], []
        else:
            ignored = []
        report.warnings += [_("合计行之后的第 {row} 行已忽略。").format(row=number) for number in ignored]
        if not block:
            continue
        count += len(block)
        if progress is not None:
            progress.check()
            progress.update(done_before + count)
        rows = checker.check_block(numbers, block)
        claimed_sum += sum(map(itemgetter(r.CLAIMED), rows))
        if rows:
            yield rows
    report.rows = count
    parsed.opened = None
    parsed.total_claimed = totals.stated
    warning = totals.warning(claimed_sum) if not report.errors else None
    if warning:
        report.warnings.append(warning)
