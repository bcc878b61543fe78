"""The report back to the court (反馈): per batch, every case's outcome, as xlsx and/or PDF.

ID numbers are masked unless the user explicitly asks for them (and that is audited). Cell text
that begins with = + - @ is written as text; amounts are numbers with two decimals, computed from
``Decimal`` and converted only at the cell.
"""

from __future__ import annotations

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
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlmodel import Session, col, select

from mediator.domain.agreement_terms import MEDIATION_ORGANISATION
from mediator.domain.money import format_money
from mediator.domain.privacy import mask_id_number
from mediator.domain.workflow import CaseStatus, FailureReason
from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.data import china_today, resolve_batch
from mediator.services.documents.kinds import DocumentRequest, DocumentResult
from mediator.services.documents.layout import PageDecorations, check_coverage
from mediator.services.documents.templates import load_template
from mediator.services.xlsx_cells import SafeSheet, add_format
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InvestorRow, ListedCompanyRow

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
    rows: list[ReportRow] = []
    for case, investor in session.exec(query):
        failure = ""
        if case.failure_reason:
            failure = FailureReason(case.failure_reason).label
            if case.failure_note:
                failure += f"：{case.failure_note}"
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
    keys = ["case_number", "investor", "id_number", "claimed", "agreed", "status", *STEP_COLUMNS, "failure"]
    for column, key in enumerate(keys):
        safe.text(3, column, columns.get(key, key), header)
    row_index = 4
    for row in report.rows:
        safe.text(row_index, 0, row.case_number)
        safe.text(row_index, 1, row.investor)
        safe.text(row_index, 2, row.id_number)
        safe.money(row_index, 3, row.claimed, money)
        safe.money(row_index, 4, row.agreed, money)
        safe.text(row_index, 5, row.status)
        for offset, name in enumerate(STEP_COLUMNS):
            safe.day(row_index, 6 + offset, row.steps[name])
        safe.text(row_index, 6 + len(STEP_COLUMNS), row.failure)
        row_index += 1
    safe.text(row_index, 0, template.fill(str(template.data["totals"]), report.values), bold)
    safe.money(row_index, 3, report.claimed_total, total_money)
    safe.money(row_index, 4, report.agreed_total, total_money)
    note_key = "note_full" if report.show_personal_data else "note"
    safe.text(row_index + 2, 0, template.fill(str(template.data[note_key]), report.values))
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 2, 21)
    sheet.set_column(3, 4, 15)
    sheet.set_column(5, 5, 14)
    sheet.set_column(6, 6 + len(STEP_COLUMNS) - 1, 12)
    sheet.set_column(6 + len(STEP_COLUMNS), 6 + len(STEP_COLUMNS), 30)
    sheet.freeze_panes(4, 1)
    workbook.close()
    return buffer.getvalue()


def report_pdf(report: CourtReport) -> bytes:
    template = load_template(TEMPLATE)
    columns = template.section("columns")
    style = pdf_layout.styles()
    cell = style["table"]
    texts = [r.investor for r in report.rows] + [r.failure for r in report.rows]
    check_coverage(texts + [str(v) for v in report.values.values()], where=_("反馈表"))
    short_steps = ("referred_on", "agreed_on", "signed_on", "confirmed_on", "paid_on")
    keys = ["case_number", "investor", "id_number", "claimed", "agreed", "status", *short_steps, "failure"]
    data: list[list[Any]] = [[Paragraph(escape(str(columns.get(k, k))), cell) for k in keys]]
    right = style["table_right"]
    for row in report.rows:
        values = [
            row.case_number,
            row.investor,
            row.id_number,
            format_money(row.claimed),
            format_money(row.agreed) if row.agreed is not None else "",
            row.status,
            *[_iso(row.steps[name]) for name in short_steps],
            row.failure,
        ]
        data.append([Paragraph(escape(v), right if i in (3, 4) else cell) for i, v in enumerate(values)])
    totals = template.fill(str(template.data["totals"]), report.values)
    data.append(
        [
            Paragraph(escape(totals), cell),
            "",
            "",
            Paragraph(format_money(report.claimed_total), right),
            Paragraph(format_money(report.agreed_total), right),
        ]
        + [""] * (len(keys) - 5)
    )
    # 273 mm between the landscape margins; 案号, ID numbers and dates each fit one line at 8 pt.
    widths = [40, 16, 30, 22, 22, 17, 18, 18, 18, 18, 18, 36]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                # Empty cells too: reportlab's default Helvetica would be referenced, not embedded.
                ("FONTNAME", (0, 0), (-1, -1), pdf_layout.FONT_NAME),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
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
        leftMargin=12 * mm,
        rightMargin=12 * mm,
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
    with database.transaction() as session:
        report = build_court_report(session, batch, show_personal_data=show_personal_data)
        if show_personal_data:
            # Showing full ID numbers is a choice someone made: record who and when (never the numbers).
            batch_id = resolve_batch(session, batch).id
            audit(session, actor=actor, action="show_personal_data", batch_id=batch_id, detail="court report")
    xlsx_path = pdf_path = None
    if out.suffix.lower() == ".xlsx":
        pdf_layout.atomic_write(out, report_xlsx(report))
        xlsx_path = out
    else:
        pdf_layout.atomic_write(out, report_pdf(report))
        pdf_path = out
    if pdf is not None:
        pdf_layout.atomic_write(Path(pdf), report_pdf(report))
        pdf_path = Path(pdf)
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
