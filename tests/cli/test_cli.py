"""The command line end to end, as a user runs it: a real process, its output and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXIT_INPUT = 2
EXIT_ENVIRONMENT = 3


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mediator.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'x.db'}"
    result = run("--db", url, "demo")
    assert result.returncode == 0, result.stderr
    assert "645" in result.stdout
    return url


def test_demo_then_stats_json_shows_the_first_year(demo_url: str) -> None:
    result = run("--db", demo_url, "stats", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    keys = "batches companies investors cases claimed_total agreed_total paid_total by_status"
    assert list(data) == keys.split()
    assert (data["batches"], data["companies"], data["investors"], data["cases"]) == (14, 4, 645, 645)
    assert float(data["claimed_total"]) > 100_000_000
    assert float(data["paid_total"]) > 45_000_000
    assert all(isinstance(data[k], str) and data[k].count(".") == 1 for k in ("claimed_total", "paid_total"))
    assert sum(data["by_status"].values()) == 645


def test_stats_text_is_a_chinese_table(demo_url: str) -> None:
    result = run("--db", demo_url, "stats")
    assert result.returncode == 0
    assert "投资者" in result.stdout and "645" in result.stdout and "履行完毕" in result.stdout


def test_demo_twice_is_refused_with_one_line(demo_url: str) -> None:
    result = run("--db", demo_url, "demo")
    assert_one_line_error(result, EXIT_INPUT, "--reset")


def test_db_in_a_missing_folder(tmp_path: Path) -> None:
    result = run("--db", f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}", "stats")
    # The machine's doing (a drive not mounted), as the README's exit-code table says: 3.
    assert_one_line_error(result, EXIT_ENVIRONMENT, "nowhere")
    assert not (tmp_path / "nowhere").exists()


def test_garbage_database_url() -> None:
    assert_one_line_error(run("--db", "not a url", "stats"), EXIT_INPUT, "not a url")


def test_unreachable_postgres_is_an_environment_problem() -> None:
    result = run("--db", "postgresql+psycopg://someone:secret@127.0.0.1:1/db", "stats")
    assert_one_line_error(result, EXIT_ENVIRONMENT, "127.0.0.1")
    assert "secret" not in result.stderr  # the password is never shown


def test_usage_error_is_one_line() -> None:
    assert_one_line_error(run("stats", "--bogus"), EXIT_INPUT, "--bogus")


def test_mediator_db_variable_is_used(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    result = run("stats", "--json", env={"MEDIATOR_DB": url})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cases"] == 0
    assert (tmp_path / "env.db").exists()


def test_calendar_corrections_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cal.db'}"
    result = run("--db", url, "calendar", "set", "2031年10月8日", "--holiday", "--note", "国庆节")
    assert result.returncode == 0, result.stderr
    assert "2031-10-08" in result.stdout
    result = run("--db", url, "calendar", "list", "--year", "2031", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["overrides"] == [{"date": "2031-10-08", "working_day": False, "note": "国庆节"}]
    assert data["years_known"] == {"2031": True}
    # A year nobody has entered is reported as unknown so the administrator knows to add it.
    result = run("--db", url, "calendar", "list", "--year", "2032")
    assert "2032" in result.stdout and "未收录" in result.stdout
    assert_one_line_error(
        run("--db", url, "calendar", "set", "2031-02-30", "--working"), EXIT_INPUT, "2031-02-30"
    )
