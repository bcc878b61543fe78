"""What the papers filed with the court after an agreement share (the judicial-confirmation
application, the request for a 民事调解书 or for withdrawal): the parties' values, the signature
section whose blocks are empty AcroForm signature fields kept together with 此致 and the court,
the per-batch schedule of cases (address and phone of each investor, a readable signature column,
amounts right-aligned and a total row), and the page decorations naming the organisation.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from mediator.domain.money import format_money, rmb_upper
from mediator.i18n import _
from mediator.services.documents import layout as pdf_layout
from mediator.services.documents.agreement import template_values
from mediator.services.documents.data import CaseDocument
from mediator.services.documents.layout import PageDecorations, SignatureBlock, check_coverage, cn_date
from mediator.services.documents.templates import DocumentTemplate


def agreement_date(document: CaseDocument) -> date:
    """The date a paper gives for the agreement: the day it took effect (the one rule,
    ``deadlines.agreement_effective_on``, applied by the loader), else the day it was drawn up."""
    return document.effective_on or document.data.drawn_up_on


def paper_values(documents: Sequence[CaseDocument], *, per_batch: bool) -> dict[str, object]:
    """The agreement's placeholders (of the first case) plus the batch's count and total."""
    first = documents[0]
    values = dict(template_values(first.data)[0])
    total = sum((d.data.agreed_amount for d in documents), Decimal("0"))
    values.update(
        {
            "agreement_date": cn_date(agreement_date(first)),
            "company_phone": first.company_phone or "",
            "investor_count": len(documents),
            "agreed_total": format_money(total),
            "agreed_total_upper": rmb_upper(total),
            "attachment_agreements": _("（共{n}份）").format(n=len(documents)) if per_batch else "",
        }
    )
    return values


def check_paper_coverage(values: dict[str, object], documents: Sequence[CaseDocument], *, where: str) -> None:
    """Refuse before rendering when a character would print as an empty box."""
    texts = [str(v) for v in values.values() if v is not None]
    for document in documents:
        data = document.data
        texts += [data.investor_name, data.investor_id_number, data.case_number]
        texts += [data.investor_address or "", data.investor_phone or ""]
    check_coverage(texts, where=where)


def signature_section(
    template: DocumentTemplate, values: dict[str, object], fields: Sequence[str], lead: Sequence[str]
) -> KeepTogether:
    """``lead`` lines (此致 / the court) and one signature block per field name in ``fields``
    (``[signatures] <field>`` labels; each an empty AcroForm signature field), on one page."""
    style = pdf_layout.styles()
    date_line = template.text("signatures", "date_line", values)
    parts: list[Any] = [Paragraph(line, style["plain"]) for line in lead]
    parts.append(Spacer(1, 8))
    for name in fields:
        parts.append(SignatureBlock(name, template.text("signatures", name, values), date_line))
        parts.append(Spacer(1, 6))
    return KeepTogether(parts)


# Column widths (mm) of the schedule, on landscape A4 (235 mm inside the frame): an 18-digit ID
# number and a mobile number each fit one line at 8 pt; the signature column leaves room to sign
# by hand.
_WIDTHS = (8, 30, 16, 35, 42, 22, 24, 23, 35)


def schedule(
    template: DocumentTemplate,
    documents: Sequence[CaseDocument],
    values: dict[str, object],
    *,
    marked: Collection[str] = (),
) -> list[Any]:
    """The per-batch schedule on a page of its own: a row per case, then the total.

    ``marked``: 案号 of cases the schedule flags (e.g. past their window), with the template's
    ``[schedule] marked`` note after the case number.
    """
    style = pdf_layout.styles()
    cell, right = style["table"], style["table_right"]
    section = template.section("schedule")
    title = template.text("schedule", "title", values, markup=True)
    columns = [str(c) for c in section.get("columns", [])]
    note = str(section.get("marked", ""))
    rows: list[list[Any]] = [[Paragraph(escape(c), cell) for c in columns]]
    total = Decimal("0")
    for index, document in enumerate(documents, start=1):
        data = document.data
        total += data.agreed_amount
        # A case number breaks only after its year: （2025）／苏01民诉前调3100号, never inside.
        case = escape(data.case_number).replace("）", "）<br/>", 1)
        if data.case_number in marked and note:
            case += f"<br/>{escape(note)}"
        # Full ID and phone numbers: a court filing must identify and reach each applicant.
        texts = [
            escape(str(index)),
            case,
            escape(data.investor_name),
            escape(data.investor_id_number),
            escape(data.investor_address or ""),
            escape(data.investor_phone or ""),
            escape(data.number.replace("〕", "〕\n")).replace("\n", "<br/>")
            + "<br/>"
            + escape(cn_date(agreement_date(document))),
        ]
        row: list[Any] = [Paragraph(text, cell) for text in texts]
        row.append(Paragraph(escape(format_money(data.agreed_amount)), right))
        row.append("")  # signed by hand, or in the court's module
        rows.append(row[: len(columns)])
    label = template.text("schedule", "total", {"count": len(documents)}, markup=True)
    total_row: list[Any] = [Paragraph(label, cell)] + [""] * (len(columns) - 1)
    amount_column = min(7, len(columns) - 1)
    total_row[amount_column] = Paragraph(escape(format_money(total)), right)
    rows.append(total_row)
    widths = [w * mm for w in _WIDTHS][: len(columns)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    last = len(rows) - 1
    table.setStyle(
        TableStyle(
            [
                # Empty cells too: reportlab's default Helvetica would be referenced, not embedded.
                ("FONTNAME", (0, 0), (-1, -1), pdf_layout.FONT_NAME),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 1), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("SPAN", (0, last), (amount_column - 1, last)),
                ("BACKGROUND", (0, last), (-1, last), colors.HexColor("#F5F5F5")),
            ]
        )
    )
    return [
        NextPageTemplate(pdf_layout.LANDSCAPE),
        PageBreak(),
        Paragraph(title, style["heading"]),
        Spacer(1, 4),
        table,
    ]


def decorations(template: DocumentTemplate, values: dict[str, object]) -> PageDecorations:
    """Page x of y and the footer line (which names the mediation organisation)."""
    return PageDecorations(
        page_label=template.text("footer", "page", {"page": "{page}", "pages": "{pages}"}),
        footer_text=template.text("footer", "text", values),
    )
