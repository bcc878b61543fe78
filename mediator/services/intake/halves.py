"""Parsing a big .xlsx sheet as two halves at once.

python-calamine parses a sheet on one core, without holding the GIL. The sheet of a 100,000-row
list is about 70 MB of XML: cut at a row boundary into two workbooks that differ only in their
rows, it parses on two cores side by side, in a little more than half the time.

The cut is made on the raw XML: ``<row`` cannot occur inside a cell's text (XML escapes ``<``).
Each half keeps the original's other parts (shared strings, styles and the date system, so every
cell reads the same), the first half ends its sheet where the cut is, and the second keeps the
original's end (its merged ranges). Anything unexpected (a strict-OOXML or prefixed namespace, no
rows past the middle, a damaged archive) gives None, and the caller parses the file whole, which
also words any problem for the user.
"""

from __future__ import annotations

import logging
import posixpath
import re
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

log = logging.getLogger("mediator.import")

# Below this much sheet XML (about 15,000 rows) one parse is quick, and cutting costs more than it saves.
SPLIT_BYTES = 8 * 1024 * 1024
_CHUNK = 4 * 1024 * 1024
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATION = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SHEET_DATA = b"<sheetData>"
_END_DATA = b"</sheetData>"
_END_FIRST = _END_DATA + b"</worksheet>"
_CARRY = 16
_DIMENSION = re.compile(rb"<dimension [^>]*/>")
_ROW_START = re.compile(rb"<row[ >]")


class SheetHalves:
    """A sheet read as two calamine sheets, with the attributes the reader uses of one."""

    def __init__(self, first: Any, second: Any) -> None:
        self._parts = [part for part in (first, second) if part.height > 0 and part.width > 0]
        self.name: str = first.name
        self.merged_cell_ranges: list[Any] = list(second.merged_cell_ranges or [])
        self.start: tuple[int, int] = (0, 0)
        self.height = self.width = 0
        if self._parts:
            top, bottom = int(self._parts[0].start[0]), int(self._parts[-1].end[0])
            left = min(int(part.start[1]) for part in self._parts)
            right = max(int(part.end[1]) for part in self._parts)
            self.start, self.height, self.width = (top, left), bottom - top + 1, right - left + 1

    def numbered_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """``(row number as Excel shows it, cells)`` of both halves, the cells from the sheet's
        first used column (a half whose own first column is further right is padded). Each half
        is let go once read (its cells are half the list's memory). Rows pass through C-level
        iterators only: a generator step per row cost 0.05 s per 100,000 rows."""
        return chain.from_iterable(self._each_half())

    def _each_half(self) -> Iterator[Iterator[tuple[int, list[Any]]]]:
        first_column = self.start[1]
        while self._parts:
            part = self._parts.pop(0)
            left = int(part.start[1])
            rows = numbered_rows(part)
            del part
            if left > first_column:
                padding = [""] * (left - first_column)
                yield ((number, padding + cells) for number, cells in rows)
            else:
                yield rows


def numbered_rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """``(row number as Excel shows it, cells)`` of a calamine sheet, from its first used row.

    python-calamine's ``iter_rows`` (0.9) begins at the sheet's row 1 with empty rows above the
    first used one, although ``start`` names that row: numbering from ``start`` put every row of a
    list with blank rows on top that many rows too low in the problem table. The first row tells
    whether the padding is there."""
    top = int(sheet.start[0]) if sheet.start else 0
    rows: Iterator[list[Any]] = sheet.iter_rows()
    first = next(rows, None)
    if top and first is not None and all(cell == "" for cell in first):
        rows = islice(rows, top - 1, None)
        first = next(rows, None)
    if first is None:
        return iter(())
    return chain(((top + 1, first),), enumerate(rows, start=top + 2))


def parse_in_halves(path: Path) -> SheetHalves | None:
    """The first sheet of the .xlsx at ``path`` parsed as two halves at once; None when it is small,
    or not laid out as expected (then parse it whole)."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _first_sheet(archive)
            if member is None or archive.getinfo(member).file_size < SPLIT_BYTES:
                return None
            # Windows refuses to delete a file still open: a half whose parse outlived a failure
            # leaves its copy to the system's temporary-files cleanup instead of raising here.
            with tempfile.TemporaryDirectory(prefix="mediator-halves-", ignore_cleanup_errors=True) as folder:
                return _cut_and_parse(archive, member, Path(folder))
    except Exception as exc:  # any surprise: the whole-file parse decides, and words the problem
        log.info("sheet not parsed in halves: %s", type(exc).__name__)
        return None


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The archive member holding the workbook's first sheet (the one calamine calls index 0)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if sheet is None:
        return None
    wanted = sheet.get(_RELATION)
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for relation in relations:
        if relation.get("Id") == wanted:
            target = relation.get("Target") or ""
            if target.startswith("/"):
                return target[1:]
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _cut_and_parse(archive: zipfile.ZipFile, member: str, folder: Path) -> SheetHalves | None:
    paths = (folder / "1.xlsx", folder / "2.xlsx")
    with _quick_switches(), zipfile.ZipFile(paths[0], "w") as first, zipfile.ZipFile(paths[1], "w") as second:
        for info in archive.infolist():
            if info.filename != member:
                data = archive.read(info)  # stored, not compressed again: both halves are read once
                first.writestr(info.filename, data)
                second.writestr(info.filename, data)
        with archive.open(member) as xml:
            head = _head(xml)
            if head is None:
                return None
            rest = _write_first(first, member, xml, head, archive.getinfo(member).file_size // 2)
            if rest is None:
                return None
            first.close()
            parsing = _Parse(paths[0])
            with second.open(zipfile.ZipInfo(member), "w", force_zip64=True) as out:
                out.write(_DIMENSION.sub(b"", head[0]))
                out.write(rest)
                while chunk := xml.read(_CHUNK):
                    out.write(chunk)
    later = _parse(paths[1])
    earlier = parsing.result()
    if earlier is None or later is None:
        return None
    return SheetHalves(earlier, later)


class _QuickSwitches:
    """A short GIL switch interval while halves are cut. Inflating, checksumming and writing each
    let the GIL go, and each return waits for it: with the CLI's imports running on the main thread
    that is up to the 5 ms interval, about 70 times per half. At 0.2 ms both parses start about
    0.1 s sooner. Counted, so that overlapping cuts restore the interval once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved = 0.0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(self._saved, 0.0002))
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    sys.setswitchinterval(self._saved)


_quick_switches = _QuickSwitches()


def _head(xml: IO[bytes]) -> tuple[bytes, bytes] | None:
    """The sheet's XML up to and including ``<sheetData>``, and what was read past it."""
    read = b""
    while len(read) < 4 * _CHUNK:
        chunk = xml.read(_CHUNK)
        if not chunk:
            return None
        read += chunk
        at = read.find(_SHEET_DATA)
        if at >= 0:
            end = at + len(_SHEET_DATA)
            return read[:end], read[end:]
    return None


def _write_first(
    first: zipfile.ZipFile, member: str, xml: IO[bytes], head: tuple[bytes, bytes], middle: int
) -> bytes | None:
    """Write the first half's sheet (the rows before the first ``<row`` past ``middle``) into
    ``first``; return what was read past the cut, or None when no row starts past the middle."""
    written = len(head[0])
    with first.open(zipfile.ZipInfo(member), "w", force_zip64=True) as out:
        out.write(head[0])
        pending = head[1]
        while True:
            if written + len(pending) > middle:
                after = max(0, middle - written)
                found = _ROW_START.search(pending, after)
                ended = pending.find(_END_DATA, after)
                if ended >= 0 and (found is None or ended < found.start()):
                    return None  # the rows end before the middle: nothing to share
                if found is not None:
                    out.write(pending[: found.start()])
                    out.write(_END_FIRST)
                    return pending[found.start() :]
            chunk = xml.read(_CHUNK)
            if not chunk:
                return None
            # Keep the last bytes back: a "<row " or "</sheetData>" may straddle two chunks.
            out.write(pending[:-_CARRY])
            written += len(pending[:-_CARRY])
            pending = pending[-_CARRY:] + chunk


class _Parse:
    """One half parsed on a thread of its own (calamine releases the GIL)."""

    def __init__(self, path: Path) -> None:
        self._sheet: Any = None
        self._thread = threading.Thread(target=self._run, args=(path,), name="calamine-half", daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        self._sheet = _parse(path)

    def result(self) -> Any:
        self._thread.join()
        return self._sheet


def _parse(path: Path) -> Any:
    import python_calamine as calamine

    try:
        with calamine.CalamineWorkbook.from_path(str(path)) as workbook:
            return workbook.get_sheet_by_index(0)
    except Exception as exc:
        log.info("half of a sheet not parsed: %s", type(exc).__name__)
        return None
