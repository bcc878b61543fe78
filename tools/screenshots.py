"""Save screenshots of the main screens to docs/screenshots/ (for the README).

Run under a virtual X display so fonts and styles render as on a desktop:

    xvfb-run -a -s "-screen 0 1600x1000x24" python tools/screenshots.py

It shows the first start on an empty work database, then loads the demo into a database of its own
(marked as the demo's, as `mediator demo` does) and shows the app as of a day just after the demo
year's last referral, so that terms and deadlines have days left to show.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_TODAY = date(2025, 6, 10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")
    sys.path.insert(0, str(ROOT))

    from mediator.i18n import set_language

    set_language(args.lang)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from mediator.demo.first_year import load_demo
    from mediator.gui.app import install_qt_translations
    from mediator.gui.fonts import ensure_cjk_font
    from mediator.gui.main_window import CASES_TAB, DASHBOARD_TAB, MainWindow
    from mediator.store.database import open_database

    app = QApplication(sys.argv)
    ensure_cjk_font(app)
    install_qt_translations(app)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)

        def settle() -> None:
            for _ in range(5):
                app.processEvents()

        def wait(busy: Any) -> None:
            # The window reads its lists in workers: let them land before the picture.
            for _ in range(500):
                app.processEvents()
                if not busy():
                    break
                time.sleep(0.01)
            settle()

        def grab(widget: QWidget, name: str) -> None:
            settle()
            path = args.out / name
            widget.grab().save(str(path))
            print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

        # The first start: an empty work database offers the first steps (and stays empty).
        work = open_database(f"sqlite:///{Path(folder) / 'work.db'}")
        first = MainWindow(work, settings, today=lambda: DEMO_TODAY)
        first.resize(1500, 900)
        first.show()
        wait(lambda: first.loading)
        grab(first, "first_start.png")
        first.close()
        wait(lambda: first.loading)

        # The demo in its own database, marked as the demo's (title bar and banner).
        database = open_database(f"sqlite:///{Path(folder) / 'demo.db'}")
        with database.transaction() as session:
            load_demo(session)
        window = MainWindow(database, settings, today=lambda: DEMO_TODAY)
        window.resize(1500, 900)
        window.show()
        wait(lambda: window.loading)

        window.form.tabs.setCurrentIndex(0)
        window.form.batchTable.selectRow(0)
        grab(window, "main_window.png")

        # 登记 › 上市公司…: the form checks the USCC's check digit as it is typed.
        registry = window.open_registry(0)
        wait(lambda: registry.busy)
        registry.companies.list.setCurrentRow(0)
        uscc = registry.companies.form.edits["uscc"]
        uscc.setText(uscc.text()[:-1] + ("0" if not uscc.text().endswith("0") else "1"))
        grab(registry, "registry.png")
        registry.close()

        window.form.tabs.setCurrentIndex(CASES_TAB)
        window.form.caseTable.selectRow(2)
        grab(window, "cases.png")

        # The detail panel of a case in mediation, with its history and contact attempts.
        combo = window.form.statusCombo
        combo.setCurrentIndex(combo.findData("mediating"))
        window.form.caseTable.selectRow(0)
        window.detail.form.detailTabs.setCurrentIndex(0)
        settle()
        grab(window.form.detailArea, "case_detail.png")
        combo.setCurrentIndex(0)

        # Judicial confirmation in the detail panel: a signed case with its 30-day window.
        combo.setCurrentIndex(combo.findData("signed"))
        window.form.caseTable.selectRow(0)
        window.detail.form.detailTabs.setCurrentWidget(window.detail.form.documentsTab)
        settle()
        grab(window.form.detailArea, "case_confirmation.png")
        window.detail.form.detailTabs.setCurrentIndex(0)
        combo.setCurrentIndex(0)

        window.form.tabs.setCurrentIndex(DASHBOARD_TAB)
        grab(window, "dashboard.png")

        # The 文档 menu: a signing package for a batch with agreed cases, then files back from the
        # court's signing module: one signed (by a CA outside the trusted roots: a warning), one
        # changed after signing and one nobody signed (both rejected).
        from PySide6.QtWidgets import QFileDialog

        from mediator.domain.workflow import CaseStatus

        package = Path(folder) / "签署包"
        package.mkdir()
        choose_folder = QFileDialog.getExistingDirectory
        QFileDialog.getExistingDirectory = lambda *_args, **_kw: str(package)  # type: ignore[method-assign]
        window.form.tabs.setCurrentIndex(0)
        model = window.batch_model
        row = next(
            r
            for r in range(model.rowCount())
            if model.batch(r).by_status.get(CaseStatus.AGREED, 0) >= 3  # type: ignore[union-attr]
        )
        window.form.batchTable.selectRow(row)

        def run(action: Any) -> None:
            action.trigger()
            job = window.document_jobs.job
            while job is not None and job.running:
                app.processEvents()
            settle()

        run(window.document_actions["sign-package"])
        grab(window.document_jobs.result_dialog, "sign_package.png")
        window.document_jobs.result_dialog.close()
        returned = Path(folder) / "已签署"
        returned.mkdir()
        signed_back(package, returned)
        QFileDialog.getExistingDirectory = lambda *_args, **_kw: str(returned)  # type: ignore[method-assign]
        run(window.document_actions["signed-import"])
        grab(window.document_jobs.result_dialog, "signed_import.png")
        window.document_jobs.result_dialog.close()
        QFileDialog.getExistingDirectory = choose_folder  # type: ignore[method-assign]
        from mediator.gui.jobs import wait_for_all_jobs

        wait_for_all_jobs()
        window.close()
        database.dispose()
        work.dispose()
        # Let Qt delete the windows and finished jobs while the application still exists.
        window.document_jobs.job = None
        window.deleteLater()
        settle()
    return 0


def signed_back(package: Path, returned: Path) -> None:
    """Three of the package's agreements as the signing module might return them: signed by all
    three parties, signed and then altered, and not signed at all."""
    import json
    import shutil

    # The throw-away PKI of the signing tests: certificates made here, outside any trusted root.
    from tests.fixtures.signing_helpers import make_ca, sign_all

    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    entries = manifest["documents"]
    if len(entries) < 3:
        raise SystemExit("the batch needs at least three agreements awaiting signature")
    pki = make_ca(returned.parent, "某电子认证服务机构（测试）")

    def signed(entry: dict[str, Any]) -> bytes:
        from mediator.domain.agreement_terms import SIGNATURE_FIELDS

        names = {
            field: signer or "调解员"
            for field, signer in zip(SIGNATURE_FIELDS, entry["signers"], strict=False)
        }
        return sign_all((package / entry["file"]).read_bytes(), pki, names)

    good, altered, unsigned = entries[:3]
    (returned / good["file"]).write_bytes(signed(good))
    # Altered after signing: one byte of the signed content changes (the digests no longer match).
    data = signed(altered)
    at = data.index(b"ReportLab")
    data = data[:at] + b"Reportlab" + data[at + len(b"ReportLab") :]
    (returned / altered["file"]).write_bytes(data)
    shutil.copyfile(package / unsigned["file"], returned / unsigned["file"])


if __name__ == "__main__":
    sys.exit(main())
