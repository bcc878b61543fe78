"""The first rows of a referral list with the detected column mapping, as the import dialog shows
them before anything is checked or written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mediator.domain import referral_headers as rh
from mediator.i18n import _
from mediator.services.intake.layout import open_list
from mediator.services.intake.reader import FileProblem
from mediator.services.intake.rows import company_head, display_value, is_blank


@dataclass
class FilePreview:
    """The first rows of a list as the import dialog shows them, with the detected mapping."""

    file: str
    header_row: int | None = None  # Excel row number of the header
    headers: list[str] = field(default_factory=list)
    fields: list[str | None] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    batch_number: int | None = None
    referral_date: date | None = None
    company: str | None = None
    problem: str | None = None


def preview_file(path: str | Path, rows: int = 20) -> FilePreview:
    """The header, the detected mapping and the first ``rows`` data rows of a list."""
    path = Path(path)
    preview = FilePreview(file=str(path))
    if not path.is_file():
        preview.problem = _("文件不存在：{path}").format(path=path)
        return preview
    try:
        opened = open_list(path)
    except FileProblem as exc:
        preview.problem = str(exc)
        return preview
    preview.header_row = opened.header_number
    preview.headers = [display_value(cell).strip() for cell in opened.header_cells]
    preview.fields = list(opened.fields)
    preview.batch_number = opened.title.batch_number
    preview.referral_date = opened.title.referral_date
    i_company = opened.fields.index(rh.COMPANY) if rh.COMPANY in opened.fields else None
    width = len(preview.headers)
    for _number, cells in opened.rest:
        if all(is_blank(cell) for cell in cells):
            continue
        shown = [display_value(cell) for cell in cells[:width]]
        shown += [""] * (width - len(shown))
        if i_company is not None and preview.company is None and shown[i_company].strip():
            preview.company = company_head(shown[i_company])
        preview.rows.append(shown)
        if len(preview.rows) >= rows:
            break
    return preview
