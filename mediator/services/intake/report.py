"""What an import found: one ``RowError`` per problem, a ``FileReport`` per list, one ``ImportResult``.

Each has ``summary()``, the short text the CLI and the import dialog both show, and ``as_json()``
with exactly the keys the CLI's ``--json`` promises. ID and phone numbers are masked wherever a
problem is listed (``RowError.masked``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mediator.domain import referral_headers as rh
from mediator.domain.privacy import mask_id_number, mask_phone
from mediator.domain.validators import to_half_width
from mediator.i18n import _

# Shown values are cut here in the console table and the JSON.
SHOWN_VALUE = 60
# ID numbers (15/18), mobiles (11) and anything as long, whole or mistyped — also typed with
# spaces or dashes between the digits, or in full-width digits: masked wherever a problem is shown.
_DIGIT_RUN = re.compile(
    r"(?<![0-9０-９])[0-9０-９](?:[ \t\u3000\-－‐]*[0-9０-９]){9,}(?:[ \u3000\-－]*[XxＸｘ])?(?![0-9０-９])"
)


def cut(text: str, limit: int = SHOWN_VALUE) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def mask_digits(text: str) -> str:
    """Mask anything that looks like an ID or phone number (10+ digits, separators allowed)."""
    return _DIGIT_RUN.sub(_mask_run, text)


def _mask_run(match: re.Match[str]) -> str:
    digits = "".join(to_half_width(match[0]).split()).replace("-", "").replace("‐", "").upper()
    return mask_id_number(digits) if len(digits) > 11 else mask_phone(digits)


@dataclass(frozen=True)
class RowError:
    """One problem, located as the clerk sees it: file, Excel row number, column header as typed."""

    file: str
    row: int | None  # None: the problem is the file's, not a row's
    column: str
    value: str  # as typed (full; mask with ``masked`` before showing it in a list)
    message: str
    field: str | None = None

    def masked(self) -> RowError:
        """The same problem with ID and phone numbers masked (personal-data rule for lists)."""
        value, message = self.value, self.message
        if self.field in (rh.ID_NUMBER, rh.PHONE) and value.strip():
            masked = mask_id_number(value) if self.field == rh.ID_NUMBER else mask_phone(value)
            # Validators quote the value in their message, as typed or normalised: mask it there too.
            typed = value.strip()
            for form in {typed, to_half_width(typed), "".join(to_half_width(typed).split()).upper()}:
                if form:
                    message = message.replace(form, masked)
            value = masked
        # Whatever the column: an ID typed into the name column is masked too.
        return RowError(
            self.file, self.row, self.column, cut(mask_digits(value)), mask_digits(message), self.field
        )

    def summary(self) -> str:
        """The problem in one line, "column：message" (the 错误说明 of the errors workbook).

        As typed: call it on ``masked()`` before showing it in a list."""
        if self.column:
            return f"{self.column}：{self.message}"
        return self.message

    def as_json(self) -> dict[str, Any]:
        shown = self.masked()
        return {"row": shown.row, "column": shown.column, "value": shown.value, "message": shown.message}


@dataclass
class FileReport:
    """What happened to one file."""

    file: str
    rows: int = 0  # data rows read (blank rows and the 合计 row not counted)
    imported: int = 0  # new cases (would be, on a dry run)
    skipped_duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    batch_number: int | None = None
    referral_date: date | None = None
    company: str | None = None
    header_row: int | None = None
    headers: list[str] = field(default_factory=list)

    def summary(self, name: str | None = None) -> str:
        """ "第15批.xlsx：12 行，新增 12 件，跳过重复 0 件，问题 0 个 第15批"; ``name`` replaces the
        file as given (the dialog shows the file's name only)."""
        where = _("第{number}批").format(number=self.batch_number) if self.batch_number else ""
        return (
            _("{file}：{rows} 行，新增 {imported} 件，跳过重复 {skipped} 件，问题 {errors} 个 {where}")
            .format(
                file=self.file if name is None else name,
                rows=self.rows,
                imported=self.imported,
                skipped=self.skipped_duplicates,
                errors=len(self.errors),
                where=where,
            )
            .rstrip()
        )

    def as_json(self) -> dict[str, Any]:
        """Exactly the keys the issue fixes: file, rows, imported, skipped_duplicates, errors."""
        return {
            "file": self.file,
            "rows": self.rows,
            "imported": self.imported,
            "skipped_duplicates": self.skipped_duplicates,
            "errors": [error.as_json() for error in self.errors],
        }


@dataclass
class ImportResult:
    files: list[FileReport]
    dry_run: bool = False
    written: bool = False

    @property
    def errors(self) -> list[RowError]:
        return [error for report in self.files for error in report.errors]

    @property
    def ok(self) -> bool:
        return not any(report.errors for report in self.files)

    @property
    def imported(self) -> int:
        return sum(report.imported for report in self.files)

    @property
    def skipped_duplicates(self) -> int:
        return sum(report.skipped_duplicates for report in self.files)

    def summary(self) -> str:
        """How the run ended, in one sentence: problems (nothing written), written, or checked only."""
        if self.errors:
            return _("有 {count} 个问题，未导入任何数据。").format(count=len(self.errors))
        if self.written:
            return _("已导入。")
        if self.dry_run:
            return _("试运行：检查通过，未写入数据库。")
        return _("检查通过，尚未导入。")

    def as_json(self) -> dict[str, Any] | list[dict[str, Any]]:
        """One object for one file, a list of objects (one per file) for several."""
        if len(self.files) == 1:
            return self.files[0].as_json()
        return [report.as_json() for report in self.files]
