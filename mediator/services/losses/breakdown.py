"""Each investor's loss breakdown as a printable PDF: the parameters, every trade, every step with
the article it applies. A mediator attaches it to the agreement or shows it to the investor.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from mediator.domain.losses.calculation import LossBreakdown, price_text
from mediator.domain.money import format_money
from mediator.domain.privacy import mask_id_number
from mediator.domain.validators import safe_file_name
from mediator.i18n import _
from mediator.services.documents import layout
from mediator.services.progress import Progress, null_progress

FEN = Decimal("0.01")
RULES = "《最高人民法院关于审理证券市场虚假陈述侵权民事赔偿案件的若干规定》（法释〔2022〕2号）"


def _table(rows: Sequence[Sequence[str]], widths: Sequence[float], right: Sequence[int] = ()) -> Table:
    style = layout.styles()
    cells = [
        [
            Paragraph(escape(text), style["table_right"] if column in right and index else style["table"])
            for column, text in enumerate(row)
        ]
        for index, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), layout.FONT_NAME),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _price(value: Decimal) -> str:
    """A traded price as typed (12.345 keeps its three places), never fewer than two places."""
    return str(value.quantize(FEN)) if value == value.quantize(FEN) else str(value.normalize())


def _amount(value: Decimal | None) -> str:
    return "" if value is None else format_money(value)


def breakdown_story(result: LossBreakdown, company: str | None = None) -> list[Flowable]:
    """The flowables of one investor's breakdown."""
    style = layout.styles()
    p = result.parameters
    title = _("证券虚假陈述投资损失计算明细")
    facts = [
        [_("项目"), _("内容")],
        [_("投资者"), result.investor],
        [_("证件号码"), mask_id_number(result.id_number) or "—"],
        [_("上市公司"), company or "—"],
        [_("虚假陈述类型"), p.kind.label],
        [_("实施日 / 揭露日"), f"{p.implemented_on.isoformat()} / {p.disclosed_on.isoformat()}"],
        [_("买入均价计算方法"), p.method.label],
        [_("基准日 / 基准价"), f"{result.base.day.isoformat()} / {price_text(result.base.price)}"],
        [_("佣金费率"), str(p.commission_rate.normalize())],
        [_("对比指数"), p.index_name or _("指数")],
        [
            _("复权"),
            _("已按复权因子调整至揭露日口径") if p.rights_adjusted else _("未调整（行情无复权因子）"),
        ],
        [
            _("利息"),
            _("计算，年利率 {rate}").format(rate=p.interest_rate)
            if p.interest_rate is not None
            else _("不计"),
        ],
    ]
    trades = [[_("日期"), _("买卖"), _("数量（股）"), _("价格（元）"), _("金额（元）"), _("所处期间")]]
    for trade in result.trades:
        quantity, price = f"{trade.quantity:,}", _price(trade.price)
        if trade.typed is not None:
            # 复权: the restated figures, with the ones on the broker's statement beside them.
            quantity += _("（原 {quantity:,}）").format(quantity=trade.typed[0])
            price = price_text(trade.price) + _("（原 {price}）").format(price=_price(trade.typed[1]))
        trades.append(
            [
                trade.day.isoformat(),
                trade.side.label,
                quantity,
                price,
                format_money(trade.amount.quantize(FEN)),
                result.trade_role(trade),
            ]
        )
    steps = [[_("依据"), _("项目"), _("计算"), _("金额（元）")]]
    steps += [[step.article, step.label, step.detail, _amount(step.amount)] for step in result.steps]
    return [
        Paragraph(escape(title), style["title"]),
        Paragraph(escape(_("依据：{rules}").format(rules=RULES)), style["small"]),
        Spacer(1, 6),
        _table(facts, (40, 120)),
        Spacer(1, 8),
        Paragraph(escape(_("交易记录")), style["heading"]),
        _table(trades, (24, 14, 26, 24, 30, 42), right=(2, 3, 4)),
        Spacer(1, 8),
        Paragraph(escape(_("计算过程")), style["heading"]),
        _table(steps, (20, 34, 82, 24), right=(3,)),
        Spacer(1, 8),
        Paragraph(
            escape(_("本明细由调解组织按上述参数测算，供调解参考；金额按四舍五入保留到分。")),
            style["small"],
        ),
    ]


def breakdown_pdf(result: LossBreakdown, company: str | None = None) -> bytes:
    """One investor's breakdown as PDF bytes; ``UserError`` if a name has a character the font lacks."""
    layout.check_coverage([result.investor, company or ""], where=result.investor)
    decorations = layout.PageDecorations(title=_("投资损失计算明细"))
    return layout.render_story(breakdown_story(result, company), decorations, title=_("投资损失计算明细"))


def write_breakdowns(
    results: Sequence[LossBreakdown],
    folder: Path,
    *,
    company: str | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """One PDF per investor in ``folder`` (created if needed): 0001_姓名.pdf, in the run's order."""
    progress = progress or null_progress()
    layout.ensure_writable_folder(folder)
    progress.update(0, total=len(results), message=_("生成计算明细…"))
    written: list[Path] = []
    for number, result in enumerate(results, start=1):
        progress.check()
        path = folder / f"{number:04d}_{safe_file_name(result.investor)}.pdf"
        layout.atomic_write(path, breakdown_pdf(result, company))
        written.append(path)
        progress.update(number)
    return written
