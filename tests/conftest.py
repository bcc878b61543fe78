"""Shared fixtures: a fresh database per test, on SQLite and (when a server is reachable) PostgreSQL.

PostgreSQL tests use ``MEDIATOR_TEST_PG_URL`` (``.ci/run`` starts a server and sets it). Without it
they are skipped with a visible reason, never silently.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from mediator.store.database import Database, open_database

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PG_URL_VARIABLE = "MEDIATOR_TEST_PG_URL"


def pytest_collection_finish(session: pytest.Session) -> None:
    """mypy on the whole package takes 30-40 s: start it now, beside the other tests
    (tests/test_types.py waits for its result)."""
    from tests.test_types import start_background_mypy

    if not session.config.option.collectonly:
        start_background_mypy({item.nodeid for item in session.items})


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.test_types import stop_background_mypy

    stop_background_mypy()


@pytest.fixture(autouse=True)
def _app_logging_restored() -> Iterator[None]:
    """A test that runs the CLI in-process configures the app's logging (its own file, no
    propagation to the root logger): undo it, so later tests' ``caplog`` still sees the logs."""
    import logging

    import mediator.logs

    logger = logging.getLogger("mediator")
    saved = (logger.propagate, logger.level, list(logger.handlers), mediator.logs._configured)
    yield
    added = [handler for handler in logger.handlers if handler not in saved[2]]
    for handler in added:
        logger.removeHandler(handler)
        handler.close()
    logger.propagate, logger.level = saved[0], saved[1]
    mediator.logs._configured = saved[3]


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the real user-data, config and log folders."""
    home = tmp_path_factory.mktemp("home")
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(variable, str(home / variable.lower()))
    monkeypatch.delenv("MEDIATOR_DB", raising=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; fixtures copy it rather than migrate every test."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    open_database(f"sqlite:///{path}").dispose()
    # The last connection closed checkpointed the WAL into the file: the file alone is the database.
    assert not path.with_name(path.name + "-wal").exists()
    return path


def copy_database_file(template: Path, target: Path) -> None:
    """``template`` copied to a new ``target`` readable by its user only, as the app creates it."""
    descriptor = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "wb") as out, template.open("rb") as source:
        shutil.copyfileobj(source, out)


@pytest.fixture(scope="session")
def demo_sqlite_template(migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demo year (load_demo), loaded once per session."""
    from mediator.demo.first_year import load_demo

    path = tmp_path_factory.mktemp("template") / "demo.db"
    copy_database_file(migrated_sqlite_template, path)
    db = open_database(f"sqlite:///{path}")
    with db.transaction() as session:
        load_demo(session)
    db.dispose()
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def demo_sqlite_path(tmp_path: Path, demo_sqlite_template: Path) -> Path:
    """A SQLite file holding the demo year as ``mediator --db URL demo`` leaves it (a copy of the
    session's load), for the tests of other commands on the demo data."""
    path = tmp_path / "demo-copy.db"
    copy_database_file(demo_sqlite_template, path)
    return path


def fill_from_template(database: Database, template: Path) -> None:
    """Replace the open SQLite ``database``'s content by ``template``'s (SQLite's backup API), as
    load_demo only into an empty database."""
    import sqlite3

    from mediator.demo.marker import is_empty

    with database.session() as session:
        assert is_empty(session), "the template would replace rows this test already wrote"
    source = sqlite3.connect(template)
    target = database.engine.raw_connection()
    try:
        source.backup(target.driver_connection)
    finally:
        target.close()
        source.close()


@pytest.fixture
def database(sqlite_url: str, migrated_sqlite_template: Path) -> Iterator[Database]:
    """A migrated, empty SQLite database (a copy of the session's migrated template)."""
    copy_database_file(migrated_sqlite_template, Path(sqlite_url.removeprefix("sqlite:///")))
    db = open_database(sqlite_url)
    yield db
    db.dispose()


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_URL_VARIABLE)


@contextmanager
def _new_postgres_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of ``template`` if given), dropped afterwards."""
    admin_url = _pg_admin_url()
    if not admin_url:
        pytest.skip(f"PostgreSQL not configured: set {PG_URL_VARIABLE} (.ci/run does)")
    name = f"mediator_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        admin.dispose()
        if template:
            raise
        pytest.skip(f"PostgreSQL at {make_url(admin_url).host} not reachable: {exc}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)
        admin.dispose()


def _drop_database(admin: Engine, name: str) -> None:
    """Drop ``name``, ending its sessions. An autovacuum worker busy in it may only be ended by a
    role in pg_signal_backend (.ci/run grants it); elsewhere wait for the worker to finish."""
    for attempt in range(20):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.25)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    with _new_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def migrated_postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated once per session: the name of a template to copy."""
    with _new_postgres_database() as url:
        open_database(url).dispose()  # no connection may stay open on a template being copied
        name = make_url(url).database
        assert name
        yield name


@pytest.fixture(scope="session")
def demo_postgres_template(migrated_postgres_template: str) -> Iterator[str]:
    """A PostgreSQL database holding the demo year (load_demo), loaded once: a template's name."""
    from mediator.demo.first_year import load_demo

    with _new_postgres_database(migrated_postgres_template) as url:
        db = open_database(url)
        with db.transaction() as session:
            load_demo(session)
        db.dispose()
        name = make_url(url).database
        assert name
        yield name


@contextmanager
def _copy_of(request: pytest.FixtureRequest, tmp_path: Path, template: str) -> Iterator[Database]:
    """A test's own database on the backend ``request.param`` names: a copy of the session's
    ``{template}_sqlite_template`` or ``{template}_postgres_template``."""
    if request.param == "sqlite":
        path = tmp_path / f"{template}.db"
        copy_database_file(request.getfixturevalue(f"{template}_sqlite_template"), path)
        db = open_database(f"sqlite:///{path}")
        yield db
        db.dispose()
    else:
        with _new_postgres_database(request.getfixturevalue(f"{template}_postgres_template")) as url:
            db = open_database(url)
            yield db
            db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on SQLite and on PostgreSQL, each a copy of the session's migrated template."""
    with _copy_of(request, tmp_path, "migrated") as db:
        yield db


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_demo_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The demo year on SQLite and on PostgreSQL: a test's own copy of the session's demo load."""
    with _copy_of(request, tmp_path, "demo") as db:
        yield db
