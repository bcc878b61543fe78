"""The report back to the court (反馈): per batch, every case's outcome, as xlsx and/or PDF.

ID numbers are masked unless the user explicitly asks for them (and that is audited). Cell text
that begins with = + - @ is written as text; amounts are numbers with two decimals, computed from
``Decimal`` and converted only at the cell.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import func
from sqlmodel import Session, col, select

from mediator.domain.agreement_terms import MEDIATION_ORGANISATION
from mediator.domain.clock import china_today
from mediator.domain.money import format_money, to_money
from mediator.domain.privacy import mask_id_number
from mediator.domain.workflow import CaseStatus, FailureReason
from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.data import resolve_batch
from mediator.services.documents.kinds import DocumentRequest, DocumentResult
from mediator.services.documents.layout import PageDecorations, check_coverage
from mediator.services.documents.templates import load_template
from mediator.services.xlsx_cells import SafeSheet, add_format
from mediator.store.database import Database
from mediator.store.tables import (
    AgreementRow,
    BatchRow,
    CaseRow,
    InstallmentRow,
    InvestorRow,
    JudicialConfirmationRow,
    ListedCompanyRow,
)

log = logging.getLogger("mediator.report")

TEMPLATE = "court_report"
STEP_COLUMNS = (
    "referred_on",
    "contacted_on",
    "agreed_on",
    "signed_on",
    "confirmation_applied_on",
    "confirmed_on",
    "paid_on",
    "returned_on",
)


@dataclass(frozen=True)
class ReportRow:
    case_number: str
    investor: str
    id_number: str
    claimed: Decimal
    agreed: Decimal | None
    status: str
    steps: dict[str, date | None]
    failure: str
    agreement_number: str = ""
    ruling_number: str = ""
    paid: Decimal = Decimal("0.00")
    # What the company still owes on the agreement; None where nothing was agreed (or it failed).
    outstanding: Decimal | None = None
    late_application: bool = False


@dataclass(frozen=True)
class CourtReport:
    values: dict[str, object]
    rows: list[ReportRow]
    show_personal_data: bool

    @property
    def claimed_total(self) -> Decimal:
        return sum((r.claimed for r in self.rows), Decimal("0.00"))

    @property
    def agreed_total(self) -> Decimal:
        return sum((r.agreed for r in self.rows if r.agreed is not None), Decimal("0.00"))

    @property
    def paid_total(self) -> Decimal:
        return sum((r.paid for r in self.rows), Decimal("0.00"))

    @property
    def outstanding_total(self) -> Decimal:
        return sum((r.outstanding for r in self.rows if r.outstanding is not None), Decimal("0.00"))


# The columns of both the xlsx and the PDF, in order (titles in the template's [columns]).
MONEY_COLUMNS = ("claimed", "agreed", "paid", "outstanding")
REPORT_COLUMNS = (
    "case_number",
    "investor",
    "id_number",
    "claimed",
    "agreed",
    "status",
    *STEP_COLUMNS,
    "agreement_number",
    "ruling_number",
    "paid",
    "outstanding",
    "failure",
)
_NO_OUTSTANDING = frozenset({CaseStatus.FAILED.value, CaseStatus.RETURNED_TO_COURT.value})


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def build_court_report(
    session: Session, batch: str | int, *, show_personal_data: bool = False
) -> CourtReport:
    """The report's rows and title values for a batch (ID numbers masked unless asked)."""
    batch_row: BatchRow = resolve_batch(session, batch)
    company = session.get(ListedCompanyRow, batch_row.company_id)
    query = (
        select(CaseRow, InvestorRow)
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .where(col(CaseRow.batch_id) == batch_row.id)
        .order_by(col(CaseRow.case_number))
    )
    extras = _case_extras(session, batch_row.id)
    rows: list[ReportRow] = []
    for case, investor in session.exec(query):
        failure = ""
        if case.failure_reason:
            failure = FailureReason(case.failure_reason).label
            if case.failure_note:
                failure += f"：{case.failure_note}"
        agreement_number, ruling_number, paid, late = extras.get(
            case.id or 0, ("", "", Decimal("0.00"), False)
        )
        outstanding = None
        if case.agreed_amount is not None and case.status not in _NO_OUTSTANDING:
            outstanding = max(case.agreed_amount - paid, Decimal("0.00"))
        rows.append(
            ReportRow(
                case_number=case.case_number,
                investor=investor.name,
                id_number=investor.id_number if show_personal_data else mask_id_number(investor.id_number),
                claimed=case.claimed_amount,
                agreed=case.agreed_amount,
                status=CaseStatus(case.status).label,
                steps={name: getattr(case, name) for name in STEP_COLUMNS},
                failure=failure,
                agreement_number=agreement_number,
                ruling_number=ruling_number,
                paid=paid,
                outstanding=outstanding,
                late_application=late,
            )
        )
    values: dict[str, object] = {
        "court": batch_row.court,
        "batch_number": batch_row.number,
        "company_name": company.name if company else "",
        "referral_date": batch_row.referral_date.isoformat(),
        "organisation": MEDIATION_ORGANISATION,
        "today": china_today().isoformat(),
        "count": len(rows),
    }
    return CourtReport(values, rows, show_personal_data)


def _case_extras(session: Session, batch_id: int | None) -> dict[int, tuple[str, str, Decimal, bool]]:
    """Per case of the batch: agreement number, 民特 ruling number, the sum received, and whether
    the application came late (a late reason is recorded only then)."""
    in_batch = select(col(CaseRow.id)).where(col(CaseRow.batch_id) == batch_id)
    extras: dict[int, tuple[str, str, Decimal, bool]] = {}
    agreements = dict(
        session.exec(
            select(col(AgreementRow.case_id), col(AgreementRow.number)).where(
                col(AgreementRow.case_id).in_(in_batch)
            )
        ).all()
    )
    rulings = {
        case_id: (number or "", late is not None)
        for case_id, number, late in session.exec(
            select(
                col(JudicialConfirmationRow.case_id),
                col(JudicialConfirmationRow.ruling_number),
                col(JudicialConfirmationRow.late_reason),
            ).where(col(JudicialConfirmationRow.case_id).in_(in_batch))
        ).all()
    }
    paid = dict(
        session.exec(
            select(
                col(InstallmentRow.case_id),
                func.coalesce(func.sum(InstallmentRow.paid_amount), Decimal("0.00")),
            )
            .where(col(InstallmentRow.case_id).in_(in_batch))
            .group_by(col(InstallmentRow.case_id))
        ).all()
    )
    for case_id in set(agreements) | set(rulings) | set(paid):
        ruling, late = rulings.get(case_id, ("", False))
        extras[case_id] = (agreements.get(case_id, ""), ruling, to_money(paid.get(case_id) or 0), late)
    return extras


def _cell_text(row: ReportRow, key: str) -> str:
    """A cell as text (the PDF; the xlsx writes amounts and dates as numbers and dates)."""
    if key in STEP_COLUMNS:
        text = _iso(row.steps[key])
        if key == "confirmation_applied_on" and row.late_application and text:
            text += _("（逾期）")
        return text
    if key in MONEY_COLUMNS:
        value = getattr(row, key)
        return "" if value is None else format_money(value)
    return str(getattr(row, key))


def report_xlsx(report: CourtReport) -> bytes:
    import xlsxwriter

    template = load_template(TEMPLATE)
    columns = template.section("columns")
    buffer = BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("反馈表"))
    safe = SafeSheet(workbook, sheet)
    title = add_format(workbook, {"bold": True, "font_size": 14})
    header = add_format(workbook, {"bold": True, "bg_color": "#EEEEEE", "border": 1, "text_wrap": True})
    money = add_format(workbook, {"num_format": "#,##0.00"})
    total_money = add_format(workbook, {"num_format": "#,##0.00", "bold": True, "top": 1})
    bold = add_format(workbook, {"bold": True, "top": 1})
    safe.text(0, 0, template.fill(str(template.data["title"]), report.values), title)
    safe.text(1, 0, template.fill(str(template.data["subtitle"]), report.values))
    for column, key in enumerate(REPORT_COLUMNS):
        safe.text(3, column, columns.get(key, key), header)
    row_index = 4
    for row in report.rows:
        for column, key in enumerate(REPORT_COLUMNS):
            if key in MONEY_COLUMNS:
                safe.money(row_index, column, getattr(row, key), money)
            elif key in STEP_COLUMNS:
                safe.day(row_index, column, row.steps[key])
            else:
                safe.text(row_index, column, str(getattr(row, key)))
        row_index += 1
    safe.text(row_index, 0, template.fill(str(template.data["totals"]), report.values), bold)
    totals = {
        "claimed": report.claimed_total,
        "agreed": report.agreed_total,
        "paid": report.paid_total,
        "outstanding": report.outstanding_total,
    }
    for key, total in totals.items():
        safe.money(row_index, REPORT_COLUMNS.index(key), total, total_money)
    note_key = "note_full" if report.show_personal_data else "note"
    safe.text(row_index + 2, 0, template.fill(str(template.data[note_key]), report.values))
    widths = {"case_number": 26, "investor": 14, "id_number": 21, "status": 14, "failure": 30}
    widths |= {"agreement_number": 24, "ruling_number": 24} | dict.fromkeys(MONEY_COLUMNS, 15)
    for column, key in enumerate(REPORT_COLUMNS):
        sheet.set_column(column, column, widths.get(key, 12))
    sheet.freeze_panes(4, 1)
    workbook.close()
    return buffer.getvalue()


# PDF column widths in mm: 277 mm between 10 mm landscape margins at 6.5 pt. Dates, amounts up to
# 99,999,999.99 and masked ID numbers (on two lines) each fit; 案号 and numbers wrap to two lines.
_PDF_WIDTHS = (
    {
        "case_number": 18.0,
        "investor": 10.0,
        "id_number": 13.5,
        "status": 12.0,
        "agreement_number": 15.0,
        "ruling_number": 14.0,
        "failure": 15.0,
    }
    | dict.fromkeys(MONEY_COLUMNS, 17.2)
    | dict.fromkeys(STEP_COLUMNS, 13.6)
)
_PDF_FONT_SIZE = 6.5


def _pdf_styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    base = pdf_layout.styles()
    cell = ParagraphStyle("report_cell", base["table"], fontSize=_PDF_FONT_SIZE, leading=8)
    right = ParagraphStyle("report_right", base["table_right"], fontSize=_PDF_FONT_SIZE, leading=8)
    total = ParagraphStyle("report_total", right, fontSize=6, leading=8)
    return cell, right, total


def _pdf_cell(row: ReportRow, key: str, cell: ParagraphStyle, right: ParagraphStyle) -> Paragraph:
    text = escape(_cell_text(row, key))
    if key == "id_number" and len(text) > 10:
        # A masked (or full) ID number has no break opportunity: split it over two lines.
        text = f"{text[: len(text) // 2 + 1]}<br/>{text[len(text) // 2 + 1 :]}"
    return Paragraph(text, right if key in MONEY_COLUMNS else cell)


def report_pdf(report: CourtReport) -> bytes:
    template = load_template(TEMPLATE)
    columns = template.section("columns")
    style = pdf_layout.styles()
    cell, right, total = _pdf_styles()
    texts = [r.investor for r in report.rows] + [r.failure for r in report.rows]
    check_coverage(texts + [str(v) for v in report.values.values()], where=_("反馈表"))
    keys = REPORT_COLUMNS
    header = [Paragraph(escape(str(columns.get(k, k))), cell) for k in keys]
    data: list[list[Any]] = [header]
    for row in report.rows:
        data.append([_pdf_cell(row, key, cell, right) for key in keys])
    totals_row: list[Any] = [""] * len(keys)
    totals_row[0] = Paragraph(escape(template.fill(str(template.data["totals"]), report.values)), cell)
    sums = {
        "claimed": report.claimed_total,
        "agreed": report.agreed_total,
        "paid": report.paid_total,
        "outstanding": report.outstanding_total,
    }
    for key, amount in sums.items():
        totals_row[keys.index(key)] = Paragraph(format_money(amount), total)
    data.append(totals_row)
    table = Table(data, colWidths=[_PDF_WIDTHS[k] * mm for k in keys], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                # Empty cells too: reportlab's default Helvetica would be referenced, not embedded.
                ("FONTNAME", (0, 0), (-1, -1), pdf_layout.FONT_NAME),
                ("FONTSIZE", (0, 0), (-1, -1), _PDF_FONT_SIZE),
                ("LEFTPADDING", (0, 0), (-1, -1), 1.2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1.2),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F6F6F6")),
                ("SPAN", (0, -1), (2, -1)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    note_key = "note_full" if report.show_personal_data else "note"
    story = [
        Paragraph(template.fill(str(template.data["title"]), report.values, markup=True), style["title"]),
        Paragraph(template.fill(str(template.data["subtitle"]), report.values, markup=True), style["center"]),
        Spacer(1, 8),
        table,
        Spacer(1, 6),
        Paragraph(escape(template.fill(str(template.data[note_key]), report.values)), style["small"]),
    ]
    decorations = PageDecorations(
        page_label=template.text("footer", "page", {"page": "{page}", "pages": "{pages}"}),
        footer_text=template.text("footer", "text", report.values),
    )
    return _render_landscape(story, decorations, title=str(template.data.get("name", "")))


def _render_landscape(story: list[Any], decorations: PageDecorations, *, title: str) -> bytes:
    pdf_layout.register_font()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=14 * mm,
        bottomMargin=24 * mm,
        title=title,
        author=MEDIATION_ORGANISATION,
        creator="mediator",
        initialFontName=pdf_layout.FONT_NAME,
    )
    document.build(story, canvasmaker=pdf_layout.canvas_class(decorations, page_size=landscape(A4)))
    return buffer.getvalue()


@dataclass(frozen=True)
class ReportFiles(DocumentResult):
    """What ``write_court_report`` wrote."""

    xlsx: Path | None
    pdf: Path | None
    cases: int
    show_personal_data: bool = False

    def summary(self) -> str:
        written = [str(p) for p in (self.xlsx, self.pdf) if p is not None]
        text = _("反馈表已写入 {files}（{cases} 件案件）。").format(
            files="、".join(written), cases=self.cases
        )
        if self.show_personal_data:
            text += "\n" + _("表中含完整身份证号，已记入操作日志。")
        return text

    def output_folder(self) -> Path | None:
        first = self.xlsx or self.pdf
        return first.parent if first is not None else None


def write_court_report(
    database: Database,
    batch: str | int,
    out: Path,
    *,
    pdf: Path | None = None,
    show_personal_data: bool = False,
    actor: str = "cli",
) -> ReportFiles:
    """Write the report to ``out`` (.xlsx, or .pdf) and optionally a PDF copy to ``pdf``."""
    out = Path(out)
    if out.suffix.lower() not in (".xlsx", ".pdf"):
        raise UserError(_("报表文件名应以 .xlsx 或 .pdf 结尾：{path}").format(path=out))
    if pdf is not None and Path(pdf).suffix.lower() != ".pdf":
        raise UserError(_("PDF 文件名应以 .pdf 结尾：{path}").format(path=pdf))
    targets = [out] + ([Path(pdf)] if pdf is not None else [])
    for target in targets:
        pdf_layout.ensure_writable_folder(target.parent)
    xlsx_path = pdf_path = None
    # The files are renamed into place only after the database commit (and removed if it fails).
    with contextlib.ExitStack() as stack:
        staging: dict[Path, pdf_layout.StagedFiles] = {}
        for target in targets:
            if target.parent not in staging:
                staging[target.parent] = stack.enter_context(
                    pdf_layout.published_after(pdf_layout.StagedFiles(target.parent))
                )
        session = stack.enter_context(database.transaction())
        report = build_court_report(session, batch, show_personal_data=show_personal_data)
        if out.suffix.lower() == ".xlsx":
            staging[out.parent].write(out.name, report_xlsx(report))
            xlsx_path = out
        else:
            staging[out.parent].write(out.name, report_pdf(report))
            pdf_path = out
        if pdf is not None:
            staging[Path(pdf).parent].write(Path(pdf).name, report_pdf(report))
            pdf_path = Path(pdf)
        batch_id = resolve_batch(session, batch).id
        if show_personal_data:
            # Showing full ID numbers is a choice someone made: record who and when (never the numbers).
            audit(session, actor=actor, action="show_personal_data", batch_id=batch_id, detail="court report")
        audit(
            session,
            actor=actor,
            action="court_report",
            batch_id=batch_id,
            detail=_("法院反馈表 {count} 件").format(count=len(report.rows)),
        )
    return ReportFiles(xlsx_path, pdf_path, len(report.rows), show_personal_data)


def run(database: Database, request: DocumentRequest) -> ReportFiles:
    """The registry's entry point (``kinds.KINDS``) for the report to the court."""
    if request.progress is not None:
        request.progress.update(0, 0, _("正在生成法院反馈表"))
    return write_court_report(
        database,
        request.batch_required,
        request.folder,
        pdf=request.pdf,
        show_personal_data=request.show_personal_data,
        actor=request.actor,
    )
