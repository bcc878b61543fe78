"""Opening a referral list, whatever the clerk sent: .xlsx/.xlsm/.xls/.ods through python-calamine,
CSV in UTF-8, UTF-8 with BOM or GB18030.

The format is recognised from the file's first bytes, not its extension (clerks rename files), and
every way a file can be broken ends in one ``FileProblem`` sentence, never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import mmap
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.intake.halves import SheetHalves, numbered_rows, parse_in_halves

log = logging.getLogger("mediator.import")

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Office puts a password-protected .xlsx inside an OLE2 container with these streams.
_ENCRYPTION_MARKS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_OTHER_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"%PDF", "PDF 文件"),
    (b"GIF8", "GIF 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
)
# csv's field limit (128 KiB) would stop a file with one huge cell; the validation reports it instead.
_CSV_FIELD_LIMIT = 64 * 1024 * 1024


class FileProblem(UserError):
    """The file cannot be read as a referral list; the message says why in one sentence."""


@dataclass
class SheetRows:
    """The rows of the first non-empty sheet: ``(row number as Excel shows it, cells)``."""

    rows: Iterator[tuple[int, list[Any]]]
    total: int | None  # rows in the sheet (for the progress bar), when known
    first_column: int = 0  # 0-based index of the sheet's first used column ("A" is 0)
    # Merged ranges ((first row, first col), (last row, last col)), 0-based sheet coordinates.
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    sheet_name: str = ""
    kind: str = ""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Prefetch:
    """Parse a workbook in a background thread while the caller does other work.

    python-calamine parses without holding the GIL, so the CLI starts this before it opens the
    database (imports, migrations check) and the two overlap. ``open_rows`` takes the result.
    """

    def __init__(self, path: str | Path) -> None:
        import threading

        self.path = Path(path)
        self._result: tuple[Any, BaseException | None] | None = None
        self._thread = threading.Thread(target=self._run, name="calamine-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self.path.open("rb") as fh:
                head = fh.read(8)
            if not head.startswith((_ZIP, _OLE2)):
                self._result = (None, None)
                return
            if head.startswith(_ZIP) and (halves := parse_in_halves(self.path)) is not None and halves.height:
                self._result = (halves, None)
                return
            import python_calamine as calamine

            with self.path.open("rb") as fh:
                workbook = calamine.CalamineWorkbook.from_filelike(fh)
            sheets = [workbook.get_sheet_by_index(0)] if workbook.sheet_names else []
            self._result = (sheets[0] if sheets else None, None)
        except BaseException as exc:  # re-raised (as FileProblem) by the normal path on the main thread
            self._result = (None, exc)

    def take(self, path: Path) -> Any:
        """The first sheet, if this prefetch was for ``path`` and it worked; else None."""
        if Path(path) != self.path:
            return None
        self._thread.join()
        sheet, error = self._result or (None, None)
        self._result = None
        return None if error is not None else sheet


def open_rows(path: Path, prefetch: Prefetch | None = None) -> SheetRows:
    """Open ``path`` and stream its rows; raises ``FileProblem`` for a file that cannot be read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileProblem(_("无法读取文件：{reason}。").format(reason=exc.strerror or exc)) from exc
    if size == 0:
        raise FileProblem(_("文件是空的（0 字节）。"))
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise FileProblem(_("无法读取文件：{reason}。").format(reason=exc.strerror or exc)) from exc
    for magic, kind in _OTHER_FORMATS:
        if head.startswith(magic):
            raise FileProblem(_("这不是表格文件，而是{kind}（文件扩展名与内容不符）。").format(kind=kind))
    if head.startswith(_OLE2):
        if _has_encryption_streams(path):
            raise FileProblem(_("文件设有打开密码（已加密），请在 Excel 中取消密码后另存再导入。"))
        return _open_workbook(path, "xls", prefetch)
    if head.startswith(_ZIP):
        return _open_workbook(path, "zip", prefetch)
    return _open_csv(path)


def _has_encryption_streams(path: Path) -> bool:
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return any(data.find(mark) >= 0 for mark in _ENCRYPTION_MARKS)


def _open_workbook(path: Path, kind: str, prefetch: Prefetch | None = None) -> SheetRows:
    import python_calamine as calamine

    ready = prefetch.take(path) if prefetch is not None else None
    if ready is None and kind == "zip":  # no prefetch, or one for the run's first file only
        ready = parse_in_halves(path)
    if ready is not None and ready.height > 0 and ready.width > 0:
        return _sheet_rows(ready, kind)
    try:
        # from_filelike recognises the format from the content, so a renamed file still opens.
        with path.open("rb") as fh:
            workbook = calamine.CalamineWorkbook.from_filelike(fh)
        sheet = None
        for index in range(len(workbook.sheet_names)):
            candidate = workbook.get_sheet_by_index(index)
            if candidate.height > 0 and candidate.width > 0:
                sheet = candidate
                break
    except calamine.PasswordError as exc:
        raise FileProblem(_("文件设有打开密码（已加密），请在 Excel 中取消密码后另存再导入。")) from exc
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, OSError, ValueError) as exc:
        log.info("calamine refused a %s file: %s", kind, exc)
        if kind == "zip":
            message = _(
                "文件已损坏或不完整（可能下载或复制时中断），无法作为 Excel 表格打开，请重新获取文件。"
            )
        else:
            message = _(
                "文件无法作为 Excel 表格打开（已损坏或格式不受支持），请用 Excel 另存为 .xlsx 后再导入。"
            )
        raise FileProblem(message) from exc
    except Exception as exc:  # calamine raises plain exceptions for some malformed parts
        log.info("calamine failed on a %s file: %r", kind, exc)
        raise FileProblem(_("文件已损坏，无法作为 Excel 表格打开，请重新获取文件。")) from exc
    if sheet is None:
        raise FileProblem(_("文件中没有任何内容（所有工作表都是空的）。"))
    return _sheet_rows(sheet, kind)


def _sheet_rows(sheet: Any, kind: str) -> SheetRows:
    start_col = (sheet.start or (0, 0))[1]
    merged = list(sheet.merged_cell_ranges or [])

    rows = sheet.numbered_rows() if isinstance(sheet, SheetHalves) else numbered_rows(sheet)
    return SheetRows(rows, sheet.height, start_col, merged, sheet.name, kind)


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Excel and WPS on a Chinese Windows save "CSV" in the ANSI code page: GBK, a subset of GB18030.
    return raw.decode("gb18030")


def _open_csv(path: Path) -> SheetRows:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(_("无法识别的文件格式：既不是 Excel/WPS 表格，也不是 CSV 文本。"))
    try:
        text = _decode(raw)
    except UnicodeDecodeError as exc:
        raise FileProblem(
            _("CSV 文件的编码无法识别（不是 UTF-8 也不是 GB18030），请在 Excel 中另存为“CSV UTF-8”。")
        ) from exc
    del raw
    if not text.strip():
        raise FileProblem(_("文件中没有任何内容。"))
    sample = text[:8192]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    total = text.count("\n") + (0 if text.endswith("\n") else 1)
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise FileProblem(
                _("CSV 文件第 {row} 行格式有误：{reason}。").format(row=reader.line_num, reason=exc)
            ) from exc

    return SheetRows(rows(), total, 0, [], os.path.basename(path), "csv")
