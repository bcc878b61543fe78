"""Extending a batch's commissioned-mediation term from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import EXIT_INPUT, assert_one_line_error, run


def test_extension_moves_the_term_end_and_is_recorded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert run("--db", url, "demo").returncode == 0
    # 第14批 was referred on 2025-05-20: 30 + 15 days ends on Friday 2025-07-04.
    result = run("--db", url, "extend-term", "--batch", "第14批", "--days", "15", "--reason", "双方同意延长")
    assert result.returncode == 0, result.stderr
    assert "2025-07-04" in result.stdout
    # A second extension adds up: 30 + 15 + 10 = 55 days → 2025-07-14 (a Monday).
    again = run("--db", url, "extend-term", "--batch", "14", "--days", "10", "--reason", "补充材料")
    assert "2025-07-14" in again.stdout
    assert json.loads(run("--db", url, "stats", "--json").stdout)["batches"] == 14


def test_an_extension_without_a_reason_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert run("--db", url, "demo").returncode == 0
    result = run("--db", url, "extend-term", "--batch", "14", "--days", "15", "--reason", "  ")
    assert_one_line_error(result, EXIT_INPUT, "理由")


def test_an_unknown_batch_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert run("--db", url, "demo").returncode == 0
    result = run("--db", url, "extend-term", "--batch", "99", "--days", "5", "--reason", "x")
    assert_one_line_error(result, EXIT_INPUT, "第99批")
