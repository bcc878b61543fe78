"""Call-back results from a file: the list a mediator (or the association's call centre) fills in
during a round — 案号, 结果, 时间, 备注, optionally 方式 — recorded all or nothing.

The file is read like the other lists (``payments.files``: .xlsx/.xls/.ods or CSV, title rows above
the header, full-width digits). Every row is checked first (an unknown 案号, an outcome that is not
one of ``domain.contacts``, a time that cannot be read or is still to come, a note too long): any
problem and nothing is written, each problem named by file, row (as Excel shows it) and column.
Otherwise every attempt is recorded in one transaction, in time order, by the same step as one
typed in the case panel (``attempts.log_contact``: an answered call makes a 已委派 case 已联系).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain import referral_headers as rh
from mediator.domain.clock import typed_moment
from mediator.domain.contacts import ContactChannel, ContactOutcome, parse_channel, parse_outcome
from mediator.domain.validators import to_half_width
from mediator.errors import UserError, ValidationError
from mediator.i18n import _
from mediator.services.contacts.attempts import NOTE_LIMIT, log_contact
from mediator.services.intake.report import RowError
from mediator.services.intake.rows import display_value, is_blank
from mediator.services.payments.files import Sheet, case_number_cell, cell, date_cell, read_file
from mediator.store.database import Database
from mediator.store.tables import CaseRow

CASE_NUMBER = rh.CASE_NUMBER
OUTCOME, AT, NOTE, CHANNEL = "outcome", "at", "note", "channel"
# Headers as a call centre types them; 案号 has the court lists' synonyms.
SYNONYMS: dict[str, tuple[str, ...]] = {
    OUTCOME: ("结果", "回访结果", "联系结果", "通话结果", "外呼结果"),
    AT: ("时间", "回访时间", "联系时间", "通话时间", "外呼时间", "日期", "回访日期", "联系日期"),
    NOTE: ("备注", "说明", "情况说明", "回访备注"),
    CHANNEL: ("方式", "回访方式", "联系渠道", "渠道"),
}
_LOOKUP = {name: key for key, names in SYNONYMS.items() for name in names}
_CLOCK = re.compile(r"(\d{1,2})[:：时点](\d{1,2})?分?(?:[:：](\d{1,2}))?")


def _field(text: object) -> str | None:
    own = _LOOKUP.get(rh.normalise_header(text))
    if own is not None:
        return own
    return CASE_NUMBER if rh.match_header(text) == CASE_NUMBER else None


def _find_header(rows: Sequence[Sequence[object]]) -> int | None:
    for index, row in enumerate(rows):
        present = {_field(value) for value in row}
        if {CASE_NUMBER, OUTCOME, AT} <= present:
            return index
    return None


def moment_cell(value: object, now: datetime) -> datetime:
    """A call's time as a list holds it: a date-time cell, ``2025-03-04 09:30``, ``2025年3月4日
    9时30分`` or a bare day (noon); local time, aware, not after ``now``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, float) and not value.is_integer():  # an unformatted Excel date-time
        day = date_cell(int(value))
        seconds = round((value - int(value)) * 86400)
        moment = datetime.combine(day, time(seconds // 3600 % 24, seconds // 60 % 60))
    elif isinstance(value, date | int | float) or is_blank(value):
        moment = datetime.combine(date_cell(value), time(12, 0))
    else:
        moment = _typed_moment(str(value))
    moment = typed_moment(moment)
    if moment > now:
        raise ValidationError(_("时间晚于现在，不能登记尚未发生的回访。"), field=AT, value=value)
    return moment


def _typed_moment(text: str) -> datetime:
    compact = to_half_width(text).strip().replace("T", " ")
    day_text, _sep, clock_text = compact.partition(" ")
    if not clock_text and (match := re.search(r"日(.+)$", day_text)):  # 2025年3月4日9:30
        day_text, clock_text = day_text[: match.start() + 1], match.group(1)
    day = date_cell(day_text)
    clock = "".join(clock_text.split())
    if not clock:
        return datetime.combine(day, time(12, 0))
    match = _CLOCK.fullmatch(clock)
    try:
        if match is None:
            raise ValueError(clock)
        return datetime.combine(day, time(int(match.group(1)), int(match.group(2) or 0)))
    except ValueError:
        message = _("无法识别的时间：{text}（请写作 2025-03-04 09:30）。").format(text=text)
        raise ValidationError(message, field=AT, value=text) from None


def _note(value: object) -> str | None:
    text = " ".join(display_value(value).split()) if not is_blank(value) else ""
    if len(text) > NOTE_LIMIT:
        raise ValidationError(_("内容过长（最多{limit}个字）。").format(limit=NOTE_LIMIT), field=NOTE)
    return text or None


def _outcome(value: object) -> ContactOutcome:
    if is_blank(value):
        raise ValidationError(_("请填写回访结果。"), field=OUTCOME, value=value)
    outcome = parse_outcome(display_value(value).strip())
    if outcome is ContactOutcome.SENT:
        raise ValidationError(_("“短信已发送”由短信通知名单自动记录，不必导入。"), field=OUTCOME, value=value)
    return outcome


def _channel(value: object) -> ContactChannel:
    return ContactChannel.PHONE if is_blank(value) else parse_channel(display_value(value).strip())


@dataclass(frozen=True)
class _Row:
    number: int
    case_number: str
    outcome: ContactOutcome
    at: datetime
    note: str | None
    channel: ContactChannel


@dataclass
class ContactImportResult:
    """What ``import_contact_results`` found and recorded."""

    file: str
    rows: int = 0
    recorded: int = 0
    cases: int = 0
    reached: int = 0  # rows whose call was answered
    now_contacted: int = 0  # cases an answered call moved from 已委派 to 已联系
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False

    def summary(self) -> str:
        """What `mediator contact import` prints and the GUI's message box shows."""
        name = Path(self.file).name
        if self.errors:
            return _("{file}：{rows} 行，有 {count} 个问题，未记录任何回访。").format(
                file=name, rows=self.rows, count=len(self.errors)
            )
        if self.dry_run:
            return _("{file}：{rows} 行均无问题，可记录 {count} 件案件的回访（未写入）。").format(
                file=name, rows=self.rows, count=self.cases
            )
        text = _("{file}：已记录 {count} 次回访，涉及 {cases} 件案件，其中接通 {reached} 次。").format(
            file=name, count=self.recorded, cases=self.cases, reached=self.reached
        )
        if self.now_contacted:
            text += _("{count} 件转为“已联系”。").format(count=self.now_contacted)
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "written": self.written,
            "recorded": self.recorded,
            "cases": self.cases,
            "reached": self.reached,
            "now_contacted": self.now_contacted,
            "errors": [error.as_json() for error in self.errors],
        }


def _columns(sheet: Sheet, result: ContactImportResult) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        meaning = _field(header)
        if meaning is None:
            if header:
                result.warnings.append(_("未识别的列“{header}”，已忽略。").format(header=header))
        elif meaning in found:
            result.warnings.append(_("重复的列“{header}”，已忽略。").format(header=header))
        else:
            found[meaning] = index
    return found


def _parse(
    sheet: Sheet, number: int, cells: list[Any], columns: dict[str, int], now: datetime
) -> _Row | list[RowError]:
    parsers = {
        CASE_NUMBER: case_number_cell,
        OUTCOME: _outcome,
        AT: lambda value: moment_cell(value, now),
        NOTE: _note,
        CHANNEL: _channel,
    }
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for key, parse in parsers.items():
        column = columns.get(key)
        raw = cell(cells, column)
        try:
            values[key] = parse(raw)
        except (ValidationError, UserError) as exc:
            errors.append(sheet.problem(number, column, raw, str(exc)))
    if errors:
        return errors
    return _Row(number, values[CASE_NUMBER], values[OUTCOME], values[AT], values[NOTE], values[CHANNEL])


class _Rollback(Exception):
    """Problems found while writing: leave the transaction without committing."""


def import_contact_results(
    database: Database, path: str | Path, *, actor: str, dry_run: bool = False
) -> ContactImportResult:
    """Record every call-back of the list, or none when any row has a problem."""
    result = ContactImportResult(str(path), dry_run=dry_run)
    missing = _("找不到表头：前 20 行中没有同时含有“案号”、“结果”和“时间”的行。")
    sheet = read_file(path, _find_header, missing)
    if isinstance(sheet, RowError):
        result.errors.append(sheet)
        return result
    columns = _columns(sheet, result)
    now = datetime.now(UTC)
    rows: list[_Row] = []
    for number, cells in sheet.rows:
        result.rows += 1
        parsed = _parse(sheet, number, cells, columns, now)
        if isinstance(parsed, list):
            result.errors += parsed
        else:
            rows.append(parsed)
    if not rows and not result.errors:
        result.errors.append(sheet.problem(None, None, "", _("表中没有任何回访记录。")))
    if result.errors:
        return result
    try:
        with database.transaction() as session:
            wanted = {row.case_number for row in rows}
            cases = {
                case.case_number: case
                for case in session.scalars(select(CaseRow).where(col(CaseRow.case_number).in_(wanted)))
            }
            for row in rows:
                if row.case_number not in cases:
                    message = _("没有这个案号的案件（请先导入委派清单）。")
                    result.errors.append(
                        sheet.problem(row.number, columns[CASE_NUMBER], row.case_number, message)
                    )
            if result.errors:
                raise _Rollback
            result.cases = len(wanted)
            if dry_run:
                raise _Rollback
            _record(session, sorted(rows, key=lambda row: row.at), cases, result, actor)
            result.written = True
    except _Rollback:
        result.written = False
    return result


def _record(
    session: Session, rows: list[_Row], cases: dict[str, CaseRow], result: ContactImportResult, actor: str
) -> None:
    """Each attempt in time order, so that the first answered call dates the step to 已联系."""
    before = {number: case.status for number, case in cases.items()}
    for row in rows:
        case_id = cases[row.case_number].id
        assert case_id is not None
        log_contact(
            session, case_id, channel=row.channel, outcome=row.outcome, at=row.at, note=row.note, actor=actor
        )
        result.recorded += 1
        result.reached += row.outcome.reached
    result.now_contacted = sum(cases[number].status != status for number, status in before.items())
