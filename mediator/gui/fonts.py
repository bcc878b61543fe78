"""Chinese text needs a CJK font: without one Qt draws empty boxes. Windows ships several; a bare
Linux container has none, so the app registers the font it ships (LXGW WenKai, OFL-1.1) as a
fallback. Checking is cheap (the font database is queried once); loading the 16 MB font is done
only when no installed family can draw Chinese."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from mediator.resources import FONT_PATH

log = logging.getLogger("mediator.gui")

BUNDLED_FONT = FONT_PATH


def has_cjk_font() -> bool:
    """Whether an installed font family claims Simplified Chinese."""
    return bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def ensure_cjk_font(app: QApplication, *, force_bundled: bool = False) -> str | None:
    """Register the bundled font when the system has no Chinese font. Returns its family, if loaded."""
    if has_cjk_font() and not force_bundled:
        return None
    if not BUNDLED_FONT.exists():
        log.warning("no CJK font installed and the bundled font is missing: Chinese will show as boxes")
        return None
    font_id = QFontDatabase.addApplicationFont(str(BUNDLED_FONT))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("could not load the bundled CJK font %s", BUNDLED_FONT.name)
        return None
    family = families[0]
    # Keep the platform's UI face for Latin text, fall back to the CJK face for Chinese.
    base = app.font()
    QFont.insertSubstitution(base.family(), family)
    font = QFont(base)
    font.setFamilies([base.family(), family])
    app.setFont(font)
    log.info("registered bundled CJK font %s", family)
    return family
