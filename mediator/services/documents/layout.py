"""Shared reportlab helpers for every document the app prints: the CJK font, paragraph styles,
"第 x 页 共 y 页", the footer with the data fingerprint and its QR code, signature blocks that
become empty AcroForm signature fields, and writing a file without ever leaving half of it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from mediator.errors import UserError
from mediator.i18n import _
from mediator.resources import FONT_PATH as BUNDLED_FONT

# Output files' one home is services/outputs/staging.py; the documents use them through here.
from mediator.services.outputs.staging import (
    STAGED_PREFIX as STAGED_PREFIX,
)
from mediator.services.outputs.staging import (
    STAGED_SUFFIX as STAGED_SUFFIX,
)
from mediator.services.outputs.staging import (
    StagedFiles as StagedFiles,
)
from mediator.services.outputs.staging import (
    atomic_write as atomic_write,
)
from mediator.services.outputs.staging import (
    ensure_writable_folder as ensure_writable_folder,
)
from mediator.services.outputs.staging import (
    published_after as published_after,
)
from mediator.services.outputs.staging import (
    sweep_leftovers as sweep_leftovers,
)
from mediator.services.outputs.staging import (
    temporary_beside as temporary_beside,
)

log = logging.getLogger("mediator.pdf")

FONT_NAME = "LXGWWenKai"
FONT_PATH = BUNDLED_FONT
# The custom document-information key that carries the agreement data fingerprint.
FINGERPRINT_INFO_KEY = "MediatorFingerprint"
PAGE_SIZE = A4
MARGIN_X = 25 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 28 * mm
# The page templates ``render_story`` offers (names for ``NextPageTemplate``).
PORTRAIT = "portrait"
LANDSCAPE = "landscape"

_font: TTFont | None = None


def register_font() -> TTFont:
    """Register the shipped LXGW WenKai TrueType font once per process (about 0.1 s)."""
    global _font
    if _font is None:
        _teach_cjk_line_breaking()
        _faster_stream_compression()
        font = TTFont(FONT_NAME, str(FONT_PATH))  # reportlab always embeds TTFonts as subsets
        _cache_font_tables(font)
        pdfmetrics.registerFont(font)
        _font = font
    return _font


def _cache_font_tables(font: TTFont) -> None:
    # reportlab's makeSubset copies whole tables out of the font file for every subset of every
    # document: the 14 MB glyf table of a CJK font costs ~2 ms per copy. Tables never change,
    # so keep one copy per process.
    face = font.face
    original = face.get_table
    tables: dict[str, bytes] = {}

    def get_table(tag: str) -> bytes:
        if tag not in tables:
            tables[tag] = original(tag)
        return tables[tag]

    face.get_table = get_table

    # Documents seeded with the same template characters (``PageDecorations.seed_text``) share
    # their first subset exactly: build that subset once per process, not once per document.
    original_subset = face.makeSubset
    subsets: dict[tuple[int, ...], bytes] = {}

    def make_subset(subset: list[int]) -> bytes:
        key = tuple(subset)
        if key not in subsets:
            if len(subsets) > 16:
                subsets.clear()
            subsets[key] = original_subset(subset)
        return subsets[key]

    face.makeSubset = make_subset


def _faster_stream_compression() -> None:
    # Font subsets of a CJK font are ~140 KB of glyph data per agreement; zlib's default level 6
    # spends ~3.6 ms on them, level 1 ~1 ms for files 5% larger. Batch generation is bound by this.
    import zlib

    from reportlab.pdfbase import pdfdoc

    compressed: dict[bytes, bytes] = {}

    def encode(self: Any, text: str | bytes) -> bytes:
        data = text.encode("utf8") if isinstance(text, str) else text
        if len(data) < 20_000:
            return zlib.compress(data, 1)
        # A shared font subset (see _cache_font_tables) is the same bytes object every time.
        if data not in compressed:
            if len(compressed) > 16:
                compressed.clear()
            compressed[data] = zlib.compress(data, 1)
        return compressed[data]

    pdfdoc.PDFStreamFilterZCompress.encode = encode
    # ASCII85 on top of Flate keeps a PDF 7-bit clean for mail gateways of the 1990s, costs
    # ~1 ms per page in pure Python and makes files 25% larger. Binary streams are standard PDF.
    from reportlab import rl_config

    rl_config.useA85 = 0


# Line-breaking rules for Chinese text (GB/T 15834 punctuation; "禁则"): these never start a line...
CANNOT_START = "，。、；：！？）》」』】〕〉”’…—·％"
# ...and these never end one.
CANNOT_END = "（《「『【〔〈“‘"
# Words a line never breaks inside (labels, case numbers, amounts): "联系电/话" or "申请人/一"
# reads as a typo on a court document.
KEEP_TOGETHER = re.compile(
    r"[（(]\d{4}[）)][\u4e00-\u9fff]\d{0,4}[\u4e00-\u9fff]{1,5}\d+号"  # 案号
    r"|[（(〔]\d{4}[）)〕]\d+号"  # a decision's number, 〔2024〕12号
    r"|联系电话|公民身份号码|身份证件号码|统一社会信用代码|法定代表人|委托代理人|被申请人|申请人[一二]?"
    r"|证券账户|股票代码|股票简称|调解组织|调解员|协议编号|诉前调解案号|案号|甲方|乙方|人民法院|虚假陈述|双方"
    r"|\d{4}年\d{1,2}月\d{1,2}日|第\d+批|第[一二三四五六七八九十百零]+[条期]"  # dates, 第15批, 第二十五条
    r"|\d[\d,.]*\d"  # figures: amounts, ID and phone numbers
)
_KEEP_WINDOW = 30


def _teach_cjk_line_breaking() -> None:
    # reportlab's CJK wrapping lets "，；：" start a line and, when a closing bracket hangs at the end
    # of a line, puts the punctuation after it ("）；") at the start of the next; an opening bracket
    # may end a line. A court document must not look like that: re-break such lines one
    # character earlier (a slightly ragged right edge, as typesetters do).
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph as rl_paragraph

    for module in (textsplit, rl_paragraph):
        extra = "".join(c for c in CANNOT_START if c not in module.ALL_CANNOT_START)
        module.ALL_CANNOT_START += extra
    # dumbSplit(word, widths, maxWidths) and cjkFragSplit(frags, maxWidths, calcBounds)
    textsplit.dumbSplit = _rebreaking(textsplit.dumbSplit, _plain_line_text, 2)
    rl_paragraph.cjkFragSplit = _rebreaking(rl_paragraph.cjkFragSplit, _frag_line_text, 1)


def _plain_line_text(line: Any) -> str:
    return str(line[1])


def _frag_line_text(line: Any) -> str:
    words = getattr(line, "words", None) or []
    return "".join(str(getattr(word, "text", "")) for word in words)


def _rebreaking(split: Any, line_text: Any, limits_at: int) -> Any:
    """Wrap a reportlab line splitter (its ``limits_at``-th argument is the list of line widths):
    re-run it with a narrower line wherever a break is wrong."""

    def rebreak(*args: Any, **kwargs: Any) -> Any:
        args_list = list(args)
        given = args_list[limits_at]
        limits = list(given) if isinstance(given, list | tuple) else [given]
        args_list[limits_at] = limits
        lines = split(*args_list, **kwargs)
        for _attempt in range(24):
            texts = [line_text(line) for line in getattr(lines, "lines", lines)]
            moves = ((k, _wrong_break(texts[k], texts[k + 1])) for k in range(len(texts) - 1))
            bad, move = next(((k, m) for k, m in moves if m), (None, 0))
            if bad is None:
                break
            # Narrow line ``bad`` by the characters that must move down; later lines keep their width.
            # Half-width characters (digits) count half: narrowing by a full em each would push
            # words before them down too ("双/方于2025年5月19日"); too little narrowing just loops again.
            while len(limits) <= bad + 1:
                limits.append(limits[-1])
            limits[bad] -= _em(args_list) * _ems(texts[bad][-move:])
            lines = split(*args_list, **kwargs)
        return lines

    return rebreak


def _wrong_break(line: str, next_line: str) -> int:
    """How many characters of ``line`` must move to the next line (0: the break is right)."""
    if not (line and next_line):
        return 0
    if next_line[0] in CANNOT_START or line[-1] in CANNOT_END:
        return 1
    tail = line[-_KEEP_WINDOW:]
    joined = tail + next_line[:_KEEP_WINDOW]
    for match in KEEP_TOGETHER.finditer(joined):
        if match.start() < len(tail) < match.end() and len(tail) - match.start() < len(line):
            return len(tail) - match.start()
    return 0


def _ems(text: str) -> float:
    """The width of ``text`` in ems, roughly: full-width characters 1, half-width ones 0.5."""
    return sum(0.5 if unicodedata.east_asian_width(char) in ("Na", "H") else 1.0 for char in text)


def _em(args: list[Any]) -> float:
    """One full-width character: the widest measured character (dumbSplit) or the frags' font size."""
    widths = args[1]
    if isinstance(widths, list | tuple) and widths and isinstance(widths[0], int | float):
        return float(max(widths))
    sizes = [getattr(frag, "fontSize", 0) for frag in args[0] if hasattr(frag, "fontSize")]
    return float(max(sizes, default=12))


def missing_characters(texts: Iterable[str]) -> list[str]:
    """Characters of ``texts`` the font has no glyph for (whitespace and controls ignored)."""
    cmap = register_font().face.charToGlyph
    # Each distinct character once, in order of appearance (a batch checks ~600 texts per case).
    distinct = dict.fromkeys("".join(texts))
    return [
        char
        for char in distinct
        if ord(char) not in cmap and not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf")
    ]


def check_coverage(texts: Iterable[str], *, where: str) -> None:
    """Raise ``UserError`` naming ``where`` when a character would print as an empty box.

    A font without a glyph drops the character silently; a name printed wrongly on a legal
    document is worse than no document, so we refuse before rendering.
    """
    missing = missing_characters(texts)
    if missing:
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in missing)
        raise UserError(
            _("{where}：字体中没有字符 {chars}，无法正确打印；请核对该内容。").format(
                where=where, chars=shown
            )
        )


def cn_date(day: date | None) -> str:
    """A date as Chinese documents write it: 2025年3月12日."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


_CN_DIGITS = "零一二三四五六七八九"


def cn_count(number: int) -> str:
    """A small count in Chinese numerals as documents write it: 2 → 两, 4 → 四, 12 → 十二, 20 → 二十."""
    if number == 2:
        return "两"  # 分两期, 一式两份: a count of two is 两, never 二
    if not 0 <= number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles by the names templates use (title, number, heading, para, plain, clause...)."""
    register_font()
    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=12, leading=21, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", base, fontSize=22, leading=30, alignment=TA_CENTER, spaceAfter=6),
        "number": ParagraphStyle("number", base, fontSize=11, alignment=TA_RIGHT, spaceAfter=10),
        "heading": ParagraphStyle("heading", base, fontSize=13, spaceBefore=8, spaceAfter=2),
        "para": ParagraphStyle("para", base, firstLineIndent=24),
        "plain": ParagraphStyle("plain", base),
        "clause": ParagraphStyle("clause", base, firstLineIndent=24),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT),
        "center": ParagraphStyle("center", base, alignment=TA_CENTER),
        "small": ParagraphStyle("small", base, fontSize=9, leading=13, alignment=TA_LEFT),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=12),
        "table": ParagraphStyle("table", base, fontSize=8, leading=10),
        "table_right": ParagraphStyle("table_right", base, fontSize=8, leading=10, alignment=TA_RIGHT),
        "signature": ParagraphStyle("signature", base, leftIndent=240, leading=26),
    }


@dataclass
class PageDecorations:
    """What every page carries: the page label, the footer line and an optional QR code."""

    page_label: str = "第 {page} 页　共 {pages} 页"
    footer_text: str = ""
    qr_text: str | None = None
    title: str = ""
    fingerprint: str | None = None
    # Characters every document of this kind uses, assigned to the font subset first and in a
    # fixed order, so that the first subset is the same in every document (and built once).
    seed_text: str = ""


class SignatureBlock(Flowable):
    """A signature block: the label, a box for the signature and a date line.

    Its ``draw`` knows the box's absolute position on the page only then, and places an empty
    AcroForm signature field named ``name`` exactly over it (reportlab has no signature fields).
    """

    def __init__(self, name: str, label: str, date_line: str) -> None:
        super().__init__()
        self.name = name
        self.label_lines = label.split("\n")
        self.date_line = date_line
        self.box_width = 62 * mm
        self.box_height = 18 * mm

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = max(len(self.label_lines) * 16, 16) + self.box_height + 4
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFont(FONT_NAME, 12)
        top = self.height
        for index, line in enumerate(self.label_lines):
            canvas.drawString(0, top - 14 - index * 16, line)
        box_x = self.width - self.box_width
        box_y = 2
        canvas.setStrokeColor(colors.HexColor("#B0B0B0"))
        canvas.setDash(2, 2)
        canvas.rect(box_x, box_y, self.box_width, self.box_height, stroke=1, fill=0)
        canvas.setDash()
        canvas.setStrokeColor(colors.black)
        canvas.setFont(FONT_NAME, 11)
        canvas.drawString(0, box_y + 4, self.date_line)
        x1, y1 = canvas.absolutePosition(box_x, box_y)
        x2, y2 = canvas.absolutePosition(box_x + self.box_width, box_y + self.box_height)
        add_native_signature_field(canvas, self.name, (round(x1), round(y1), round(x2), round(y2)))


def add_native_signature_field(canvas: Canvas, name: str, box: tuple[int, int, int, int]) -> None:
    """An empty, unsigned AcroForm signature field (/FT /Sig widget) on the current page.

    The same objects pyHanko's ``append_signature_field`` writes, made while the page is drawn:
    re-reading and rewriting the file with pyHanko afterwards costs about 2 ms per agreement,
    an eighth of the batch time.
    """
    acro_form = canvas.acroForm
    widget = PDFDictionary(
        {
            "Type": PDFName("Annot"),
            "Subtype": PDFName("Widget"),
            "FT": PDFName("Sig"),
            "T": PDFString(name),
            "Rect": PDFArray(list(box)),
            "F": 4,  # print
        }
    )
    canvas._addAnnotation(widget)
    acro_form.fields.append(acro_form.getRef(widget))


class _InfoWithFingerprint(PDFInfo):
    """Document information plus a custom key carrying the data fingerprint."""

    fingerprint = ""

    def format(self, document: Any) -> bytes:
        formatted = super().format(document)
        if not self.fingerprint:
            return formatted
        extra = PDFDictionary({FINGERPRINT_INFO_KEY: PDFString(self.fingerprint)}).format(document)
        # Merge "<< ... >>" and "<< /MediatorFingerprint (...) >>" into one dictionary.
        return formatted.rstrip()[:-2] + extra.strip()[2:]


def template_seed_text(texts: Iterable[str]) -> str:
    """The characters of a template's fixed text (placeholders removed), sorted: a font seed."""
    import re

    placeholders = re.compile(r"\{[^{}]*\}")
    chars = set("".join(placeholders.sub("", t) for t in texts))
    chars |= set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整年月日第页共")
    return "".join(sorted(c for c in chars if ord(c) >= 128))


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code modules of ``text`` (level M, no quiet zone: the page margin is one)."""
    from mediator.services.documents import qr

    return qr.qr_matrix(text)


def canvas_class(decorations: PageDecorations, page_size: tuple[float, float] = PAGE_SIZE) -> type[Canvas]:
    """A canvas that holds pages back until the end, so each can say "第 x 页 共 y 页"."""

    # Outside the canvas: save() restores each held page's __dict__, which would forget it.
    qr_ready: list[bool] = [False]

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # The default initial font is Helvetica, which would be referenced and not embedded.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT_NAME
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            info = _InfoWithFingerprint()
            info.fingerprint = decorations.fingerprint or ""
            self._doc.info = info
            if decorations.seed_text:
                register_font().splitString(decorations.seed_text, self._doc)

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            # This page's own width: a landscape schedule page is wider than the portrait pages.
            width = float(getattr(self, "_pagesize", page_size)[0])
            self.saveState()
            self.setFont(FONT_NAME, 9)
            label = decorations.page_label.format(page=self._pageNumber, pages=total)
            self.drawCentredString(width / 2, 12 * mm, label)
            if decorations.footer_text:
                self.setFont(FONT_NAME, 7)
                self.setFillColor(colors.HexColor("#555555"))
                for index, line in enumerate(decorations.footer_text.split("\n")):
                    self.drawString(MARGIN_X, 20 * mm - index * 9, line)
            if decorations.qr_text:
                if not qr_ready[0]:
                    self._make_qr_form(decorations.qr_text)
                    qr_ready[0] = True
                self.doForm("fingerprint_qr")
            self.restoreState()

        def _make_qr_form(self, text: str) -> None:
            # Drawn once per document as a form XObject and reused on every page.
            size = 17 * mm
            matrix = qr_matrix(text)
            module = size / len(matrix)
            width, _height = page_size
            x0, y0 = width - MARGIN_X - size, 6 * mm
            self.beginForm("fingerprint_qr")
            # One path of rectangles, one per run of dark modules, written as raw PDF operators:
            # ~450 canvas.rect() calls cost more than the rest of the page decorations together.
            ops: list[str] = ["0 g"]
            for row_index, row in enumerate(matrix):
                y = y0 + size - (row_index + 1) * module
                column = 0
                while column < len(row):
                    if not row[column]:
                        column += 1
                        continue
                    start = column
                    while column < len(row) and row[column]:
                        column += 1
                    ops.append(
                        f"{x0 + start * module:.2f} {y:.2f} {(column - start) * module:.2f} {module:.2f} re"
                    )
            ops.append("f")
            self._code.append("\n".join(ops))
            self.endForm()

    return NumberedCanvas


def render_story(story: Sequence[Flowable], decorations: PageDecorations, *, title: str = "") -> bytes:
    """Lay ``story`` out on A4 pages with the decorations; returns the PDF bytes."""
    register_font()
    buffer = BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title or decorations.title,
        author="江苏省证券业协会",
        creator="mediator",
    )
    # Portrait pages, and landscape ones a wide table switches to (``NextPageTemplate(LANDSCAPE)``
    # before its page break): a schedule with full ID numbers and addresses needs the width.
    templates = []
    for name, size in ((PORTRAIT, PAGE_SIZE), (LANDSCAPE, landscape(PAGE_SIZE))):
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            size[0] - 2 * MARGIN_X,
            size[1] - MARGIN_TOP - MARGIN_BOTTOM,
            id=name,
            leftPadding=6,
            rightPadding=6,
            topPadding=6,
            bottomPadding=6,
        )
        templates.append(PageTemplate(id=name, frames=[frame], pagesize=size))
    document.addPageTemplates(templates)
    document.build(list(story), canvasmaker=canvas_class(decorations))
    return buffer.getvalue()
