"""Importing referral lists: generated messy files in, what a mediator would check comes out."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from mediator.domain.money import parse_amount
from mediator.domain.validators import (
    canonical_case_number,
    validate_mobile,
    validate_person_name,
    validate_resident_id,
)
from mediator.errors import Cancelled, UserError, ValidationError
from mediator.services.intake.importer import import_referrals
from mediator.services.intake.preview import preview_file
from mediator.services.intake.problems import write_errors_workbook
from mediator.services.intake.report import ImportResult
from mediator.services.progress import Progress
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow, BatchRow, CaseRow, InvestorRow, ListedCompanyRow
from tests.fixtures.messy_lists import (
    COMPANY,
    Expected,
    make_investors,
    with_changes,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)


def counts(database: Database) -> tuple[int, int, int, int]:
    with database.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table))
            for table in (CaseRow, InvestorRow, BatchRow, ListedCompanyRow)
        )


def stored_cases(database: Database) -> dict[str, tuple[str, str, str | None, Decimal, Decimal | None, str]]:
    with database.session() as session:
        rows = session.execute(
            select(
                CaseRow.case_number,
                InvestorRow.name,
                InvestorRow.id_number,
                InvestorRow.phone,
                CaseRow.claimed_amount,
                CaseRow.agreed_amount,
                CaseRow.status,
            ).join(InvestorRow, InvestorRow.id == CaseRow.investor_id)
        )
        return {r[0]: (r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}


def assert_stored(database: Database, investors: Sequence[Expected]) -> None:
    stored = stored_cases(database)
    for e in investors:
        name, id_number, phone, claimed, agreed, status = stored[e.case_number]
        assert (name, id_number, phone) == (e.name, e.id_number, e.phone)
        assert claimed == e.claimed_amount
        assert agreed == e.agreed_amount
        assert status == ("agreed" if e.agreed_amount else "referred")


def errors_of(result: ImportResult) -> list[tuple[int | None, str, str]]:
    return [(e.row, e.column, e.message) for e in result.errors]


# --- messy lists in every format ----------------------------------------------------------------


def test_messy_xlsx_is_imported_with_canonical_values(any_database: Database, tmp_path: Path) -> None:
    database = any_database
    investors = make_investors(60)
    path = write_xlsx(tmp_path / "第15批.xlsx", investors)

    result = import_referrals(database, [path], actor="tester")

    report = result.files[0]
    assert result.ok and result.written
    assert (report.rows, report.imported, report.skipped_duplicates) == (60, 60, 0)
    assert (report.batch_number, report.referral_date, report.company) == (15, date(2025, 3, 3), COMPANY)
    assert any("将新建" in w for w in report.warnings)  # the company was not known yet
    assert counts(database) == (60, 60, 1, 1)
    assert_stored(database, investors)
    # Full-width digits, half-width brackets and spaces all end up as one canonical 案号.
    assert "（2025）苏01民初3102号" in stored_cases(database)
    with database.session() as session:
        batch = session.scalars(select(BatchRow)).one()
        assert (batch.number, batch.referral_date) == (15, date(2025, 3, 3))
        assert session.scalars(select(ListedCompanyRow.name)).one() == COMPANY
        audit = session.scalars(select(AuditEventRow)).one()
        assert (audit.action, audit.actor, audit.batch_id) == ("import", "tester", batch.id)


def test_settled_amounts_make_agreed_cases(database: Database, tmp_path: Path) -> None:
    investors = make_investors(25, seed=3, agreed=True)
    path = write_xlsx(tmp_path / "settled.xlsx", investors, style=1, batch=16)

    result = import_referrals(database, [path])

    assert result.ok and result.imported == 25
    assert_stored(database, investors)
    with database.session() as session:
        agreed_on = set(session.scalars(select(CaseRow.agreed_on)))
    assert agreed_on == {date(2025, 3, 3)}


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_csv_saved_by_excel_or_wps(database: Database, tmp_path: Path, encoding: str) -> None:
    investors = make_investors(40, seed=4)
    path = write_csv(tmp_path / "list.csv", investors, encoding=encoding)

    result = import_referrals(database, [path])

    assert result.ok, errors_of(result)
    assert (result.files[0].rows, result.imported) == (40, 40)
    assert_stored(database, investors)


def test_old_xls_with_chinese_batch_number_and_date_in_next_cell(database: Database, tmp_path: Path) -> None:
    pytest.importorskip("xlwt", reason="xlwt (test-only) writes the .xls file")
    investors = make_investors(20, seed=6)
    path = write_xls(tmp_path / "old.xls", investors)

    result = import_referrals(database, [path], company=COMPANY)

    assert result.ok, errors_of(result)
    assert (result.files[0].batch_number, result.files[0].referral_date) == (15, date(2025, 3, 3))
    assert_stored(database, investors)


def test_ods(database: Database, tmp_path: Path) -> None:
    pytest.importorskip("odf", reason="odfpy (test-only) writes the .ods file")
    investors = make_investors(20, seed=8)
    path = write_ods(tmp_path / "list.ods", investors)

    result = import_referrals(database, [path])

    assert result.ok, errors_of(result)
    assert_stored(database, investors)


def test_several_files_in_one_go_are_one_transaction(database: Database, tmp_path: Path) -> None:
    first = write_xlsx(tmp_path / "a.xlsx", make_investors(10, seed=1), batch=15)
    bad = make_investors(10, seed=2, first_case=5000)
    second = write_xlsx(
        tmp_path / "b.xlsx",
        bad,
        batch=16,
        extra_rows=[(4, ["x", "（2025）苏01民初9999号", "张三", "1", "", "", "100"])],
    )

    result = import_referrals(database, [first, second])

    assert not result.ok and not result.written
    assert result.files[0].errors == []
    assert counts(database) == (0, 0, 0, 0)  # the good file was not written either


# --- errors: where, what, and nothing written ---------------------------------------------------


def test_each_bad_cell_is_reported_at_its_excel_row_and_column(database: Database, tmp_path: Path) -> None:
    investors = make_investors(12, seed=9)
    good = investors[0]
    wrong_check_digit = good.id_number[:17] + ("0" if good.id_number[17] != "0" else "1")
    bad_rows = [
        # style 0: 序号, 案号, 原告, 身份证号码, 联系电话, 证券账户, 诉讼请求金额（元）, 被告
        (2, [91, "（2025）苏01民初9001号", "钱一", wrong_check_digit, "", "A1", "100", COMPANY]),
        (3, [92, "（2025）苏01民初9002号", "钱二", 320102198001011234.0, "", "A1", "100", COMPANY]),
        (4, [93, "（2025）苏01民初9003号", "钱三", make_id(3), "", "A1", "-5", COMPANY]),
        (5, [94, "（2025）苏01民初9004号", "钱四", make_id(4), "", "A1", "12.345", COMPANY]),
        (6, [95, "苏01民初9005", "钱五", make_id(5), "", "A1", "100", COMPANY]),
        (7, [96, "（2025）苏01民初9006号", "", make_id(6), "", "A1", "100", COMPANY]),
        (8, [97, "（2025）苏01民初9007号", "钱七", make_id(7), "1234", "A1", "100", COMPANY]),
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", investors, extra_rows=bad_rows, blank_every=0)

    result = import_referrals(database, [path])

    # Title rows 1–2, header row 3, data from row 4; an extra row goes in before data row i.
    # The wording of each message is the domain validator's.
    assert errors_of(result) == [
        (6, "身份证号码", domain_message(validate_resident_id, wrong_check_digit)),
        (8, "身份证号码", "身份证号被 Excel 存为数字，末位可能已丢失，请将该列设为文本"),
        (10, "诉讼请求金额（元）", domain_message(parse_amount, "-5")),
        (12, "诉讼请求金额（元）", domain_message(parse_amount, "12.345")),
        (14, "案号", domain_message(canonical_case_number, "苏01民初9005")),
        (16, "原告", domain_message(validate_person_name, "")),
        (18, "联系电话", domain_message(validate_mobile, "1234")),
    ]
    assert "校验位" in result.errors[0].message and "负数" in result.errors[2].message
    assert result.files[0].imported == 0
    assert counts(database) == (0, 0, 0, 0)
    # The console/JSON form masks ID numbers, in the value and in the message.
    shown = result.errors[0].as_json()
    assert shown["row"] == 6 and wrong_check_digit not in shown["value"] + shown["message"]
    assert shown["value"].startswith(wrong_check_digit[:3]) and "*" in shown["value"]
    phone = result.errors[6].as_json()
    assert (phone["value"], "1234" in phone["message"], "1**4" in phone["message"]) == ("1**4", False, True)


def domain_message(check: Callable[[str], object], value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        check(value)
    return str(caught.value)


def make_id(n: int) -> str:
    from mediator.domain.validators import make_resident_id

    return make_resident_id("320104", date(1990, 1, 1 + n), n)


@pytest.fixture(params=["writer thread", "writer process"])
def either_writer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Small lists are written by a thread, big ones by a process of their own (which also looks
    for the run's duplicates): run a test through both."""
    from mediator.services.intake import writer as referral_writer

    if request.param == "writer process":
        monkeypatch.setattr(referral_writer, "PROCESS_THRESHOLD_BYTES", 0)
    return str(request.param)


@pytest.mark.usefixtures("either_writer")
def test_duplicate_case_number_within_a_file(database: Database, tmp_path: Path) -> None:
    investors = make_investors(5, seed=12)
    twin = with_changes(investors[1], claimed_amount=investors[1].claimed_amount + 1)
    path = write_xlsx(tmp_path / "dup.xlsx", [*investors, investors[0], twin], blank_every=0, total_row=False)

    result = import_referrals(database, [path])

    # Row 9 repeats row 4 exactly: counted as a duplicate; row 10 repeats row 5's 案号 with another amount.
    assert result.files[0].skipped_duplicates == 1
    assert errors_of(result) == [(10, "案号", f"案号{investors[1].case_number}与第 5 行重复，但内容不同。")]
    assert counts(database) == (0, 0, 0, 0)


def test_a_rows_problems_come_in_the_order_of_its_cells_case_number_first(
    database: Database, tmp_path: Path
) -> None:
    investors = make_investors(3, seed=16)
    wrong = with_changes(
        investors[1],
        case_number="2025苏01民初9号",
        id_number="32010219800230123X",
        name="王1",
        claimed_amount=Decimal("-5"),
    )
    path = write_xlsx(
        tmp_path / "乱.xlsx", [investors[0], wrong, investors[2]], blank_every=0, total_row=False
    )

    result = import_referrals(database, [path])

    assert [e.field for e in result.errors] == ["case_number", "id_number", "name", "claimed_amount"]
    assert {e.row for e in result.errors} == {5}


@pytest.mark.usefixtures("either_writer")
def test_the_last_phase_says_nothing_will_be_committed_when_the_writer_found_a_duplicate(
    database: Database, tmp_path: Path
) -> None:
    from mediator.services.intake.importer import PhaseEcho

    investors = make_investors(4, seed=18)
    twin = with_changes(investors[1], claimed_amount=investors[1].claimed_amount + 1)
    phases: list[str] = []

    refused = import_referrals(
        database,
        [write_xlsx(tmp_path / "dup.xlsx", [*investors, twin], blank_every=0, total_row=False)],
        progress=PhaseEcho(phases.append),
    )
    assert not refused.written and phases[-1] == "正在结束……" and "正在提交……" not in phases

    phases.clear()
    done = import_referrals(
        database, [write_xlsx(tmp_path / "ok.xlsx", investors)], progress=PhaseEcho(phases.append)
    )
    assert done.written and phases[-1] == "正在提交……"


@pytest.mark.usefixtures("either_writer")
def test_duplicates_across_the_files_of_one_run_name_the_other_file(
    database: Database, tmp_path: Path
) -> None:
    first_list = make_investors(4, seed=14)
    second_list = make_investors(3, seed=15, first_case=7000)
    # The second file repeats a case of the first with another amount, and gives one of the first
    # file's ID numbers another name on a new case.
    other_amount = with_changes(first_list[2], claimed_amount=first_list[2].claimed_amount + 5)
    renamed = with_changes(second_list[0], id_number=first_list[1].id_number, name="赵不同")
    first = write_xlsx(tmp_path / "甲.xlsx", first_list, blank_every=0, total_row=False)
    second = write_xlsx(
        tmp_path / "乙.xlsx", [renamed, *second_list[1:], other_amount], blank_every=0, total_row=False
    )

    result = import_referrals(database, [first, second])

    problems = [(e.file, e.row, e.message) for report in result.files for e in report.errors]
    assert problems == [
        (str(second), 4, f"同一身份证号码在第 5 行的姓名为“{first_list[1].name}”，与此行不同。"),
        (str(second), 7, f"案号{first_list[2].case_number}与{first} 第 6 行重复，但内容不同。"),
    ]
    assert counts(database) == (0, 0, 0, 0)


def test_a_total_row_is_skipped_and_checked_against_the_rows(database: Database, tmp_path: Path) -> None:
    investors = make_investors(8, seed=13)
    stated = sum((e.claimed_amount for e in investors), Decimal(0))
    # The clerk dropped a row but kept the 合计 of all eight.
    path = write_xlsx(tmp_path / "t.xlsx", investors[:7], stated_total=stated)

    result = import_referrals(database, [path])

    assert result.ok and result.files[0].rows == 7 and result.imported == 7
    listed = sum((e.claimed_amount for e in investors[:7]), Decimal(0))
    assert f"合计行的诉讼请求金额 {stated:,.2f} 与各行之和 {listed:,.2f} 不符，请核对是否漏行。" in (
        result.files[0].warnings
    )


# --- idempotency and overlap --------------------------------------------------------------------


def test_importing_the_same_list_twice_creates_nothing_new(database: Database, tmp_path: Path) -> None:
    investors = make_investors(30, seed=14)
    path = write_xlsx(tmp_path / "list.xlsx", investors)
    import_referrals(database, [path])

    again = import_referrals(database, [path])

    assert again.ok
    assert (again.files[0].imported, again.files[0].skipped_duplicates) == (0, 30)
    assert counts(database) == (30, 30, 1, 1)


def test_an_overlapping_list_adds_only_the_new_cases(any_database: Database, tmp_path: Path) -> None:
    database = any_database
    investors = make_investors(40, seed=15)
    import_referrals(database, [write_xlsx(tmp_path / "first.xlsx", investors[:25])])

    result = import_referrals(database, [write_xlsx(tmp_path / "second.xlsx", investors[15:])])

    assert (result.files[0].imported, result.files[0].skipped_duplicates) == (15, 10)
    assert counts(database) == (40, 40, 1, 1)
    assert_stored(database, investors)


def test_known_case_number_with_other_data_names_the_existing_batch(
    database: Database, tmp_path: Path
) -> None:
    investors = make_investors(6, seed=16)
    import_referrals(database, [write_xlsx(tmp_path / "first.xlsx", investors, batch=12)])
    changed = [with_changes(investors[2], claimed_amount=Decimal("1.00")), *investors[3:]]

    result = import_referrals(
        database, [write_xlsx(tmp_path / "second.xlsx", changed, batch=12, blank_every=0)]
    )

    assert errors_of(result) == [
        (
            4,
            "案号",
            f"案号{investors[2].case_number}已在第12批登记（原告{investors[2].name}，诉讼请求金额"
            f"{investors[2].claimed_amount:,.2f}），与此行的诉讼请求金额不同。",
        )
    ]
    assert counts(database) == (6, 6, 1, 1)


def test_known_investor_is_reused_and_empty_fields_filled(any_database: Database, tmp_path: Path) -> None:
    database = any_database
    investors = make_investors(3, seed=17)
    no_phone = [with_changes(e, phone=None) for e in investors]
    import_referrals(database, [write_xlsx(tmp_path / "first.xlsx", no_phone, batch=1)])
    later = [with_changes(e, case_number=e.case_number.replace("民初", "民诉前调")) for e in investors]

    result = import_referrals(database, [write_xlsx(tmp_path / "second.xlsx", later, batch=2)])

    assert result.ok and result.imported == 3
    with database.session() as session:
        phones = dict(session.execute(select(InvestorRow.id_number, InvestorRow.phone)).all())
    assert counts(database) == (6, 3, 2, 1)
    assert phones == {e.id_number: e.phone for e in investors}


# --- options, dry run, cancel -------------------------------------------------------------------


def test_without_title_rows_the_options_are_needed(database: Database, tmp_path: Path) -> None:
    investors = make_investors(5, seed=18)
    path = write_xlsx(tmp_path / "bare.xlsx", investors, batch=None, referral=None)

    first = import_referrals(database, [path])
    assert [e.message for e in first.errors] == [
        "无法确定批次：标题中没有“第N批”，请用 --batch 指定（导入窗口中填写“批次”）。"
    ]
    second = import_referrals(database, [path], batch="第21批")
    assert "需要委派日期" in second.errors[0].message
    third = import_referrals(database, [path], batch="21", referred_on=date(2025, 6, 9))
    assert third.ok and third.imported == 5
    with database.session() as session:
        assert session.execute(select(BatchRow.number, BatchRow.referral_date)).one() == (
            21,
            date(2025, 6, 9),
        )


def test_dry_run_checks_everything_and_writes_nothing(database: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "list.xlsx", make_investors(20, seed=19))

    result = import_referrals(database, [path], dry_run=True)

    assert result.ok and not result.written and result.imported == 20
    assert counts(database) == (0, 0, 0, 0)


def test_missing_file_is_a_user_error(database: Database, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="文件不存在"):
        import_referrals(database, [tmp_path / "nope.xlsx"])


class _CancelAfter(Progress):
    def __init__(self, updates: int) -> None:
        super().__init__()
        self.left = updates

    def update(self, done: int, total: int | None = None, message: str | None = None) -> None:
        super().update(done, total, message)
        self.left -= 1
        if self.left <= 0:
            self.cancel()


@pytest.mark.parametrize("updates", [2, 8])
def test_cancel_while_checking_or_writing_leaves_nothing(
    database: Database, tmp_path: Path, updates: int
) -> None:
    path = write_csv(tmp_path / "big.csv", make_investors(9000, seed=21), encoding="utf-8-sig")

    with pytest.raises(Cancelled):
        import_referrals(database, [path], progress=_CancelAfter(updates))

    assert counts(database) == (0, 0, 0, 0)
    assert import_referrals(database, [path]).imported == 9000


# --- preview and the errors workbook -------------------------------------------------------------


def test_preview_shows_the_detected_mapping_and_title(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "list.xlsx", make_investors(30, seed=22), style=2, batch=9)

    preview = preview_file(path, rows=5)

    assert preview.problem is None
    assert preview.header_row == 3
    assert preview.headers[:3] == ["姓名", "证件号码", "电话"]
    assert preview.fields == [
        "name",
        "id_number",
        "phone",
        "securities_account",
        "claimed_amount",
        "case_number",
        "address",
        "agent",
        "ignored",
    ]
    assert (preview.batch_number, preview.referral_date) == (9, date(2025, 3, 3))
    assert len(preview.rows) == 5


def test_mapping_override_imports_a_column_the_detector_did_not_know(
    database: Database, tmp_path: Path
) -> None:
    investors = make_investors(6, seed=23)
    path = write_xlsx(tmp_path / "odd.xlsx", investors, style=0, blank_every=0)
    # Rename 联系电话 to something no synonym covers: the phone is then not imported ...
    import openpyxl

    book = openpyxl.load_workbook(path)
    book.active["E3"] = "备用联系方式（本人）"
    book.save(path)
    plain = import_referrals(database, [path], dry_run=True)
    assert any("备用联系方式" in w for w in plain.files[0].warnings)
    # ... unless the user maps it in the dialog.
    mapped = import_referrals(database, [path], mapping={4: "phone"})
    assert mapped.ok
    assert_stored(database, investors)


def test_errors_workbook_holds_the_offending_rows_as_typed(database: Database, tmp_path: Path) -> None:
    import openpyxl

    investors = make_investors(5, seed=24)
    bad_id = investors[0].id_number[:17] + ("0" if investors[0].id_number[17] != "0" else "1")
    row = [7, "（2025）苏01民初9100号", "孙八", bad_id, "13912345678", "A2", "５００元", COMPANY]
    path = write_xlsx(tmp_path / "list.xlsx", investors, extra_rows=[(1, row)], blank_every=0)
    result = import_referrals(database, [path])

    out = write_errors_workbook(result, tmp_path / "errors.xlsx")

    sheet = openpyxl.load_workbook(out).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][-1] == "错误说明" and values[0][:3] == ["序号", "案号", "原告"]
    # As typed, unmasked (the file goes back to the clerk), every cell text (issue 11).
    assert values[1][:8] == [str(cell) for cell in row]
    assert values[1][-1] == f"身份证号码：{domain_message(validate_resident_id, bad_id)}"
    assert bad_id in values[1][-1]
    assert len(values) == 2
    assert not list(tmp_path.glob(".~import-errors-*"))  # no temporary file left behind


def test_a_big_database_is_asked_chunk_by_chunk_with_the_same_outcome(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediator.services.intake import writer as referral_writer

    # Pretend the tables are too big to read whole: every chunk asks the database (IN lookups).
    monkeypatch.setattr(referral_writer, "PRELOAD_LIMIT", 0)
    monkeypatch.setattr(referral_writer, "LOOKUP_CHUNK", 7)
    investors = make_investors(40, seed=25)
    import_referrals(database, [write_xlsx(tmp_path / "first.xlsx", investors[:25])])
    changed = with_changes(investors[20], claimed_amount=investors[20].claimed_amount + Decimal("0.01"))
    later = [*investors[15:20], changed, *investors[21:]]

    result = import_referrals(database, [write_xlsx(tmp_path / "second.xlsx", later, blank_every=0)])

    assert [(e.row, e.column) for e in result.errors] == [(9, "案号")]
    assert "已在第15批登记" in result.errors[0].message
    ok = import_referrals(database, [write_xlsx(tmp_path / "third.xlsx", investors[15:], blank_every=0)])
    assert (ok.files[0].imported, ok.files[0].skipped_duplicates) == (15, 10)
    assert_stored(database, investors)


def test_a_company_column_merged_down_the_list_applies_to_every_row(
    database: Database, tmp_path: Path
) -> None:
    import xlsxwriter

    from tests.fixtures.messy_lists import HEADER_STYLES, typed_rows

    investors = make_investors(9, seed=26)
    path = tmp_path / "merged.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 7, "南京市中级人民法院委派调解案件清单（第15批）")
    sheet.merge_range(1, 0, 1, 7, "委派日期：2025年3月3日")
    sheet.write_row(2, 0, [h for _k, h in HEADER_STYLES[0]])
    for i, cells in enumerate(typed_rows(investors, 0, numbers=False)):
        sheet.write_row(3 + i, 0, cells[:7])
    # 被告 typed once, in a cell merged over all nine rows (clerks do this).
    sheet.merge_range(3, 7, 3 + len(investors) - 1, 7, "金陵智造科技股份有限公司")
    book.close()

    result = import_referrals(database, [path])

    assert result.ok, errors_of(result)
    assert result.imported == 9 and result.files[0].company == COMPANY
    assert_stored(database, investors)


def test_the_writer_process_for_big_lists_gives_the_same_outcome(
    any_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediator.services.intake import writer as referral_writer

    database = any_database
    # Big lists get a writer process (so SQLite works on the second core); make every list "big".
    monkeypatch.setattr(referral_writer, "PROCESS_THRESHOLD_BYTES", 0)
    investors = make_investors(30, seed=27, agreed=True)
    first = import_referrals(database, [write_xlsx(tmp_path / "first.xlsx", investors[:20], style=1)])
    assert first.written and first.imported == 20
    changed = with_changes(investors[10], claimed_amount=Decimal("3.00"))
    second = import_referrals(
        database, [write_xlsx(tmp_path / "second.xlsx", [changed, *investors[11:]], style=1, blank_every=0)]
    )
    assert [(e.row, e.column) for e in second.errors] == [(4, "案  号")]  # the header as typed
    assert not second.written and counts(database) == (20, 20, 1, 1)
    third = import_referrals(database, [write_xlsx(tmp_path / "third.xlsx", investors[10:], style=1)])
    assert (third.files[0].imported, third.files[0].skipped_duplicates, third.written) == (10, 10, True)
    assert_stored(database, investors)


def test_a_big_import_with_a_dangling_reference_commits_nothing(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writer of a big list checks the foreign keys once, before the commit, instead of
    # statement by statement. A case pointing at no investor (a writer bug, simulated here) must
    # still stop the commit, and the database's other connections must go on enforcing foreign
    # keys. The writer's core runs here in a thread, as a big list's would in its process.
    import functools

    from mediator.services.intake import writer as referral_writer

    original = referral_writer._Core._insert_investors

    def lose_one_investor(self: referral_writer._Core, connection: object, new: dict[object, object]) -> None:
        original(self, connection, new)  # type: ignore[arg-type]
        self._investor_ids[next(iter(new))] += 1_000_000  # type: ignore[index]

    monkeypatch.setattr(referral_writer._Core, "_insert_investors", lose_one_investor)
    monkeypatch.setattr(referral_writer, "_Core", functools.partial(referral_writer._Core, bulk=True))
    path = write_xlsx(tmp_path / "big.xlsx", make_investors(12, seed=33), style=1)

    with pytest.raises(RuntimeError, match="dangling reference from mediation_case"):
        import_referrals(database, [path])

    assert counts(database) == (0, 0, 0, 0)
    with database.session() as session:
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_big_import_into_a_database_nobody_else_has_open_writes_through_a_rollback_journal(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Alone with the database, the writer of a big list uses a rollback journal (every page
    # written once, not twice as through the WAL). Meanwhile another program can still open the
    # database and read it; afterwards the database is in WAL mode again.
    import functools
    import sqlite3

    from mediator.services.intake import writer as referral_writer
    from mediator.store.database import open_database

    path_of_db = database.engine.url.database
    assert path_of_db
    seen: list[tuple[str, int]] = []
    original = referral_writer._Core._write_cases

    def look_in(self: referral_writer._Core, *args: object) -> None:
        if not seen:
            mode = sqlite3.connect(path_of_db).execute("PRAGMA journal_mode").fetchone()[0]
            other = open_database(database.url, upgrade=False)  # as the GUI opening it meanwhile
            try:
                seen.append((mode, counts(other)[0]))
            finally:
                other.dispose()
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(referral_writer._Core, "_write_cases", look_in)
    monkeypatch.setattr(referral_writer, "_Core", functools.partial(referral_writer._Core, bulk=True))
    database.engine.dispose()  # nobody else has it open: the writer's connection is the only one
    investors = make_investors(30, seed=34)

    result = import_referrals(database, [write_xlsx(tmp_path / "big.xlsx", investors, style=1)])

    assert result.written and result.imported == 30
    assert seen == [("delete", 0)]
    with database.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert_stored(database, investors)


def test_a_big_import_beside_another_open_connection_keeps_the_wal(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Someone else has the database open (here: a connection reading it): SQLite refuses to leave
    # WAL mode, and the import goes through the WAL as usual, without waiting for them.
    import functools
    import sqlite3

    from mediator.services.intake import writer as referral_writer

    monkeypatch.setattr(referral_writer, "_Core", functools.partial(referral_writer._Core, bulk=True))
    database.engine.dispose()
    path_of_db = database.engine.url.database
    assert path_of_db
    reader = sqlite3.connect(path_of_db)
    try:
        assert reader.execute("SELECT count(*) FROM mediation_case").fetchone() == (0,)
        started = time.monotonic()
        result = import_referrals(database, [write_xlsx(tmp_path / "big.xlsx", make_investors(20, seed=35))])
        assert time.monotonic() - started < 4  # the 5 s busy timeout was not waited out
        assert reader.execute("SELECT count(*) FROM mediation_case").fetchone() == (20,)
    finally:
        reader.close()
    assert result.written
    with database.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def _indexes(database: Database) -> list[tuple[str, str]]:

    with database.session() as session:
        found = session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        ).all()
    return [(name, sql or "") for name, sql in found]


def test_a_big_list_into_a_small_sqlite_database_keeps_every_index(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writer process builds the secondary indexes once at the end instead of row by row;
    # after a commit, a refused list and a cancel alike, every index (the filter's search
    # indexes included) must be there as before.
    from mediator.services.cases.lists import CaseFilter, count_cases
    from mediator.services.intake import writer as referral_writer

    monkeypatch.setattr(referral_writer, "PROCESS_THRESHOLD_BYTES", 0)
    before = _indexes(database)
    investors = make_investors(40, seed=31, agreed=True)
    bad = with_changes(investors[5], claimed_amount=Decimal("-1"))
    refused = import_referrals(
        database, [write_xlsx(tmp_path / "bad.xlsx", [*investors[:5], bad], style=1, blank_every=0)]
    )
    assert not refused.written and _indexes(database) == before
    done = import_referrals(database, [write_xlsx(tmp_path / "good.xlsx", investors, style=1)])
    assert done.written and done.imported == 40
    assert _indexes(database) == before
    name = investors[7].name
    assert count_cases(database, CaseFilter(text=name)) >= 1
