"""Where the demo lives and how a database says it holds the demo.

The demo never goes into the work database: it has a file of its own (``demo.db`` in the user-data
folder, next to the work database) and a database holding it carries the setting row
``demo_database`` = ``1``. The window shows a marked database as the demo (title bar, banner);
``mediator demo`` loads only into an empty or marked database and ``demo --reset`` clears only a
marked one, so real cases are never mixed with or replaced by invented ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy import exists, func, select
from sqlmodel import Session

from mediator.store.database import APP_NAME, Database, private_folder
from mediator.store.tables import BatchRow, CaseRow, InvestorRow, ListedCompanyRow, MediatorRow, SettingRow

# The setting row that marks a demo database (migration 0005 marks older ones).
DEMO_SETTING = "demo_database"
# Where the demo database lives when MEDIATOR_DEMO_DB does not say otherwise (a SQLAlchemy URL).
DEMO_DB_VARIABLE = "MEDIATOR_DEMO_DB"


def demo_database_url() -> str:
    """``MEDIATOR_DEMO_DB`` if set, else ``demo.db`` in the user-data folder."""
    env = os.environ.get(DEMO_DB_VARIABLE)
    if env:
        return env
    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    private_folder(folder)
    return f"sqlite:///{folder / 'demo.db'}"


def is_demo(session: Session) -> bool:
    """Step: the database is marked as holding the demo."""
    row = session.get(SettingRow, DEMO_SETTING)
    return row is not None and row.value == "1"


def mark_demo(session: Session) -> None:
    """Step: mark the database as the demo's (after loading it)."""
    row = session.get(SettingRow, DEMO_SETTING)
    if row is None:
        session.add(SettingRow(key=DEMO_SETTING, value="1"))
    else:
        row.value = "1"


def is_empty(session: Session) -> bool:
    """True when the database holds no case data at all (settings and calendar do not count)."""
    for table in (CaseRow, BatchRow, InvestorRow, ListedCompanyRow, MediatorRow):
        if session.scalar(select(exists().select_from(table))):
            return False
    return True


@dataclass(frozen=True)
class DatabaseState:
    """What the window needs to know about its database before it shows it."""

    is_demo: bool
    cases: int

    @property
    def welcome(self) -> bool:
        """A work database without a single case: the window offers the first steps."""
        return not self.is_demo and self.cases == 0


def database_state(database: Database) -> DatabaseState:
    """Is ``database`` the demo's, and how many cases does it hold (read in a worker by the GUI)."""
    with database.session() as session:
        cases = session.scalar(select(func.count()).select_from(CaseRow)) or 0
        return DatabaseState(is_demo=is_demo(session), cases=int(cases))
