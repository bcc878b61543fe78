"""Extending a batch's commissioned-mediation term from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import EXIT_INPUT, assert_one_line_error, run


def test_extension_moves_the_term_end_and_is_recorded(demo_sqlite_path: Path) -> None:
    url = f"sqlite:///{demo_sqlite_path}"
    # 第14批 was referred on 2025-05-20: 30 + 15 days ends on Friday 2025-07-04.
    result = run("--db", url, "extend-term", "--batch", "第14批", "--days", "15", "--reason", "双方同意延长")
    assert result.returncode == 0, result.stderr
    assert "2025-07-04" in result.stdout
    # A second extension adds up: 30 + 15 + 10 = 55 days → 2025-07-14 (a Monday).
    again = run("--db", url, "extend-term", "--batch", "14", "--days", "10", "--reason", "补充材料")
    assert "2025-07-14" in again.stdout
    assert json.loads(run("--db", url, "stats", "--json").stdout)["batches"] == 14


def test_an_extension_without_a_reason_is_refused(demo_sqlite_path: Path) -> None:
    url = f"sqlite:///{demo_sqlite_path}"
    result = run("--db", url, "extend-term", "--batch", "14", "--days", "15", "--reason", "  ")
    assert_one_line_error(result, EXIT_INPUT, "理由")


def test_an_unknown_batch_is_named(demo_sqlite_path: Path) -> None:
    url = f"sqlite:///{demo_sqlite_path}"
    result = run("--db", url, "extend-term", "--batch", "99", "--days", "5", "--reason", "x")
    assert_one_line_error(result, EXIT_INPUT, "第99批")


def test_an_overlong_reason_is_refused_with_its_limit_not_cut(demo_sqlite_path: Path) -> None:
    url = f"sqlite:///{demo_sqlite_path}"
    result = run("--db", url, "extend-term", "--batch", "14", "--days", "5", "--reason", "理" * 40_000)
    assert_one_line_error(result, EXIT_INPUT, "最多200个字")


def test_extensions_are_bounded_and_every_reason_is_kept_in_full(demo_sqlite_path: Path) -> None:
    url = f"sqlite:///{demo_sqlite_path}"
    first, second = "甲" * 150 + "一", "乙" * 150 + "二"
    assert run("--db", url, "extend-term", "--batch", "13", "--days", "5", "--reason", first).returncode == 0
    assert run("--db", url, "extend-term", "--batch", "13", "--days", "5", "--reason", second).returncode == 0
    third = run("--db", url, "extend-term", "--batch", "13", "--days", "5", "--reason", "再延")
    assert_one_line_error(third, EXIT_INPUT, "上限2次")
    import sqlite3

    with sqlite3.connect(demo_sqlite_path) as connection:
        (kept,) = connection.execute("SELECT extension_reason FROM batch WHERE number = 13").fetchone()
    assert first in kept and second in kept


def test_control_characters_in_user_data_are_escaped_on_the_terminal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = run("--db", url, "company", "set", "坏\x1b[2J公司\u202e")
    assert_one_line_error(result, EXIT_INPUT, "控制字符")
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "\\x1b[2J" in result.stderr
