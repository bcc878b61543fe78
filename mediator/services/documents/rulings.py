"""Judicial confirmation for many cases at once: the application date for a batch (or some of its
案号), and the court's rulings from a list of 案号 → 民特 ruling number and date.

All or nothing, in one transaction, each case recorded exactly as alone
(``confirmation.record_confirmation_step``: the window, the late reason, a ruling number used once).
A case that may not take the application is named with its reason (``BulkRefused``, exit 2); a bad
row of the rulings list is named by file, row and column (``RulingListProblems``, exit 1). Either
way nothing is recorded.

Entry point: ``record_confirmations``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.referral_headers import date_in
from mediator.domain.validators import canonical_case_number, to_half_width, validate_ruling_number
from mediator.errors import UserError, ValidationError
from mediator.i18n import _
from mediator.services.cases.bulk import BulkRefused, select_cases
from mediator.services.documents.confirmation import ConfirmationRecord, record_confirmation_step
from mediator.services.intake.reader import FileProblem, open_rows
from mediator.services.progress import Progress
from mediator.store.database import Database
from mediator.store.tables import CaseRow

log = logging.getLogger("mediator.confirmation")

# The header names a rulings list may use (spaces, full-width characters and * ignored).
HEADERS: dict[str, tuple[str, ...]] = {
    "case": ("案号", "调解案号", "原案号", "诉讼案号"),
    "ruling": ("裁定案号", "民特案号", "裁定书案号", "裁定号", "裁定文号", "司法确认案号"),
    "ruling_date": ("裁定日期", "裁定作出日期", "裁定书日期"),
    "applied": ("申请日期", "申请司法确认日期"),
}
_HEADER_ROWS = 20


@dataclass(frozen=True)
class RowProblem:
    """One problem in a rulings list: file, the row as Excel numbers it, the column header."""

    file: str
    row: int | None
    column: str
    value: str
    message: str

    def as_text(self) -> str:
        where = _("{file} 第{row}行").format(file=self.file, row=self.row) if self.row else self.file
        column = f" [{self.column}]" if self.column else ""
        value = f"“{self.value}”" if self.value else ""
        return f"{where}{column} {value}：{self.message}".replace(" ：", "：")

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class RulingListProblems(UserError):
    """The rulings list has problems; every one is listed, nothing was recorded."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = list(problems)
        super().__init__(_("裁定清单有 {count} 个问题，未登记任何裁定。").format(count=len(self.problems)))


@dataclass(frozen=True)
class _Entry:
    row: int
    case_number: str
    ruling: str | None
    ruling_date: date | None
    applied: date | None
    columns: dict[str, str]  # key → header as typed


@dataclass(frozen=True)
class ConfirmationBatch:
    """What ``record_confirmations`` recorded, one record per case."""

    records: list[ConfirmationRecord] = field(default_factory=list)

    def summary(self) -> str:
        applied = sum(1 for r in self.records if r.application_date is not None)
        ruled = sum(1 for r in self.records if r.ruling_number)
        lines = [
            _("已登记 {count} 件案件的司法确认：申请 {applied} 件，裁定 {ruled} 件。").format(
                count=len(self.records), applied=applied, ruled=ruled
            )
        ]
        late = [r for r in self.records if r.late]
        if late:
            lines.append(_("其中逾期申请 {count} 件：").format(count=len(late)))
            lines += [f"  {r.case_number}：{r.late_reason}" for r in late]
        return "\n".join(lines)


def _normalise(text: object) -> str:
    cleaned = "".join(to_half_width(str(text or "")).split())
    return cleaned.replace("*", "").replace("（", "(").replace("）", ")")


def _header_map(cells: list[Any], first_column: int) -> dict[str, tuple[int, str]]:
    """key → (cell index, header as typed) for the cells of a header row."""
    found: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(cells):
        name = _normalise(cell)
        for key, synonyms in HEADERS.items():
            if key not in found and name in synonyms:
                found[key] = (index, str(cell).strip())
    return found


def _cell_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        text = str(int(value))
        if len(text) == 8:  # 20250410
            return date_in(f"{text[:4]}-{text[4:6]}-{text[6:]}")
        return None
    return date_in(str(value))


def read_rulings(path: Path) -> list[_Entry]:
    """The rows of a rulings list; ``RulingListProblems`` naming every bad one."""
    display = Path(path).name
    try:
        sheet = open_rows(Path(path))
    except FileProblem as exc:
        raise RulingListProblems([RowProblem(display, None, "", "", str(exc))]) from exc
    header: dict[str, tuple[int, str]] | None = None
    entries: list[_Entry] = []
    problems: list[RowProblem] = []
    for row_number, cells in sheet.rows:
        if header is None:
            found = _header_map(cells, sheet.first_column)
            if "case" in found and ("ruling" in found or "applied" in found):
                header = found
            elif row_number >= _HEADER_ROWS:
                break
            continue
        if not any(str(c or "").strip() for c in cells):
            continue
        entry = _entry(display, row_number, cells, header, problems)
        if entry is not None:
            entries.append(entry)
    if header is None:
        message = _("没有找到表头：需要“案号”列，以及“裁定案号”与“裁定日期”列（或“申请日期”列）。")
        raise RulingListProblems([RowProblem(display, None, "", "", message)])
    if "ruling" in header and "ruling_date" not in header:
        problems.insert(0, RowProblem(display, None, "", "", _("有“裁定案号”列，但缺少“裁定日期”列。")))
    problems += _duplicates(display, entries)
    if problems:
        raise RulingListProblems(problems)
    if not entries:
        raise RulingListProblems([RowProblem(display, None, "", "", _("清单中没有案件。"))])
    return entries


def _entry(
    display: str,
    row: int,
    cells: list[Any],
    header: dict[str, tuple[int, str]],
    problems: list[RowProblem],
) -> _Entry | None:
    def cell(key: str) -> Any:
        if key not in header:
            return None
        index = header[key][0]
        value = cells[index] if index < len(cells) else None
        return None if value is None or str(value).strip() == "" else value

    columns = {key: name for key, (_index, name) in header.items()}
    before = len(problems)

    def problem(key: str, value: Any, message: str) -> None:
        problems.append(RowProblem(display, row, columns.get(key, ""), str(value or ""), message))

    case_number = ruling = None
    ruling_day = applied = None
    try:
        case_number = canonical_case_number(str(cell("case") or ""))
    except ValidationError as exc:
        problem("case", cell("case"), str(exc))
    if cell("ruling") is not None:
        try:
            ruling = validate_ruling_number(str(cell("ruling")))
        except ValidationError as exc:
            problem("ruling", cell("ruling"), str(exc))
        ruling_day = _cell_date(cell("ruling_date")) if cell("ruling_date") is not None else None
        if ruling_day is None:
            problem("ruling_date", cell("ruling_date"), _("裁定日期缺失或无法识别（请写作 2025-04-10）。"))
    elif cell("ruling_date") is not None:
        problem("ruling", None, _("有裁定日期却没有裁定案号。"))
    if cell("applied") is not None:
        applied = _cell_date(cell("applied"))
        if applied is None:
            problem("applied", cell("applied"), _("申请日期无法识别（请写作 2025-04-01）。"))
    if ruling is None and applied is None and len(problems) == before:
        problem("ruling", None, _("这一行既没有裁定也没有申请日期。"))
    if len(problems) > before or case_number is None:
        return None
    return _Entry(row, case_number, ruling, ruling_day, applied, columns)


def _duplicates(display: str, entries: list[_Entry]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    seen_cases: dict[str, int] = {}
    seen_rulings: dict[str, int] = {}
    for entry in entries:
        if entry.case_number in seen_cases:
            message = _("与第{row}行的案号重复。").format(row=seen_cases[entry.case_number])
            problems.append(RowProblem(display, entry.row, entry.columns["case"], entry.case_number, message))
        seen_cases.setdefault(entry.case_number, entry.row)
        if entry.ruling is not None:
            if entry.ruling in seen_rulings:
                message = _("与第{row}行的裁定案号相同，同一裁定不能用于两件案件。").format(
                    row=seen_rulings[entry.ruling]
                )
                problems.append(
                    RowProblem(display, entry.row, entry.columns["ruling"], entry.ruling, message)
                )
            seen_rulings.setdefault(entry.ruling, entry.row)
    return problems


def record_confirmations(
    database: Database,
    *,
    actor: str,
    batch: str | int | None = None,
    case_numbers: Sequence[str] | None = None,
    case_ids: Sequence[int] | None = None,
    applied: date | None = None,
    late_reason: str | None = None,
    rulings: Path | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ConfirmationBatch:
    """The application date for many cases, and/or their rulings from a list, all or nothing.

    Without ``rulings``: ``applied`` for every case of the batch (or the 案号 / ids given). With
    ``rulings``: each row's ruling (and application date, if the list has one; else ``applied``),
    limited to the batch or 案号 when given. ``dry_run``: the same checks and result, nothing
    written (the GUI's preview).
    """
    if rulings is None and applied is None:
        raise UserError(_("请给出申请日期（--applied）或裁定清单（--rulings）。"))
    entries = read_rulings(Path(rulings)) if rulings is not None else None
    try:
        return _record(
            database,
            entries,
            actor,
            batch,
            case_numbers,
            case_ids,
            applied,
            late_reason,
            rulings,
            dry_run,
            progress,
        )
    except _DryRun as preview:
        return preview.result


class _DryRun(Exception):
    def __init__(self, result: ConfirmationBatch) -> None:
        super().__init__()
        self.result = result


def _record(
    database: Database,
    entries: list[_Entry] | None,
    actor: str,
    batch: str | int | None,
    case_numbers: Sequence[str] | None,
    case_ids: Sequence[int] | None,
    applied: date | None,
    late_reason: str | None,
    rulings: Path | None,
    dry_run: bool,
    progress: Progress | None,
) -> ConfirmationBatch:
    with database.transaction() as session:
        if entries is None:
            cases = select_cases(session, batch=batch, case_numbers=case_numbers, case_ids=case_ids)
            records = _apply_all(session, cases, applied, late_reason, actor, progress)
        else:
            allowed = None
            if batch is not None or case_numbers or case_ids is not None:
                chosen = select_cases(session, batch=batch, case_numbers=case_numbers, case_ids=case_ids)
                allowed = {c.case_number for c in chosen}
            assert rulings is not None
            records = _rule_all(
                session, Path(rulings).name, entries, allowed, applied, late_reason, actor, progress
            )
        if dry_run:
            raise _DryRun(ConfirmationBatch(records))
        log.info("confirmation recorded for %d cases", len(records))
        return ConfirmationBatch(records)


def _apply_all(
    session: Session,
    cases: Sequence[CaseRow],
    applied: date | None,
    late_reason: str | None,
    actor: str,
    progress: Progress | None,
) -> list[ConfirmationRecord]:
    records: list[ConfirmationRecord] = []
    refusals: list[tuple[str, str]] = []
    if progress is not None:
        progress.update(0, len(cases), _("正在登记司法确认申请"))
    for done, case in enumerate(cases, start=1):
        if progress is not None:
            progress.check()
        try:
            records.append(
                record_confirmation_step(session, case, applied=applied, late_reason=late_reason, actor=actor)
            )
        except UserError as exc:
            refusals.append((case.case_number, str(exc)))
        if progress is not None:
            progress.update(done)
    if refusals:
        headline = _("{count} 件案件不能登记司法确认申请，未作任何修改：").format(count=len(refusals))
        raise BulkRefused(headline, refusals)
    return records


_FIELD_COLUMN = {"ruling_number": "ruling", "ruling_date": "ruling_date", "application_date": "applied"}


def _rule_all(
    session: Session,
    display: str,
    entries: list[_Entry],
    allowed: set[str] | None,
    applied: date | None,
    late_reason: str | None,
    actor: str,
    progress: Progress | None,
) -> list[ConfirmationRecord]:
    numbers = [e.case_number for e in entries]
    cases = {
        c.case_number: c
        for c in session.scalars(select(CaseRow).where(col(CaseRow.case_number).in_(numbers)))
    }
    records: list[ConfirmationRecord] = []
    problems: list[RowProblem] = []
    if progress is not None:
        progress.update(0, len(entries), _("正在登记司法确认裁定"))
    for done, entry in enumerate(entries, start=1):
        if progress is not None:
            progress.check()
        case = cases.get(entry.case_number)
        case_column = entry.columns["case"]
        if case is None:
            problems.append(
                RowProblem(display, entry.row, case_column, entry.case_number, _("没有此案号的案件。"))
            )
            continue
        if allowed is not None and entry.case_number not in allowed:
            message = _("该案件不在所选的批次或案号中。")
            problems.append(RowProblem(display, entry.row, case_column, entry.case_number, message))
            continue
        try:
            records.append(
                record_confirmation_step(
                    session,
                    case,
                    applied=entry.applied or (applied if case.status == "signed" else None),
                    ruling=entry.ruling,
                    ruling_date=entry.ruling_date,
                    late_reason=late_reason,
                    actor=actor,
                )
            )
        except UserError as exc:
            key = _FIELD_COLUMN.get(getattr(exc, "field", None) or "", "case")
            value = {"ruling": entry.ruling, "applied": entry.applied}.get(key, entry.case_number)
            problems.append(
                RowProblem(
                    display, entry.row, entry.columns.get(key, case_column), str(value or ""), str(exc)
                )
            )
        if progress is not None:
            progress.update(done)
    if problems:
        raise RulingListProblems(problems)
    return records
