"""The short texts the CLI and the import dialog both show come from the result types."""

from __future__ import annotations

from mediator.domain import referral_headers as rh
from mediator.services.intake.report import FileReport, ImportResult, RowError


def test_a_file_summary_names_the_file_the_counts_and_the_batch() -> None:
    report = FileReport("清单/第15批.xlsx", rows=12, imported=10, skipped_duplicates=2, batch_number=15)
    assert report.summary() == "清单/第15批.xlsx：12 行，新增 10 件，跳过重复 2 件，问题 0 个 第15批"
    assert report.summary("第15批.xlsx") == "第15批.xlsx：12 行，新增 10 件，跳过重复 2 件，问题 0 个 第15批"
    unknown = FileReport("x.csv", rows=3, errors=[RowError("x.csv", None, "", "", "文件是空的（0 字节）。")])
    assert unknown.summary() == "x.csv：3 行，新增 0 件，跳过重复 0 件，问题 1 个"


def test_the_run_summary_says_how_it_ended() -> None:
    error = RowError("a.xlsx", 5, "身份证号码", "32010219800101123X", "校验位不正确", rh.ID_NUMBER)
    assert ImportResult([FileReport("a.xlsx", errors=[error, error])]).summary() == (
        "有 2 个问题，未导入任何数据。"
    )
    assert ImportResult([FileReport("a.xlsx")], written=True).summary() == "已导入。"
    assert ImportResult([FileReport("a.xlsx")], dry_run=True).summary() == "试运行：检查通过，未写入数据库。"
    assert ImportResult([FileReport("a.xlsx")]).summary() == "检查通过，尚未导入。"


def test_a_problem_summary_is_column_and_message_and_masks_when_asked() -> None:
    error = RowError(
        "a.xlsx", 5, "身份证号码", "32010219800101123X", "32010219800101123X 校验位不正确", rh.ID_NUMBER
    )
    assert error.summary() == "身份证号码：32010219800101123X 校验位不正确"
    assert "32010219800101123X" not in error.masked().summary()
    assert RowError("a.xlsx", None, "", "", "文件是空的（0 字节）。").summary() == "文件是空的（0 字节）。"
