"""The problems of an import for people: an aligned console table (ID and phone numbers masked) and
an .xlsx of the offending rows with their original columns plus 错误说明, for the clerk to fix."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mediator.errors import EnvironmentProblem
from mediator.i18n import _
from mediator.services.intake.reader import FileProblem, open_rows
from mediator.services.intake.report import FileReport, ImportResult, RowError, cut
from mediator.services.intake.rows import display_value
from mediator.services.outputs.staging import temporary_beside
from mediator.services.xlsx_cells import SafeSheet, add_format


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, size: int) -> str:
    return text + " " * max(0, size - _width(text))


def format_problem_table(errors: Sequence[RowError], limit: int = 200) -> str:
    """The problems as an aligned text table (ID and phone numbers masked)."""
    header = [_("文件"), _("行"), _("列"), _("值"), _("问题")]
    lines = [
        [Path(e.file).name, "" if e.row is None else str(e.row), cut(e.column, 20), e.value, e.message]
        for e in (error.masked() for error in errors[:limit])
    ]
    widths = [max(_width(r[i]) for r in [header, *lines]) for i in range(4)]
    out = [
        "  ".join(_pad(cell, widths[i]) if i < 4 else cell for i, cell in enumerate(r))
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
    import xlsxwriter

    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        # Named like every staged output: a killed run's (unmasked rows) is removed by the next.
        temp_name = str(temporary_beside(folder / target.name))
    except OSError as exc:  # a missing or read-only folder: the machine's, not the clerk's list
        raise EnvironmentProblem(
            _("无法写入 {path}：{reason}").format(path=target, reason=exc.strerror or exc)
        ) from exc
    try:
        # strings_to_formulas off: nothing the clerk typed (nor a header) becomes a live formula.
        workbook = xlsxwriter.Workbook(
            temp_name, {"constant_memory": False, "strings_to_numbers": False, "strings_to_formulas": False}
        )
        bold = add_format(workbook, {"bold": True, "bg_color": "#FDE9D9"})
        wrap = add_format(workbook, {"font_color": "#C00000", "text_wrap": True})
        used_names: set[str] = set()
        for report in result.files:
            if not report.errors:
                continue
            sheet = workbook.add_worksheet(_sheet_name(Path(report.file).stem, used_names))
            _fill_error_sheet(SafeSheet(workbook, sheet), report, bold, wrap)
        if not used_names:
            workbook.add_worksheet(_("无错误"))
        workbook.close()
        os.replace(temp_name, target)
    except OSError as exc:
        Path(temp_name).unlink(missing_ok=True)
        raise EnvironmentProblem(
            _("无法写入 {path}：{reason}").format(path=target, reason=exc.strerror or exc)
        ) from exc
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


def _fill_error_sheet(sheet: SafeSheet, report: FileReport, bold: Any, wrap: Any) -> None:
    by_row: dict[int | None, list[str]] = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(error.summary())
    headers = list(report.headers)
    for column, header in enumerate([*headers, _("错误说明")]):
        sheet.text(0, column, header, bold)
    note_column = len(headers)
    out = 1
    file_level = by_row.pop(None, [])
    if report.header_row is not None:
        file_level += by_row.pop(report.header_row, [])
    for message in file_level:
        sheet.text(out, note_column, message, wrap)
        out += 1
    if by_row and report.header_row is not None:
        _copy_offending_rows(sheet, Path(report.file), by_row, out, note_column, wrap)
    sheet.sheet.set_column(note_column, note_column, 60)


def _copy_offending_rows(
    sheet: SafeSheet, path: Path, notes: dict[int | None, list[str]], out: int, note_column: int, wrap: Any
) -> None:
    """The rows named in ``notes``, copied from the list as typed, each with its notes."""
    wanted = {row for row in notes if row is not None}
    try:
        for number, cells in open_rows(path).rows:
            if number not in wanted:
                continue
            for column, cell in enumerate(cells[:note_column]):
                _write_cell(sheet, out, column, cell)
            sheet.text(out, note_column, "；".join(notes[number]), wrap)
            out += 1
            wanted.discard(number)
            if not wanted:
                break
    except FileProblem:
        pass


def _write_cell(sheet: SafeSheet, row: int, column: int, cell: object) -> None:
    """Every cell as text, exactly as the list showed it (a formula-leading one quoted)."""
    if isinstance(cell, str):
        sheet.text(row, column, cell[:32767])
    elif cell not in (None, ""):
        sheet.text(row, column, display_value(cell))
