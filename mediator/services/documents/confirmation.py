"""Judicial confirmation (司法确认): the joint application, the application date and the ruling.

民事诉讼法 §205–§206: both parties apply jointly, within 30 days of the agreement taking effect,
to the court that referred the case; the court rules with a 民特 case number. The application is
written per case, or per batch with a schedule of cases (setting ``confirmation_per_batch``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.platypus import Paragraph, Spacer
from sqlalchemy import select, text
from sqlmodel import Session, col

from mediator.domain.clock import china_today
from mediator.domain.deadlines import Deadline, WorkCalendar, confirmation_window_of
from mediator.domain.referral_kinds import confirmation_refusal
from mediator.domain.validators import canonical_case_number, safe_file_name, validate_ruling_number
from mediator.domain.workflow import CaseStatus
from mediator.errors import NotFoundError, UserError, ValidationError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.calendar import load_work_calendar
from mediator.services.cases.changes import transition_case
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents import papers
from mediator.services.documents.data import (
    CaseDocument,
    load_case_documents,
    require_particulars,
    resolve_batch,
)
from mediator.services.documents.kinds import DocumentRequest, DocumentResult
from mediator.services.documents.layout import StagedFiles, cn_date
from mediator.services.documents.templates import load_template
from mediator.services.progress import Progress
from mediator.store.database import Database
from mediator.store.tables import AgreementRow, CaseRow, JudicialConfirmationRow, SettingRow

log = logging.getLogger("mediator.confirmation")

TEMPLATE = "confirmation_application"
PER_BATCH_SETTING = "confirmation_per_batch"
# Cases whose agreement is signed and not yet confirmed by the court (select_for_application
# leaves out those already applied for).
_AWAITING = frozenset({CaseStatus.SIGNED.value, CaseStatus.CONFIRMATION_APPLIED.value})


def per_batch_default(session: Session) -> bool:
    """The team setting: one application per batch (True) or per case (False, the default)."""
    row = session.get(SettingRow, PER_BATCH_SETTING)
    return row is not None and row.value.strip().lower() in ("1", "true", "yes", "on")


def _agreement_date(document: CaseDocument) -> date:
    """The date the application gives for the agreement (``papers.agreement_date``)."""
    return papers.agreement_date(document)


def build_confirmation_pdf(documents: list[CaseDocument], *, per_batch: bool) -> bytes:
    """The joint application for one case, or for a batch's cases with a schedule."""
    template = load_template(TEMPLATE)
    values = papers.paper_values(documents, per_batch=per_batch)
    first = documents[0].data
    flags = {
        "per_case": not per_batch,
        "per_batch": per_batch,
        "investor_agent": bool(first.investor_agent) and not per_batch,
        "company_agent": bool(first.company_agent),
    }
    papers.check_paper_coverage(
        values, documents, where=_("第{n}批司法确认申请书").format(n=first.batch_number)
    )
    style = pdf_layout.styles()
    story: list[Any] = []
    for block in template.blocks(values, flags):
        if block.kind == "schedule":
            story += papers.schedule(template, documents, values)
        elif block.kind == "signatures":
            lead = [
                template.fill(str(line), values, markup=True)
                for line in template.section("signatures")["lead"]
            ]
            if per_batch:  # each investor signs in the schedule's signature column
                lead.append(template.text("signatures", "investor_batch_note", values, markup=True))
            fields = ("company",) if per_batch else ("investor", "company")
            story.append(papers.signature_section(template, values, fields, lead))
            story.append(Spacer(1, 6))
        else:
            story.append(Paragraph(block.text, style.get(block.style, style["para"])))
            if block.style == "title":
                story.append(Spacer(1, 6))
    decorations = papers.decorations(template, values)
    return pdf_layout.render_story(story, decorations, title=str(template.data.get("name", "")))


@dataclass(frozen=True)
class LeftOut:
    """A case of the batch that gets no application, and why (the run's warning names it)."""

    case_number: str
    reason: str


@dataclass(frozen=True)
class ConfirmationRun(DocumentResult):
    """What ``write_confirmation_applications`` wrote."""

    files: list[Path]
    cases: int
    per_batch: bool
    # Each case's last day to apply (民事诉讼法 §205), when its agreement's effective date is known.
    windows: list[tuple[str, Deadline]]
    folder: Path | None = None
    # Cases of the batch left out: filed cases (民初), already applied for, past their window.
    left_out: tuple[LeftOut, ...] = ()

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
            text += "\n" + _("最早的申请期限：{end}（{case}）。").format(
                end=cn_date(earliest[1].end), case=earliest[0]
            )
        return text + _left_out_text(self.left_out)


def _left_out_text(left_out: Sequence[LeftOut]) -> str:
    if not left_out:
        return ""
    lines = [_("警告：未列入申请的案件 {n} 件：").format(n=len(left_out))]
    lines += [f"  {item.case_number}：{item.reason}" for item in left_out]
    return "\n" + "\n".join(lines)


def run(database: Database, request: DocumentRequest) -> ConfirmationRun:
    """The registry's entry point (``kinds.KINDS``) for the joint applications."""
    return write_confirmation_applications(
        database,
        request.batch_required,
        request.folder,
        per_batch=request.per_batch,
        progress=request.progress,
        actor=request.actor,
    )


def select_for_application(
    documents: Sequence[CaseDocument], calendar: WorkCalendar, today: date
) -> tuple[list[CaseDocument], list[LeftOut], list[tuple[str, Deadline]]]:
    """Which signed cases get an application: pre-filing referrals (民诉前调) not yet applied for
    and still inside their 30-day window (民事诉讼法 §205). The rest are left out, each with its
    reason; the windows of those applied for are returned too."""
    chosen: list[CaseDocument] = []
    left_out: list[LeftOut] = []
    windows: list[tuple[str, Deadline]] = []
    for document in documents:
        if document.status not in _AWAITING:
            continue
        number = document.data.case_number
        reason = _not_applicable(document)
        # effective_on is already ``agreement_effective_on(recorded, signed_on)`` (see data.py).
        window = confirmation_window_of(document.effective_on, None, calendar)
        if reason is None and window is not None and window.days_left(today) < 0:
            reason = _("申请期限已于{end}届满（民事诉讼法第二百零五条：调解协议生效之日起三十日内）").format(
                end=cn_date(window.end)
            )
        if reason is not None:
            left_out.append(LeftOut(number, reason))
            continue
        chosen.append(document)
        if window is not None:
            windows.append((number, window))
    return chosen, left_out, windows


def _not_applicable(document: CaseDocument) -> str | None:
    refusal = confirmation_refusal(document.data.case_number)
    if refusal is not None:
        return refusal
    if document.status == CaseStatus.CONFIRMATION_APPLIED.value:
        return _("已申请司法确认，不重复申请")
    return None


def write_confirmation_applications(
    database: Database,
    batch: str | int,
    out_dir: Path,
    *,
    per_batch: bool | None = None,
    progress: Progress | None = None,
    today: date | None = None,
    actor: str = "cli",
) -> ConfirmationRun:
    """Write the applications of a batch's signed pre-filing cases into ``out_dir``; the cases
    left out (filed, already applied, late) are named in the result with their reasons."""
    out_dir = pdf_layout.ensure_writable_folder(Path(out_dir))
    # The files are renamed into place only after the database commit (and removed if it fails).
    staged = StagedFiles(out_dir)
    with pdf_layout.published_after(staged), database.transaction() as session:
        batch_row = resolve_batch(session, batch)
        if per_batch is None:
            per_batch = per_batch_default(session)
        # save: a signed case without an agreement row (entered by hand) gets its number now.
        loaded = load_case_documents(session, batch_id=batch_row.id)
        calendar = load_work_calendar(session)
        documents, left_out, windows = select_for_application(loaded, calendar, today or china_today())
        if not documents:
            message = _("第{number}批没有已签署、待司法确认的案件。").format(number=batch_row.number)
            raise UserError(message + _left_out_text(left_out).replace("\n", " "))
        require_particulars(documents)
        groups = [documents] if per_batch else [[d] for d in documents]
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
        files = [target for _temp, target in staged.staged]
        audit(
            session,
            actor=actor,
            action="confirmation_applications",
            batch_id=batch_row.id,
            detail=_("司法确认申请书 {count} 件").format(count=len(documents)),
        )
    if left_out:
        log.warning("%d cases left out of the confirmation applications", len(left_out))
    return ConfirmationRun(
        files=files,
        cases=len(documents),
        per_batch=per_batch,
        windows=windows,
        folder=out_dir,
        left_out=tuple(left_out),
    )


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
        today = today or china_today()
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
    refusal = confirmation_refusal(case.case_number)
    if refusal is not None:  # a filed case (民初) ends in a 民事调解书 or a withdrawal instead
        raise UserError(refusal)
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


def _lock_ruling_number(session: Session, number: str) -> None:
    """On a shared PostgreSQL database, two people recording the same 民特 number on two cases at the
    same moment would each find it unused: the second waits here until the first has committed,
    then finds it. (SQLite has one writer at a time already.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:number))"), {"number": number})


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
    _lock_ruling_number(session, number)
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
