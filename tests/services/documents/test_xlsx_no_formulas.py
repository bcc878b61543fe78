"""Every xlsx the app writes keeps text as text: a company name (or any value) beginning with
= + - @ is never a live formula, and carries Excel's quote prefix."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from mediator.services.documents.court_report import write_court_report
from mediator.services.documents.signing import MANIFEST_XLSX, write_sign_package
from mediator.store.database import Database
from mediator.store.tables import ListedCompanyRow
from tests.fixtures.document_factories import make_batch

HOSTILE = '=HYPERLINK("http://example.invalid","点我")'


def _formula_cells(path: Path) -> list[str]:
    import openpyxl

    found = []
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(cell.coordinate)
                elif isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.quotePrefix, (path.name, cell.coordinate)
    return found


def test_manifest_and_court_report_hold_no_formula(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=("张䶮",))
    with database.transaction() as session:
        session.execute(update(ListedCompanyRow).values(name=HOSTILE))
    write_sign_package(database, 15, tmp_path / "package", jobs=1)
    write_court_report(database, 15, tmp_path / "反馈表.xlsx")

    for path in (tmp_path / "package" / MANIFEST_XLSX, tmp_path / "反馈表.xlsx"):
        assert _formula_cells(path) == [], path.name
    import openpyxl

    values = [
        c.value
        for r in openpyxl.load_workbook(tmp_path / "package" / MANIFEST_XLSX).active.iter_rows()
        for c in r
    ]
    assert HOSTILE in values
