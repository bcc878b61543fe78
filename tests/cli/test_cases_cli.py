"""`mediator cases list/assign/move/correct-date` and `confirmation-record` for many cases: the
output, the exit codes and every refusal (one clear message, nothing half-done)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from mediator.cli import main
from mediator.domain.clock import china_today
from mediator.store.database import open_database
from tests.cli.test_cli import EXIT_INPUT, assert_one_line_error, run
from tests.fixtures.document_factories import DocumentFixture, make_batch
from tests.services.documents.test_rulings import rulings_file, signed_batch

NAMES = ("张䶮", "李堃", "王喆")


def cli(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", url, *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def setup(tmp_path: Path, **options: object) -> tuple[str, DocumentFixture]:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    database = open_database(url)
    fixture = make_batch(database, names=NAMES, **options)  # type: ignore[arg-type]
    database.dispose()
    return url, fixture


def statuses(capsys: pytest.CaptureFixture[str], url: str) -> list[str]:
    code, out, _err = cli(capsys, url, "cases", "list", "--batch", "15", "--json")
    assert code == 0
    return [case["status"] for case in json.loads(out)]


def test_list_gives_masked_investors_and_decimal_amounts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, fixture = setup(tmp_path, status="mediating", agreed=("1000.00", None, "2000.50"))
    code, out, _err = cli(capsys, url, "cases", "list", "--batch", "第15批", "--json")
    assert code == 0
    cases = json.loads(out)
    assert [c["case_no"] for c in cases] == fixture.case_numbers
    first = cases[0]
    assert {"case_no", "investor", "status", "claimed", "agreed", "paid", "mediator"} <= set(first)
    assert (first["claimed"], first["agreed"], first["paid"]) == ("30105000.00", "1000.00", "0.00")
    assert cases[1]["agreed"] is None and first["mediator"] == "孙调解"
    assert fixture.id_numbers[0] not in out and fixture.phones[0] not in out
    code, out, _err = cli(capsys, url, "cases", "list", "--status", "已达成")
    assert code == 0 and "没有符合条件的案件" in out
    code, out, _err = cli(capsys, url, "cases", "list", "--status", "mediating")
    assert out.count("调解中") == 3


def test_move_is_all_or_nothing_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, fixture = setup(tmp_path, status="mediating", agreed=("1000.00", None, None))
    code, out, err = cli(
        capsys, url, "cases", "move", "--batch", "15", "--to", "已达成", "--on", "2025-04-01"
    )
    assert code == EXIT_INPUT and out == ""
    assert "2 件案件不能变更为“已达成”，未作任何修改" in err
    assert (
        fixture.case_numbers[1] in err
        and fixture.case_numbers[2] in err
        and fixture.case_numbers[0] not in err
    )
    assert statuses(capsys, url) == ["mediating"] * 3
    code, out, _err = cli(
        capsys,
        url,
        "cases",
        "move",
        "--batch",
        "15",
        "--cases",
        fixture.case_numbers[0],
        "--to",
        "agreed",
        "--on",
        "2025-04-01",
    )
    assert code == 0 and "已将 1 件案件变更为“已达成”（日期 2025-04-01）" in out
    assert statuses(capsys, url) == ["agreed", "mediating", "mediating"]


def test_move_dry_run_previews_without_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, fixture = setup(tmp_path, status="mediating", agreed=("1000.00", None, "5.00"))
    code, out, _err = cli(
        capsys, url, "cases", "move", "--batch", "15", "--to", "已达成", "--on", "2025-04-01", "--dry-run"
    )
    assert code == EXIT_INPUT
    assert "将把 2 件案件变更为“已达成”" in out and fixture.case_numbers[1] in out
    assert statuses(capsys, url) == ["mediating"] * 3


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--to", "完成"], "未知的案件状态：完成"),
        (["--to", "已达成", "--on", "2025-13-01"], "--on 的日期无法识别"),
        (
            [
                "--to",
                "已达成",
                "--on",
                (china_today() + timedelta(days=5)).isoformat(),
            ],
            "尚未发生",
        ),
        (["--to", "已达成", "--on", "2025-03-01"], "早于案件上一步的日期"),
        (["--to", "已签署"], "不能直接变更为“已签署”"),
        (["--to", "履行完毕"], "逐案登记"),
        (["--to", "已司法确认"], "confirmation-record"),
        (["--to", "调解不成"], "必须选择原因"),
        (["--to", "调解不成", "--failure-reason", "不想调"], "未知的调解不成原因"),
        (["--cases", "（2025）苏01民初9999号", "--to", "已达成"], "第15批中没有这些案号"),
        (["--cases", "胡乱", "--to", "已达成"], "案号"),
    ],
)
def test_move_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    url, _fixture = setup(tmp_path, status="mediating")
    code, _out, err = cli(capsys, url, "cases", "move", "--batch", "15", *args)
    assert code == EXIT_INPUT and needle in err, err
    assert statuses(capsys, url) == ["mediating"] * 3


def test_move_to_an_unknown_batch_and_a_missing_option(tmp_path: Path) -> None:
    url, _fixture = setup(tmp_path, status="mediating")
    assert_one_line_error(
        run("--db", url, "cases", "move", "--batch", "16", "--to", "已达成"), EXIT_INPUT, "没有第16批"
    )
    assert_one_line_error(run("--db", url, "cases", "move", "--batch", "15"), EXIT_INPUT, "--to")


def test_assign_and_its_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, fixture = setup(tmp_path, status="mediating")
    assert cli(capsys, url, "mediator", "add", "吴彧", "--phone", "13900002222")[0] == 0
    assert cli(capsys, url, "mediator", "add", "钱停用", "--inactive")[0] == 0
    code, out, _err = cli(
        capsys,
        url,
        "cases",
        "assign",
        "--batch",
        "15",
        "--cases",
        fixture.case_numbers[1],
        "--mediator",
        "吴彧",
    )
    assert code == 0 and "已将 1 件案件的调解员设为吴彧" in out
    code, _out, err = cli(capsys, url, "cases", "assign", "--batch", "15", "--mediator", "无名")
    assert code == EXIT_INPUT and "没有名为“无名”的调解员" in err
    code, _out, err = cli(capsys, url, "cases", "assign", "--batch", "15", "--mediator", "钱停用")
    assert code == EXIT_INPUT and "已停用" in err
    code, out, _err = cli(capsys, url, "cases", "list", "--batch", "15", "--json")
    assert [c["mediator"] for c in json.loads(out)] == ["孙调解", "吴彧", "孙调解"]


def test_confirmation_for_a_batch_and_from_a_rulings_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'jc.db'}"
    database = open_database(url)
    fixture = signed_batch(database)
    database.dispose()
    code, out, _err = cli(capsys, url, "confirmation-record", "--batch", "15", "--applied", "2025-09-10")
    assert code == 0 and "申请 3 件" in out
    bad = rulings_file(
        tmp_path / "裁定.xlsx",
        [
            [1, fixture.case_numbers[0], "（2025）苏01民特88号", "2025-09-20"],
            [2, fixture.case_numbers[1], "（2025）苏01民特88号", "2025-09-20"],
        ],
    )
    code, out, err = cli(capsys, url, "confirmation-record", "--rulings", str(bad))
    assert code == 1 and "裁定.xlsx 第4行 [裁定案号]" in err and "未登记任何裁定" in err
    assert statuses(capsys, url) == ["confirmation_applied"] * 3
    good = rulings_file(
        tmp_path / "裁定2.xlsx",
        [[i, n, f"（2025）苏01民特{88 + i}号", "2025-09-20"] for i, n in enumerate(fixture.case_numbers)],
    )
    code, out, _err = cli(capsys, url, "confirmation-record", "--batch", "15", "--rulings", str(good))
    assert code == 0 and "裁定 3 件" in out
    assert statuses(capsys, url) == ["confirmed"] * 3


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--case", "（2025）苏01民诉前调3100号", "--batch", "15", "--applied", "2025-09-10"], "只能选一种"),
        (["--batch", "15", "--ruling", "（2025）苏01民特88号", "--ruling-date", "2025-09-20"], "--rulings"),
        (["--cases", "（2025）苏01民诉前调3100号", "--applied", "2025-09-10"], "须与 --batch 一起使用"),
        (["--batch", "15"], "--applied"),
        ([], "请给出 --case"),
        (["--case", "（2025）苏01民诉前调3100号", "--applied", "2025-10-20"], "--late-reason"),
    ],
)
def test_confirmation_record_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    url = f"sqlite:///{tmp_path / 'jc.db'}"
    database = open_database(url)
    signed_batch(database)
    database.dispose()
    code, _out, err = cli(capsys, url, "confirmation-record", *args)
    assert code == EXIT_INPUT and needle in err, err
    assert statuses(capsys, url) == ["signed"] * 3


def test_confirmation_record_refuses_a_filed_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 民初 case ends in a 民事调解书 or a withdrawal: one line pointing to court-request, exit 2."""
    url, fixture = setup(tmp_path, status="signed")  # 民初: filed cases
    for args in (
        ["--case", fixture.case_numbers[0], "--applied", "2025-09-10"],
        ["--batch", "15", "--applied", "2025-09-10"],
    ):
        code, _out, err = cli(capsys, url, "confirmation-record", *args)
        assert code == EXIT_INPUT and "court-request" in err and fixture.case_numbers[0] in err, err
    assert statuses(capsys, url) == ["signed"] * 3


def test_correct_date_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'jc.db'}"
    database = open_database(url)
    fixture = signed_batch(database, NAMES[:1])
    database.dispose()
    number = fixture.case_numbers[0]
    assert cli(capsys, url, "confirmation-record", "--case", number, "--applied", "2025-09-30")[0] == 0
    code, _out, err = cli(
        capsys,
        url,
        "cases",
        "correct-date",
        number,
        "--step",
        "已申请司法确认",
        "--on",
        "2099-01-01",
        "--reason",
        "录错",
    )
    assert code == EXIT_INPUT and "尚未发生" in err
    code, _out, err = cli(
        capsys,
        url,
        "cases",
        "correct-date",
        number,
        "--step",
        "已达成",
        "--on",
        "2025-09-29",
        "--reason",
        "录错",
    )
    assert code == EXIT_INPUT and "晚于案件下一步" in err
    code, _out, err = cli(
        capsys,
        url,
        "cases",
        "correct-date",
        number,
        "--step",
        "完成",
        "--on",
        "2025-09-03",
        "--reason",
        "录错",
    )
    assert code == EXIT_INPUT and "未知的案件状态" in err
    code, out, _err = cli(
        capsys,
        url,
        "cases",
        "correct-date",
        number,
        "--step",
        "已申请司法确认",
        "--on",
        "2025-09-03",
        "--reason",
        "录错",
    )
    assert code == 0 and "更正为 2025-09-03" in out
    code, out, _err = cli(
        capsys,
        url,
        "confirmation-record",
        "--case",
        number,
        "--ruling",
        "（2025）苏01民特88号",
        "--ruling-date",
        "2025-09-10",
    )
    assert code == 0 and "已司法确认" in out
    assert_one_line_error(
        run("--db", url, "cases", "correct-date", number, "--step", "已签署", "--on", "2025-09-02"),
        EXIT_INPUT,
        "--reason",
    )


def test_move_to_failed_with_the_reason_as_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, _fixture = setup(tmp_path, status="mediating")
    code, out, _err = cli(
        capsys,
        url,
        "cases",
        "move",
        "--batch",
        "15",
        "--to",
        "调解不成",
        "--failure-reason",
        "投资者不同意",
        "--on",
        "2025-04-01",
    )
    assert code == 0 and "已将 3 件案件变更为“调解不成”" in out
    assert statuses(capsys, url) == ["failed"] * 3
