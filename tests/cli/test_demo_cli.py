"""`mediator demo`: the demo goes into its own database, never among real cases."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from mediator.demo.marker import DEMO_SETTING, database_state
from mediator.store.database import open_database
from tests.cli.test_cli import EXIT_INPUT, assert_one_line_error, run
from tests.fixtures.messy_lists import make_investors, write_xlsx


def _stats(url: str) -> dict[str, object]:
    result = run("--db", url, "stats", "--json")
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def _real_database(tmp_path: Path) -> str:
    """A work database holding a real batch imported from a court list."""
    url = f"sqlite:///{tmp_path / 'work.db'}"
    court_list = write_xlsx(
        tmp_path / "第30批.xlsx", make_investors(4, seed=5), company="紫金山新材料股份有限公司", batch=30
    )
    imported = run("--db", url, "import", str(court_list))
    assert imported.returncode == 0, imported.stderr
    return url


def test_demo_refuses_a_database_holding_real_cases(tmp_path: Path) -> None:
    url = _real_database(tmp_path)
    for extra in ((), ("--reset",)):
        result = run("--db", url, "demo", *extra)
        assert_one_line_error(result, EXIT_INPUT, "真实数据")
        # Nothing was added, nothing cleared: the four real cases only.
        assert _stats(url)["cases"] == 4


def test_demo_marks_its_database_and_reset_reloads_only_a_demo(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = run("--db", url, "demo")
    assert first.returncode == 0, first.stderr
    assert "645" in first.stdout and "x.db" in first.stdout
    database = open_database(url)
    try:
        assert database_state(database).is_demo
    finally:
        database.dispose()
    assert_one_line_error(run("--db", url, "demo"), EXIT_INPUT, "--reset")
    again = run("--db", url, "demo", "--reset")
    assert again.returncode == 0, again.stderr
    assert _stats(url)["cases"] == 645


def test_demo_without_db_goes_to_its_own_file_not_the_work_database(tmp_path: Path) -> None:
    data_home = tmp_path / "data"
    env = {"XDG_DATA_HOME": str(data_home)}
    result = run("demo", env=env)
    assert result.returncode == 0, result.stderr
    demo_file = data_home / "mediator" / "demo.db"
    assert demo_file.exists() and str(demo_file) in result.stdout
    # The work database (the default without --db) stays empty.
    work = run("stats", "--json", env=env)
    assert work.returncode == 0, work.stderr
    assert json.loads(work.stdout)["cases"] == 0


def _run_migration_0005(url: str) -> None:
    import importlib.util

    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    from mediator.store.database import MIGRATIONS_DIR

    spec = importlib.util.spec_from_file_location(
        "m0005", MIGRATIONS_DIR / "versions" / "0005_demo_marker.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    database = open_database(url)
    try:
        with (
            database.engine.begin() as connection,
            Operations.context(MigrationContext.configure(connection)),
        ):
            module.upgrade()
    finally:
        database.dispose()


def _unmark(url: str) -> None:
    database = open_database(url)
    with database.engine.begin() as connection:
        # As an older version left it: the demo's rows, no marker.
        connection.execute(text("DELETE FROM setting WHERE key = :key"), {"key": DEMO_SETTING})
    database.dispose()


def test_a_database_the_old_first_start_filled_with_the_demo_is_marked_on_upgrade(
    demo_sqlite_path: Path,
) -> None:
    url = f"sqlite:///{demo_sqlite_path}"  # the demo year as `mediator demo` leaves it (tested above)
    _unmark(url)
    assert_one_line_error(run("--db", url, "demo", "--reset"), EXIT_INPUT, "真实数据")
    _run_migration_0005(url)
    again = run("--db", url, "demo", "--reset")
    assert again.returncode == 0, again.stderr


def test_the_upgrade_leaves_a_database_with_real_cases_unmarked(tmp_path: Path) -> None:
    url = _real_database(tmp_path)
    _run_migration_0005(url)
    assert_one_line_error(run("--db", url, "demo", "--reset"), EXIT_INPUT, "真实数据")
    assert _stats(url)["cases"] == 4
