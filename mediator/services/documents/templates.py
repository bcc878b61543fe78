"""Document templates the association edits without code: one TOML file per document in
``resources/templates`` (the single home of templates), found by its name (``agreement`` →
``resources/templates/agreement.toml``).

A template is a list of blocks (paragraphs) with a style and a text holding ``{placeholders}``.
A text may be a list of pieces: a piece whose placeholders are all empty is left out, so an
investor without a phone number gets no "联系电话：" piece. A block with ``when = "flag"`` appears
only when that flag is set (lump sum or installments, an agent present...).
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from mediator.errors import UserError
from mediator.i18n import _
from mediator.resources import TEMPLATE_DIR as RESOURCE_TEMPLATES

TEMPLATE_DIR = RESOURCE_TEMPLATES

_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class Block:
    """One paragraph of a filled-in template: its style and its text (reportlab paragraph markup)."""

    style: str
    text: str
    kind: str = "text"


class DocumentTemplate:
    """A parsed template file; ``fill`` and ``blocks`` put the values in."""

    def __init__(self, name: str, data: dict[str, Any], path: Path) -> None:
        self.name = name
        self.data = data
        self.path = path

    def section(self, key: str) -> dict[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise self._error(_("“{key}”应为一个表（[{key}]）").format(key=key))
        return value

    def text(self, section: str, key: str, values: Mapping[str, object], *, markup: bool = False) -> str:
        """The filled-in text of ``[section] key`` (plain text unless ``markup``)."""
        raw = self.section(section).get(key)
        if raw is None:
            raise self._error(_("缺少 [{section}] 中的 {key}").format(section=section, key=key))
        return self.fill(str(raw), values, markup=markup)

    def fill(self, text: str, values: Mapping[str, object], *, markup: bool = False) -> str:
        """Replace placeholders; ``markup`` escapes the values for reportlab's paragraph markup."""
        out: list[str] = []
        try:
            parsed = list(_FORMATTER.parse(text))
        except ValueError as exc:
            raise self._error(_("花括号不成对：{text}").format(text=text)) from exc
        for literal, field_name, _spec, _conversion in parsed:
            out.append(literal)
            if field_name is None:
                continue
            if field_name not in values:
                raise self._error(_("未知的占位符 {{{name}}}").format(name=field_name))
            value = "" if values[field_name] is None else str(values[field_name])
            out.append(escape(value) if markup else value)
        text = "".join(out)
        return keep_spaces(text) if markup else text

    def blocks(self, values: Mapping[str, object], flags: Mapping[str, bool]) -> list[Block]:
        """The document's paragraphs with the values filled in (as reportlab paragraph markup)."""
        blocks = self.data.get("blocks", [])
        if not isinstance(blocks, list):
            raise self._error(_("“blocks”应写成 [[blocks]]"))
        result: list[Block] = []
        for number, block in enumerate(blocks, start=1):
            when = block.get("when")
            if when is not None:
                if when not in flags:
                    raise self._error(_("第{n}段的条件 when = “{when}” 无效").format(n=number, when=when))
                if not flags[when]:
                    continue
            kind = str(block.get("kind", "text"))
            style = str(block.get("style", "para"))
            if kind != "text":
                result.append(Block(style=style, text="", kind=kind))
                continue
            pieces = block.get("text", "")
            if isinstance(pieces, str):
                kept = [self.fill(pieces, values, markup=True)]
            else:  # a list of pieces: a piece whose placeholders are all empty is left out
                kept = [self.fill(p, values, markup=True) for p in pieces if self._has_values(p, values)]
            text = "".join(kept).replace("\n", "<br/>")
            if text:
                result.append(Block(style=style, text=text))
        return result

    def _has_values(self, piece: str, values: Mapping[str, object]) -> bool:
        names = [field for _lit, field, _s, _c in _FORMATTER.parse(piece) if field is not None]
        if not names:
            return True
        for name in names:
            if name not in values:
                raise self._error(_("未知的占位符 {{{name}}}").format(name=name))
        return any(values[name] not in (None, "") for name in names)

    def _error(self, detail: str) -> UserError:
        return UserError(_("模板 {file} 有误：{detail}。").format(file=self.path.name, detail=detail))


def keep_spaces(markup: str) -> str:
    """Paragraph markup collapses runs of spaces, including the ideographic space U+3000 that
    forms blanks such as "　　年　　月　　日"; non-breaking spaces keep their width."""
    return markup.replace("\u3000", "\u00a0" * 3)  # a space is 0.35 em in LXGW WenKai


def template_path(name: str) -> Path:
    return TEMPLATE_DIR / f"{name}.toml"


_cache: dict[str, tuple[float, DocumentTemplate]] = {}


def load_template(name: str) -> DocumentTemplate:
    """The template called ``name``, re-read when its file changed since the last call."""
    path = template_path(name)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise UserError(_("找不到文书模板：{path}。").format(path=path)) from exc
    cached = _cache.get(name)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(_("模板 {file} 有误：{detail}。").format(file=path.name, detail=exc)) from exc
    template = DocumentTemplate(name, data, path)
    _cache[name] = (mtime, template)
    return template
