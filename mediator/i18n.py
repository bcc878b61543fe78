"""One message catalog for GUI, CLI and domain messages (gettext, maintained with Babel).

Source strings (msgids) are Chinese, the users' language, so the app speaks Chinese with no
catalog at all; ``resources/translations/<lang>/LC_MESSAGES/mediator.po`` translates them.
"""

from __future__ import annotations

import gettext
import os

from mediator.resources import LOCALE_DIR

DOMAIN = "mediator"

SUPPORTED_LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def set_language(language: str | None) -> str:
    """Switch the catalog; unknown or missing languages fall back to Chinese. Returns the one in use."""
    global _translation, _language
    language = language or os.environ.get("MEDIATOR_LANG") or DEFAULT_LANGUAGE
    if language not in SUPPORTED_LANGUAGES or language == DEFAULT_LANGUAGE:
        _translation, _language = gettext.NullTranslations(), DEFAULT_LANGUAGE
        return _language
    _translation = _load_catalog(language)
    _language = language
    return _language


def current_language() -> str:
    return _language


def _load_catalog(language: str) -> gettext.NullTranslations:
    mo = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if mo.exists():
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    po = mo.with_suffix(".po")
    if po.exists():
        # A fresh checkout carries only the .po: compile it in memory with Babel.
        from io import BytesIO

        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as fh:
            catalog = read_po(fh)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    return gettext.NullTranslations()


def _(message: str) -> str:
    """Translate a message; its msgid is the Chinese text."""
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated where shown)."""
    return message


set_language(os.environ.get("MEDIATOR_LANG"))
