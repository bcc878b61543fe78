"""Whole-database copies: SQLite's online backup, a logical export any backend reads back, and
loading rows into an empty database. ``services/backup`` builds the user's commands on these.

The export is a zip holding ``manifest.json`` and one JSON-lines file per table; values carry
their type (Decimal, date, datetime) so a restore gives back exactly what was saved.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text
from sqlmodel import SQLModel

import mediator.store.tables  # noqa: F401  (registers every table on SQLModel.metadata)

EXPORT_FORMAT = "mediator-backup"
EXPORT_VERSION = 1
SQLITE_HEADER = b"SQLite format 3\x00"
_INSERT_CHUNK = 2_000


def saved_tables() -> list[Table]:
    """The tables a backup holds, parents before children. The search index (``search_*``) is
    derived from cases and investors and is rebuilt after a restore, so it is not saved."""
    return [table for table in SQLModel.metadata.sorted_tables if not table.name.startswith("search_")]


def row_counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
        for table in saved_tables()
    }


# --- SQLite online backup ---------------------------------------------------------------------------


def sqlite_online_backup(engine: Engine, target: Path, progress: Callable[[int, int], None]) -> None:
    """Copy a live SQLite database page by page into ``target`` (a consistent snapshot even while
    others write: SQLite restarts the copy when a page changes under it)."""
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            driver = source.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            driver.backup(
                destination, pages=256, progress=lambda _status, left, total: progress(total - left, total)
            )
        finally:
            destination.close()
    finally:
        source.close()


# --- logical export --------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, text_value),) = value.items()
        if kind == "$decimal":
            return Decimal(text_value)
        if kind == "$datetime":
            return datetime.fromisoformat(text_value)
        if kind == "$date":
            return date.fromisoformat(text_value)
    return value


def export_tables(
    connection: Connection, archive: zipfile.ZipFile, schema: str, progress: Callable[[str, int], None]
) -> dict[str, int]:
    """Write every saved table into ``archive``; returns the row count per table."""
    counts: dict[str, int] = {}
    for table in saved_tables():
        count = 0
        with archive.open(f"tables/{table.name}.jsonl", "w") as member:
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)).mappings():
                line = json.dumps({key: _encode(value) for key, value in row.items()}, ensure_ascii=False)
                member.write(line.encode("utf-8") + b"\n")
                count += 1
        counts[table.name] = count
        progress(table.name, count)
    manifest = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "schema": schema, "tables": counts}
    archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return counts


@dataclass(frozen=True)
class ExportManifest:
    schema: str
    tables: dict[str, int]


def read_manifest(archive: zipfile.ZipFile) -> ExportManifest:
    """The manifest of a logical export; ``ValueError`` when it is not one of ours."""
    data = json.loads(archive.read("manifest.json").decode("utf-8"))
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ValueError("not a mediator backup")
    if data.get("version") != EXPORT_VERSION:
        raise ValueError(f"backup format version {data.get('version')}")
    tables = data.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(n, int) for n in tables.values()):
        raise ValueError("manifest lists no tables")
    return ExportManifest(str(data.get("schema")), {str(k): int(v) for k, v in tables.items()})


def exported_rows(archive: zipfile.ZipFile, table: Table) -> Iterator[dict[str, Any]]:
    """The rows of one table in an export, typed again; ``ValueError`` on a malformed line."""
    columns = set(table.columns.keys())
    with archive.open(f"tables/{table.name}.jsonl") as member:
        for line in _lines(member):
            row = json.loads(line)
            if not isinstance(row, dict) or not set(row) <= columns:
                raise ValueError(f"{table.name}: a row with unknown columns")
            yield {key: _decode(value) for key, value in row.items()}


def _lines(member: IO[bytes]) -> Iterator[str]:
    for raw in member:
        line = raw.decode("utf-8").strip()
        if line:
            yield line


# --- loading into an empty database -----------------------------------------------------------------


def load_rows(connection: Connection, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    """Insert ``rows`` into ``table`` in chunks; returns how many."""
    count = 0
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= _INSERT_CHUNK:
            connection.execute(insert(table), chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        connection.execute(insert(table), chunk)
        count += len(chunk)
    return count


def reset_sequences(connection: Connection) -> None:
    """After rows came in with their ids, PostgreSQL's id sequences must continue above them."""
    if connection.dialect.name != "postgresql":
        return  # SQLite numbers new rows from the largest id present
    for table in saved_tables():
        if "id" not in table.columns:
            continue
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar()
        if sequence:
            connection.execute(
                text(f"SELECT setval(:sequence, coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"),
                {"sequence": sequence},
            )
