"""The database side of a referral import: one writer, one transaction.

The reading side checks rows and hands them over in chunks; the writer matches each chunk against
what the database holds (known 案号, known investors, the batch and its company) and inserts it, all
inside ONE transaction that is committed only when the reader reports no error anywhere, and rolled
back otherwise (or on cancel, or on a dry run). Nothing is visible to anyone before the commit, and
a killed process leaves the database as it was.

The writer runs in a thread for small lists. For big ones it runs in a child process, so that
SQLite's index work uses the second core while the reader checks the next rows (a thread would
share the GIL). The child only ever commits when told to: if the parent dies, its pipe closes and
the child rolls back.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import queue
import sqlite3
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel, col

from mediator.domain import referral_headers as rh
from mediator.domain.audit_chain import EventContent
from mediator.domain.money import format_money
from mediator.domain.workflow import CaseStatus
from mediator.errors import EnvironmentProblem
from mediator.i18n import _
from mediator.services.audit import chain as audit_chain
from mediator.services.intake.duplicates import RunDuplicates
from mediator.services.intake.report import RowError
from mediator.services.intake.rows import (
    ACCOUNT,
    ADDRESS,
    AGENT,
    AGREED,
    CASE_NUMBER,
    CLAIMED,
    COMPANY,
    ID_NUMBER,
    ID_TYPE,
    NAME,
    NUMBER,
    PHONE,
    Row,
    company_head,
)
from mediator.store.database import BUSY_TIMEOUT_MS, Database, open_database
from mediator.store.tables import BatchRow, CaseRow, InvestorRow, ListedCompanyRow

log = logging.getLogger("mediator.import")

LOOKUP_CHUNK = 500
# Up to this many rows already in a table, the writer reads them all once instead of asking
# chunk by chunk (a first imports into an empty or small database costs no lookups at all).
PRELOAD_LIMIT = 20_000
# From this many bytes of lists on (about 15,000 rows of .xlsx), the writer gets its own process:
# starting one costs about 0.4 s of the second core, which only pays off for big lists.
PROCESS_THRESHOLD_BYTES = 1_000_000
# 90 rows × 11 columns stay under the 999 parameters of the oldest SQLite builds.
_ROWS_PER_STATEMENT = 90
_INVESTOR_FIELDS = ("phone", "address", "securities_account", "agent")
# A row's (name, id type, id number, *_INVESTOR_FIELDS), as the investor table takes them.
_INVESTOR_VALUES = itemgetter(NAME, ID_TYPE, ID_NUMBER, PHONE, ADDRESS, ACCOUNT, AGENT)
_CASE_COLUMNS = (
    "case_number",
    "batch_id",
    "investor_id",
    "company_id",
    "claimed_amount",
    "agreed_amount",
    "status",
    "referred_on",
    "agreed_on",
    "updated_at",
    "version",
)


@dataclass
class BatchPlan:
    number: int
    referral_date: date
    company: str
    batch_id: int | None = None  # None: created when the first row is written
    company_id: int | None = None


@dataclass(frozen=True)
class Options:
    batch_number: int | None
    company: str | None
    referred_on: date | None
    dry_run: bool
    actor: str


@dataclass(frozen=True)
class FileInfo:
    """What the writer needs to know of a list (plain values: it may cross to another process)."""

    file: str
    title_batch: int | None
    title_date: date | None
    header_names: dict[str, str]


@dataclass
class FileOutcome:
    """What the writer found out about a list; merged into its FileReport at the end."""

    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    imported: int = 0
    skipped_duplicates: int = 0
    batch_number: int | None = None
    referral_date: date | None = None
    company: str | None = None


@dataclass
class Outcome:
    files: dict[int, FileOutcome]
    committed: bool
    error: str | None = None  # a database failure, in one sentence
    bug: str | None = None  # anything else (logged by the caller)


def stored(connection: Connection, column: Column[Any], value: Any) -> Any:
    """``value`` as the driver stores it in ``column`` (SQLite keeps dates as ISO text)."""
    process = column.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    return process(value) if process else value


def bulk_insert(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    per_statement: int = 1,
) -> None:
    """One executemany through the driver, for values already in their stored form (SQLAlchemy's
    per-row processing would double the import time).

    With ``per_statement`` > 1, each statement inserts that many rows (multi-row VALUES): SQLite
    opens a statement journal for every INSERT into a table with foreign keys, so 100,000 one-row
    statements into ``mediation_case`` cost 0.2 s more than 1,100 statements of 90 rows.

    On SQLite a multi-row INSERT that may stop halfway (a UNIQUE constraint, by default) first
    copies every page it touches to a statement journal, so that it can undo its own rows:
    ``OR FAIL`` stops without undoing them. Nothing is lost by it: any failure here rolls the
    whole import back.
    """
    dialect = connection.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    verb = "INSERT OR FAIL" if dialect.name == "sqlite" else "INSERT"
    head = f"{verb} INTO {dialect.identifier_preparer.format_table(table)} ({names}) VALUES "
    one = f"({', '.join([mark] * len(columns))})"
    if per_statement <= 1 or len(rows) < per_statement:
        connection.exec_driver_sql(head + one, rows)
        return
    whole = len(rows) - len(rows) % per_statement
    flat = chain.from_iterable
    groups = [tuple(flat(rows[start : start + per_statement])) for start in range(0, whole, per_statement)]
    connection.exec_driver_sql(head + ", ".join([one] * per_statement), groups)
    if whole < len(rows):
        rest = rows[whole:]
        connection.exec_driver_sql(head + ", ".join([one] * len(rest)), tuple(flat(rest)))


def _table(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel table class (typed, unlike its ``__table__``)."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Core:
    """The writer's work, whatever carries its messages: ``("file", i, FileInfo)``,
    ``("rows", i, rows)``, ``("end", i, None)``, ``("stop", None, None)`` (an error was found: keep
    checking, stop inserting), ``("ask", None, None)`` (answered with whether it has stopped, once
    it has looked at every row sent before) and ``("finish", None, commit)``."""

    def __init__(self, database: Database, options: Options, *, bulk: bool = False) -> None:
        self._database = database
        self._options = options
        # A big list (the writer has its own process): see _defer_indexes.
        self._bulk = bulk
        self._deferred_indexes: list[str] = []
        self._references_deferred = False  # see _check_references_once
        self._journal_switched = False  # see _write_pages_once
        # The import's audit events, chained just before the commit: on PostgreSQL the chain's lock
        # is then held for a moment, not for the whole import (teammates' changes would wait).
        self._audit_events: list[EventContent] = []
        self.files: dict[int, FileOutcome] = {}
        self._infos: dict[int, FileInfo] = {}
        self._file_plans: dict[int, BatchPlan] = {}
        self._plans: dict[int, BatchPlan] = {}
        self._failed_files: set[int] = set()
        self._investor_ids: dict[tuple[str, str], int] = {}
        self._fills: dict[int, dict[str, Any]] = {}
        self._duplicates = RunDuplicates()
        # The few distinct 被告 cells of a list repeat on every row: their listed company, once each.
        self._heads: dict[str, str] = {}
        self.stopped = False

    def _head(self, cell: str) -> str:
        head = self._heads.get(cell)
        if head is None:
            head = self._heads[cell] = company_head(cell)
        return head

    def run(self, receive: Callable[[], tuple[str, Any, Any]], answer: Callable[[bool], None]) -> Outcome:
        """Process messages until "finish"; commit only if asked and nothing went wrong."""
        try:
            with self._database.transaction() as session:
                connection = session.connection()
                if connection.dialect.name == "sqlite":
                    # 100,000 rows touch fifteen indexes (the search ones on investor included): a
                    # page cache of up to 128 MB (default 2 MB) keeps them in memory. At 64 MB,
                    # dirty pages spilled to the WAL mid-transaction (0.6 s of waiting).
                    connection.exec_driver_sql("PRAGMA cache_size=-131072")
                self._prepare(connection)
                self._check_references_once(connection)
                self._write_pages_once(connection)
                self._defer_indexes(connection)
                while True:
                    kind, index, payload = receive()
                    if kind == "finish":
                        break
                    if kind == "file":
                        self._infos[index] = payload
                        self.files[index] = FileOutcome()
                    elif kind == "rows":
                        self._rows(connection, index, payload)
                    elif kind == "end":
                        self._end_file(connection, index)
                    elif kind == "stop":
                        self.stopped = True
                    elif kind == "ask":
                        answer(self.stopped)
                if not (payload and not self.stopped):
                    session.rollback()
                    return Outcome(self.files, committed=False)
                audit_chain.append(connection, self._audit_events)
                self._verify_references(connection)
                self._rebuild_indexes(connection)
            return Outcome(self.files, committed=True)
        except (EOFError, OSError) as exc:
            # The reader is gone (killed, or its pipe broke): roll back, which leaving the block did.
            log.info("import writer: reader gone (%s), rolled back", type(exc).__name__)
            return Outcome(self.files, committed=False, error=_("导入进程意外中断，未写入任何数据。"))
        except OperationalError as exc:
            return Outcome(self.files, committed=False, error=_short(exc))
        except Exception as exc:
            log.exception("import writer failed")
            return Outcome(self.files, committed=False, bug=f"{type(exc).__name__}: {exc}")
        finally:
            self._restore_wal()

    def _prepare(self, connection: Connection) -> None:
        self._now = datetime.now(UTC)
        self._companies: dict[str, int | None] = dict(
            (row[0], row[1])
            for row in connection.execute(select(col(ListedCompanyRow.name), col(ListedCompanyRow.id)))
        )
        cases = _table(CaseRow)
        investors = _table(InvestorRow)
        self._case_query = (
            select(
                cases.c.case_number,
                col(BatchRow.number),
                investors.c.id_number,
                investors.c.name,
                cases.c.claimed_amount,
                cases.c.agreed_amount,
            )
            .join(BatchRow, col(BatchRow.id) == cases.c.batch_id)
            .join(investors, investors.c.id == cases.c.investor_id)
        )
        self._investor_query = select(
            investors.c.id_type,
            investors.c.id_number,
            investors.c.id,
            investors.c.name,
            *(investors.c[f] for f in _INVESTOR_FIELDS),
        )
        count = func.count()
        self._cases_before = connection.execute(select(count).select_from(cases)).scalar() or 0
        self._investors_before = connection.execute(select(count).select_from(investors)).scalar() or 0
        self._known_cases: dict[str, tuple[Any, ...]] | None = None
        self._known_investors: dict[tuple[str, str], tuple[Any, ...]] | None = None
        if self._cases_before <= PRELOAD_LIMIT:
            self._known_cases = {r[0]: tuple(r) for r in connection.execute(self._case_query)}
        if self._investors_before <= PRELOAD_LIMIT:
            self._known_investors = {
                (r[0], r[1]): tuple(r[2:]) for r in connection.execute(self._investor_query)
            }

    def _bulk_into_small_sqlite(self, connection: Connection) -> bool:
        """A big list (the writer's own process) into a small SQLite database, for real: the case
        where the constraints and indexes below are checked and built once instead of row by row."""
        small = max(self._cases_before, self._investors_before) <= PRELOAD_LIMIT
        return self._bulk and small and connection.dialect.name == "sqlite" and not self._options.dry_run

    def _check_references_once(self, connection: Connection) -> None:
        """SQLite, a big list into a small database: foreign keys checked once, before the commit
        (``_verify_references``), not statement by statement. With them enforced, every
        multi-row INSERT into ``mediation_case`` keeps a statement journal (a copy of each page it
        touches, spilled to a temporary file). Without it, and with ``OR FAIL`` (``bulk_insert``),
        the writer needs 1.21 s of CPU per 100,000 rows instead of 1.44 s; checking the whole
        database once takes 0.03 s. SQLite only lets the setting change outside a transaction:
        before the first write here (reads open none)."""
        if not self._bulk_into_small_sqlite(connection):
            return
        # Closed after this transaction instead of going back to the pool with the setting off.
        connection.connection.detach()
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        self._references_deferred = connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0

    def _write_pages_once(self, connection: Connection) -> None:
        """SQLite, a big list into a small database that nobody else has open: a rollback journal
        for this transaction instead of the WAL. The WAL has every page written twice, into the
        WAL at the commit and into the database by the checkpoint, with an fsync each: 0.15 s of
        a 100,000-row import. A rollback journal copies only the few pages the list changes, not
        the ones it adds. SQLite refuses the switch while any other connection is open (then the
        WAL stays), and other programs can still read meanwhile (store.database lets them). FULL
        sync: NORMAL is safe from corruption in WAL mode only. The WAL is back after the
        transaction (``_restore_wal``), or, after a kill, at the next connection."""
        if not self._references_deferred:  # same conditions, and the connection is ours alone
            return
        raw: Any = connection.connection.dbapi_connection
        raw.execute("PRAGMA busy_timeout=0")  # someone holds the database: stay in WAL, now
        try:
            self._journal_switched = raw.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
        except sqlite3.OperationalError:
            self._journal_switched = False
        finally:
            raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if self._journal_switched:
            raw.execute("PRAGMA synchronous=FULL")

    def _restore_wal(self) -> None:
        if not self._journal_switched:
            return
        self._journal_switched = False
        try:
            with self._database.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        except OperationalError as exc:  # the next connection to the database switches it back
            log.info("WAL not restored after the import: %s", _short(exc))

    def _verify_references(self, connection: Connection) -> None:
        """Every reference the import wrote points at a row, or nothing is committed."""
        if not self._references_deferred:
            return
        dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
        if dangling is not None:
            raise RuntimeError(f"dangling reference from {dangling[0]} row {dangling[1]} to {dangling[2]}")

    def _defer_indexes(self, connection: Connection) -> None:
        """SQLite, a big list into a small database: drop the secondary indexes of investors now
        and build each once before the commit. Their keys (names, the last digits of ID and phone
        numbers) come in no order, and keeping six such indexes up to date row by row costs more
        than sorting each once. The cases' indexes stay: a list's cases arrive in the order of
        those keys (one batch, one status, investor ids growing), so each only grows at its end.
        SQLite's DDL is transactional: a rollback (an error, a cancel, a kill) brings the dropped
        indexes back as they were. Unique indexes stay (they guard the data); PostgreSQL keeps
        its indexes (dropping one would lock the team out)."""
        if not self._bulk_into_small_sqlite(connection):
            return
        raw: Any = connection.connection.dbapi_connection
        if not raw.in_transaction:
            # pysqlite opens its transaction at the first INSERT/UPDATE/DELETE, not at DDL: open
            # it now, so that the drops below are rolled back with everything else.
            connection.exec_driver_sql("UPDATE search_state SET id = id WHERE 0")
        if not raw.in_transaction:
            return  # no transaction to undo the drops: keep the indexes
        found = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name = 'investor' AND sql NOT LIKE 'CREATE UNIQUE%'"
        ).fetchall()
        for name, sql in found:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
            self._deferred_indexes.append(str(sql))

    def _rebuild_indexes(self, connection: Connection) -> None:
        for sql in self._deferred_indexes:
            connection.exec_driver_sql(sql)
        self._deferred_indexes.clear()

    def _cases_for(self, connection: Connection, rows: list[Row]) -> dict[str, tuple[Any, ...]]:
        if self._known_cases is not None:
            return self._known_cases
        found: dict[str, tuple[Any, ...]] = {}
        column = _table(CaseRow).c.case_number
        for chunk in _chunks(sorted({row[1] for row in rows}), LOOKUP_CHUNK):
            for row in connection.execute(self._case_query.where(column.in_(chunk))):
                found[row[0]] = tuple(row)
        return found

    def _investors_for(
        self, connection: Connection, rows: list[Row]
    ) -> dict[tuple[str, str], tuple[Any, ...]]:
        if self._known_investors is not None:
            return self._known_investors
        keys = {(row[3], row[4]) for row in rows}
        table = _table(InvestorRow)
        found: dict[tuple[str, str], tuple[Any, ...]] = {}
        for id_type in {key[0] for key in keys}:
            numbers = sorted(key[1] for key in keys if key[0] == id_type)
            query = self._investor_query.where(table.c.id_type == id_type)
            for chunk in _chunks(numbers, LOOKUP_CHUNK):
                for row in connection.execute(query.where(table.c.id_number.in_(chunk))):
                    found[(row[0], row[1])] = tuple(row[2:])
        return found

    # --- planning a file's batch ---------------------------------------------------------------

    def _file_error(self, index: int, message: str) -> None:
        self.files[index].errors.append(RowError(self._infos[index].file, None, "", "", message))
        self._failed_files.add(index)
        self.stopped = True

    def _plan(self, connection: Connection, index: int, rows: list[Row]) -> BatchPlan | None:
        """The batch of list ``index`` (decided on its first chunk), or None when it cannot be known."""
        if index in self._failed_files:
            return None
        if index in self._file_plans:
            return self._file_plans[index]
        number = self._batch_number(index)
        if number is None:
            return None
        wanted = self._options.company or self._company_of(rows)
        plan = self._plans.get(number)
        if plan is None:
            plan = self._existing_plan(connection, number) or self._new_plan(index, number, wanted)
            if plan is None:
                return None
            self._plans[number] = plan
        if wanted and wanted != plan.company:
            self._file_error(
                index,
                _("第{number}批的上市公司为“{batch}”，而文件中为“{file}”。").format(
                    number=number, batch=plan.company, file=wanted
                ),
            )
            return None
        report = self.files[index]
        day = self._options.referred_on or self._infos[index].title_date
        if day and day != plan.referral_date:
            report.warnings.append(
                _("第{number}批已登记的委派日期为 {known}，文件中为 {given}，保留已登记的日期。").format(
                    number=number, known=plan.referral_date.isoformat(), given=day.isoformat()
                )
            )
        report.referral_date = plan.referral_date
        report.company = plan.company
        self._file_plans[index] = plan
        return plan

    def _batch_number(self, index: int) -> int | None:
        """The batch a list goes to: as given, else as its title says (a warning when they differ)."""
        given, title = self._options.batch_number, self._infos[index].title_batch
        report = self.files[index]
        if given and title and given != title:
            report.warnings.append(
                _("标题写的是第{title}批，按指定导入第{given}批。").format(title=title, given=given)
            )
        number = given or title
        if number is None:
            self._file_error(
                index, _("无法确定批次：标题中没有“第N批”，请用 --batch 指定（导入窗口中填写“批次”）。")
            )
            return None
        report.batch_number = number
        return number

    def _company_of(self, rows: list[Row]) -> str | None:
        """The listed company most rows name in their 被告 cell."""
        heads: dict[str, int] = {}
        for row in rows:
            if row[COMPANY]:
                head = self._head(row[COMPANY])
                heads[head] = heads.get(head, 0) + 1
        return max(heads, key=heads.__getitem__) if heads else None

    def _existing_plan(self, connection: Connection, number: int) -> BatchPlan | None:
        existing = connection.execute(
            select(
                col(BatchRow.id),
                col(BatchRow.referral_date),
                col(ListedCompanyRow.name),
                col(ListedCompanyRow.id),
            )
            .join(ListedCompanyRow, col(ListedCompanyRow.id) == col(BatchRow.company_id))
            .where(col(BatchRow.number) == number)
        ).first()
        if existing is None:
            return None
        return BatchPlan(number, existing[1], existing[2], existing[0], existing[3])

    def _new_plan(self, index: int, number: int, wanted: str | None) -> BatchPlan | None:
        """A batch to create: it needs a referral date and a company (a new one gets a warning)."""
        day = self._options.referred_on or self._infos[index].title_date
        if day is None:
            self._file_error(
                index,
                _(
                    "第{number}批是新批次，需要委派日期：标题中没有“委派日期”，请用 --referred-on 指定。"
                ).format(number=number),
            )
            return None
        if not wanted:
            self._file_error(index, _("无法确定上市公司：文件中没有“被告/上市公司”列，请用 --company 指定。"))
            return None
        if wanted not in self._companies:
            self._companies[wanted] = None
            self.files[index].warnings.append(
                _(
                    "上市公司“{name}”尚未登记，将新建；生成调解协议书前请在“上市公司”登记中"
                    "（或用 mediator company set）补全其统一社会信用代码、法定代表人、住所等信息。"
                ).format(name=wanted)
            )
        return BatchPlan(number, day, wanted, None, None)

    def _create_batch(self, connection: Connection, plan: BatchPlan) -> None:
        if plan.company_id is None:
            plan.company_id = self._companies.get(plan.company)
        if plan.company_id is None:
            plan.company_id = connection.execute(
                insert(ListedCompanyRow).values(name=plan.company).returning(col(ListedCompanyRow.id))
            ).scalar_one()
            self._companies[plan.company] = plan.company_id
        if plan.batch_id is None:
            plan.batch_id = connection.execute(
                insert(BatchRow)
                .values(
                    number=plan.number,
                    court="南京市中级人民法院",
                    referral_date=plan.referral_date,
                    company_id=plan.company_id,
                    term_days=30,
                    extension_days=0,
                    created_at=self._now,
                )
                .returning(col(BatchRow.id))
            ).scalar_one()

    # --- one chunk -----------------------------------------------------------------------------

    def _rows(self, connection: Connection, index: int, rows: list[Row]) -> None:
        report = self.files[index]
        info = self._infos[index]
        rows = self._duplicates.keep(info.file, info.header_names, rows, report)
        if report.errors:
            self.stopped = True  # whatever the reading side asks, nothing is committed
        if not rows:
            return
        plan = self._plan(connection, index, rows)
        if plan is None:
            return
        existing = self._cases_for(connection, rows)
        known = self._investors_for(connection, rows)
        kept = (
            rows
            if self._all_new(plan, rows, existing, known)
            else self._check_each(index, plan, rows, existing, known)
        )
        report.imported += len(kept)
        if report.errors:
            self.stopped = True
        if self._options.dry_run or self.stopped or not kept:
            return
        self._create_batch(connection, plan)
        ids = self._write_investors(connection, kept, known)
        self._write_cases(connection, plan, kept, ids)

    def _all_new(
        self,
        plan: BatchPlan,
        rows: list[Row],
        existing: dict[str, tuple[Any, ...]],
        known: dict[tuple[str, str], tuple[Any, ...]],
    ) -> bool:
        """No 案号 of ``rows`` is registered, none of their investors is, and every 被告 cell names
        the batch's company: the usual chunk of a new list, taken whole."""
        return (
            existing.keys().isdisjoint(map(itemgetter(CASE_NUMBER), rows))
            and (not known or known.keys().isdisjoint(map(itemgetter(ID_TYPE, ID_NUMBER), rows)))
            and all(
                company is None or self._head(company) == plan.company
                for company in set(map(itemgetter(COMPANY), rows))
            )
        )

    def _check_each(
        self,
        index: int,
        plan: BatchPlan,
        rows: list[Row],
        existing: dict[str, tuple[Any, ...]],
        known: dict[tuple[str, str], tuple[Any, ...]],
    ) -> list[Row]:
        """The rows to insert; registered ones again are counted, differing ones reported."""
        report, info = self.files[index], self._infos[index]
        kept: list[Row] = []
        for row in rows:
            found = existing.get(row[CASE_NUMBER])
            problem = self._company_problem(info, plan, row)
            if problem is None and found is not None:
                if _same_case(found, plan, row):
                    report.skipped_duplicates += 1
                    continue
                problem = _case_differs(info, plan, row, found)
            if problem is None and found is None:
                problem = _name_differs(info, known, row)
            if problem is not None:
                report.errors.append(problem)
                continue
            kept.append(row)
        return kept

    def _company_problem(self, info: FileInfo, plan: BatchPlan, row: Row) -> RowError | None:
        company = row[COMPANY]
        if company is None or self._head(company) == plan.company:
            return None
        return RowError(
            info.file,
            row[NUMBER],
            info.header_names[rh.COMPANY],
            company,
            _("本批次的上市公司为“{company}”，此行不同。").format(company=plan.company),
            rh.COMPANY,
        )

    def _write_investors(
        self, connection: Connection, rows: list[Row], known: dict[tuple[str, str], tuple[Any, ...]]
    ) -> dict[tuple[str, str], int]:
        ids = self._investor_ids
        keys = list(map(itemgetter(ID_TYPE, ID_NUMBER), rows))
        if len(set(keys)) == len(keys) and ids.keys().isdisjoint(keys) and known.keys().isdisjoint(keys):
            # One new investor per row, none known: the usual chunk.
            new = dict(zip(keys, map(_INVESTOR_VALUES, rows), strict=True))
        else:
            new = self._new_investors(rows, known)
        if new:
            self._insert_investors(connection, new)
        return ids

    def _new_investors(
        self, rows: list[Row], known: dict[tuple[str, str], tuple[Any, ...]]
    ) -> dict[tuple[str, str], tuple[Any, ...]]:
        """The investors of ``rows`` to insert, by identity (an investor on several rows once, the
        empty fields of one row filled from the others); known ones are reused (see ``_fills``)."""
        ids = self._investor_ids
        new: dict[tuple[str, str], tuple[Any, ...]] = {}
        for row in rows:
            key = (row[3], row[4])
            if key in ids:
                continue
            values = new.get(key)
            if values is not None:
                # The same investor again in this chunk: fill what the earlier row left empty.
                new[key] = (
                    *values[:3],
                    *(
                        v if v is not None else w
                        for v, w in zip(values[3:], (row[5], row[7], row[6], row[8]), strict=True)
                    ),
                )
                continue
            found = known.get(key) if known else None
            if found is not None:
                ids[key] = found[0]
                # Known investors are reused; only their empty fields are filled from the list.
                fill = self._fills.setdefault(found[0], {})
                for field, old, value in zip(
                    _INVESTOR_FIELDS, found[2:], (row[5], row[7], row[6], row[8]), strict=True
                ):
                    if not old and value and field not in fill:
                        fill[field] = value
                continue
            new[key] = _INVESTOR_VALUES(row)
        return new

    def _insert_investors(self, connection: Connection, new: dict[tuple[str, str], tuple[Any, ...]]) -> None:
        """Insert ``new`` and note each one's id in ``_investor_ids``."""
        ids = self._investor_ids
        table = _table(InvestorRow)
        # Ids come back by one query over the ids above the largest before the insert: ours are
        # all there (ids only grow), and RETURNING would run row by row on SQLite.
        before = connection.execute(select(func.max(table.c.id))).scalar() or 0
        columns = ("name", "id_type", "id_number", *_INVESTOR_FIELDS)
        bulk_insert(connection, table, columns, list(new.values()), _ROWS_PER_STATEMENT)
        name = connection.dialect.identifier_preparer.format_table(table)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if connection.dialect.name == "sqlite":
                # SQLite gives each new row max(id) + 1, one after the other, and nobody else
                # writes while this transaction holds the lock: when the new ids are exactly
                # before+1 … before+n, they are ours in insertion order (no read-back needed).
                cursor.execute(f"SELECT count(*), max(id) FROM {name} WHERE id > {int(before)}")
                count, top = cursor.fetchone() or (0, None)
                if count == len(new) and top == before + len(new):
                    ids.update(zip(new, range(before + 1, top + 1), strict=True))
                    return
            # Read through the driver's cursor: 100,000 plain tuples, no Row objects (0.1 s less).
            cursor.execute(f"SELECT id, id_type, id_number FROM {name} WHERE id > {int(before)}")
            for found_id, id_type, id_number in cursor.fetchall():
                if (id_type, id_number) in new:
                    ids[(id_type, id_number)] = found_id
        finally:
            cursor.close()

    def _write_cases(
        self, connection: Connection, plan: BatchPlan, rows: list[Row], ids: dict[tuple[str, str], int]
    ) -> None:
        table = _table(CaseRow)
        stamp = stored(connection, table.c.updated_at, self._now)
        day = stored(connection, table.c.referred_on, plan.referral_date)
        referred, agreed_status = CaseStatus.REFERRED.value, CaseStatus.AGREED.value
        batch_id, company_id = plan.batch_id, plan.company_id
        agreed = list(map(itemgetter(AGREED), rows))
        # A list that already carries the settled amount: those cases start as agreed.
        settled = agreed.count(None) < len(agreed)
        values = list(
            zip(
                map(itemgetter(CASE_NUMBER), rows),
                repeat(batch_id),
                map(ids.__getitem__, map(itemgetter(ID_TYPE, ID_NUMBER), rows)),
                repeat(company_id),
                map(itemgetter(CLAIMED), rows),  # fen already, as Money stores it (BIGINT)
                agreed,
                [referred if a is None else agreed_status for a in agreed] if settled else repeat(referred),
                repeat(day),
                [None if a is None else day for a in agreed] if settled else repeat(None),
                repeat(stamp),
                repeat(1),
                strict=False,  # repeat() is endless
            )
        )
        bulk_insert(connection, table, _CASE_COLUMNS, values, _ROWS_PER_STATEMENT)

    def _end_file(self, connection: Connection, index: int) -> None:
        plan = self._file_plans.get(index)
        if self._options.dry_run or self.stopped or plan is None or plan.batch_id is None:
            return
        report = self.files[index]
        if self._fills:
            self._write_fills(connection)
        # One chained event per file, in the import's transaction (appended before the commit).
        self._audit_events.append(
            EventContent.of(
                at=self._now,
                actor=self._options.actor,
                action="import",
                batch_id=plan.batch_id,
                detail=_("导入 {file}：新增 {imported} 件，跳过重复 {skipped} 件").format(
                    file=Path(self._infos[index].file).name,
                    imported=report.imported,
                    skipped=report.skipped_duplicates,
                ),
            )
        )

    def _write_fills(self, connection: Connection) -> None:
        table = _table(InvestorRow)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for investor_id, fill in self._fills.items():
            if fill:
                groups.setdefault(tuple(sorted(fill)), []).append({"b_id": investor_id, **fill})
        for fields, params in groups.items():
            statement = (
                update(table).where(table.c.id == bindparam("b_id")).values({f: bindparam(f) for f in fields})
            )
            connection.execute(statement, params)
        self._fills.clear()


def _same_case(found: tuple[Any, ...], plan: BatchPlan, row: Row) -> bool:
    """The registered case is this row again (the list's amounts are in fen)."""
    agreed = row[AGREED]
    return bool(
        found[1] == plan.number
        and found[2] == row[ID_NUMBER]
        and found[4] * 100 == row[CLAIMED]
        and (agreed is None or (found[5] is not None and found[5] * 100 == agreed))
    )


def _case_differs(info: FileInfo, plan: BatchPlan, row: Row, found: tuple[Any, ...]) -> RowError:
    """A registered 案号 with other data: the error names what differs."""
    agreed = row[AGREED]
    differs = []
    if found[1] != plan.number:
        differs.append(_("批次"))
    if found[2] != row[ID_NUMBER]:
        differs.append(_("原告"))
    if found[4] * 100 != row[CLAIMED]:
        differs.append(_("诉讼请求金额"))
    if agreed is not None and (found[5] is None or found[5] * 100 != agreed):
        differs.append(_("调解金额"))
    return RowError(
        info.file,
        row[NUMBER],
        info.header_names[rh.CASE_NUMBER],
        row[CASE_NUMBER],
        _("案号{case}已在第{batch}批登记（原告{name}，诉讼请求金额{amount}），与此行的{what}不同。").format(
            case=row[CASE_NUMBER],
            batch=found[1],
            name=found[3],
            amount=format_money(found[4]),
            what="、".join(differs),
        ),
        rh.CASE_NUMBER,
    )


def _name_differs(info: FileInfo, known: dict[tuple[str, str], tuple[Any, ...]], row: Row) -> RowError | None:
    """The row's ID number is registered under another name."""
    registered = known.get((row[ID_TYPE], row[ID_NUMBER]))
    if registered is None or registered[1] == row[NAME]:
        return None
    return RowError(
        info.file,
        row[NUMBER],
        info.header_names[rh.NAME],
        row[NAME],
        _("该身份证号码已登记在投资者“{known}”名下，与此行姓名不同。").format(known=registered[1]),
        rh.NAME,
    )


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return _("写入数据库失败：{reason}").format(reason=text[0] if text else type(exc).__name__)


def _command_line() -> bool:
    """Whether the import runs from the command line (no Qt loaded): nothing else in this process
    uses the database meanwhile."""
    return "PySide6.QtCore" not in sys.modules


def _forks() -> bool:
    """Whether the writer process is forked: on a Linux command line, so that it begins with every
    module already imported (a spawned one spends 0.8 s of a core importing SQLAlchemy and the
    tables again, while both cores parse the list). Spawned on Windows, on macOS (whose system
    libraries do not survive a fork) and next to Qt, whose threads may hold locks that a forked
    copy would keep locked forever."""
    return sys.platform.startswith("linux") and _command_line()


class Writer:
    """The reader's handle on the writer, which runs in a thread or (``in_process``) a child process."""

    def __init__(self, database: Database, options: Options, *, in_process: bool = False) -> None:
        self.in_process = in_process
        self._outcome: Outcome | None = None
        self._stopped = False
        if in_process:
            forking = _forks()
            context: multiprocessing.context.BaseContext
            if forking:
                context = multiprocessing.get_context("fork")
            else:
                context = multiprocessing.get_context("spawn")
                _start_resource_tracker_quietly()
            if _command_line():
                # No connection may cross a fork (SQLite's rule): the child opens its own. With
                # none left open here, the writer may be alone with a SQLite database, and write
                # it through a rollback journal (_Core._write_pages_once).
                database.engine.dispose()
            self._pipe, child_end = context.Pipe(duplex=True)
            url = database.engine.url.render_as_string(hide_password=False)
            # A forked child holds a copy of our end too: it closes it, or it would never see EOF
            # (the sign that we died) and would keep its transaction open.
            ours = self._pipe if forking else None
            self._process = context.Process(
                target=_child_main,
                args=(url, options, child_end, ours),
                name="referral-import-writer",
                daemon=True,
            )
            with warnings.catch_warnings():
                # Python 3.12 warns about forking a process with other threads: ours are calamine's
                # parses, in Rust code the child never enters (see _forks).
                warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
                self._process.start()
            child_end.close()
            # Chunks are pickled and sent by the reading thread itself. A sender thread would hold
            # the GIL while it pickles, and handing the GIL back and forth cost the reading more
            # than the sending does: its checks of 100,000 rows took 1.2 s beside a sender thread,
            # 0.9 s alone. The writer keeps up with the reading, so the socket rarely fills.
            self._broken = False
        else:
            self._queue: queue.Queue[tuple[str, Any, Any]] = queue.Queue(maxsize=8)
            self._answers: queue.Queue[bool] = queue.Queue()
            core = _Core(database, options)
            self._thread = threading.Thread(
                target=self._run_thread, args=(core,), name="referral-import-writer", daemon=True
            )
            self._thread.start()

    def _run_thread(self, core: _Core) -> None:
        self._outcome = core.run(self._queue.get, self._answers.put)

    def _send(self, message: tuple[str, Any, Any]) -> None:
        if self._outcome is not None:
            return  # the writer already ended (a database failure): finish() reports it
        if self.in_process:
            if self._broken or self._pipe.poll():
                self._collect()  # it ended early and said why
                return
            try:
                self._pipe.send(message)
            except OSError:
                self._broken = True  # the writer process died; finish() reports what it said
            return
        while self._thread.is_alive():
            try:
                self._queue.put(message, timeout=0.2)
                return
            except queue.Full:
                continue

    def _collect(self) -> None:
        try:
            self._outcome = self._pipe.recv()
        except (EOFError, OSError):
            self._outcome = Outcome({}, committed=False, error=_("写入进程意外退出，未写入任何数据。"))

    def start_file(self, index: int, info: FileInfo) -> None:
        self._send(("file", index, info))

    def rows(self, index: int, rows: list[Row]) -> None:
        self._send(("rows", index, rows))

    def end_file(self, index: int) -> None:
        self._send(("end", index, None))

    def stop(self) -> None:
        """An error was found: the writer keeps checking against the database but inserts nothing."""
        if not self._stopped:
            self._stopped = True
            self._send(("stop", None, None))

    def refuses(self) -> bool:
        """Whether the writer found a problem of its own (a duplicate, a 案号 registered with other
        data...), so that it will commit nothing. Asked once every row is sent: it answers when it
        has looked at them all."""
        self._send(("ask", None, None))
        if self._outcome is not None:
            return True  # it ended early
        if self.in_process:
            if self._broken:
                return True
            try:
                reply = self._pipe.recv()
            except (EOFError, OSError):
                self._broken = True
                return True
            if isinstance(reply, Outcome):  # it ended early meanwhile and said why
                self._outcome = reply
                return True
            return bool(reply[1])
        while self._thread.is_alive():
            try:
                return self._answers.get(timeout=0.2)
            except queue.Empty:
                continue
        return True

    def finish(self, commit: bool) -> Outcome:
        """Commit (``commit``) or roll back, wait for the writer; raise what went wrong in it."""
        if self.in_process:
            if self._outcome is None:
                if not self._broken:
                    with contextlib.suppress(OSError):  # a dead child is reported by _collect
                        self._pipe.send(("finish", None, commit))
                self._collect()
            self._process.join(timeout=60)
            self._pipe.close()
        else:
            if self._thread.is_alive():
                # The writer reads until "finish" (and a failed one has ended): this never blocks long.
                self._queue.put(("finish", None, commit))
            self._thread.join()
        outcome = self._outcome
        assert outcome is not None
        if outcome.error is not None:
            raise EnvironmentProblem(outcome.error)
        if outcome.bug is not None:
            raise RuntimeError(f"referral import writer failed: {outcome.bug}")
        return outcome


def _start_resource_tracker_quietly() -> None:
    """Start multiprocessing's resource tracker (POSIX "spawn" needs one) without our stderr.

    The tracker lives until this process ends and would otherwise hold a copy of its stderr, so
    whoever reads our output through a pipe (``mediator import ... 2>&1 | tee``, a GUI's or a
    script's subprocess) waits for it to exit too (about 0.1 s after us). It only ever reports
    leaked semaphores and shared memory, which the writer never creates.
    """
    if os.name != "posix":
        return
    from multiprocessing import resource_tracker

    if getattr(resource_tracker._resource_tracker, "_fd", None) is not None:
        return  # already running (a second import in this process)
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _child_main(url: str, options: Options, pipe: Any, parents_end: Any = None) -> None:
    """The writer process: open the database (no migration: the parent did it), run, report.
    ``parents_end`` is the reader's end of the pipe, inherited by a forked child."""
    if parents_end is not None:
        parents_end.close()
    gc.disable()  # its objects are acyclic and it exits when done (see import_referrals)
    if hasattr(os, "nice"):
        # Behind the reading side while both start (its parse then ends 0.1 s sooner) and behind
        # the GUI's thread; a core of its own once rows flow.
        os.nice(5)
    try:
        database = open_database(url, upgrade=False)
    except Exception as exc:
        pipe.send(Outcome({}, committed=False, error=str(exc)))
        return
    try:
        core = _Core(database, options, bulk=True)
        outcome = core.run(pipe.recv, lambda stopped: pipe.send(("answer", stopped)))
    finally:
        database.dispose()
    with contextlib.suppress(OSError):  # the parent is gone; the transaction was rolled back
        pipe.send(outcome)
    # Done (committed or rolled back, connection closed, outcome sent): skip the interpreter's
    # teardown, which frees the 100,000 rows' objects one by one (0.1 s the parent would wait).
    logging.shutdown()
    os._exit(0)
