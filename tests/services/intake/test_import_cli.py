"""`mediator import` as a clerk's list meets it: exit codes, the problem table, --json, --errors-out,
hostile files, and a kill in the middle of the write."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from mediator.cli import main
from mediator.store.database import open_database
from mediator.store.tables import CaseRow, InvestorRow
from tests.fixtures.messy_lists import COMPANY, HEADER_STYLES, make_investors, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[3]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def case_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(CaseRow)).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def url(sqlite_url: str) -> str:
    open_database(sqlite_url).dispose()  # created and migrated, empty
    return sqlite_url


def test_success_prints_a_summary_and_exits_0(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "第15批.xlsx", make_investors(12, seed=30))

    code, out, err = run(capsys, "--db", url, "import", str(path))

    assert code == 0
    assert "第15批.xlsx：12 行，新增 12 件，跳过重复 0 件，问题 0 个 第15批" in out
    assert "将新建" in err
    assert case_count(url) == 12


def test_json_has_exactly_the_agreed_keys(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path
) -> None:
    one = write_xlsx(tmp_path / "a.xlsx", make_investors(5, seed=31))
    two = write_csv(tmp_path / "b.csv", make_investors(4, seed=32, first_case=7000), batch=16)

    code, out, _err = run(capsys, "--db", url, "import", str(one), "--json")
    assert code == 0
    assert json.loads(out) == {
        "file": str(one),
        "rows": 5,
        "imported": 0 + 5,
        "skipped_duplicates": 0,
        "errors": [],
    }

    code, out, _err = run(capsys, "--db", url, "import", str(one), str(two), "--json")
    assert code == 0
    assert json.loads(out) == [
        {"file": str(one), "rows": 5, "imported": 0, "skipped_duplicates": 5, "errors": []},
        {"file": str(two), "rows": 4, "imported": 4, "skipped_duplicates": 0, "errors": []},
    ]


def test_row_errors_exit_1_with_masked_values_and_an_errors_workbook(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path
) -> None:
    import openpyxl

    investors = make_investors(4, seed=33)
    bad_id = investors[0].id_number[:17] + ("0" if investors[0].id_number[17] != "0" else "1")
    bad = [5, "（2025）苏01民初9300号", "周九", bad_id, "13912345678", "A3", "800", COMPANY]
    path = write_xlsx(tmp_path / "bad.xlsx", investors, extra_rows=[(2, bad)], blank_every=0)
    errors_out = tmp_path / "out" / "问题行.xlsx"
    errors_out.parent.mkdir()

    code, out, err = run(capsys, "--db", url, "import", str(path), "--json", "--errors-out", str(errors_out))

    assert code == 1
    report = json.loads(out)
    assert report["imported"] == 0 and report["rows"] == 5
    [error] = report["errors"]
    assert (error["row"], error["column"]) == (6, "身份证号码")
    assert error["value"] == bad_id[:3] + "*" * 11 + bad_id[-4:]
    assert bad_id not in out  # masked in the message too
    assert "未导入任何数据" in err
    assert case_count(url) == 0
    sheet = openpyxl.load_workbook(errors_out).active
    assert [c.value for c in sheet[2]][3] == bad_id  # the clerk's copy shows the value as typed

    code, out, _err = run(capsys, "--db", url, "import", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split() == ["文件", "行", "列", "值", "问题"]
    assert lines[1].split()[:3] == ["bad.xlsx", "6", "身份证号码"]
    assert bad_id not in out


def test_user_errors_exit_2(capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", make_investors(2, seed=34))
    code, _out, err = run(capsys, "--db", url, "import", str(tmp_path / "missing.xlsx"))
    assert code == 2 and "文件不存在" in err
    code, _out, err = run(capsys, "--db", url, "import", str(path), "--referred-on", "上周三")
    assert code == 2 and "无法识别的日期" in err
    code, _out, err = run(capsys, "--db", url, "import", str(path), "--batch", "十五")
    assert code == 2 and "无法识别的批次" in err


# --- hostile files: one sentence, exit 1, nothing changed, no traceback ---------------------------


def _truncated(tmp_path: Path) -> Path:
    whole = write_xlsx(tmp_path / "whole.xlsx", make_investors(50, seed=35)).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    return path


def _encrypted(tmp_path: Path) -> Path:
    # What Office writes for a password-protected .xlsx: an OLE2 container holding the
    # EncryptionInfo and EncryptedPackage streams (names in UTF-16 in its directory).
    path = tmp_path / "locked.xlsx"
    body = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    body += "EncryptionInfo".encode("utf-16-le").ljust(128, b"\0")
    body += "EncryptedPackage".encode("utf-16-le").ljust(128, b"\0")
    path.write_bytes(bytes(body) + os.urandom(4096))
    return path


def _png(tmp_path: Path) -> Path:
    path = tmp_path / "scan.xls"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(300))
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    return path


def _no_header(tmp_path: Path) -> Path:
    import xlsxwriter

    path = tmp_path / "minutes.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for row in range(30):
        sheet.write_row(row, 0, ["会议纪要", f"第{row}条", "张三", 100 + row])
    book.close()
    return path


def _other_ole2(tmp_path: Path) -> Path:
    path = tmp_path / "memo.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2048))
    return path


@pytest.mark.parametrize(
    ("make", "sentence"),
    [
        (_truncated, "文件已损坏或不完整"),
        (_encrypted, "文件设有打开密码"),
        (_png, "这不是表格文件，而是PNG 图片"),
        (_empty, "文件是空的"),
        (_no_header, "找不到表头"),
        (_other_ole2, "文件无法作为 Excel 表格打开"),
    ],
)
def test_hostile_file_gives_one_sentence(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path, make: object, sentence: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]

    code, out, err = run(capsys, "--db", url, "import", str(path), "--json")

    assert code == 1
    [error] = json.loads(out)["errors"]
    assert error["row"] is None and error["message"].startswith(sentence)
    assert error["message"].count("。") == 1 and "Traceback" not in out + err
    assert case_count(url) == 0


def test_csv_with_an_xlsx_extension_is_read_as_csv(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "list.csv", make_investors(6, seed=36))
    renamed = path.rename(tmp_path / "list.xlsx")

    code, out, _err = run(capsys, "--db", url, "import", str(renamed), "--json")

    assert code == 0 and json.loads(out)["imported"] == 6


@pytest.mark.parametrize(("kind", "size"), [("xlsx", 32_767), ("csv", 1_000_000)])
def test_a_huge_cell_is_reported_not_echoed(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path, kind: str, size: int
) -> None:
    # 32,767 characters is the most an Excel cell holds; a CSV cell has no limit.
    huge = "张" * size
    investors = make_investors(3, seed=38)
    if kind == "xlsx":
        row = [
            3,
            "（2025）苏01民初9400号",
            huge,
            make_investors(1, seed=37)[0].id_number,
            "",
            "A4",
            "100",
            COMPANY,
        ]
        path = write_xlsx(tmp_path / "huge.xlsx", investors, extra_rows=[(0, row)], blank_every=0)
        where = (4, "原告")
    else:
        path = write_csv(tmp_path / "huge.csv", investors, encoding="utf-8-sig")
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        cells = lines[3].split(",")
        cells[1] = huge  # style 1: 序号, 投资者姓名, ...
        lines[3] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
        where = (4, "投资者姓名")

    code, out, _err = run(capsys, "--db", url, "import", str(path), "--json")

    assert code == 1 and len(out) < 2000
    [error] = json.loads(out)["errors"]
    assert (error["row"], error["column"]) == where
    assert error["message"] == f"内容过长（{size} 个字符），不像是该列的内容，请核对此单元格。"


def test_formulas_use_their_cached_values_and_an_uncomputed_one_is_an_error(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path
) -> None:
    import xlsxwriter

    investors = make_investors(3, seed=39)
    path = tmp_path / "formulas.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["南京市中级人民法院委派调解案件清单（第15批）"])
    sheet.write_row(1, 0, ["委派日期：2025年3月3日"])
    sheet.write_row(2, 0, [h for _k, h in HEADER_STYLES[0]])
    for i, e in enumerate(investors):
        sheet.write_row(3 + i, 0, [i + 1, e.case_number, e.name, e.id_number, "", "A5", "", COMPANY])
    # Claimed amounts as formulas: two computed by Excel (cached value saved), one never computed.
    sheet.write_formula(3, 6, "=1000+234.5", None, float(investors[0].claimed_amount))
    sheet.write_formula(4, 6, "=2*500", None, float(investors[1].claimed_amount))
    sheet.write_formula(5, 6, "=G4+G5", None, "")
    book.close()

    code, out, _err = run(capsys, "--db", url, "import", str(path), "--json")

    assert code == 1
    [error] = json.loads(out)["errors"]
    assert (error["row"], error["column"], error["message"]) == (6, "诉讼请求金额（元）", "请填写金额。")
    assert json.loads(out)["rows"] == 3


def test_a_million_blank_rows_are_streamed_through(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path
) -> None:
    import xlsxwriter

    investors = make_investors(4, seed=40)
    path = tmp_path / "blank-tail.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["南京市中级人民法院委派调解案件清单（第15批）"])
    sheet.write_row(1, 0, ["委派日期：2025年3月3日"])
    sheet.write_row(2, 0, [h for _k, h in HEADER_STYLES[0]])
    for i, e in enumerate(investors):
        sheet.write_row(3 + i, 0, [i + 1, e.case_number, e.name, e.id_number, "", "A6", "10", COMPANY])
    sheet.write_string(1_000_010, 7, " ")  # a stray space a million rows down
    book.close()

    code, out, _err = run(capsys, "--db", url, "import", str(path), "--json")

    assert code == 0
    assert json.loads(out)["imported"] == 4


# --- killed mid-way -----------------------------------------------------------------------------


def _import_killable(url: str, path: Path) -> tuple[subprocess.Popen[str], list[int], list[str]]:
    """Start ``mediator import`` and return once it is well inside the bulk inserts: the command's
    process, its writer process(es) and the command line."""
    command = [sys.executable, "-m", "mediator.cli", "--db", url, "import", str(path)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    assert child.stderr is not None
    seen = []
    for line in child.stderr:
        seen.append(line)
        if line.startswith("正在检查并写入数据库"):
            time.sleep(0.15)  # well inside the bulk inserts
            break
    assert child.poll() is None, f"the import ended before it could be killed: {seen}"
    writers = [int(pid) for pid in Path(f"/proc/{child.pid}/task/{child.pid}/children").read_text().split()]
    assert writers, "a list this big has a writer process"
    return child, writers, command


def _gone(pid: int, timeout: float) -> bool:
    """Whether process ``pid`` ended (a zombie whose parent died counts) within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z"):
                return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        time.sleep(0.05)
    return False


def _nothing_imported(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert connection.execute(select(func.count()).select_from(InvestorRow)).scalar() == 0
    engine.dispose()
    assert case_count(url) == 0


def _journal_mode(url: str) -> str:
    """The database file's journal mode, read without changing it (as the app's connections would)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])


def test_killing_the_import_while_it_writes_changes_nothing(url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", make_investors(60_000, seed=41), encoding="utf-8-sig")
    journal = Path(url.removeprefix("sqlite:///") + "-journal")
    child, writers, command = _import_killable(url, path)
    # Alone with a small database, the writer uses a rollback journal (not the WAL).
    assert journal.exists()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.stderr is not None
    child.stderr.close()

    assert child.returncode == -signal.SIGKILL
    # The writer sees its reader gone, rolls back, puts the WAL back and ends by itself.
    assert all(_gone(pid, timeout=20) for pid in writers), "the writer outlived its reader"
    assert not journal.exists()
    assert _journal_mode(url) == "wal"
    _nothing_imported(url)

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    again = subprocess.run(command, capture_output=True, env=env, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert case_count(url) == 60_000


def test_killing_both_import_processes_leaves_a_journal_the_next_start_undoes(
    url: str, tmp_path: Path
) -> None:
    # Task Manager's "end process tree", or a power cut: the writer dies mid-transaction too.
    path = write_csv(tmp_path / "big.csv", make_investors(40_000, seed=42), encoding="utf-8-sig")
    journal = Path(url.removeprefix("sqlite:///") + "-journal")
    child, writers, _command = _import_killable(url, path)
    for pid in [*writers, child.pid]:
        os.kill(pid, signal.SIGKILL)
    child.wait()
    assert child.stderr is not None
    child.stderr.close()
    assert all(_gone(pid, timeout=5) for pid in writers)
    assert journal.exists() and _journal_mode(url) == "delete"  # left as the kill found it

    reopened = open_database(url)  # as the app starts: the journal is undone, WAL mode is back
    reopened.dispose()
    assert not journal.exists()
    assert _journal_mode(url) == "wal"
    _nothing_imported(url)
