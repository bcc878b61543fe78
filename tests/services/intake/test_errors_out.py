"""`import --errors-out`: the workbook that goes back to the clerk holds every cell as text (a
formula-leading header or value quoted, never live), is written after the problem table is
printed, and an unwritable path is an environment problem (exit 3) that hides no problem. The
problem table masks anything that looks like an ID or phone number, whatever the column."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediator.cli import main
from mediator.store.database import open_database
from tests.fixtures.messy_lists import COMPANY, make_investors

FORMULA_HEADER = '=HYPERLINK("http://example.invalid","点我")'


def _list(path: Path, rows: list[list[str]]) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = workbook.add_worksheet("委派清单")
    sheet.write_string(0, 0, "南京市中级人民法院委派调解案件清单（第15批）")
    sheet.write_string(1, 0, "委派日期：2025年3月3日")
    headers = ["序号", "案号", "原告", "身份证号码", "联系电话", "诉讼请求金额（元）", "被告", FORMULA_HEADER]
    for column, header in enumerate(headers):
        sheet.write_string(2, column, header)
    for number, row in enumerate(rows, start=3):
        for column, value in enumerate(row):
            sheet.write_string(number, column, value)
    workbook.close()
    return path


def _rows() -> tuple[list[list[str]], str]:
    good, bad = make_investors(2, seed=51)
    wrong_id = bad.id_number[:17] + ("0" if bad.id_number[17] != "0" else "1")
    rows = [
        ["1", good.case_number, good.name, good.id_number, good.phone or "", "1000", COMPANY, "=1+1"],
        ["2", bad.case_number, "@SUM(A1)", wrong_id, "+8613912345678", "-5", COMPANY, "=cmd|' /C calc'!A0"],
    ]
    return rows, wrong_id


@pytest.fixture
def url(sqlite_url: str) -> str:
    open_database(sqlite_url).dispose()
    return sqlite_url


def test_every_cell_of_the_errors_workbook_is_text(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    rows, wrong_id = _rows()
    source = _list(tmp_path / "list.xlsx", rows)
    target = tmp_path / "errors.xlsx"

    assert main(["--db", url, "import", str(source), "--errors-out", str(target)]) == 1
    capsys.readouterr()

    sheet = openpyxl.load_workbook(target).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert FORMULA_HEADER in [cell.value for cell in cells]
    assert wrong_id in [cell.value for cell in cells]  # as typed: the clerk's own copy
    for cell in cells:
        assert cell.data_type == "s", (cell.coordinate, cell.value)
        if str(cell.value).startswith(("=", "+", "-", "@")):
            assert cell.quotePrefix, (cell.coordinate, cell.value)


def test_an_unwritable_errors_path_is_exit_3_after_the_table(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows, _wrong_id = _rows()
    source = _list(tmp_path / "list.xlsx", rows)

    code = main(["--db", url, "import", str(source), "--errors-out", str(tmp_path / "missing" / "e.xlsx")])

    out, err = capsys.readouterr()
    assert code == 3
    assert "身份证号码" in out  # the problems were printed first
    assert "missing" in err and "Traceback" not in err


def test_an_id_number_typed_in_the_name_column_is_masked(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = make_investors(2, seed=52)
    spaced = " ".join([bad.id_number[:6], bad.id_number[6:14], bad.id_number[14:]])
    rows = [
        ["1", good.case_number, good.name, good.id_number, "", "1000", COMPANY, ""],
        ["2", bad.case_number, spaced, "", "", "1000", COMPANY, ""],
    ]
    source = _list(tmp_path / "list.xlsx", rows)

    assert main(["--db", url, "import", str(source)]) == 1
    out, _err = capsys.readouterr()
    assert "原告" in out
    assert spaced not in out and bad.id_number not in out
    assert bad.id_number[14:] in out  # the last four stay, as everywhere
