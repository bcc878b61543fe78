"""Preview and print the agreements of a selection of cases (QPdfView, QPrinter).

The PDFs are rendered off the GUI thread by the same service the CLI uses (``gui.jobs``, write
pool: generating an agreement fixes its number in the database) into a temporary folder that
lives as long as the dialog. Printing draws each page, rendered by QPdfDocument, on the printer.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mediator.gui.jobs import JobHandle, Pool, run_job
from mediator.i18n import _
from mediator.services.documents.agreement import AgreementRun, generate_agreements
from mediator.services.progress import Progress
from mediator.store.database import Database

log = logging.getLogger("mediator.gui.documents")

PRINT_DPI = 300
# Small selections render in the worker thread itself; larger ones use two spawned processes.
_POOL_THRESHOLD = 24


class DocumentPreviewDialog(QDialog):
    """The agreements of ``case_ids``: a case list on the side, the PDF, a print button."""

    def __init__(self, database: Database, case_ids: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("调解协议书预览"))
        self.resize(1100, 800)
        self._database = database
        self._case_ids = list(case_ids)
        self._folder = tempfile.TemporaryDirectory(prefix="mediator-preview-")
        self._paths: list[Path] = []
        self.job: JobHandle[AgreementRun] | None = None

        self.case_list = QListWidget()
        self.case_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.case_list.currentRowChanged.connect(self._show_row)
        self.document = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.status = QLabel(_("正在生成协议书……"))

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.case_list)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([260, 840])

        self.print_button = QPushButton(_("打印所选…"))
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.print_button)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self._start()

    # --- rendering ---------------------------------------------------------------------------------

    def _start(self) -> None:
        database, case_ids, folder = self._database, self._case_ids, Path(self._folder.name)
        large = len(case_ids) > _POOL_THRESHOLD

        def op(progress: Progress) -> AgreementRun:
            return generate_agreements(
                database,
                case_ids=case_ids,
                out_dir=folder,
                jobs=2 if large else 1,
                progress=progress,
                start_method="spawn" if large else None,
                # Printing a signed agreement again is fine while it is the very paper signed;
                # one whose data changed since is left out and named (never re-issued here).
                reprint_signed=True,
            )

        self.job = run_job(
            self,
            op,
            title=_("正在生成调解协议书"),
            on_success=self._loaded,
            on_failure=self._failed,
            pool=Pool.WRITE,
        )

    def _loaded(self, run: AgreementRun) -> None:
        self._paths = [f.path for f in run.files]
        self.case_list.clear()
        for generated in run.files:
            item = QListWidgetItem(f"{generated.case_number}\n{generated.agreement_number}")
            item.setData(Qt.ItemDataRole.UserRole, str(generated.path))
            self.case_list.addItem(item)
        self.print_button.setEnabled(bool(self._paths))
        if run.skipped_signed:  # signed agreements whose data changed since: named, not shown
            self.status.setToolTip(run.summary())
            if not self._paths:
                self.status.setText(run.summary())
        if self._paths:
            self.case_list.setCurrentRow(0)
            self.case_list.item(0).setSelected(True)

    def _failed(self, exc: BaseException) -> None:
        from mediator.gui.errors import show_error

        self.status.setText(_("未能生成协议书。"))
        show_error(self, exc)

    def _show_row(self, row: int) -> None:
        if not 0 <= row < len(self._paths):
            return
        self.document.close()
        error = self.document.load(str(self._paths[row]))
        if error != QPdfDocument.Error.None_:
            self.status.setText(_("无法打开 {file}。").format(file=self._paths[row].name))
            return
        self.status.setText(
            _("{case}：共 {pages} 页").format(case=self._paths[row].stem, pages=self.document.pageCount())
        )

    @property
    def page_count(self) -> int:
        """Pages of the agreement on show (0 before it is rendered)."""
        return self.document.pageCount()

    # --- printing ----------------------------------------------------------------------------------

    def selected_paths(self) -> list[Path]:
        rows = sorted(self.case_list.row(item) for item in self.case_list.selectedItems())
        return [self._paths[row] for row in rows] or self._paths[:1]

    def print_selected(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("打印调解协议书"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer, self.selected_paths())

    def print_to(self, printer: QPrinter, paths: list[Path]) -> int:
        """Draw every page of ``paths`` on ``printer``; returns the number of pages printed."""
        painter = QPainter()
        if not painter.begin(printer):
            self.status.setText(_("打印机不可用。"))
            return 0
        printed = 0
        try:
            for path in paths:
                document = QPdfDocument()
                if document.load(str(path)) != QPdfDocument.Error.None_:
                    continue
                for page in range(document.pageCount()):
                    if printed:
                        printer.newPage()
                    # 300 dpi is plenty for text; the printer's own resolution (1200 dpi) would
                    # make a half-gigabyte image per page.
                    points = document.pagePointSize(page)
                    pixels = QSize(
                        round(points.width() * PRINT_DPI / 72), round(points.height() * PRINT_DPI / 72)
                    )
                    image = document.render(page, pixels)
                    painter.drawImage(_fit(pixels, painter.viewport()), image)
                    printed += 1
                document.close()
        finally:
            painter.end()
        self.status.setText(_("已发送打印 {pages} 页。").format(pages=printed))
        return printed

    def done(self, result: int) -> None:
        self.document.close()
        super().done(result)

    def closeEvent(self, event: Any) -> None:
        self.document.close()
        super().closeEvent(event)


def _fit(size: QSize, target: Any) -> Any:
    """The largest rectangle with ``size``'s aspect ratio centred in ``target``."""
    from PySide6.QtCore import QRect

    scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
    x = target.x() + (target.width() - scaled.width()) // 2
    y = target.y() + (target.height() - scaled.height()) // 2
    return QRect(x, y, scaled.width(), scaled.height())
