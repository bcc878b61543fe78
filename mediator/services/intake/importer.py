"""Importing the court's referral lists (委派调解案件清单): messy spreadsheets in, every row checked,
all or nothing.

Rows stream from the file (``reader``), are checked cell by cell (``row_checks`` with the field
checkers of ``checks``) and go in chunks to the writer (``writer``), which checks them against what
the database holds and bulk-inserts them inside ONE transaction. That transaction is committed only
when no error was found in any row of any file; any error, a cancel or a killed process rolls it
back, so nothing is ever half-imported (the project's bulk-job rule). Importing the same list again
creates nothing: identical rows count as ``skipped_duplicates``; a known 案号 with different data is
an error naming both.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import cast

from mediator.domain.batch_numbers import parse_batch_number
from mediator.domain.validators import to_half_width
from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.intake import writer as writing
from mediator.services.intake.layout import open_file
from mediator.services.intake.reader import Prefetch
from mediator.services.intake.report import FileReport, ImportResult
from mediator.services.intake.row_checks import check_rows
from mediator.services.intake.writer import (
    FileInfo,
    FileOutcome,
    Options,
    Outcome,
    Writer,
)
from mediator.services.progress import Progress
from mediator.store.database import Database

log = logging.getLogger("mediator.import")

Mapping_ = Mapping[int, str | None]


class PhaseEcho(Progress):
    """A ``Progress`` that also hands each new phase message to ``echo`` (the CLI prints it)."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        super().__init__()
        self._echo = echo
        self._last = ""

    def update(self, done: int, total: int | None = None, message: str | None = None) -> None:
        super().update(done, total, message)
        if message and message != self._last:
            self._last = message
            self._echo(message)


def import_referrals(
    database: Database,
    paths: Sequence[str | Path],
    *,
    batch: str | int | None = None,
    company: str | None = None,
    referred_on: date | None = None,
    mapping: Mapping_ | Mapping[str, Mapping_] | None = None,
    dry_run: bool = False,
    actor: str = "",
    progress: Progress | None = None,
    prefetch: Prefetch | None = None,
) -> ImportResult:
    """Check every row of ``paths`` and, when nothing is wrong, write them all in one transaction.

    ``batch``, ``company`` and ``referred_on`` override what the title rows and the 被告 column say.
    ``mapping`` corrects the detected columns (column index → field key of ``referral_headers``, or
    None to ignore a column), for every file, or per file when keyed by the path as given.
    ``prefetch`` is a ``reader.Prefetch`` the caller started on the first file.
    Raises ``UserError`` for a path that is not a file and ``Cancelled`` when ``progress`` is
    cancelled (nothing written); problems inside files come back as ``RowError``s.
    """
    batch_number = parse_batch_number(batch) if batch is not None and batch != "" else None
    company_name = " ".join(to_half_width(company).split()) if company else None
    files = [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise UserError(_("文件不存在：{path}").format(path=path))
    progress = progress or Progress()
    progress.update(0, None, _("正在读取并检查……"))
    options = Options(batch_number, company_name, referred_on, dry_run, actor)
    run = _Run(progress, dry_run)
    outcome: Outcome | None = None
    writer: Writer | None = None
    commit = False
    with _gc_paused():
        try:
            # Rows are checked here and handed in chunks to the writer, which matches them against
            # the database and inserts them inside one transaction; it commits only if no error was
            # found anywhere (see writer). Big lists get a writer process, started now so that it
            # is ready when the first rows are.
            writer = Writer(database, options, in_process=_writer_in_process(database, files))
            for index, (given, path) in enumerate(zip(paths, files, strict=True)):
                run.one_file(writer, index, path, str(given), _mapping_for(mapping, str(given)), prefetch)
            progress.check()
            # The phase says what will happen: the writer may have found problems of its own.
            commit = not dry_run and run.result.ok and not writer.refuses()
            progress.update(run.done, run.done, _("正在提交……") if commit else _("正在结束……"))
        finally:
            # Commits only when asked to and no error was found; rolls back on any exception here.
            if writer is not None:
                outcome = writer.finish(commit)
    return _finished(run.result, outcome, len(files))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """A big list makes about a million small acyclic objects (cells, rows, keys): the cyclic
    garbage collector's passes over them cost 0.1 s of a 2 s import and never free anything
    (reference counting does). Paused for the import, as the writer process does."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _writer_in_process(database: Database, files: Sequence[Path]) -> bool:
    size = sum(path.stat().st_size for path in files)
    # Read at call time: tests lower the threshold on the writer module.
    return size >= writing.PROCESS_THRESHOLD_BYTES and database.engine.url.database not in (
        None,
        "",
        ":memory:",
    )


class _Run:
    """One import run on the reading side: the reports and the rows done."""

    def __init__(self, progress: Progress, dry_run: bool) -> None:
        self.progress = progress
        self.dry_run = dry_run
        self.result = ImportResult([], dry_run=dry_run)
        self.done = 0
        self._announced = False

    def one_file(
        self,
        writer: Writer,
        index: int,
        path: Path,
        given: str,
        mapping: Mapping_ | None,
        prefetch: Prefetch | None,
    ) -> None:
        progress = self.progress
        progress.check()
        progress.update(self.done, None, _("正在检查 {file}……").format(file=path.name))
        parsed = open_file(path, given, mapping, prefetch)
        report = parsed.report
        self.result.files.append(report)
        if parsed.opened is not None:
            title = parsed.title
            writer.start_file(
                index, FileInfo(report.file, title.batch_number, title.referral_date, parsed.header_names)
            )
            total = parsed.opened.source.total
            progress.update(self.done, self.done + total if total else None)
            for chunk in check_rows(parsed, progress, self.done):
                if report.errors:
                    writer.stop()
                else:
                    self._announce()
                writer.rows(index, chunk)
            writer.end_file(index)
        if report.errors:
            writer.stop()
        self.done += report.rows

    def _announce(self) -> None:
        if not self._announced and not self.dry_run:
            self._announced = True
            self.progress.update(self.done, message=_("正在检查并写入数据库……"))


def _finished(result: ImportResult, outcome: Outcome | None, file_count: int) -> ImportResult:
    """The writer's findings merged into the reports; nothing counts as imported when any failed."""
    reports = result.files
    if outcome is not None:
        for index, found in outcome.files.items():
            _merge(reports[index], found)
    for report in reports:
        report.errors.sort(key=lambda e: e.row or 0)
    if not result.ok:
        for report in reports:
            report.imported = 0
    result.written = outcome is not None and outcome.committed
    if result.written:
        log.info(
            "imported %d new cases from %d file(s), %d duplicates skipped",
            result.imported,
            file_count,
            result.skipped_duplicates,
        )
    return result


def _merge(report: FileReport, found: FileOutcome) -> None:
    report.errors += found.errors
    report.warnings += found.warnings
    report.imported = found.imported
    report.skipped_duplicates += found.skipped_duplicates
    report.batch_number = found.batch_number
    report.referral_date = found.referral_date
    report.company = found.company


def _mapping_for(mapping: Mapping_ | Mapping[str, Mapping_] | None, key: str) -> Mapping_ | None:
    if not mapping:
        return None
    if all(isinstance(k, int) for k in mapping):
        return cast(Mapping_, mapping)
    return cast(Mapping[str, Mapping_], mapping).get(key)
