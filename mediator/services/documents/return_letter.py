"""The return letter (退回函): the batch's cases that failed in mediation go back to the referring
court to be tried, listed with the reason each failed (template ``return_letter.toml``).

Writing the letter moves each failed case to 已退回法院 on the letter's day, in one transaction with
the file: the PDF is renamed into place only once the cases are recorded as returned. A batch
without failed cases left gets the letter of the cases already returned again (a reprint).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain.agreement_terms import DISPUTE_KIND, MEDIATION_ORGANISATION
from mediator.domain.clock import china_today
from mediator.domain.validators import safe_file_name
from mediator.domain.workflow import CaseStatus, FailureReason
from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.cases.changes import transition_case
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.data import resolve_batch
from mediator.services.documents.kinds import DocumentRequest, DocumentResult
from mediator.services.documents.layout import PageDecorations, StagedFiles, check_coverage, cn_date
from mediator.services.documents.templates import DocumentTemplate, load_template
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InvestorRow, ListedCompanyRow, MediatorRow

log = logging.getLogger("mediator.return_letter")

TEMPLATE = "return_letter"


@dataclass(frozen=True)
class ReturnedCase:
    """One line of the letter's schedule."""

    case_number: str
    investor: str
    mediator: str
    reason: str  # the failure reason's label, with the mediator's note
    failed_on: date | None


@dataclass(frozen=True)
class ReturnLetterRun(DocumentResult):
    """What the return letter job wrote and recorded."""

    batch_number: int
    file: Path
    cases: list[ReturnedCase]
    newly_returned: int  # moved to 已退回法院 by this letter (0 for a reprint)

    def summary(self) -> str:
        """What `mediator return-letter` prints and the GUI's result dialog shows."""
        text = _("第{batch}批退回函已写入 {file}（退回案件 {count} 件）。").format(
            batch=self.batch_number, file=self.file, count=len(self.cases)
        )
        if self.newly_returned:
            text += "\n" + _("{count} 件案件已标记为“已退回法院”。").format(count=self.newly_returned)
        return text

    def output_folder(self) -> Path | None:
        return self.file.parent


def _reason(reason: str | None, note: str | None) -> str:
    try:
        label = FailureReason(reason).label if reason else ""
    except ValueError:
        label = reason or ""
    return f"{label}：{note}" if label and note else (label or note or "")


def _failed_cases(session: Session, batch_id: int, status: CaseStatus) -> list[tuple[int, ReturnedCase]]:
    query = (
        select(CaseRow, col(InvestorRow.name), col(MediatorRow.name))
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .outerjoin(MediatorRow, col(MediatorRow.id) == col(CaseRow.mediator_id))
        .where(col(CaseRow.batch_id) == batch_id, col(CaseRow.status) == status.value)
        .order_by(col(CaseRow.case_number))
    )
    result = []
    rows = cast("list[tuple[CaseRow, str, str | None]]", session.execute(query).all())
    for case, investor, mediator in rows:
        assert case.id is not None
        line = ReturnedCase(
            case.case_number,
            investor,
            mediator or "",
            _reason(case.failure_reason, case.failure_note),
            case.failed_on,
        )
        result.append((case.id, line))
    return result


def _values(session: Session, batch: BatchRow, count: int, on: date) -> dict[str, object]:
    company = session.get(ListedCompanyRow, batch.company_id)
    total = len(list(session.scalars(select(col(CaseRow.id)).where(col(CaseRow.batch_id) == batch.id))))
    paid = len(
        list(
            session.scalars(
                select(col(CaseRow.id)).where(
                    col(CaseRow.batch_id) == batch.id, col(CaseRow.status) == CaseStatus.PAID.value
                )
            )
        )
    )
    return {
        "organisation": MEDIATION_ORGANISATION,
        "court": batch.court,
        "batch_number": batch.number,
        "referral_date": cn_date(batch.referral_date),
        "company_name": company.name if company else "",
        "dispute_kind": DISPUTE_KIND,
        "total": total,
        "count": count,
        "paid": paid,
        "letter_date": cn_date(on),
    }


def build_return_letter_pdf(cases: list[ReturnedCase], values: dict[str, object]) -> bytes:
    """The letter with its schedule of returned cases."""
    template = load_template(TEMPLATE)
    texts = [str(v) for v in values.values()]
    for case in cases:
        texts += [case.case_number, case.investor, case.mediator, case.reason]
    check_coverage(texts, where=_("第{n}批退回函").format(n=values["batch_number"]))
    style = pdf_layout.styles()
    story: list[Any] = []
    for block in template.blocks(values, {}):
        if block.kind == "schedule":
            story += _schedule(template, cases, values)
        elif block.kind == "signature":
            lines = [
                template.text("signature", "organisation", values, markup=True),
                template.text("signature", "date_line", values, markup=True),
            ]
            story.append(
                KeepTogether([Spacer(1, 24)] + [Paragraph(line, style["signature"]) for line in lines])
            )
        else:
            story.append(Paragraph(block.text, style.get(block.style, style["para"])))
            if block.style == "title":
                story.append(Spacer(1, 6))
    decorations = PageDecorations(
        page_label=template.text("footer", "page", {"page": "{page}", "pages": "{pages}"}),
        footer_text=template.text("footer", "text", values),
    )
    return pdf_layout.render_story(story, decorations, title=str(template.data.get("name", "")))


def _schedule(template: DocumentTemplate, cases: list[ReturnedCase], values: dict[str, object]) -> list[Any]:
    style = pdf_layout.styles()
    cell = style["table"]
    title = template.text("schedule", "title", values, markup=True)
    columns = [str(c) for c in template.section("schedule").get("columns", [])]
    rows: list[list[Any]] = [[Paragraph(escape(c), cell) for c in columns]]
    for index, case in enumerate(cases, start=1):
        row = [
            str(index),
            case.case_number,
            case.investor,
            case.mediator,
            case.reason,
            case.failed_on.isoformat() if case.failed_on else "",
        ]
        rows.append([Paragraph(escape(v), cell) for v in row[: len(columns)]])
    # 160 mm of A4 between the margins.
    widths = [w * mm for w in (8, 38, 18, 16, 58, 22)][: len(columns)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), pdf_layout.FONT_NAME),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return [Spacer(1, 8), Paragraph(title, style["heading"]), Spacer(1, 4), table]


def write_return_letter(
    database: Database, batch: str | int, out_dir: Path, *, actor: str, on: date | None = None
) -> ReturnLetterRun:
    """Write the batch's return letter into ``out_dir`` and move its failed cases to 已退回法院 (both
    or neither). Without failed cases the letter of the returned ones is written again."""
    out_dir = pdf_layout.ensure_writable_folder(Path(out_dir))
    on = on or china_today()
    # The letter is renamed into place only after the database commit (and removed if it fails).
    staged = StagedFiles(out_dir)
    with pdf_layout.published_after(staged), database.transaction() as session:
        batch_row = resolve_batch(session, batch)
        assert batch_row.id is not None
        failed = _failed_cases(session, batch_row.id, CaseStatus.FAILED)
        chosen = failed or _failed_cases(session, batch_row.id, CaseStatus.RETURNED_TO_COURT)
        if not chosen:
            raise UserError(_("第{number}批没有调解不成的案件，无需退回函。").format(number=batch_row.number))
        for case_id, _line in failed:
            transition_case(session, case_id, CaseStatus.RETURNED_TO_COURT, actor=actor, on=on)
        cases = [line for _case_id, line in chosen]
        values = _values(session, batch_row, len(cases), on)
        name = safe_file_name(_("第{n}批-退回函").format(n=batch_row.number)) + ".pdf"
        staged.temp_path_for(name).write_bytes(build_return_letter_pdf(cases, values))
        files = [target for _temp, target in staged.staged]
        audit(
            session,
            actor=actor,
            action="return_letter",
            batch_id=batch_row.id,
            detail=_("退回函 {count} 件，其中新退回 {new} 件").format(count=len(cases), new=len(failed)),
        )
    log.info(
        "return letter of batch %s: %d cases, %d newly returned", batch_row.number, len(cases), len(failed)
    )
    return ReturnLetterRun(batch_row.number, files[0], cases, len(failed))


def run(database: Database, request: DocumentRequest) -> ReturnLetterRun:
    """The registry's entry point (``kinds.KINDS``) for the return letter."""
    return write_return_letter(database, request.batch_required, request.folder, actor=request.actor)
