"""A big .xlsx sheet parsed as two halves at once reads exactly as the whole sheet does."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from mediator.services.intake import halves
from mediator.services.intake.halves import parse_in_halves
from mediator.services.intake.reader import SheetRows, open_rows
from tests.fixtures.messy_lists import make_investors, write_xlsx


def _read(path: Path) -> tuple[list[tuple[int, list[Any]]], SheetRows]:
    opened = open_rows(path)
    return [(number, cells) for number, cells in opened.rows if any(cell != "" for cell in cells)], opened


def _whole_and_halves(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    monkeypatch.setattr(halves, "SPLIT_BYTES", 1 << 40)
    whole = _read(path)
    monkeypatch.setattr(halves, "SPLIT_BYTES", 1)
    assert parse_in_halves(path) is not None, "the sheet was not cut"
    return whole, _read(path)


def _workbook(path: Path, rows: list[tuple[int, int, list[Any]]]) -> Path:
    """A .xlsx whose rows are written at (row, first column) as given."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for row, column, cells in rows:
        sheet.write_row(row, column, cells)
    book.close()
    return path


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared strings", "inline strings"])
def test_a_sheet_read_in_halves_gives_every_row_the_whole_sheet_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, constant_memory: bool
) -> None:
    path = write_xlsx(
        tmp_path / "list.xlsx", make_investors(400, seed=61), style=3, constant_memory=constant_memory
    )

    (whole_rows, whole), (half_rows, halved) = _whole_and_halves(path, monkeypatch)

    assert half_rows == whole_rows
    assert len(half_rows) > 400  # title, header, every investor, 合计
    assert (halved.total, halved.first_column, halved.merged, halved.sheet_name) == (
        whole.total,
        whole.first_column,
        whole.merged,
        whole.sheet_name,
    )
    assert halved.merged  # the title rows' merged cells, kept from the sheet's end


def test_a_second_half_that_starts_further_right_keeps_its_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Column A (序号) is filled only in the first rows: the second half begins in column B.
    path = _workbook(
        tmp_path / "ragged.xlsx",
        [(0, 0, ["序号", "案号", "原告"])]
        + [
            (row, 0 if row < 100 else 1, ([row] if row < 100 else []) + [f"（2025）苏01民初{row}号", "张三"])
            for row in range(1, 600)
        ],
    )

    (whole_rows, whole), (half_rows, halved) = _whole_and_halves(path, monkeypatch)

    assert half_rows == whole_rows
    assert half_rows[-1] == (600, ["", "（2025）苏01民初599号", "张三"])
    assert halved.first_column == whole.first_column == 0


def test_blank_rows_above_the_list_keep_the_row_numbers_excel_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows 1 and 2 left blank, as clerks often do.
    rows = [(row, 0, [row + 1, f"（2025）苏01民初{row}号"]) for row in range(2, 500)]
    path = _workbook(tmp_path / "blank-top.xlsx", rows)

    (whole_rows, _whole), (half_rows, _halved) = _whole_and_halves(path, monkeypatch)

    assert whole_rows[0] == (3, [3, "（2025）苏01民初2号"])
    assert all(number == cells[0] for number, cells in whole_rows)  # each row's number is Excel's
    assert half_rows == whole_rows


def test_a_sheet_whose_rows_end_before_its_middle_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xlsxwriter

    path = tmp_path / "formats.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    red = book.add_format({"font_color": "red"})
    for row in range(5):
        sheet.write_row(row, 0, [row + 1, f"（2025）苏01民初{row}号"])
    for row in range(2000):  # the sheet's XML is mostly conditional formats, after its rows
        sheet.conditional_format(
            row, 3, row, 3, {"type": "cell", "criteria": ">", "value": row, "format": red}
        )
    book.close()
    monkeypatch.setattr(halves, "SPLIT_BYTES", 1)

    assert parse_in_halves(path) is None
    rows, _opened = _read(path)
    assert [number for number, _cells in rows] == [1, 2, 3, 4, 5]


def test_a_damaged_workbook_is_left_to_the_whole_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", make_investors(50, seed=62))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    monkeypatch.setattr(halves, "SPLIT_BYTES", 1)

    assert parse_in_halves(broken) is None
    with zipfile.ZipFile(good) as archive:
        assert archive.testzip() is None  # the good one is a sound archive, and is cut
    assert parse_in_halves(good) is not None


def test_the_interpreters_switch_interval_is_given_back_after_a_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    path = write_xlsx(tmp_path / "list.xlsx", make_investors(200, seed=63))
    monkeypatch.setattr(halves, "SPLIT_BYTES", 1)
    before = sys.getswitchinterval()

    assert parse_in_halves(path) is not None
    assert sys.getswitchinterval() == before
