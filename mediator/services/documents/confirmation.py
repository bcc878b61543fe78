"""Judicial confirmation (司法确认): the joint application, the application date and the ruling.

民事诉讼法 §205–§206: both parties apply jointly, within 30 days of the agreement taking effect,
to the court that referred the case; the court rules with a 民特 case number. The application is
written per case, or per batch with a schedule of cases (setting ``confirmation_per_batch``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.deadlines import Deadline, WorkCalendar, confirmation_window_of
from mediator.domain.money import format_money, rmb_upper
from mediator.domain.validators import canonical_case_number, safe_file_name, validate_ruling_number
from mediator.domain.workflow import CaseStatus
from mediator.errors import NotFoundError, UserError, ValidationError
from mediator.i18n import _
from mediator.services.calendar import load_work_calendar
from mediator.services.cases.changes import transition_case
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.agreement import template_values
from mediator.services.documents.data import CaseDocument, load_case_documents, resolve_batch
from mediator.services.documents.kinds import DocumentRequest, DocumentResult
from mediator.services.documents.layout import PageDecorations, StagedFiles, check_coverage, cn_date
from mediator.services.documents.templates import DocumentTemplate, load_template
from mediator.services.progress import Progress
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, CaseRow, JudicialConfirmationRow, SettingRow

log = logging.getLogger("mediator.confirmation")

TEMPLATE = "confirmation_application"
PER_BATCH_SETTING = "confirmation_per_batch"
# Cases whose agreement is signed and not yet confirmed by the court.
_AWAITING = frozenset({CaseStatus.SIGNED.value, CaseStatus.CONFIRMATION_APPLIED.value})


def per_batch_default(session: Session) -> bool:
    """The team setting: one application per batch (True) or per case (False, the default)."""
    row = session.get(SettingRow, PER_BATCH_SETTING)
    return row is not None and row.value.strip().lower() in ("1", "true", "yes", "on")


def _agreement_date(document: CaseDocument) -> date:
    """The date the application gives for the agreement: the day it took effect (the one rule,
    ``deadlines.agreement_effective_on``, applied by the loader), else the day it was drawn up."""
    return document.effective_on or document.data.drawn_up_on


def _values(template: DocumentTemplate, documents: list[CaseDocument], per_batch: bool) -> dict[str, object]:
    first = documents[0]
    values = dict(template_values(first.data)[0])
    total = sum((d.data.agreed_amount for d in documents), Decimal("0"))
    values.update(
        {
            "agreement_date": cn_date(_agreement_date(first)),
            "investor_count": len(documents),
            "agreed_total": format_money(total),
            "agreed_total_upper": rmb_upper(total),
            "attachment_agreements": _("（共{n}份）").format(n=len(documents)) if per_batch else "",
        }
    )
    return values


def build_confirmation_pdf(documents: list[CaseDocument], *, per_batch: bool) -> bytes:
    """The joint application for one case, or for a batch's cases with a schedule."""
    template = load_template(TEMPLATE)
    values = _values(template, documents, per_batch)
    first = documents[0].data
    flags = {
        "per_case": not per_batch,
        "per_batch": per_batch,
        "investor_agent": bool(first.investor_agent) and not per_batch,
        "company_agent": bool(first.company_agent),
    }
    texts = [str(v) for v in values.values() if v is not None]
    for document in documents:
        texts += [document.data.investor_name, document.data.investor_id_number, document.data.case_number]
    check_coverage(texts, where=_("第{n}批司法确认申请书").format(n=first.batch_number))
    style = pdf_layout.styles()
    story: list[Any] = []
    for block in template.blocks(values, flags):
        if block.kind == "schedule":
            story += _schedule(template, documents, values)
        elif block.kind == "signatures":
            investor_key = "investor_batch" if per_batch else "investor"
            lines = [
                template.text("signatures", investor_key, values, markup=True),
                template.text("signatures", "company", values, markup=True),
                template.text("signatures", "date_line", values, markup=True),
            ]
            # The signature lines stay together on one page.
            story.append(
                KeepTogether([Spacer(1, 10)] + [Paragraph(line, style["signature"]) for line in lines])
            )
            story.append(Spacer(1, 10))
        else:
            story.append(Paragraph(block.text, style.get(block.style, style["para"])))
            if block.style == "title":
                story.append(Spacer(1, 6))
    decorations = PageDecorations(
        page_label=template.text("footer", "page", {"page": "{page}", "pages": "{pages}"}),
        footer_text=template.text("footer", "text", values),
    )
    return pdf_layout.render_story(story, decorations, title=str(template.data.get("name", "")))


def _schedule(
    template: DocumentTemplate, documents: list[CaseDocument], values: dict[str, object]
) -> list[Any]:
    style = pdf_layout.styles()
    cell = style["table"]
    title = template.text("schedule", "title", values, markup=True)
    columns = [str(c) for c in template.section("schedule").get("columns", [])]
    rows: list[list[Any]] = [[Paragraph(c, cell) for c in columns]]
    for index, document in enumerate(documents, start=1):
        data = document.data
        # Full ID numbers: a court filing must identify each applicant (masking is for lists we print).
        row = [
            str(index),
            data.case_number,
            data.investor_name,
            data.investor_id_number,
            data.number.replace("〕", "〕\n"),
            _agreement_date(document).isoformat(),
            format_money(data.agreed_amount),
            "",
        ]
        rows.append([Paragraph(escape(v).replace("\n", "<br/>"), cell) for v in row[: len(columns)]])
    # 160 mm of A4 between the margins: 案号 and 18-digit ID numbers each fit one line at 8 pt.
    widths = [w * mm for w in (6, 35.5, 12.5, 32, 22.5, 17, 20, 14.5)][: len(columns)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                # Empty cells too: reportlab's default Helvetica would be referenced, not embedded.
                ("FONTNAME", (0, 0), (-1, -1), pdf_layout.FONT_NAME),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return [PageBreak(), Paragraph(title, style["heading"]), Spacer(1, 4), table]


@dataclass(frozen=True)
class ConfirmationRun(DocumentResult):
    """What ``write_confirmation_applications`` wrote."""

    files: list[Path]
    cases: int
    per_batch: bool
    # Each case's last day to apply (民事诉讼法 §205), when its agreement's effective date is known.
    windows: list[tuple[str, Deadline]]
    folder: Path | None = None

    def earliest_window(self) -> tuple[str, Deadline] | None:
        return min(self.windows, key=lambda item: item[1].end, default=None)

    def summary(self, today: date | None = None) -> str:
        """What `mediator confirmation` prints and the GUI's result dialog shows."""
        kind = _("每批一份（附案件清单）") if self.per_batch else _("每案一份")
        text = _("已生成司法确认申请书 {files} 份（{kind}，涉及 {cases} 件案件），保存在 {folder}。").format(
            files=len(self.files), kind=kind, cases=self.cases, folder=self.folder or ""
        )
        earliest = self.earliest_window()
        if earliest is not None:
            today = today or datetime.now().astimezone().date()
            overdue = sum(1 for _case, window in self.windows if window.days_left(today) < 0)
            text += "\n" + _("最早的申请期限：{end}（{case}）；已过期 {overdue} 件。").format(
                end=earliest[1].end.isoformat(), case=earliest[0], overdue=overdue
            )
        return text

    def output_folder(self) -> Path | None:
        return self.folder


def run(database: Database, request: DocumentRequest) -> ConfirmationRun:
    """The registry's entry point (``kinds.KINDS``) for the joint applications."""
    return write_confirmation_applications(
        database,
        request.batch_required,
        request.folder,
        per_batch=request.per_batch,
        progress=request.progress,
    )


def write_confirmation_applications(
    database: Database,
    batch: str | int,
    out_dir: Path,
    *,
    per_batch: bool | None = None,
    progress: Progress | None = None,
) -> ConfirmationRun:
    """Write the applications of a batch's signed, unconfirmed cases into ``out_dir``."""
    out_dir = pdf_layout.ensure_writable_folder(Path(out_dir))
    with database.transaction() as session:
        batch_row = resolve_batch(session, batch)
        if per_batch is None:
            per_batch = per_batch_default(session)
        # save: a signed case without an agreement row (entered by hand) gets its number now.
        loaded = load_case_documents(session, batch_id=batch_row.id)
        documents = [d for d in loaded if d.status in _AWAITING]
        calendar = load_work_calendar(session)
        windows = _windows(documents, calendar)
    if not documents:
        raise UserError(_("第{number}批没有已签署、待司法确认的案件。").format(number=batch_row.number))
    groups = [documents] if per_batch else [[d] for d in documents]
    staged = StagedFiles(out_dir)
    try:
        if progress is not None:
            progress.update(0, len(groups), _("正在生成司法确认申请书"))
        for done, group in enumerate(groups, start=1):
            if progress is not None:
                progress.check()
            if per_batch:
                name = safe_file_name(_("第{n}批-司法确认申请书").format(n=batch_row.number)) + ".pdf"
            else:
                name = safe_file_name(group[0].data.case_number + _("-司法确认申请书")) + ".pdf"
            staged.temp_path_for(name).write_bytes(build_confirmation_pdf(group, per_batch=per_batch))
            if progress is not None:
                progress.update(done)
        files = staged.commit()
    except BaseException:
        staged.discard()
        raise
    return ConfirmationRun(
        files=files, cases=len(documents), per_batch=per_batch, windows=windows, folder=out_dir
    )


def _windows(documents: list[CaseDocument], calendar: WorkCalendar) -> list[tuple[str, Deadline]]:
    """Each case's last day to apply, for the cases whose agreement is in effect."""
    windows = []
    for document in documents:
        # effective_on is already ``agreement_effective_on(recorded, signed_on)`` (see data.py).
        window = confirmation_window_of(document.effective_on, None, calendar)
        if window is not None:
            windows.append((document.data.case_number, window))
    return windows


# --- application date, ruling and the 30-day window -----------------------------------------------


@dataclass(frozen=True)
class ConfirmationRecord:
    """A case's judicial confirmation after ``record_confirmation``."""

    case_number: str
    status: str
    application_date: date | None
    ruling_number: str | None
    ruling_date: date | None
    window: Deadline | None
    late_reason: str | None = None

    @property
    def late(self) -> bool:
        """Applied after the 30-day window (民事诉讼法 §205)."""
        return (
            self.application_date is not None
            and self.window is not None
            and self.application_date > self.window.end
        )

    def summary(self, today: date | None = None) -> str:
        """What `mediator confirmation-record` prints and the case panel says."""
        today = today or datetime.now().astimezone().date()
        lines = [_("{case}：{status}").format(case=self.case_number, status=CaseStatus(self.status).label)]
        if self.application_date:
            lines.append(_("申请日期：{day}").format(day=self.application_date.isoformat()))
            if self.late:
                lines.append(_("逾期申请，原因：{reason}").format(reason=self.late_reason or ""))
        if self.ruling_number:
            lines.append(_("裁定：{number}（{day}）").format(number=self.ruling_number, day=self.ruling_date))
        if self.window is not None and self.application_date is None:
            left = self.window.days_left(today)
            lines.append(
                _("申请司法确认的期限：{end}（{left}）").format(
                    end=self.window.end.isoformat(),
                    left=_("还剩 {n} 天").format(n=left) if left >= 0 else _("已过期"),
                )
            )
        elif self.window is not None:
            lines.append(_("申请司法确认的期限：{end}").format(end=self.window.end.isoformat()))
        return "\n".join(lines)


def find_case(session: Session, case_number: str) -> CaseRow:
    canonical = canonical_case_number(case_number)
    case = session.scalar(select(CaseRow).where(col(CaseRow.case_number) == canonical))
    if case is None:
        raise NotFoundError(_("没有案号为{case}的案件。").format(case=canonical))
    return case


def confirmation_deadline(session: Session, case: CaseRow) -> Deadline | None:
    """The last day to apply (民事诉讼法 §205: 30 days from the agreement taking effect)."""
    agreement = session.scalar(select(AgreementRow).where(col(AgreementRow.case_id) == case.id))
    recorded = agreement.effective_on if agreement else None
    return confirmation_window_of(recorded, case.signed_on, load_work_calendar(session))


def record_confirmation(
    database: Database,
    case_number: str,
    *,
    applied: date | None = None,
    ruling: str | None = None,
    ruling_date: date | None = None,
    late_reason: str | None = None,
    actor: str,
) -> ConfirmationRecord:
    """Record the application date and/or the ruling of a case, moving it along the workflow
    (one transaction: both or neither)."""
    with database.transaction() as session:
        case = find_case(session, case_number)
        return record_confirmation_step(
            session,
            case,
            applied=applied,
            ruling=ruling,
            ruling_date=ruling_date,
            late_reason=late_reason,
            actor=actor,
        )


def record_confirmation_step(
    session: Session,
    case: CaseRow,
    *,
    applied: date | None = None,
    ruling: str | None = None,
    ruling_date: date | None = None,
    late_reason: str | None = None,
    actor: str,
) -> ConfirmationRecord:
    """Step (in the caller's transaction): the application date and/or ruling of one case.

    An application after the window needs ``late_reason`` (kept, and shown as late); a ruling's
    民特 number must not be recorded on another case already.
    """
    if applied is None and ruling is None:
        raise UserError(_("请给出申请日期（--applied）或裁定（--ruling 与 --ruling-date）。"))
    case_id = case.id
    assert case_id is not None
    row = session.scalar(
        select(JudicialConfirmationRow).where(col(JudicialConfirmationRow.case_id) == case_id)
    ) or JudicialConfirmationRow(case_id=case_id)
    if applied is not None and applied == case.confirmation_applied_on == row.application_date:
        applied = None  # the same application again (a file re-sent): nothing to record
    if applied is not None:
        # The step first: a date in the future or before signing is refused as such.
        _record_application(session, case, case_id, applied, actor)
        reason = _late_reason(session, case, applied, late_reason)
        row.application_date = applied
        row.late_reason = reason
    if ruling is not None:
        row.ruling_number = _record_ruling(session, case, case_id, row, ruling, ruling_date, actor)
        row.ruling_date = ruling_date
    session.add(row)
    session.flush()
    session.refresh(case)
    return ConfirmationRecord(
        case_number=case.case_number,
        status=case.status,
        application_date=row.application_date,
        ruling_number=row.ruling_number,
        ruling_date=row.ruling_date,
        window=confirmation_deadline(session, case),
        late_reason=row.late_reason,
    )


def _late_reason(session: Session, case: CaseRow, applied: date, late_reason: str | None) -> str | None:
    """The reason for an application after the window (required then), else None."""
    window = confirmation_deadline(session, case)
    reason = " ".join((late_reason or "").split()) or None
    if window is None or applied <= window.end:
        return None
    if reason is None:
        raise ValidationError(
            _(
                "{case}的申请日期{applied}已超过申请期限{end}（民事诉讼法第205条）："
                "如确系逾期申请，请说明原因（--late-reason）。"
            ).format(case=case.case_number, applied=applied.isoformat(), end=window.end.isoformat()),
            field="application_date",
            value=applied,
        )
    if len(reason) > 500:
        raise ValidationError(_("内容过长（最多{limit}个字）。").format(limit=500), field="late_reason")
    return reason


def ruling_used_by(session: Session, number: str, case_id: int) -> str | None:
    """The 案号 of another case that already has the 民特 ruling ``number``, if any."""
    query = (
        select(col(CaseRow.case_number))
        .join(JudicialConfirmationRow, col(JudicialConfirmationRow.case_id) == col(CaseRow.id))
        .where(col(JudicialConfirmationRow.ruling_number) == number, col(CaseRow.id) != case_id)
    )
    return session.scalar(query)


def _record_application(session: Session, case: CaseRow, case_id: int, applied: date, actor: str) -> None:
    if case.status == CaseStatus.SIGNED.value:
        transition_case(session, case_id, CaseStatus.CONFIRMATION_APPLIED, actor=actor, on=applied)
    elif case.status == CaseStatus.CONFIRMATION_APPLIED.value:
        raise UserError(
            _("案件{case}已登记申请日期{day}；如有误，请用更正日期（mediator cases correct-date）。").format(
                case=case.case_number,
                day=case.confirmation_applied_on.isoformat() if case.confirmation_applied_on else "",
            )
        )
    else:
        raise UserError(
            _("案件{case}当前为“{status}”，只有已签署的案件才能申请司法确认。").format(
                case=case.case_number, status=CaseStatus(case.status).label
            )
        )


def _record_ruling(
    session: Session,
    case: CaseRow,
    case_id: int,
    row: JudicialConfirmationRow,
    ruling: str,
    ruling_date: date | None,
    actor: str,
) -> str:
    """Check the ruling (a 民特 number used on no other case, not before the application) and
    confirm the case."""
    number = validate_ruling_number(ruling)
    if ruling_date is None:
        raise UserError(_("请同时给出裁定日期（--ruling-date）。"))
    other = ruling_used_by(session, number, case_id)
    if other is not None:
        raise ValidationError(
            _("裁定案号{number}已登记在案件{other}上，同一裁定不能用于两件案件。").format(
                number=number, other=other
            ),
            field="ruling_number",
            value=ruling,
        )
    application_date = row.application_date
    if application_date is not None and ruling_date < application_date:
        raise ValidationError(
            _("裁定日期{ruling}早于申请日期{applied}，请核对。").format(
                ruling=ruling_date.isoformat(), applied=application_date.isoformat()
            ),
            field="ruling_date",
            value=ruling_date,
        )
    if case.status != CaseStatus.CONFIRMATION_APPLIED.value:
        raise UserError(
            _("案件{case}当前为“{status}”，须先登记司法确认申请。").format(
                case=case.case_number, status=CaseStatus(case.status).label
            )
        )
    transition_case(session, case_id, CaseStatus.CONFIRMED, actor=actor, on=ruling_date)
    return number
