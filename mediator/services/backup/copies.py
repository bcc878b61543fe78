"""``mediator backup FILE`` and ``mediator restore FILE``.

SQLite is copied with its online backup (the app may keep running); PostgreSQL is exported table
by table inside one repeatable-read snapshot. Either file restores into an empty database of
either kind, in one transaction: a failure or a kill leaves the target as it was. The file is
written under a temporary name and renamed only when complete.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select

from mediator.errors import EnvironmentProblem, UserError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.outputs.staging import temporary_beside
from mediator.services.progress import Progress
from mediator.store import snapshot
from mediator.store.database import SCHEMA_HEAD, Database, open_database

log = logging.getLogger("mediator.backup")

# A table's rows from the backup being restored.
RowsOf = Callable[[Table], Iterator[dict[str, Any]]]


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str  # "sqlite" or "export"
    rows: dict[str, int]

    def summary(self) -> str:
        return _("已备份到 {path}（{kind}，案件 {cases} 件，共 {rows} 行）。").format(
            path=self.path,
            kind=_("SQLite 数据库副本") if self.kind == "sqlite" else _("逻辑导出"),
            cases=self.rows.get("mediation_case", 0),
            rows=sum(self.rows.values()),
        )


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    rows: dict[str, int]

    def summary(self) -> str:
        return _("已从 {path} 恢复：案件 {cases} 件，共 {rows} 行。").format(
            path=self.path, cases=self.rows.get("mediation_case", 0), rows=sum(self.rows.values())
        )


def _progress(progress: Progress | None) -> Progress:
    return progress if progress is not None else Progress()


@contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target``, renamed onto it only if the block succeeds."""
    folder = target.parent
    if not folder.is_dir():
        raise EnvironmentProblem(_("文件夹不存在：{folder}").format(folder=folder))
    # Named like every staged output (services/outputs/staging.py): a killed backup's copy of the
    # whole database is removed by the next write into the folder.
    try:
        staged = temporary_beside(target)
    except OSError as exc:
        raise EnvironmentProblem(
            _("无法写入 {path}：{reason}").format(path=target, reason=exc.strerror)
        ) from exc
    try:
        yield staged
        os.replace(staged, target)
    except OSError as exc:
        raise EnvironmentProblem(
            _("无法写入 {path}：{reason}").format(path=target, reason=exc.strerror)
        ) from exc
    finally:
        staged.unlink(missing_ok=True)


def backup_database(db: Database, target: str | Path, *, progress: Progress | None = None) -> BackupResult:
    """Write a consistent copy of ``db`` to ``target``."""
    progress = _progress(progress)
    path = Path(target).expanduser()
    progress.update(0, None, _("正在备份……"))
    with _staged(path) as staged:
        if db.is_sqlite:
            staged.unlink()  # sqlite3 creates the file itself
            snapshot.sqlite_online_backup(db.engine, staged, lambda done, total: progress.update(done, total))
            copy = open_database(f"sqlite:///{staged}", upgrade=False)
            try:
                with copy.engine.connect() as connection:
                    rows = snapshot.row_counts(connection)
            finally:
                copy.dispose()
            kind = "sqlite"
        else:
            with db.engine.connect() as connection:
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin(), zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as archive:
                    rows = snapshot.export_tables(
                        connection, archive, SCHEMA_HEAD, lambda _t, _n: progress.advance()
                    )
            kind = "export"
    log.info("backup written: %d rows", sum(rows.values()))
    return BackupResult(path, kind, rows)


def _broken(path: Path, reason: object) -> UserError:
    return UserError(_("{path} 不是本程序的备份文件，或已损坏：{reason}").format(path=path, reason=reason))


def _check_empty(db: Database) -> None:
    with db.engine.connect() as connection:
        counts = snapshot.row_counts(connection)
    filled = [name for name, count in counts.items() if count]
    if filled:
        raise UserError(
            _(
                "目标数据库不是空的（{tables} 中已有数据）：恢复只能写入空数据库，"
                "请用 --db 指定一个新数据库。"
            ).format(tables="、".join(filled[:4]))
        )


@contextmanager
def _source_rows(path: Path) -> Iterator[tuple[dict[str, int], RowsOf]]:
    """(expected counts, a function giving a table's rows) from either kind of backup file."""
    with path.open("rb") as probe:
        header = probe.read(len(snapshot.SQLITE_HEADER))
    if header == snapshot.SQLITE_HEADER:
        with tempfile.TemporaryDirectory() as folder:
            # A copy, brought up to this version's schema: an older backup restores too.
            copy = Path(folder) / "backup.db"
            shutil.copyfile(path, copy)
            try:
                source = open_database(f"sqlite:///{copy}")
            except EnvironmentProblem as exc:  # not a database, or one from a newer version
                raise _broken(path, exc) from exc
            try:
                with source.engine.connect() as connection:
                    counts = snapshot.row_counts(connection)
                    yield (
                        counts,
                        lambda table: (dict(row) for row in connection.execute(select(table)).mappings()),
                    )
            finally:
                source.dispose()
        return
    try:
        archive = zipfile.ZipFile(path)
        manifest = snapshot.read_manifest(archive)
    except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise _broken(path, exc) from exc
    with archive:
        if manifest.schema != SCHEMA_HEAD:
            raise UserError(
                _("备份来自另一版本的程序（数据结构 {theirs}，本程序 {ours}），请用相同版本恢复。").format(
                    theirs=manifest.schema, ours=SCHEMA_HEAD
                )
            )
        yield manifest.tables, lambda table: snapshot.exported_rows(archive, table)


def restore_database(
    db: Database, source: str | Path, *, actor: str, progress: Progress | None = None
) -> RestoreResult:
    """Load a backup into the empty database ``db``, all or nothing."""
    progress = _progress(progress)
    path = Path(source).expanduser()
    if not path.is_file():
        raise UserError(_("备份文件不存在：{path}").format(path=path))
    _check_empty(db)
    tables = snapshot.saved_tables()
    progress.update(0, len(tables), _("正在恢复……"))
    restored: dict[str, int] = {}
    with _source_rows(path) as (expected, rows_of):
        try:
            with db.transaction() as session:
                connection = session.connection()
                for table in tables:
                    progress.check()
                    restored[table.name] = snapshot.load_rows(connection, table, rows_of(table))
                    progress.advance()
                snapshot.reset_sequences(connection)
                wrong = {name: n for name, n in restored.items() if expected.get(name, 0) != n}
                if wrong:
                    raise _broken(path, _("行数与清单不符：{tables}").format(tables="、".join(wrong)))
                audit(
                    session,
                    actor=actor,
                    action="restore",
                    detail=_("从备份恢复，共 {rows} 行").format(rows=sum(restored.values())),
                )
        except (ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise _broken(path, exc) from exc
    log.info("restored %d rows", sum(restored.values()))
    return RestoreResult(path, restored)
