"""Where the shipped resources (fonts, templates, translations) live: one place for every layer."""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"
FONT_PATH = RESOURCES_DIR / "fonts" / "LXGWWenKai-Regular.ttf"
TEMPLATE_DIR = RESOURCES_DIR / "templates"
LOCALE_DIR = RESOURCES_DIR / "translations"
