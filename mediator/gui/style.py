"""Colours shared by the views: one per case status (the stacked bars, charts and the legend)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from mediator.domain.workflow import CaseStatus

STATUS_COLOURS: dict[CaseStatus, QColor] = {
    CaseStatus.REFERRED: QColor("#c9d6e8"),
    CaseStatus.CONTACTED: QColor("#93b4dc"),
    CaseStatus.MEDIATING: QColor("#5b8fd0"),
    CaseStatus.AGREED: QColor("#f2c14e"),
    CaseStatus.SIGNED: QColor("#e9a23b"),
    CaseStatus.CONFIRMATION_APPLIED: QColor("#b3d89c"),
    CaseStatus.CONFIRMED: QColor("#7cc46a"),
    CaseStatus.PARTIALLY_PAID: QColor("#44a35a"),
    CaseStatus.PAID: QColor("#1b6e2d"),
    CaseStatus.FAILED: QColor("#d9534f"),
    CaseStatus.RETURNED_TO_COURT: QColor("#9e9e9e"),
}
WARNING_RED = QColor("#c62828")
