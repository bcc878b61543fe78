"""The SMS notice round of a batch: one message per investor still in mediation, from the template
the association edits (``resources/templates/sms_notice.toml``), exported as an .xlsx for the
association's SMS gateway and recorded as a "sent" contact on each case, in one transaction.

The gateway needs the full mobile numbers, so the list carries them (like the signing manifest);
the export is recorded in the audit log, which names the file, never the numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import cast

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.clock import china_day
from mediator.domain.contacts import ContactChannel, ContactOutcome
from mediator.domain.workflow import CaseStatus
from mediator.errors import EnvironmentProblem, UserError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.calendar import load_work_calendar
from mediator.services.cases.changes import find_batch
from mediator.services.contacts.attempts import log_contact
from mediator.services.documents.templates import load_template
from mediator.services.outputs.staging import StagedFiles, ensure_writable_folder
from mediator.services.xlsx_cells import SafeSheet, add_format
from mediator.store.database import Database
from mediator.store.tables import CaseRow, InvestorRow, ListedCompanyRow, MediatorRow

log = logging.getLogger("mediator.contacts")

TEMPLATE = "sms_notice"
# The notice announces a call-back: by default within three days, moved off rest days.
DEFAULT_LEAD_DAYS = 3
# The cases the round is for: not yet agreed, failed or returned.
_IN_MEDIATION = (CaseStatus.REFERRED.value, CaseStatus.CONTACTED.value, CaseStatus.MEDIATING.value)
_SHOWN_IN_REFUSAL = 10


@dataclass(frozen=True)
class SmsLine:
    """One message of the list."""

    case_number: str
    name: str
    phone: str
    mediator: str
    text: str


@dataclass(frozen=True)
class SmsList:
    """What ``export_sms_list`` wrote and recorded."""

    batch_number: int
    path: Path
    lines: list[SmsLine]
    skipped: list[str]  # 案号 of investors without a mobile number: not in the list, nothing recorded
    date: date

    def summary(self) -> str:
        """What `mediator contact sms-list` prints and the GUI's result dialog shows."""
        text = _("第{batch}批短信通知名单已写入 {path}：{count} 条，已记为“短信已发送”。").format(
            batch=self.batch_number, path=self.path, count=len(self.lines)
        )
        if self.skipped:
            text += "\n" + _("没有手机号码、未列入的案件 {count} 件：{cases}").format(
                count=len(self.skipped), cases="、".join(self.skipped)
            )
        return text


def _named(numbers: list[str]) -> str:
    shown = "、".join(numbers[:_SHOWN_IN_REFUSAL])
    if len(numbers) > _SHOWN_IN_REFUSAL:
        shown += _("等 {count} 件").format(count=len(numbers))
    return shown


def _rows(session: Session, batch_id: int) -> list[tuple[CaseRow, InvestorRow, MediatorRow | None, str]]:
    query = (
        select(CaseRow, InvestorRow, MediatorRow, col(ListedCompanyRow.name))
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .join(ListedCompanyRow, col(ListedCompanyRow.id) == col(CaseRow.company_id))
        .outerjoin(MediatorRow, col(MediatorRow.id) == col(CaseRow.mediator_id))
        .where(col(CaseRow.batch_id) == batch_id, col(CaseRow.status).in_(_IN_MEDIATION))
        .order_by(col(CaseRow.case_number))
    )
    return cast("list[tuple[CaseRow, InvestorRow, MediatorRow | None, str]]", session.execute(query).all())


def _check_mediators(rows: list[tuple[CaseRow, InvestorRow, MediatorRow | None, str]]) -> None:
    """The message names the mediator and their phone: refuse a list where one would be blank."""
    without = [case.case_number for case, _i, mediator, _c in rows if mediator is None]
    if without:
        raise UserError(
            _("这些案件还没有分配调解员，短信无法写明联系人：{cases}。").format(cases=_named(without))
        )
    no_phone = sorted({m.name for _c, _i, m, _co in rows if m is not None and not m.phone})
    if no_phone:
        raise UserError(
            _("调解员{names}没有登记电话，请先用 mediator mediator add 姓名 --phone 补录。").format(
                names="、".join(no_phone)
            )
        )


def _workbook(lines: list[SmsLine]) -> bytes:
    import xlsxwriter

    buffer = BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("短信通知"))
    safe = SafeSheet(workbook, sheet)
    bold = add_format(workbook, {"bold": True})
    for column, header in enumerate((_("手机号码"), _("姓名"), _("案号"), _("调解员"), _("短信内容"))):
        safe.text(0, column, header, bold)
    for row, line in enumerate(lines, start=1):
        # Every cell text: a mobile number as a number would lose nothing, but the gateway reads text.
        for column, value in enumerate((line.phone, line.name, line.case_number, line.mediator, line.text)):
            safe.text(row, column, value)
    for column, width in enumerate((14, 10, 26, 10, 100)):
        sheet.set_column(column, column, width)
    workbook.close()
    return buffer.getvalue()


def default_notice_date(database: Database, today: date) -> date:
    """The date the notice announces by default: three days on, moved to a working day."""
    with database.session() as session:
        return load_work_calendar(session).next_working_day(today + timedelta(days=DEFAULT_LEAD_DAYS))


def export_sms_list(
    database: Database,
    batch: str | int,
    out: Path,
    *,
    actor: str,
    on: date | None = None,
    at: datetime | None = None,
) -> SmsList:
    """Write the batch's SMS notice list to ``out`` (.xlsx, every cell text) and record a "sent"
    SMS contact on each listed case: both or neither (the file is renamed into place only after
    the transaction commits). ``on`` is the {date} of the template."""
    out = Path(out)
    template = load_template(TEMPLATE)
    raw_text = template.data.get("text")
    if not isinstance(raw_text, str) or not raw_text.strip():
        raise UserError(_("模板 {file} 有误：{detail}。").format(file=template.path.name, detail="text"))
    if out.suffix.lower() != ".xlsx":
        raise UserError(_("短信名单应保存为 .xlsx 文件：{path}").format(path=out))
    when = at or datetime.now(UTC)
    staged = StagedFiles(ensure_writable_folder(out.parent))
    committed = False
    try:
        with database.transaction() as session:
            batch_row = find_batch(session, batch)
            assert batch_row.id is not None
            if on is None:
                today = china_day(when)
                on = load_work_calendar(session).next_working_day(today + timedelta(days=DEFAULT_LEAD_DAYS))
            rows = _rows(session, batch_row.id)
            if not rows:
                raise UserError(_("第{number}批没有仍在调解中的案件。").format(number=batch_row.number))
            _check_mediators(rows)
            lines: list[SmsLine] = []
            skipped: list[str] = []
            for case, investor, mediator, company in rows:
                assert mediator is not None and case.id is not None  # _check_mediators
                if not investor.phone:
                    skipped.append(case.case_number)
                    continue
                values = {
                    "name": investor.name,
                    "case_number": case.case_number,
                    "mediator": mediator.name,
                    "mediator_phone": mediator.phone,
                    "date": _("{m}月{d}日").format(m=on.month, d=on.day),
                    "company": company,
                    "batch": _("第{number}批").format(number=batch_row.number),
                    "court": batch_row.court,
                }
                text = template.fill(raw_text, values)
                lines.append(SmsLine(case.case_number, investor.name, investor.phone, mediator.name, text))
                log_contact(
                    session,
                    case.id,
                    channel=ContactChannel.SMS,
                    outcome=ContactOutcome.SENT,
                    at=when,
                    note=_("委派调解短信通知"),
                    actor=actor,
                )
            if not lines:
                raise UserError(
                    _("第{number}批仍在调解中的投资者都没有手机号码，未生成短信名单。").format(
                        number=batch_row.number
                    )
                )
            audit(
                session,
                actor=actor,
                action="sms_list",
                batch_id=batch_row.id,
                detail=_("短信通知名单 {count} 条：{file}").format(count=len(lines), file=out.name),
            )
            staged.write(out.name, _workbook(lines))
            temp = staged.temp_of(out)
        committed = True
        try:
            staged.commit()
        except OSError as exc:
            # Recorded as sent already: the list is complete under its temporary name.
            raise EnvironmentProblem(
                _("短信名单已记录，但无法保存为 {path}（{reason}）；完整名单在 {temp}。").format(
                    path=out, reason=exc.strerror or exc, temp=temp
                )
            ) from exc
    except BaseException:
        # After the commit only the rename can fail: its temporary file stays, the user is told where.
        if not committed:
            staged.discard()
        raise
    log.info("sms list of batch %s: %d lines, %d skipped", batch_row.number, len(lines), len(skipped))
    return SmsList(batch_row.number, out, lines, skipped, on)
