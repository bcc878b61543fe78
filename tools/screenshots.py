"""Save screenshots of the main screens to docs/screenshots/ (for the README).

Run under a virtual X display so fonts and styles render as on a desktop:

    xvfb-run -a -s "-screen 0 1600x1000x24" python tools/screenshots.py

It builds a temporary database with the demo data and shows the app as of a day just after the
demo year's last referral, so that terms and deadlines have days left to show.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

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

    from mediator.gui.fonts import ensure_cjk_font
    from mediator.gui.main_window import CASES_TAB, DASHBOARD_TAB, MainWindow
    from mediator.services.demo import load_demo
    from mediator.store.database import open_database

    app = QApplication(sys.argv)
    ensure_cjk_font(app)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'screens.db'}")
        with database.transaction() as session:
            load_demo(session)
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(database, settings, today=lambda: DEMO_TODAY)
        window.resize(1500, 900)
        window.show()

        def settle() -> None:
            for _ in range(5):
                app.processEvents()

        def grab(widget: QWidget, name: str) -> None:
            settle()
            path = args.out / name
            widget.grab().save(str(path))
            print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

        window.form.tabs.setCurrentIndex(0)
        window.form.batchTable.selectRow(0)
        grab(window, "main_window.png")

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

        window.form.tabs.setCurrentIndex(DASHBOARD_TAB)
        grab(window, "dashboard.png")
        window.close()
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
