"""Migrations: a new file gets the newest schema, an older one is upgraded when opened, and the
migrated schema is exactly what the SQLModel tables describe (so a forgotten migration fails here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import mediator.store.tables  # noqa: F401 - registers the tables on the metadata
from mediator.store.database import (
    Database,
    alembic_config,
    create_db_engine,
    open_database,
    schema_revision,
    upgrade_schema,
)
from mediator.store.search import EXPRESSION_INDEXES


def _head() -> str:
    engine = create_db_engine("sqlite://")
    try:
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    finally:
        engine.dispose()
    assert head is not None
    return head


def test_opening_an_empty_file_creates_the_schema_at_head(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    db = open_database(f"sqlite:///{path}")
    try:
        assert path.exists()
        assert schema_revision(db.engine) == _head()
        tables = set(inspect(db.engine).get_table_names())
        assert {"batch", "mediation_case", "investor", "agreement", "installment"} <= tables
    finally:
        db.dispose()


def test_an_older_database_is_upgraded_when_opened(any_database: Database) -> None:
    url = any_database.engine.url.render_as_string(hide_password=False)
    any_database.dispose()
    # Start again from nothing, stop at the first revision, then open it as the app does.
    engine = create_db_engine(url)
    try:
        from alembic import command

        command.downgrade(alembic_config(engine), "base")
        assert "mediation_case" not in inspect(engine).get_table_names()
        upgrade_schema(engine, "0001")
        assert schema_revision(engine) == "0001"
    finally:
        engine.dispose()
    reopened = open_database(url)
    try:
        assert schema_revision(reopened.engine) == _head()
    finally:
        reopened.dispose()


def _described_by_tables(name: str | None, type_: str, _parent: object) -> bool:
    # The search index's expression and partial indexes are SQL of store/search.py, not tables.py.
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrated_schema_matches_the_tables(any_database: Database) -> None:
    with any_database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": any_database.is_sqlite,
                "include_name": _described_by_tables,
            },
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], f"tables.py and the migrations disagree; add a migration: {differences}"


def test_schema_head_constant_matches_the_newest_migration() -> None:
    """open_database skips Alembic when a database is stamped SCHEMA_HEAD; a stale constant would
    leave databases un-upgraded after a new migration is added."""
    from alembic.script import ScriptDirectory

    from mediator.store.database import MIGRATIONS_DIR, SCHEMA_HEAD

    assert ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() == SCHEMA_HEAD
