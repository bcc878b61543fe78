"""`mediator audit verify`: exit 0 on an intact chain, exit 1 naming the first broken event."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.test_cli import assert_one_line_error, run


def test_verify_passes_on_the_demo_year_and_names_an_edited_event(demo_sqlite_path: Path) -> None:
    path = demo_sqlite_path
    url = f"sqlite:///{path}"
    intact = run("--db", url, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "审计日志完整" in intact.stdout
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE audit_event SET actor = '陈晓燕' WHERE seq = 120")
    broken = run("--db", url, "audit", "verify")
    assert_one_line_error(broken, 1, "第 120 条", "改动")
    report = json.loads(run("--db", url, "audit", "verify", "--json").stdout)
    assert report["intact"] is False and report["broken"]["seq"] == 120


def test_a_term_extension_is_chained(demo_sqlite_path: Path) -> None:
    url = f"sqlite:///{demo_sqlite_path}"
    assert (
        run("--db", url, "extend-term", "--batch", "14", "--days", "5", "--reason", "补充材料").returncode
        == 0
    )
    report = json.loads(run("--db", url, "audit", "verify", "--json").stdout)
    assert report["intact"] is True
