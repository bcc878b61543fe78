"""Colours shared by the views: the one table of case-status colours (bars, charts, legend, text)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from mediator.domain.workflow import CaseStatus

# status: (fill for bars, charts and the legend; text colour in tables, None = the palette's)
_STATUS_PALETTE: dict[CaseStatus, tuple[str, str | None]] = {
    CaseStatus.REFERRED: ("#c9d6e8", None),
    CaseStatus.CONTACTED: ("#93b4dc", None),
    CaseStatus.MEDIATING: ("#5b8fd0", None),
    CaseStatus.AGREED: ("#f2c14e", None),
    CaseStatus.SIGNED: ("#e9a23b", None),
    CaseStatus.CONFIRMATION_APPLIED: ("#b3d89c", None),
    CaseStatus.CONFIRMED: ("#7cc46a", None),
    CaseStatus.PARTIALLY_PAID: ("#44a35a", None),
    # The ends of the road stand out in the case table: paid in green, failed in red, returned grey.
    CaseStatus.PAID: ("#1b6e2d", "#1b6e2d"),
    CaseStatus.FAILED: ("#d9534f", "#b3261e"),
    CaseStatus.RETURNED_TO_COURT: ("#9e9e9e", "#7a7a7a"),
}
STATUS_COLOURS: dict[CaseStatus, QColor] = {s: QColor(fill) for s, (fill, _text) in _STATUS_PALETTE.items()}
STATUS_TEXT_COLOURS: dict[CaseStatus, QColor] = {
    s: QColor(text) for s, (_fill, text) in _STATUS_PALETTE.items() if text is not None
}
WARNING_RED = QColor("#c62828")
