"""`mediator losscalc` end to end on generated files: the worked example's figures, PDFs, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import EXIT_ENVIRONMENT, EXIT_INPUT, assert_one_line_error, run
from tests.domain.losses import worked_example as ex
from tests.services.losses.files_factory import ID_ZHANG, trade_rows, write_market_csv, write_trades_xlsx

EXIT_FILE_ERRORS = 1
DATES = ("--implemented-on", "2024-01-02", "--disclosed-on", "2024-03-01")


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    rows = trade_rows()
    rows[-1][2] = "２０２４-０１-１０"  # full-width digits in a date typed as text
    market = write_market_csv(tmp_path / "行情.csv", encoding="gb18030")
    return str(market), str(write_trades_xlsx(tmp_path / "交割单.xlsx", rows))


def _losscalc(files: tuple[str, str], *options: str) -> list[dict[str, object]]:
    result = run("losscalc", *DATES, "--market", files[0], "--trades", files[1], "--json", *options)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


@pytest.mark.parametrize("method", ["mwa", "fifo", "actual", "wavg", "arith"])
def test_every_method_gives_the_hand_figures(files: tuple[str, str], method: str) -> None:
    zhang, li = _losscalc(files, "--method", method, "--ratio", "0.4")
    _average, loss, pct, _deduction, _net, commission, stamp, total, proposed = ex.EXPECTED[method]
    assert zhang["investor"] == "张三" and zhang["method"] == method
    assert (zhang["base_date"], zhang["base_price"]) == ("2024-03-18", "8.0000")
    assert (zhang["investment_loss"], zhang["risk_deduction_pct"]) == (loss, pct)
    assert (zhang["commission"], zhang["stamp_duty"], zhang["interest"]) == (commission, stamp, "0.00")
    assert (zhang["total"], zhang["proposed"]) == (total, proposed)
    assert li["investor"] == "李四" and li["investment_loss"] == "4000.00"


def test_id_numbers_are_never_printed_unmasked(files: tuple[str, str]) -> None:
    result = run("losscalc", *DATES, "--market", files[0], "--trades", files[1])
    assert result.returncode == 0, result.stderr
    assert ID_ZHANG not in result.stdout + result.stderr
    assert "110***********002X" in result.stdout
    assert "12914.69" in result.stdout
    assert ID_ZHANG not in json.dumps(_losscalc(files), ensure_ascii=False)


def test_options_interest_commission_kind(files: tuple[str, str]) -> None:
    [zhang, _li] = _losscalc(files, "--interest", "0.35%", "--commission-rate", "0.001")
    # commission 12904.37 × 0.001 = 12.904 → 12.90; interest 2.88 (see the domain test)
    assert (zhang["commission"], zhang["interest"]) == ("12.90", "2.88")
    [short, _] = _losscalc(files, "--kind", "诱空")
    assert short["kind"] == "short"


def test_breakdown_pdfs(files: tuple[str, str], tmp_path: Path) -> None:
    out = tmp_path / "明细"
    result = run("losscalc", *DATES, "--market", files[0], "--trades", files[1], "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["0001_张三.pdf", "0002_李四.pdf"]


def test_dates_from_the_company_record(files: tuple[str, str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'work.db'}"
    name = "紫金山新材料股份有限公司"
    common = ("--market", files[0], "--trades", files[1], "--json")
    unknown = run("--db", url, "losscalc", "--company", name, *common)
    assert_one_line_error(unknown, EXIT_INPUT, name)
    registered = run("--db", url, "company", "set", name, "--address", "南京市栖霞区紫金山路8号")
    assert registered.returncode == 0, registered.stderr
    no_dates = run("--db", url, "losscalc", "--company", name, *common)
    assert_one_line_error(no_dates, EXIT_INPUT, "实施日")
    dated = run("--db", url, "company", "set", name, *DATES)
    assert dated.returncode == 0, dated.stderr
    result = run("--db", url, "losscalc", "--company", name, *common)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["total"] == "12914.69"


def test_problems_in_the_files_exit_1_naming_file_row_column(tmp_path: Path) -> None:
    rows = trade_rows()
    rows[1][2] = "2024-01-13"  # a Saturday
    market = write_market_csv(tmp_path / "m.csv")
    trades = write_trades_xlsx(tmp_path / "t.xlsx", rows)
    result = run("losscalc", *DATES, "--market", str(market), "--trades", str(trades), "--json")
    assert result.returncode == EXIT_FILE_ERRORS, result.stderr
    assert "t.xlsx，第 4 行，“交易日期”列：2024-01-13 不是交易日" in result.stderr
    assert json.loads(result.stdout) == {
        "problems": [
            {
                "file": "t.xlsx",
                "row": 4,
                "column": "交易日期",
                "message": "2024-01-13 不是交易日（行情文件中没有这一天）。",
            }
        ]
    }
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (("--ratio", "1.5"), "调解比例"),
        (("--ratio", "四成"), "--ratio"),
        (("--implemented-on", "2024-13-01"), "--implemented-on"),
        (("--disclosed-on", "2023-12-01"), "揭露日"),
    ],
)
def test_bad_values_exit_2(files: tuple[str, str], options: tuple[str, ...], needle: str) -> None:
    result = run("losscalc", *DATES, "--market", files[0], "--trades", files[1], *options)
    assert_one_line_error(result, EXIT_INPUT, needle)


def test_bad_command_line_exits_2(files: tuple[str, str]) -> None:
    result = run("losscalc", *DATES, "--market", files[0], "--trades", files[1], "--method", "median")
    assert_one_line_error(result, EXIT_INPUT)
    missing = run("losscalc", "--market", files[0], "--trades", files[1])
    assert_one_line_error(missing, EXIT_INPUT, "--implemented-on")


def test_unwritable_output_folder_exits_3(files: tuple[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run(
        "losscalc", *DATES, "--market", files[0], "--trades", files[1], "--out", str(blocker / "sub")
    )
    assert_one_line_error(result, EXIT_ENVIRONMENT)


DONE_WHEN_KEYS = {
    "investor",
    "method",
    "base_date",
    "base_price",
    "investment_loss",
    "risk_deduction_pct",
    "commission",
    "stamp_duty",
    "interest",
    "total",
}


def _canonical_files(tmp_path: Path) -> tuple[str, str]:
    """The files with exactly the column names of the documentation (no synonyms, no units)."""
    import xlsxwriter

    market = tmp_path / "market.csv"
    with market.open("w", encoding="utf-8", newline="") as fh:
        fh.write("交易日期,收盘价,成交量,流通股本,指数收盘\n")
        for day in ex.market():
            fh.write(f"{day.day},{day.close},{day.volume},{day.float_shares},{day.index_close}\n")
    trades = tmp_path / "trades.xlsx"
    workbook = xlsxwriter.Workbook(str(trades))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["投资者", "证件号码", "成交日期", "买卖", "成交数量", "成交价格"])
    for row, (day, side, quantity, price) in enumerate(ex.TRADES, start=1):
        word = "买入" if side.value == "buy" else "卖出"
        sheet.write_row(row, 0, ["张三", ID_ZHANG, day.isoformat(), word, quantity, price])
    workbook.close()
    return str(market), str(trades)


def test_documented_columns_and_json_keys(tmp_path: Path) -> None:
    [zhang] = _losscalc(_canonical_files(tmp_path))
    assert set(zhang) >= DONE_WHEN_KEYS
    for key in ("base_price", "investment_loss", "commission", "stamp_duty", "interest", "total"):
        assert isinstance(zhang[key], str) and str(zhang[key]).replace(".", "").isdigit()
    assert zhang["total"] == "12914.69" and zhang["proposed"] is None


def _db_with_cases(tmp_path: Path, **options: object) -> str:
    from mediator.store.database import open_database
    from tests.services.losses.case_factory import make_loss_cases

    url = f"sqlite:///{tmp_path / 'cases.db'}"
    database = open_database(url)
    make_loss_cases(database, **options)  # type: ignore[arg-type]
    database.dispose()
    return url


def test_apply_to_cases_with_the_company_ratio(files: tuple[str, str], tmp_path: Path) -> None:
    from tests.services.losses.case_factory import COMPANY, LI_CASE, ZHANG_CASE

    url = _db_with_cases(tmp_path, li_agreed="3000.00")
    ratio = run("--db", url, "company", "set", COMPANY, "--settlement-ratio", "40%")
    assert ratio.returncode == 0, ratio.stderr
    common = ("--db", url, "losscalc", "--company", COMPANY, "--market", files[0], "--trades", files[1])
    result = run(*common, "--apply-to-cases", "--json")
    assert result.returncode == 0, result.stderr
    zhang, li = json.loads(result.stdout)
    assert (zhang["proposed"], zhang["case_number"], zhang["outcome"]) == ("5165.88", ZHANG_CASE, "applied")
    assert (li["case_number"], li["outcome"]) == (LI_CASE, "kept")
    assert "--replace-agreed" in result.stderr
    listed = json.loads(run("--db", url, "cases", "list", "--batch", "15", "--json").stdout)
    amounts = {line["case_no"]: line["agreed"] for line in listed}
    assert amounts[LI_CASE] == "3000.00" and amounts[ZHANG_CASE] == "5165.88"
    replaced = run(*common, "--apply-to-cases", "--replace-agreed", "--ratio", "0.5", "--json")
    assert replaced.returncode == 0, replaced.stderr
    assert [line["outcome"] for line in json.loads(replaced.stdout)] == ["applied", "applied"]


def test_save_to_cases_refusals(files: tuple[str, str], tmp_path: Path) -> None:
    common = ("losscalc", *DATES, "--market", files[0], "--trades", files[1])
    assert_one_line_error(run(*common, "--replace-agreed"), EXIT_INPUT, "--apply-to-cases")
    url = _db_with_cases(tmp_path)
    unknown = run("--db", url, *common, "--save-to-cases", "--company", "无此公司")
    assert_one_line_error(unknown, EXIT_INPUT, "无此公司")
    bad_ratio = run("--db", url, "company", "set", "紫金山新材料股份有限公司", "--settlement-ratio", "2")
    assert_one_line_error(bad_ratio, EXIT_INPUT, "调解比例")


def test_an_oversell_and_a_missing_close_are_both_named_and_nothing_is_printed(tmp_path: Path) -> None:
    rows = trade_rows()
    rows.append(["李四", "110105194912310029", "2024-03-05", "卖出", 5000, 8.5])
    market = write_market_csv(tmp_path / "m.csv")
    lines = market.read_text(encoding="utf-8-sig").splitlines()
    lines[5] = lines[5].replace(",12.00,", ",,")
    market.write_text("\n".join(lines) + "\n", encoding="utf-8")
    trades = write_trades_xlsx(tmp_path / "t.xlsx", rows)
    result = run("losscalc", *DATES, "--market", str(market), "--trades", str(trades))
    assert result.returncode == EXIT_FILE_ERRORS and result.stdout == ""
    assert "m.csv，第 6 行，“收盘”列：缺少收盘价。" in result.stderr
    assert "有 1 个问题，未计算。" in result.stderr  # the market file is checked first
    market.write_text("\n".join(write_market_csv(tmp_path / "ok.csv").read_text("utf-8-sig").splitlines()))
    result = run("losscalc", *DATES, "--market", str(market), "--trades", str(trades))
    assert result.returncode == EXIT_FILE_ERRORS and result.stdout == ""
    assert "t.xlsx，第 11 行，“成交股数”列：卖出 5000 股超过当时持股 1000 股" in result.stderr
