"""Engine and sessions. SQLite in the user-data folder by default; any SQLAlchemy URL through
``--db`` or ``MEDIATOR_DB`` (PostgreSQL through psycopg 3). Opening a database upgrades it to the
newest schema with Alembic, so an older file keeps working after an update."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from mediator.errors import EnvironmentProblem, UserError
from mediator.i18n import _
from mediator.store.errors import classify_errors

log = logging.getLogger("mediator.store")

APP_NAME = "mediator"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration's revision. Opening a database already at it skips loading Alembic, which
# costs about 0.14 s of every start; a test checks this equals Alembic's head.
SCHEMA_HEAD = "0010"


def default_database_url() -> str:
    """``MEDIATOR_DB`` if set, else a SQLite file in the user-data folder."""
    env = os.environ.get("MEDIATOR_DB")
    if env:
        return env
    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    private_folder(folder)
    return f"sqlite:///{folder / 'mediator.db'}"


# The work database holds ID and phone numbers: readable by its user only (POSIX; on Windows the
# profile folder's own access list already keeps other users out and these modes are ignored).
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
# How long a statement waits for another program's lock on a SQLite database before giving up.
BUSY_TIMEOUT_MS = 5000


def private_folder(folder: Path) -> None:
    """Create ``folder`` (and parents) for personal data; a folder we create is the user's only."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, PRIVATE_FOLDER_MODE)


def _private_file(path: Path) -> None:
    """Create a new SQLite file readable by its user only; SQLite gives its -wal and -shm the same."""
    if path.exists():
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))
    except FileExistsError:  # another process created it a moment ago
        pass
    except OSError as exc:
        raise EnvironmentProblem(
            _("无法创建数据库文件 {path}：{reason}").format(path=path, reason=exc)
        ) from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        # The one moment a database is not in WAL mode: a big import into it, alone, writes with a
        # rollback journal (intake.writer) and holds the lock the switch needs. Read as it is:
        # each transaction follows the file's mode, which is WAL again once the import ends.
        # A read-only file that such an import left behind (killed) reads as it is too.
        if not any(word in str(exc) for word in ("locked", "readonly")):
            raise
    # WAL + NORMAL stays consistent after a kill; only the last commits may be lost on power loss.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


@dataclass(eq=False)
class YieldingRead:
    """The reads of one thread that give way to interactive ones (see ``yielding_reads``)."""

    # Set once interrupt_yielding_reads() stopped it: its running statement is cancelled and any
    # next one raises ReadInterrupted.
    interrupted: bool = False
    connections: list[Any] = field(default_factory=list)
    # Held while a cancel is under way: the connection goes back to the pool only after it (else a
    # late cancel could reach whichever thread takes the connection next).
    lock: threading.Lock = field(default_factory=threading.Lock)


class ReadInterrupted(Exception):
    """A background read's next statement after ``interrupt_yielding_reads``."""


# Threads whose reads give way, by thread ident.
_yielding: dict[int, YieldingRead] = {}
_yielding_lock = threading.Lock()


@contextmanager
def yielding_reads() -> Iterator[YieldingRead]:
    """Mark the calling thread's reads inside the block as background reads: an interactive read
    on another thread may stop them (``interrupt_yielding_reads``), which then raise;
    ``interrupted`` tells the caller to read again later rather than report an error. For reads
    only: a write must never be stopped halfway."""
    read = YieldingRead()
    ident = threading.get_ident()
    with _yielding_lock:
        _yielding[ident] = read
    try:
        yield read
    finally:
        with _yielding_lock:
            _yielding.pop(ident, None)


def interrupt_yielding_reads() -> int:
    """Stop the background reads (on any open database): the statement each runs now and any it
    would run next, so an interactive read (a keystroke in the case table's filter) has the CPU,
    here or on the server, to itself. Returns at once (a PostgreSQL cancel takes a connection to
    the server: another thread sends it). Returns how many reads were stopped."""
    with _yielding_lock:
        reads = list(_yielding.values())
        for read in reads:
            read.interrupted = True
    running = [read for read in reads if read.connections]
    if running:
        threading.Thread(target=_cancel_statements, args=(running,), name="cancel-reads", daemon=True).start()
    return len(reads)


def _cancel_statements(reads: list[YieldingRead]) -> None:
    for read in reads:
        with read.lock:
            for connection in read.connections:
                _interrupt(connection)


def _interrupt(dbapi_connection: Any) -> None:
    # sqlite3: interrupt() stops the running statement (none running: no effect). psycopg: a
    # cancel request to the server (ignored by a backend waiting for its next command).
    try:
        if hasattr(dbapi_connection, "interrupt"):
            dbapi_connection.interrupt()
        elif hasattr(dbapi_connection, "cancel_safe"):
            dbapi_connection.cancel_safe()
        elif hasattr(dbapi_connection, "cancel"):
            dbapi_connection.cancel()
    except Exception as exc:  # the statement then runs to its end; the next one is refused
        log.debug("could not cancel a background read: %s", exc)


def _checked_out(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    read = _yielding.get(threading.get_ident())
    if read is not None:
        with read.lock:
            read.connections.append(dbapi_connection)


def _before_execute(*_args: Any) -> None:
    read = _yielding.get(threading.get_ident())
    if read is not None and read.interrupted:
        raise ReadInterrupted("a background read gave way to an interactive one")


def _checked_in(dbapi_connection: Any, _record: Any) -> None:
    if not _yielding:
        return
    with _yielding_lock:
        reads = list(_yielding.values())
    # Whichever thread returns it (usually the read's own): once no cancel is under way.
    for read in reads:
        if dbapi_connection in read.connections:
            with read.lock:
                read.connections.remove(dbapi_connection)


class Database:
    """An open database: its engine and a session factory. Pass it to services and windows."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, class_=Session, expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end of the block, or rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def catch_up_search(self) -> int:
        """Index the cases added since the search index last ran (see store/search.py); returns
        how many. The GUI runs it as a background write after the window shows."""
        return _catch_up_search(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def create_db_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UserError(_("数据库地址无效：{url}").format(url=url)) from exc
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and parsed.query.get("uri") in ("true", "1") and database.startswith("file:"):
            # sqlite:///file:path?mode=ro&uri=true: the file's path sits between "file:" and "?".
            database = database.removeprefix("file:")
        if database and database != ":memory:":
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                # Not the user's typing but the machine (a drive not mounted, a folder moved): exit 3.
                raise EnvironmentProblem(_("数据库文件所在的文件夹不存在：{folder}").format(folder=folder))
            if parsed.query.get("mode") != "ro":
                _private_file(Path(database).expanduser())
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise UserError(_("不支持的数据库地址：{url}").format(url=url)) from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "checkout", _checked_out)
    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "before_cursor_execute", _before_execute)
    classify_errors(engine)
    return engine


def open_database(url: str | None = None, *, upgrade: bool = True, index_search: bool = True) -> Database:
    """Connect and bring the schema up to date. Raises ``EnvironmentProblem`` when unreachable.

    ``index_search``: bring the search index up to date now (seconds after a 100,000-row import);
    the GUI passes False and does it in the background (``Database.catch_up_search``).
    """
    url = url or default_database_url()
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            # SQLite opens any file lazily: touch the schema so "not a database" shows up here.
            inspect(connection).get_table_names()
    except DatabaseError as exc:
        engine.dispose()
        safe = make_url(url).render_as_string(hide_password=True)
        message = _("无法打开数据库 {url}：{reason}").format(url=safe, reason=_short(exc))
        raise EnvironmentProblem(message) from exc
    if upgrade and _stamped_revision(engine) != SCHEMA_HEAD:
        try:
            upgrade_schema(engine)
        except Exception as exc:
            engine.dispose()
            raise _schema_problem(exc) from exc
    if upgrade and index_search:
        _catch_up_search(engine)
    return Database(engine)


def _catch_up_search(engine: Engine) -> int:
    """Index the 案号 digits of cases added since the last run (store/search.py). Never stops the
    database from opening: an index that lags is only slower, the filter scans what it lacks."""
    from mediator.store import search

    try:
        with engine.begin() as connection:
            return search.catch_up(connection)
    except DatabaseError as exc:
        log.warning("search index not brought up to date: %s", _short(exc))
        return 0


def _stamped_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _schema_problem(exc: Exception) -> Exception:
    from alembic.util import CommandError

    if isinstance(exc, CommandError) and "Can't locate revision" in str(exc):
        return EnvironmentProblem(_("数据库由更新版本的程序创建，请先升级本程序。"))
    if isinstance(exc, DatabaseError):
        return EnvironmentProblem(_("无法升级数据库结构：{reason}").format(reason=_short(exc)))
    return exc


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Run Alembic migrations up to ``revision`` (the app does this on every open)."""
    from alembic import command

    log.info("checking database schema")
    command.upgrade(alembic_config(engine), revision)


def schema_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return MigrationContext.configure(connection).get_current_revision()
