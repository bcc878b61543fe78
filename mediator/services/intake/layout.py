"""A referral list's layout: where its header row is, what its title rows say, which column holds
which field (as detected, or as the clerk corrected it), and the cells merged down the list.

``open_list`` finds the header; ``open_file`` also checks the columns (each field once, the required
ones present) and reports what is wrong with them before any row is read.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from mediator.domain import referral_headers as rh
from mediator.i18n import _
from mediator.services.intake.reader import FileProblem, Prefetch, SheetRows, column_letter, open_rows
from mediator.services.intake.report import FileReport, RowError, cut
from mediator.services.intake.rows import display_value, is_blank


@dataclass
class OpenedList:
    """A list whose header row was found; ``rest`` streams the rows below it."""

    source: SheetRows
    header_number: int
    header_cells: list[Any]
    fields: list[str | None]
    title: rh.TitleInfo
    rest: Iterator[tuple[int, list[Any]]]

    def header_name(self, column: int) -> str:
        """The header of ``column`` as typed, or 第X列 when it has none."""
        if column < len(self.header_cells) and not is_blank(self.header_cells[column]):
            return display_value(self.header_cells[column]).strip()
        return _("第{letter}列").format(letter=column_letter(self.source.first_column + column))


@dataclass
class ParsedFile:
    """One list being imported: its report, title, columns and (while its rows stream) the open source."""

    report: FileReport
    path: Path
    title: rh.TitleInfo = field(default_factory=rh.TitleInfo)
    total_claimed: Decimal | None = None
    columns: dict[str, int] = field(default_factory=dict)
    header_names: dict[str, str] = field(default_factory=dict)  # field → header as typed
    opened: OpenedList | None = None  # set when the rows can be checked


def open_list(
    path: Path, mapping: Mapping[int, str | None] | None = None, prefetch: Prefetch | None = None
) -> OpenedList:
    """Open a list, find its header row and title rows; raises ``FileProblem``."""
    source = open_rows(path, prefetch)
    head: list[tuple[int, list[Any]]] = list(itertools.islice(source.rows, rh.HEADER_SCAN_ROWS))
    match = rh.find_header([cells for _number, cells in head])
    if match is None:
        if not any(any(not is_blank(cell) for cell in cells) for _number, cells in head):
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
    return OpenedList(source, header_number, list(header_cells), fields, title, rest)


class MergedFill:
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
                    if is_blank(cells[column]):
                        cells[column] = value
        for last, col0, col1 in self._starts.pop(number, ()):
            if 0 <= col0 < len(cells):
                self._active.append((last, col0, col1, cells[col0]))


def open_file(
    path: Path,
    display: str,
    mapping: Mapping[int, str | None] | None,
    prefetch: Prefetch | None = None,
) -> ParsedFile:
    """Open one file and read its header and title rows; ``parsed.opened`` is set when its rows
    can be checked (no problem with the file or its columns)."""
    report = FileReport(file=display)
    parsed = ParsedFile(report, path)
    try:
        opened = open_list(path, mapping, prefetch)
    except FileProblem as exc:
        report.errors.append(RowError(display, None, "", "", str(exc)))
        return parsed
    report.header_row = opened.header_number
    report.headers = [display_value(cell).strip() for cell in opened.header_cells]
    parsed.title = opened.title
    fields = opened.fields
    column_problems = _column_problems(opened, display)
    report.errors += column_problems
    report.warnings += _unknown_columns(opened)
    if column_problems:
        return parsed
    parsed.columns = {f: fields.index(f) for f in set(fields) if f is not None and f != rh.IGNORED}
    parsed.header_names = {f: opened.header_name(i) for f, i in parsed.columns.items()}
    parsed.opened = opened
    return parsed


def _column_problems(opened: OpenedList, display: str) -> list[RowError]:
    """A field in two columns, a required field in none."""
    fields = opened.fields
    problems: list[RowError] = []
    for field_name in rh.duplicated_fields(fields):
        names = "、".join(f"“{opened.header_name(i)}”" for i, f in enumerate(fields) if f == field_name)
        problems.append(
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
        problems.append(
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
    return problems


def _unknown_columns(opened: OpenedList) -> list[str]:
    return [
        _("未识别的列“{header}”（{letter}列）已忽略。").format(
            header=cut(display_value(cell).strip(), 30),
            letter=column_letter(opened.source.first_column + column),
        )
        for column, (cell, field_name) in enumerate(zip(opened.header_cells, opened.fields, strict=False))
        if field_name is None and not is_blank(cell)
    ]
