"""After a big import the search index lags; the window opens at once and catches it up as a
background write (store/search.py: a lagging index is slower, never wrong)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from mediator.gui.workspace import Workspace
from mediator.store import search
from mediator.store.database import Database, open_database
from tests.fixtures.synthetic import insert_synthetic_cases
from tests.gui.conftest import DEMO_TODAY


def _lag(database: Database) -> int:
    with database.engine.connect() as connection:
        return search.lag(connection)[1]


def _database_with_unindexed_cases(path: Path) -> str:
    url = f"sqlite:///{path}"
    database = open_database(url)
    with database.transaction() as session:
        insert_synthetic_cases(session, 300, seed=5)  # bulk rows, as an import writes them
    assert _lag(database) == 300
    database.dispose()
    return url


def test_opening_without_indexing_leaves_the_catch_up_to_the_caller(tmp_path: Path) -> None:
    url = _database_with_unindexed_cases(tmp_path / "work.db")
    database = open_database(url, index_search=False)
    try:
        assert _lag(database) == 300
        assert database.catch_up_search() == 300
        assert _lag(database) == 0
    finally:
        database.dispose()


def test_the_window_catches_the_search_index_up_in_the_background(
    qtbot: QtBot, tmp_path: Path, qsettings: QSettings
) -> None:
    url = _database_with_unindexed_cases(tmp_path / "work.db")
    space = Workspace(
        qsettings, work_url=url, demo_url=f"sqlite:///{tmp_path / 'demo.db'}", today=lambda: DEMO_TODAY
    )
    window = space.open_work()
    try:
        qtbot.waitExposed(window)
        assert space.database is not None
        database = space.database
        qtbot.waitUntil(lambda: _lag(database) == 0, timeout=20_000)
    finally:
        window.close()
        space.close()
