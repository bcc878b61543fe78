"""Command line: thin commands over the services the GUI uses too.

``mediator`` alone opens the GUI. Every user error prints one line on stderr and exits non-zero:
2 for bad input or a forbidden action, 3 for an environment problem (database unreachable, folder
not writable), 70 for a bug (details go to the log file, never a traceback on screen).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO, cast

from mediator import __version__
from mediator.domain.clock import china_today, typed_moment
from mediator.errors import Cancelled, EnvironmentProblem, UserError
from mediator.i18n import _, set_language

log = logging.getLogger("mediator.cli")

EXIT_OK = 0
EXIT_INPUT = 2
EXIT_ENVIRONMENT = 3
EXIT_CANCELLED = 130
EXIT_BUG = 70
EXIT_AUDIT_BROKEN = 1  # `audit verify`: the chain is broken (the first broken event is named)

Command = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line, in the user's language."""

    def error(self, message: str) -> None:  # type: ignore[override]
        text = _("命令行参数有误：{message}（用 --help 查看用法）").format(message=message)
        self.exit(EXIT_INPUT, text + "\n")


@contextmanager
def _opened(args: argparse.Namespace) -> Iterator[Any]:
    """The database named by ``--db`` (or the default), closed when the command is done."""
    from mediator.store.database import open_database

    db = open_database(args.db)
    try:
        yield db
    finally:
        db.dispose()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


# --- commands -------------------------------------------------------------------------------------


def cmd_gui(args: argparse.Namespace) -> int:
    from mediator.gui.app import run_gui

    return run_gui(db_url=args.db)


def cmd_demo(args: argparse.Namespace) -> int:
    import os

    from mediator.demo.first_year import load_demo_into
    from mediator.demo.marker import demo_database_url

    # Without --db (or MEDIATOR_DB) the demo goes into its own file, never the work database.
    if not args.db and not os.environ.get("MEDIATOR_DB"):
        args.db = demo_database_url()
    with _opened(args) as db:
        result = load_demo_into(db, reset=args.reset)
        url = db.url
    assert result is not None  # only_if_empty is off: a full database raises instead
    print(result.summary())
    print(_("演示数据库：{url}").format(url=url))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from mediator.services.reporting.stats import load_stats

    with _opened(args) as db:
        stats = load_stats(db)
    if args.json:
        print_json(stats.as_json())
    else:
        print(stats.as_text())
    return EXIT_OK


def _actor() -> str:
    """Who runs the command, for the audit log (MEDIATOR_USER, else the login name)."""
    import getpass
    import os

    try:
        return os.environ.get("MEDIATOR_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def cmd_extend_term(args: argparse.Namespace) -> int:
    from mediator.services.calendar import calendar_warning
    from mediator.services.cases.changes import extend_mediation_term

    with _opened(args) as db:
        extension = extend_mediation_term(db, args.batch, args.days, args.reason, actor=_actor())
    print(extension.summary())
    warning = calendar_warning(extension.term)
    if warning:
        print(warning, file=sys.stderr)
    return EXIT_OK


def cmd_batch_received(args: argparse.Namespace) -> int:
    """Record the day the organisation signed for a batch's materials (签收): the term's start."""
    from mediator.services.calendar import calendar_warning
    from mediator.services.cases.receipt import record_receipt

    received_on = None if args.clear else _date_arg(args.on, "--on")
    if received_on is None and not args.clear:
        raise UserError(_("请给出签收日期（--on），或用 --clear 改回按委派日起算。"))
    with _opened(args) as db:
        receipt = record_receipt(db, args.batch, received_on, actor=_actor())
    print(receipt.summary())
    warning = calendar_warning(receipt.term)
    if warning:
        print(warning, file=sys.stderr)
    return EXIT_OK


def cmd_calendar_set(args: argparse.Namespace) -> int:
    from mediator.services.calendar import parse_day, set_calendar_override

    day = parse_day(args.date)
    with _opened(args) as db:
        set_calendar_override(db, day, args.working, args.note, actor=_actor())
    kind = _("工作日") if args.working else _("休息日")
    print(_("已将 {day} 设为{kind}。").format(day=day.isoformat(), kind=kind))
    return EXIT_OK


def cmd_calendar_unset(args: argparse.Namespace) -> int:
    from mediator.services.calendar import parse_day, remove_calendar_override

    day = parse_day(args.date)
    with _opened(args) as db:
        removed = remove_calendar_override(db, day, actor=_actor())
    if not removed:
        print(_("{day} 没有更正记录，无需恢复。").format(day=day.isoformat()))
    else:
        print(_("已恢复 {day} 的默认安排。").format(day=day.isoformat()))
    return EXIT_OK


def cmd_calendar_list(args: argparse.Namespace) -> int:

    from mediator.services.calendar import list_calendar_overrides, work_calendar, year_status

    with _opened(args) as db:
        overrides = list_calendar_overrides(db, year=args.year)
        calendar = work_calendar(db)
    this_year = china_today().year
    years = [args.year] if args.year else [this_year, this_year + 1]
    known = year_status(calendar, years)
    if args.json:
        print_json(
            {
                "overrides": [
                    {"date": o.day.isoformat(), "working_day": o.is_working_day, "note": o.note}
                    for o in overrides
                ],
                "years_known": {str(year): ok for year, ok in known},
            }
        )
        return EXIT_OK
    for o in overrides:
        kind = _("工作日") if o.is_working_day else _("休息日")
        print(f"{o.day.isoformat()}  {kind}  {o.note or ''}".rstrip())
    if not overrides:
        print(_("没有管理员更正的日期。"))
    for year, ok in known:
        if ok:
            print(_("{year}年的节假日安排：已收录。").format(year=year))
        else:
            print(
                _("{year}年的节假日安排：未收录，期限只按周末推算；请用 mediator calendar set 补录。").format(
                    year=year
                )
            )
    return EXIT_OK


EXIT_FILE_ERRORS = 1  # import: a problem in the file(s) (bad rows, broken file); nothing was written


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mediator.domain.referral_headers import date_in
    from mediator.services.intake.reader import Prefetch

    referred_on = None
    if args.referred_on:
        referred_on = date_in(args.referred_on)
        if referred_on is None:
            raise UserError(_("无法识别的日期“{text}”：请写作 2025-03-03。").format(text=args.referred_on))
    # Parse the first workbook while the rest of the program loads and the database opens
    # (calamine does not hold the GIL): usually started by _run already (see _early_prefetch).
    prefetch = (
        args.prefetch if args.prefetch is not None and args.prefetch.path == Path(args.files[0]) else None
    )
    if prefetch is None and Path(args.files[0]).is_file():
        prefetch = Prefetch(args.files[0])
    from mediator.services.intake.importer import PhaseEcho, import_referrals
    from mediator.services.intake.problems import format_problem_table, write_errors_workbook

    progress = PhaseEcho(lambda message: print(message, file=sys.stderr, flush=True))
    with _opened(args) as db:
        result = import_referrals(
            db,
            args.files,
            batch=args.batch,
            company=args.company,
            referred_on=referred_on,
            dry_run=args.dry_run,
            actor=_actor(),
            progress=progress,
            prefetch=prefetch,
        )
    if args.json:
        print_json(result.as_json())
    else:
        for report in result.files:
            for warning in report.warnings:
                print(_("提示：{file}：{warning}").format(file=report.file, warning=warning), file=sys.stderr)
        if result.errors:
            print(format_problem_table(result.errors))
        for report in result.files:
            print(report.summary())
    if result.errors or args.dry_run:
        print(result.summary(), file=sys.stderr)
    if result.errors:
        if args.errors_out:
            # After the table: an unwritable path (exit 3) must not hide the problems themselves.
            sys.stdout.flush()
            write_errors_workbook(result, args.errors_out)
            print(_("问题行已写入 {path}。").format(path=args.errors_out), file=sys.stderr)
        return EXIT_FILE_ERRORS
    return EXIT_OK


def _date_arg(text: str | None, option: str, *, clearable: bool = False) -> Any:
    """A date option (2025-03-03 or 2025/3/3) or None; a clear error naming the option. With
    ``clearable``, an empty one stays "" (it clears the date, as for the other particulars)."""
    from datetime import date

    if text is None:
        return None
    if clearable and text == "":
        return ""
    cleaned = text.strip().replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in cleaned.split("-"))
        return date(year, month, day)
    except ValueError:
        message = _("{option} 的日期无法识别：{text}（请写作 2025-03-03）。")
        raise UserError(message.format(option=option, text=text)) from None


def cmd_document(args: argparse.Namespace) -> int:
    """Every registered document kind's command (``services.documents.kinds.KINDS``)."""
    from mediator.services.documents.kinds import kind, request_from_options

    document_kind = kind(args.document_kind)
    request = request_from_options(vars(args), actor=_actor())
    with _opened(args) as db:
        result = document_kind.run(db, request)
    data = result.as_json() if getattr(args, "json", False) else None
    if data is not None:
        print_json(data)
    else:
        print(result.details())
    # Refused files (signed-import) are reported, not an error of the command: the others went in.
    return EXIT_OK if result.complete else EXIT_FILE_ERRORS


def cmd_signing_status(args: argparse.Namespace) -> int:
    from mediator.services.documents.signing import signing_status

    with _opened(args) as db:
        status = signing_status(db, args.batch)
    if args.json:
        print_json(status.as_json())
    else:
        print(status.summary())
    return EXIT_OK


def cmd_confirmation_record(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mediator.services.cases.bulk import split_case_numbers
    from mediator.services.documents.confirmation import record_confirmation
    from mediator.services.documents.rulings import RulingListProblems, record_confirmations

    applied = _date_arg(args.applied, "--applied")
    ruling_date = _date_arg(args.ruling_date, "--ruling-date")
    many = args.batch is not None or args.cases is not None or args.rulings is not None
    if args.case is not None and many:
        raise UserError(_("--case 与 --batch/--cases/--rulings 只能选一种。"))
    if not many:
        if args.case is None:
            raise UserError(_("请给出 --case，或 --batch（可加 --cases）与 --applied，或 --rulings 清单。"))
        with _opened(args) as db:
            record = record_confirmation(
                db,
                args.case,
                applied=applied,
                ruling=args.ruling,
                ruling_date=ruling_date,
                late_reason=args.late_reason,
                actor=_actor(),
            )
        print(record.summary())
        return EXIT_OK
    if args.ruling is not None or ruling_date is not None:
        raise UserError(_("多件案件的裁定请用 --rulings 清单（案号、裁定案号、裁定日期）。"))
    if args.cases is not None and args.batch is None:
        raise UserError(_("--cases 须与 --batch 一起使用。"))
    try:
        with _opened(args) as db:
            result = record_confirmations(
                db,
                actor=_actor(),
                batch=args.batch,
                case_numbers=split_case_numbers(args.cases),
                applied=applied,
                late_reason=args.late_reason,
                rulings=Path(args.rulings) if args.rulings else None,
            )
    except RulingListProblems as exc:
        for problem in exc.problems:
            print(problem.as_text(), file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return EXIT_FILE_ERRORS
    print(result.summary())
    return EXIT_OK


# --- many cases at once: list, assign, move; correcting a step date --------------------------------


def cmd_cases_list(args: argparse.Namespace) -> int:
    from mediator.domain.money import format_money
    from mediator.services.cases.bulk import list_cases

    with _opened(args) as db:
        lines = list_cases(db, batch=args.batch, status=args.status)
    if args.json:
        print_json([line.as_json() for line in lines])
        return EXIT_OK
    if not lines:
        print(_("没有符合条件的案件。"))
    for line in lines:
        agreed = format_money(line.agreed) if line.agreed is not None else "—"
        cells = [line.case_number, line.investor, line.id_number, line.status.label]
        cells += [format_money(line.claimed), agreed, format_money(line.paid), line.mediator or "—"]
        print("\t".join(cells))
    return EXIT_OK


def cmd_cases_assign(args: argparse.Namespace) -> int:
    from mediator.services.cases.bulk import assign_mediator, split_case_numbers

    with _opened(args) as db:
        result = assign_mediator(
            db,
            args.mediator,
            actor=_actor(),
            batch=args.batch,
            case_numbers=split_case_numbers(args.cases),
            dry_run=args.dry_run,
        )
    print(result.summary())
    return EXIT_OK


def cmd_cases_move(args: argparse.Namespace) -> int:
    from mediator.services.cases.bulk import move_cases, split_case_numbers

    with _opened(args) as db:
        result = move_cases(
            db,
            args.to,
            actor=_actor(),
            on=_date_arg(args.on, "--on"),
            batch=args.batch,
            case_numbers=split_case_numbers(args.cases),
            failure_reason=args.failure_reason,
            note=args.note,
            dry_run=args.dry_run,
        )
    print(result.summary())
    return EXIT_INPUT if args.dry_run and result.refused else EXIT_OK


def cmd_cases_correct_date(args: argparse.Namespace) -> int:
    from mediator.services.cases.corrections import correct_step_date

    with _opened(args) as db:
        result = correct_step_date(
            db,
            args.case,
            step=args.step,
            on=_date_arg(args.on, "--on"),
            reason=args.reason,
            late_reason=args.late_reason,
            actor=_actor(),
        )
    print(result.summary())
    return EXIT_OK


def _add_case_commands(commands: Any) -> None:
    cases = commands.add_parser("cases", help=_("批量处理案件：列出、分配调解员、变更状态、更正日期"))
    actions = cases.add_subparsers(title=_("操作"), metavar="ACTION", parser_class=_Parser, required=True)
    batch_help = _("批次，如“第15批”或 15")
    cases_help = _("只处理这些案号（逗号分隔）；默认为整批")
    status_help = _("状态：界面上的中文（如 已联系），或 stats --json 中的键（如 contacted）")

    listing = actions.add_parser("list", help=_("列出案件（身份证号、手机号已隐藏）"))
    listing.add_argument("--batch", metavar="NO", help=batch_help)
    listing.add_argument("--status", metavar="STATUS", help=status_help)
    listing.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    listing.set_defaults(handler=cmd_cases_list)

    assign = actions.add_parser("assign", help=_("为整批或所列案件指定调解员"))
    assign.add_argument("--batch", metavar="NO", required=True, help=batch_help)
    assign.add_argument("--cases", metavar="案号,…", help=cases_help)
    assign.add_argument("--mediator", metavar="NAME", required=True, help=_("调解员姓名（须已登记且在岗）"))
    assign.add_argument("--dry-run", action="store_true", help=_("只显示将作的修改，不写入"))
    assign.set_defaults(handler=cmd_cases_assign)

    move = actions.add_parser("move", help=_("把整批或所列案件变更为下一状态（全部可变更才执行）"))
    move.add_argument("--batch", metavar="NO", required=True, help=batch_help)
    move.add_argument("--cases", metavar="案号,…", help=cases_help)
    move.add_argument("--to", metavar="STATUS", required=True, help=status_help)
    move.add_argument("--on", metavar="DATE", help=_("这一步的日期，默认为今天"))
    move.add_argument(
        "--failure-reason",
        metavar="REASON",
        help=_(
            "变更为“调解不成”时的原因：unreachable、investor_declined、company_declined、withdrawn、other"
        ),
    )
    move.add_argument("--note", help=_("说明（记入案件历史）"))
    move.add_argument("--dry-run", action="store_true", help=_("只显示将作的修改，不写入"))
    move.set_defaults(handler=cmd_cases_move)

    correct = actions.add_parser("correct-date", help=_("更正某一步骤的日期（须说明理由，记入操作日志）"))
    correct.add_argument("case", metavar="CASE_NO", help=_("案号"))
    correct.add_argument("--step", metavar="STEP", required=True, help=_("步骤（状态），如 已申请司法确认"))
    correct.add_argument("--on", metavar="DATE", required=True, help=_("正确的日期"))
    correct.add_argument("--reason", required=True, help=_("更正理由"))
    correct.add_argument("--late-reason", help=_("更正后申请日期超过期限时的逾期原因"))
    correct.set_defaults(handler=cmd_cases_correct_date)


# --- parser ---------------------------------------------------------------------------------------


# --- the parties' registries: listed companies and mediators ------------------------------------

_COMPANY_OPTIONS = (
    # (option, field, help)
    ("--uscc", "uscc", "统一社会信用代码（18位，校验位按 GB 32100 检查）"),
    ("--legal-rep", "legal_representative", "法定代表人"),
    ("--address", "address", "住所"),
    ("--stock-code", "stock_code", "股票代码，如 600000 或 600000.SH"),
    ("--stock-name", "stock_name", "股票简称"),
    ("--phone", "phone", "联系电话"),
    ("--counsel", "counsel", "委托代理人"),
    ("--decision", "decision", "行政处罚决定等，如“中国证监会江苏监管局〔2024〕5号行政处罚决定书”"),
    ("--receiving-account", "receiving_account", "协议的收款账户条款，如“甲方证券账户对应的资金账户”"),
    ("--late-interest", "late_interest", "协议的逾期利息标准，如“每日万分之三”"),
)


def cmd_company_set(args: argparse.Namespace) -> int:
    from mediator.services.parties.companies import set_company

    fields = {field: getattr(args, field) for _option, field, _help in _COMPANY_OPTIONS}
    with _opened(args) as db:
        saved = set_company(
            db,
            args.name,
            actor=_actor(),
            implemented_on=_date_arg(args.implemented_on, "--implemented-on", clearable=True),
            disclosed_on=_date_arg(args.disclosed_on, "--disclosed-on", clearable=True),
            settlement_ratio=_ratio_option(args.settlement_ratio),
            **fields,
        )
    print(saved.summary())
    return EXIT_OK


def cmd_company_list(args: argparse.Namespace) -> int:
    from mediator.services.parties.companies import list_companies

    with _opened(args) as db:
        companies = list_companies(db)
    if args.json:
        print_json([company.as_json() for company in companies])
        return EXIT_OK
    if not companies:
        print(_("还没有登记任何上市公司。"))
    for company in companies:
        state = _("资料齐全") if not company.missing else _("缺少：") + "、".join(company.missing)
        stock = f"{company.stock_code} {company.stock_name or ''}".strip() if company.stock_code else "—"
        line = _("{name}（{stock}）案件{cases}件，{state}")
        print(line.format(name=company.name, stock=stock, cases=company.cases, state=state))
    return EXIT_OK


def cmd_mediator_add(args: argparse.Namespace) -> int:
    from mediator.services.parties.mediators import add_mediator

    with _opened(args) as db:
        saved = add_mediator(db, args.name, phone=args.phone, actor=_actor(), active=not args.inactive)
    print(saved.summary())
    return EXIT_OK


def cmd_mediator_list(args: argparse.Namespace) -> int:
    from mediator.services.parties.mediators import list_mediators

    with _opened(args) as db:
        mediators = list_mediators(db)
    if args.json:
        print_json([mediator.as_json() for mediator in mediators])
        return EXIT_OK
    if not mediators:
        print(_("还没有登记任何调解员。"))
    for mediator in mediators:
        state = _("在岗") if mediator.active else _("停用")
        cases = _("案件{count}件").format(count=mediator.cases)
        print(f"{mediator.name}\t{mediator.phone or '—'}\t{state}\t{cases}")
    return EXIT_OK


def _add_party_commands(commands: Any) -> None:
    company = commands.add_parser("company", help=_("上市公司登记：补全协议书所需的代码、住所、法定代表人"))
    company_actions = company.add_subparsers(
        title=_("操作"), metavar="ACTION", parser_class=_Parser, required=True
    )
    company_set = company_actions.add_parser("set", help=_("新建或修改上市公司资料（只改给出的项）"))
    company_set.add_argument("name", metavar="NAME", help=_("上市公司名称（与委派清单中的被告一致）"))
    for option, field, text in _COMPANY_OPTIONS:
        company_set.add_argument(option, dest=field, metavar="TEXT", help=_(text))
    company_set.add_argument(
        "--implemented-on", metavar="DATE", help=_('虚假陈述实施日，如 2021-04-28（"" 清除）')
    )
    company_set.add_argument("--disclosed-on", metavar="DATE", help=_('虚假陈述揭露日（"" 清除）'))
    company_set.add_argument(
        "--settlement-ratio",
        metavar="RATIO",
        help=_("调解比例：建议调解金额 = 测算损失 × 比例，如 0.4；空串清除"),
    )
    company_set.set_defaults(handler=cmd_company_set)
    company_list = company_actions.add_parser("list", help=_("列出上市公司及其尚缺的资料"))
    company_list.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    company_list.set_defaults(handler=cmd_company_list)

    mediator = commands.add_parser("mediator", help=_("调解员登记"))
    mediator_actions = mediator.add_subparsers(
        title=_("操作"), metavar="ACTION", parser_class=_Parser, required=True
    )
    mediator_add = mediator_actions.add_parser("add", help=_("登记调解员，或更新其电话"))
    mediator_add.add_argument("name", metavar="NAME", help=_("姓名"))
    mediator_add.add_argument("--phone", metavar="TEL", help=_("联系电话（写入协议书与签署清单）"))
    mediator_add.add_argument("--inactive", action="store_true", help=_("登记为停用（不再分配案件）"))
    mediator_add.set_defaults(handler=cmd_mediator_add)
    mediator_list = mediator_actions.add_parser("list", help=_("列出调解员"))
    mediator_list.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    mediator_list.set_defaults(handler=cmd_mediator_list)


# --- the loss calculator (法释〔2022〕2号) -----------------------------------------------------------


def _decimal_arg(text: str | None, option: str, *, percent: bool = False) -> Any:
    """A rate or ratio option as Decimal (0.4, 40%, ０.４), or None; a clear error naming the option."""
    from decimal import Decimal, InvalidOperation

    from mediator.domain.validators import to_half_width

    if text is None:
        return None
    cleaned = "".join(to_half_width(text).split())
    divisor = Decimal(100) if percent and cleaned.endswith("%") else Decimal(1)
    try:
        value = Decimal(cleaned.removesuffix("%")) / divisor
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        message = _("{option} 的数值无法识别：{text}。").format(option=option, text=text)
        raise UserError(message) from None
    return value


def _losscalc_dates(args: argparse.Namespace) -> tuple[Any, Any]:
    """实施日 and 揭露日 from the options, or from the company's record with ``--company``."""
    implemented_on = _date_arg(args.implemented_on, "--implemented-on")
    disclosed_on = _date_arg(args.disclosed_on, "--disclosed-on")
    if args.company and (implemented_on is None or disclosed_on is None):
        from mediator.errors import NotFoundError
        from mediator.services.parties.companies import list_companies

        with _opened(args) as db:
            companies = {company.name: company for company in list_companies(db)}
        company = companies.get(args.company.strip())
        if company is None:
            raise NotFoundError(_("没有登记上市公司“{name}”。").format(name=args.company))
        implemented_on = implemented_on or company.implemented_on
        disclosed_on = disclosed_on or company.disclosed_on
    if implemented_on is None or disclosed_on is None:
        if args.company:
            message = _(
                "上市公司“{name}”尚未登记实施日和揭露日：请用 mediator company set 补录，或给出日期。"
            )
            raise UserError(message.format(name=args.company))
        raise UserError(_("请给出 --implemented-on 和 --disclosed-on，或用 --company 取上市公司登记的日期。"))
    return implemented_on, disclosed_on


def cmd_losscalc(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mediator.domain.losses.averages import Method
    from mediator.domain.losses.calculation import DEFAULT_COMMISSION_RATE, Kind, LossParameters
    from mediator.services.losses.batch import run_losses
    from mediator.services.losses.files import LossInputProblems

    if (args.replace_agreed or args.batch is not None) and not (args.save_to_cases or args.apply_to_cases):
        raise UserError(_("--replace-agreed 与 --batch 须与 --apply-to-cases 或 --save-to-cases 同用。"))
    implemented_on, disclosed_on = _losscalc_dates(args)
    commission = _decimal_arg(args.commission_rate, "--commission-rate", percent=True)
    ratio = _decimal_arg(args.ratio, "--ratio", percent=True)
    if ratio is None and args.company:
        from mediator.services.losses.cases import company_ratio

        with _opened(args) as db:
            ratio = company_ratio(db, args.company)  # the company's settlement ratio, if recorded
    parameters = LossParameters(
        implemented_on,
        disclosed_on,
        method=Method(args.method),
        kind=Kind.SHORT if args.kind in ("short", "诱空") else Kind.LONG,
        commission_rate=DEFAULT_COMMISSION_RATE if commission is None else commission,
        interest_rate=_decimal_arg(args.interest, "--interest", percent=True),
        ratio=ratio,
        index_name=args.index_name or "",
    )
    try:
        run = run_losses(Path(args.market), Path(args.trades), parameters)
    except LossInputProblems as exc:
        for problem in exc.problems:
            print(problem.as_text(), file=sys.stderr)
        if args.json:
            print_json({"problems": [problem.as_json() for problem in exc.problems]})
        print(_("有 {count} 个问题，未计算。").format(count=len(exc.problems)), file=sys.stderr)
        return EXIT_FILE_ERRORS
    investors = run.as_json()
    if args.save_to_cases or args.apply_to_cases:
        investors = _losscalc_to_cases(args, run.results, investors)
    if args.out:
        from mediator.services.losses.breakdown import write_breakdowns

        written = write_breakdowns(run.results, Path(args.out), company=args.company)
        print(
            _("计算明细 {count} 份已保存在 {folder}。").format(count=len(written), folder=args.out),
            file=sys.stderr,
        )
    if args.json:
        print_json(investors)
    else:
        print(run.as_text())
    return EXIT_OK


def _ratio_option(text: str | None) -> Any:
    """``--settlement-ratio``: a ratio (0.4, 40%), or "" to clear it."""
    if text is not None and not text.strip():
        return ""
    return _decimal_arg(text, "--settlement-ratio", percent=True)


def _losscalc_to_cases(args: argparse.Namespace, results: Any, investors: list[Any]) -> list[Any]:
    """``--save-to-cases`` / ``--apply-to-cases``: each result stored with its case (and offered
    as the agreed amount); the JSON objects gain ``case_number`` and ``outcome``."""
    from pathlib import Path

    from mediator.services.losses.cases import save_loss_results

    with _opened(args) as db:
        saved = save_loss_results(
            db,
            results,
            actor=_actor(),
            company=args.company,
            batch=args.batch,
            apply=args.apply_to_cases,
            replace_agreed=args.replace_agreed,
            sources={"market_file": Path(args.market).name, "trades_file": Path(args.trades).name},
        )
    print(saved.summary(), file=sys.stderr)
    by_investor = {case.investor: case for case in saved.cases}
    for investor, result in zip(investors, results, strict=True):
        label = f"{result.investor}（{investor['id_number']}）" if result.id_number else result.investor
        case = by_investor.get(label)
        investor["case_number"] = case.case_number if case else None
        investor["outcome"] = case.outcome.value if case else "no_case"
    return investors


def _add_losscalc_command(commands: Any) -> None:
    losscalc = commands.add_parser(
        "losscalc", help=_("按法释〔2022〕2号测算投资者损失（基准日、基准价、市场风险扣除）")
    )
    losscalc.add_argument("--implemented-on", metavar="DATE", help=_("虚假陈述实施日，如 2021-04-28"))
    losscalc.add_argument("--disclosed-on", metavar="DATE", help=_("揭露日或更正日"))
    losscalc.add_argument("--company", metavar="NAME", help=_("上市公司：日期取自其登记资料（须已登记）"))
    losscalc.add_argument(
        "--market",
        metavar="FILE.csv",
        required=True,
        help=_("行情文件（交易日期、收盘价、成交量、流通股本、指数收盘）"),
    )
    losscalc.add_argument(
        "--trades",
        metavar="FILE.xlsx",
        required=True,
        help=_("交易记录（投资者、证件号码、成交日期、买卖、成交数量、成交价格）"),
    )
    losscalc.add_argument(
        "--method",
        choices=["mwa", "fifo", "actual", "wavg", "arith"],
        default="mwa",
        help=_(
            "买入均价计算方法：mwa 移动加权平均（默认）、fifo 先进先出、actual 实际成本、"
            "wavg 综合加权平均、arith 算术平均"
        ),
    )
    losscalc.add_argument(
        "--kind",
        choices=["long", "short", "诱多", "诱空"],
        default="long",
        help=_("虚假陈述类型：long 诱多（默认）、short 诱空"),
    )
    losscalc.add_argument("--commission-rate", metavar="RATE", help=_("佣金费率（默认 0.0003，即万分之三）"))
    losscalc.add_argument(
        "--interest", metavar="RATE", help=_("计算利息：活期存款年利率，如 0.0035（默认不计）")
    )
    losscalc.add_argument(
        "--ratio",
        metavar="RATIO",
        help=_("调解比例，如 0.4：另给出建议调解金额（默认取 --company 登记的比例）"),
    )
    losscalc.add_argument("--index-name", metavar="NAME", help=_("对比指数的名称（默认取自行情文件的列名）"))
    losscalc.add_argument("--out", metavar="DIR", help=_("为每位投资者生成计算明细 PDF，保存在此文件夹"))
    losscalc.add_argument(
        "--save-to-cases", action="store_true", help=_("把每位投资者的测算结果保存到其案件（按证件号码匹配）")
    )
    losscalc.add_argument(
        "--apply-to-cases",
        action="store_true",
        help=_("保存结果，并把损失合计（× 调解比例）设为案件的调解金额；已填写的金额不覆盖"),
    )
    losscalc.add_argument(
        "--replace-agreed",
        action="store_true",
        help=_("与 --apply-to-cases 同用：覆盖调解员已填写的调解金额"),
    )
    losscalc.add_argument("--batch", type=int, metavar="N", help=_("只匹配第 N 批的案件"))
    losscalc.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    losscalc.set_defaults(handler=cmd_losscalc)


def _add_document_commands(commands: Any) -> None:
    """One command per registered document kind, with the arguments its registry entry lists."""
    from mediator.services.documents.kinds import KINDS

    for document_kind in KINDS:
        command = commands.add_parser(document_kind.command, help=_(document_kind.cli_help))
        for argument in document_kind.cli_arguments:
            options = dict(argument.options)
            if "help" in options:
                options["help"] = _(options["help"])
            command.add_argument(*argument.flags, **options)
        command.set_defaults(handler=cmd_document, document_kind=document_kind.key)


def cmd_backup(args: argparse.Namespace) -> int:
    from mediator.services.backup.copies import backup_database

    with _opened(args) as db:
        result = backup_database(db, args.file)
    print(result.summary())
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from mediator.services.backup.copies import restore_database

    with _opened(args) as db:
        result = restore_database(db, args.file, actor=_actor())
    print(result.summary())
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from mediator.services.audit.chain import verify

    with _opened(args) as db:
        report = verify(db)
    if args.json:
        print_json(report.as_json())
    elif report.intact:
        print(report.summary())
    else:
        sys.stderr.write(report.summary() + "\n")
    return EXIT_OK if report.intact else EXIT_AUDIT_BROKEN


def _add_audit_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help=_("审计日志"))
    audit_actions = audit.add_subparsers(
        title=_("操作"), metavar="ACTION", parser_class=_Parser, required=True
    )
    verify = audit_actions.add_parser("verify", help=_("核对审计日志的哈希链：是否有记录被改动或删除"))
    verify.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    verify.set_defaults(handler=cmd_audit_verify)


def _add_backup_commands(commands: Any) -> None:
    backup = commands.add_parser("backup", help=_("备份整个数据库到一个文件（程序运行时也可进行）"))
    backup.add_argument("file", metavar="FILE", help=_("备份文件"))
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser("restore", help=_("把备份恢复到一个空数据库（用 --db 指定）"))
    restore.add_argument("file", metavar="FILE", help=_("备份文件"))
    restore.set_defaults(handler=cmd_restore)


# --- the contact round, the due list and batch close-out -----------------------------------------


def _datetime_arg(text: str | None, option: str) -> Any:
    """A moment typed as 2025-03-04 09:30 (Nanjing's wall clock) or a bare day (noon), aware; None if
    absent."""
    from datetime import datetime, time

    if text is None:
        return None
    day_text, _sep, clock = text.strip().replace("T", " ").partition(" ")
    day = _date_arg(day_text, option)
    try:
        hour, minute = (int(part) for part in clock.split(":")[:2]) if clock else (12, 0)
        moment = datetime.combine(day, time(hour, minute))
    except ValueError:
        message = _("{option} 的时间无法识别：{text}（请写作 2025-03-04 09:30）。")
        raise UserError(message.format(option=option, text=text)) from None
    return typed_moment(moment)


def cmd_contact_sms_list(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mediator.services.contacts.sms import export_sms_list

    with _opened(args) as db:
        result = export_sms_list(
            db, args.batch, Path(args.out), actor=_actor(), on=_date_arg(args.date, "--date")
        )
    print(result.summary())
    return EXIT_OK


def cmd_contact_log(args: argparse.Namespace) -> int:
    from mediator.services.contacts.attempts import log_contacts

    at = _datetime_arg(args.at, "--at")
    with _opened(args) as db:
        result = log_contacts(
            db, args.cases, outcome=args.outcome, channel=args.channel, at=at, note=args.note, actor=_actor()
        )
    print(result.summary())
    return EXIT_OK


def cmd_contact_import(args: argparse.Namespace) -> int:
    from mediator.services.contacts.imports import import_contact_results

    with _opened(args) as db:
        result = import_contact_results(db, args.file, actor=_actor(), dry_run=args.dry_run)
    return _report_file_import(result, args)


def cmd_contact_reach(args: argparse.Namespace) -> int:
    from mediator.services.contacts.reach import load_reach_rates

    with _opened(args) as db:
        report = load_reach_rates(db, batch=args.batch)
    if args.json:
        print_json(report.as_json())
    else:
        print(report.summary())
    return EXIT_OK


def cmd_contact_unreachable(args: argparse.Namespace) -> int:
    from mediator.domain.contacts import UnreachableRule
    from mediator.services.contacts.attempts import unreachable_rule_setting
    from mediator.services.contacts.reach import load_failure_proposals

    with _opened(args) as db:
        rule = None
        if args.attempts is not None or args.days is not None:
            team = unreachable_rule_setting(db)
            rule = UnreachableRule(
                attempts=team.attempts if args.attempts is None else args.attempts,
                days=team.days if args.days is None else args.days,
            )
        proposals = load_failure_proposals(db, today=china_today(), batch=args.batch, rule=rule)
    if args.json:
        print_json([proposal.as_json() for proposal in proposals.proposals])
    else:
        print(proposals.summary())
    return EXIT_OK


def cmd_contact_rule(args: argparse.Namespace) -> int:
    from mediator.services.contacts.attempts import set_unreachable_rule

    with _opened(args) as db:
        rule = set_unreachable_rule(db, attempts=args.attempts, days=args.days, actor=_actor())
    print(
        _("已设置：回访 {attempts} 次未接通、历时 {days} 天以上的案件建议以“无法联系”终止调解。").format(
            attempts=rule.attempts, days=rule.days
        )
    )
    return EXIT_OK


def cmd_due(args: argparse.Namespace) -> int:
    from mediator.services.reporting.due import load_due_list

    with _opened(args) as db:
        due = load_due_list(db, today=china_today(), days=args.days)
    if args.json:
        print_json([entry.as_json() for entry in due.entries])
    else:
        print(due.summary())
    return EXIT_OK


def cmd_batch_close(args: argparse.Namespace) -> int:
    from mediator.services.cases.closeout import close_batch

    on = _date_arg(args.on, "--on") or china_today()
    with _opened(args) as db:
        result = close_batch(db, args.batch, on=on, actor=_actor())
    print(result.summary())
    return EXIT_OK


def _add_contact_commands(commands: Any) -> None:
    contact = commands.add_parser("contact", help=_("联系轮次：短信通知名单、回访记录、接通率"))
    actions = contact.add_subparsers(title=_("操作"), metavar="ACTION", parser_class=_Parser, required=True)
    batch_help = _("批次，如“第15批”或 15")
    sms = actions.add_parser("sms-list", help=_("导出批次的短信通知名单（.xlsx），并记为“短信已发送”"))
    sms.add_argument("--batch", metavar="NO", required=True, help=batch_help)
    sms.add_argument("--out", metavar="FILE.xlsx", required=True, help=_("保存名单的 .xlsx 文件"))
    sms.add_argument("--date", metavar="DATE", help=_("短信中的日期（默认为三天后的第一个工作日）"))
    sms.set_defaults(handler=cmd_contact_sms_list)
    log_parser = actions.add_parser("log", help=_("记录一次回访（可一次给出多个案号）"))
    log_parser.add_argument("cases", metavar="CASE_NO", nargs="+", help=_("案号，可多个"))
    log_parser.add_argument(
        "--outcome",
        required=True,
        help=_("结果：已接通、未接听、号码错误、拒绝调解、同意调解、已留言（或英文键）"),
    )
    log_parser.add_argument("--note", metavar="TEXT", help=_("备注"))
    log_parser.add_argument(
        "--channel", default="phone", help=_("方式：电话（默认）、短信、微信、面谈、邮寄")
    )
    log_parser.add_argument("--at", metavar="TIME", help=_("联系时间，如 2025-03-04 09:30（默认现在）"))
    log_parser.set_defaults(handler=cmd_contact_log)
    imported = actions.add_parser(
        "import", help=_("导入回访结果清单（案号、结果、时间、备注），全部无误才记录")
    )
    imported.add_argument("file", metavar="FILE", help=_("回访结果清单（.xlsx/.xls/.ods/.csv）"))
    imported.add_argument("--dry-run", action="store_true", help=_("只检查，不写入数据库"))
    imported.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    imported.set_defaults(handler=cmd_contact_import)
    reach = actions.add_parser("reach", help=_("接通率：按批次与调解员"))
    reach.add_argument("--batch", metavar="NO", help=batch_help)
    reach.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    reach.set_defaults(handler=cmd_contact_reach)
    unreachable = actions.add_parser(
        "unreachable", help=_("列出建议以“无法联系”终止调解的案件（不会自动变更）")
    )
    unreachable.add_argument("--batch", metavar="NO", help=batch_help)
    unreachable.add_argument("--attempts", type=int, metavar="N", help=_("回访次数（默认取团队设置，3 次）"))
    unreachable.add_argument("--days", type=int, metavar="M", help=_("历时天数（默认取团队设置，7 天）"))
    unreachable.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    unreachable.set_defaults(handler=cmd_contact_unreachable)
    rule = actions.add_parser("rule", help=_("设置团队规则：回访几次、历时几天仍未接通即建议终止调解"))
    rule.add_argument("--attempts", type=int, metavar="N", required=True, help=_("回访次数"))
    rule.add_argument("--days", type=int, metavar="M", required=True, help=_("历时天数"))
    rule.set_defaults(handler=cmd_contact_rule)

    due = commands.add_parser("due", help=_("到期提醒：调解期限、司法确认期限与分期付款（含已逾期）"))
    due.add_argument("--days", type=int, default=7, metavar="N", help=_("列出未来 N 天内到期的（默认 7）"))
    due.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    due.set_defaults(handler=cmd_due)

    batch = commands.add_parser("batch", help=_("批次：结案"))
    batch_actions = batch.add_subparsers(
        title=_("操作"), metavar="ACTION", parser_class=_Parser, required=True
    )
    close = batch_actions.add_parser(
        "close", help=_("批次结案（每件案件均已履行完毕、调解不成或已退回法院）")
    )
    close.add_argument("batch", metavar="NO", help=batch_help)
    close.add_argument("--on", metavar="DATE", help=_("结案日期（默认今天）"))
    close.set_defaults(handler=cmd_batch_close)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mediator", description=_("证券纠纷委派调解案件管理"))
    parser.add_argument("--version", action="version", version=f"mediator {__version__}")
    parser.add_argument(
        "--db", metavar="URL", help=_("数据库地址（SQLAlchemy URL），默认为本机数据文件夹中的 SQLite")
    )
    parser.add_argument("--lang", choices=["zh_CN", "en"], help=_("界面语言"))
    parser.add_argument("-v", "--verbose", action="store_true", help=_("输出调试日志"))
    parser.set_defaults(handler=cmd_gui)
    commands = parser.add_subparsers(title=_("命令"), metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser(
        "demo", help=_("载入演示数据（不加 --db 时载入单独的演示数据库；只载入空数据库或演示数据库）")
    )
    demo.add_argument("--reset", action="store_true", help=_("先清空演示数据库再重新载入"))
    demo.set_defaults(handler=cmd_demo)

    stats = commands.add_parser("stats", help=_("统计数字"))
    stats.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    stats.set_defaults(handler=cmd_stats)

    calendar = commands.add_parser("calendar", help=_("节假日日历：补录或更正放假与调休安排"))
    calendar_actions = calendar.add_subparsers(
        title=_("操作"), metavar="ACTION", parser_class=_Parser, required=True
    )
    calendar_set = calendar_actions.add_parser("set", help=_("将某天设为工作日或休息日"))
    calendar_set.add_argument("date", metavar="DATE", help=_("日期，如 2026-10-01"))
    kind = calendar_set.add_mutually_exclusive_group(required=True)
    kind.add_argument("--working", action="store_true", help=_("工作日（如调休上班的周末）"))
    kind.add_argument("--holiday", action="store_true", help=_("休息日（法定节假日）"))
    calendar_set.add_argument("--note", help=_("说明，如“国庆节”"))
    calendar_set.set_defaults(handler=cmd_calendar_set)
    calendar_unset = calendar_actions.add_parser("unset", help=_("删除某天的更正，恢复默认安排"))
    calendar_unset.add_argument("date", metavar="DATE", help=_("日期，如 2026-10-01"))
    calendar_unset.set_defaults(handler=cmd_calendar_unset)
    calendar_list = calendar_actions.add_parser("list", help=_("列出更正过的日期及各年是否已收录"))
    calendar_list.add_argument("--year", type=int, help=_("只看某一年"))
    calendar_list.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    calendar_list.set_defaults(handler=cmd_calendar_list)

    imports = commands.add_parser("import", help=_("导入法院委派调解案件清单（.xlsx/.xls/.ods/.csv）"))
    imports.add_argument("files", metavar="FILE", nargs="+", help=_("清单文件，可多个"))
    imports.add_argument("--batch", metavar="NO", help=_("批次，如“第15批”或 15（默认取自标题行）"))
    imports.add_argument("--company", metavar="NAME", help=_("上市公司（默认取自“被告”列）"))
    imports.add_argument("--referred-on", metavar="DATE", help=_("委派日期，如 2025-03-03（默认取自标题行）"))
    imports.add_argument("--dry-run", action="store_true", help=_("只检查，不写入数据库"))
    imports.add_argument("--errors-out", metavar="PATH", help=_("把有问题的行写入此 .xlsx 文件，附错误说明"))
    imports.add_argument("--json", action="store_true", help=_("以 JSON 输出结果"))
    imports.set_defaults(handler=cmd_import)

    batch_help = _("批次，如“第15批”或 15")
    _add_document_commands(commands)

    signing_status = commands.add_parser("signing-status", help=_("某批次的签署进度与签署用时"))
    signing_status.add_argument("--batch", metavar="NO", required=True, help=batch_help)
    signing_status.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    signing_status.set_defaults(handler=cmd_signing_status)

    confirmation_record = commands.add_parser("confirmation-record", help=_("登记司法确认的申请日期与裁定"))
    confirmation_record.add_argument("--case", metavar="案号", help=_("案号"))
    confirmation_record.add_argument(
        "--batch", metavar="NO", help=_("整批登记申请日期（或按 --rulings 清单登记裁定）")
    )
    confirmation_record.add_argument(
        "--cases", metavar="案号,…", help=_("只登记批次中的这些案号（逗号分隔）")
    )
    confirmation_record.add_argument(
        "--rulings", metavar="FILE.xlsx", help=_("裁定清单：案号、裁定案号、裁定日期（可含申请日期）")
    )
    confirmation_record.add_argument("--applied", metavar="DATE", help=_("申请日期，如 2025-04-01"))
    confirmation_record.add_argument("--late-reason", help=_("超过30日申请期限时的逾期原因"))
    confirmation_record.add_argument("--ruling", metavar="NO", help=_("裁定案号，如（2025）苏01民特88号"))
    confirmation_record.add_argument("--ruling-date", metavar="DATE", help=_("裁定日期"))
    confirmation_record.set_defaults(handler=cmd_confirmation_record)

    extend = commands.add_parser("extend-term", help=_("延长批次的委派调解期限（须记录理由）"))
    extend.add_argument("--batch", required=True, metavar="NO", help=_("批次，如“第15批”或“15”"))
    extend.add_argument("--days", required=True, type=int, help=_("延长的天数"))
    extend.add_argument("--reason", required=True, help=_("延长理由，如“双方同意延长”"))
    extend.set_defaults(handler=cmd_extend_term)

    received = commands.add_parser(
        "batch-received", help=_("登记调解组织签收法院材料的日期（调解期限自签收日起算）")
    )
    received.add_argument("--batch", required=True, metavar="NO", help=_("批次，如“第15批”或“15”"))
    received.add_argument("--on", metavar="DATE", help=_("签收日期，如 2025-03-05"))
    received.add_argument("--clear", action="store_true", help=_("删除签收日期，改回按委派日起算"))
    received.set_defaults(handler=cmd_batch_received)

    _add_party_commands(commands)
    _add_case_commands(commands)
    _add_backup_commands(commands)
    _add_audit_commands(commands)
    _add_losscalc_command(commands)
    _add_contact_commands(commands)
    _add_payment_commands(commands)

    # Further commands (import, agreements, sign-package, signed-import, report...) go above.
    return parser


# --- the company's offers and payments (services/payments) --------------------------------------


def _report_file_import(result: Any, args: argparse.Namespace) -> int:
    """What an all-or-nothing list import (offers, payments, call-backs) prints, and its exit code:
    the JSON or the problem table on stdout, the summary beside it (stderr when JSON or refused)."""
    if args.json:
        print_json(result.as_json())
    else:
        _print_file_problems(result.errors, result.warnings, args.file)
    print(result.summary(), file=sys.stderr if args.json or result.errors else sys.stdout)
    return EXIT_FILE_ERRORS if result.errors else EXIT_OK


def _print_file_problems(errors: Any, warnings: Sequence[str], file: str) -> None:
    from mediator.services.intake.problems import format_problem_table

    for warning in warnings:
        print(_("提示：{file}：{warning}").format(file=file, warning=warning), file=sys.stderr)
    if errors:
        print(format_problem_table(errors))


def cmd_offers_import(args: argparse.Namespace) -> int:
    from mediator.services.payments.offers import import_offers

    with _opened(args) as db:
        result = import_offers(db, args.file, actor=_actor(), dry_run=args.dry_run)
    return _report_file_import(result, args)


def cmd_payments_add(args: argparse.Namespace) -> int:
    from mediator.services.payments.ledger import add_payment

    paid_on = _date_arg(args.on, "--on")
    with _opened(args) as db:
        outcome = add_payment(db, args.case_no, args.amount, paid_on, reference=args.ref, actor=_actor())
    if args.json:
        print_json(outcome.as_json())
    else:
        print(outcome.summary())
    return EXIT_OK


def cmd_payments_complete(args: argparse.Namespace) -> int:
    from mediator.services.cases.settlement import complete_payment_by_number

    paid_on = _date_arg(args.on, "--on")
    if args.amount is not None and paid_on is None:
        raise UserError(_("给出最后一笔付款的金额（--amount）时，请用 --on 给出其日期。"))
    with _opened(args) as db:
        done = complete_payment_by_number(
            db, args.case_no, actor=_actor(), amount=args.amount, paid_on=paid_on, waiver=args.waiver
        )
    if args.json:
        print_json(done.as_json())
    else:
        print(done.summary())
    return EXIT_OK


def cmd_payments_import(args: argparse.Namespace) -> int:
    from mediator.services.payments.imports import import_payments

    with _opened(args) as db:
        result = import_payments(db, args.file, actor=_actor())
    return _report_file_import(result, args)


def cmd_payments_status(args: argparse.Namespace) -> int:
    from mediator.services.payments.recovered import recovered_totals

    with _opened(args) as db:
        recovered = recovered_totals(db)
    if args.json:
        print_json(recovered.as_json())
    else:
        print(recovered.as_text())
    return EXIT_OK


def _add_payment_commands(commands: Any) -> None:
    json_help = _("以 JSON 输出")
    offers = commands.add_parser("offers", help=_("上市公司的调解报价：调解金额与分期付款计划"))
    offer_actions = offers.add_subparsers(
        title=_("操作"), metavar="ACTION", parser_class=_Parser, required=True
    )
    offers_import = offer_actions.add_parser(
        "import", help=_("导入公司报价表（案号、调解金额，可选 第N期付款日期 / 第N期金额），全部或全不")
    )
    offers_import.add_argument("file", metavar="FILE", help=_("报价表文件（.xlsx/.xls/.ods/.csv）"))
    offers_import.add_argument("--dry-run", action="store_true", help=_("只检查，不写入数据库"))
    offers_import.add_argument("--json", action="store_true", help=json_help)
    offers_import.set_defaults(handler=cmd_offers_import)

    payments = commands.add_parser("payments", help=_("履行款项：登记付款、导入付款清单、回款统计"))
    payment_actions = payments.add_subparsers(
        title=_("操作"), metavar="ACTION", parser_class=_Parser, required=True
    )
    add = payment_actions.add_parser("add", help=_("登记一笔付款（按期次顺序冲抵各期）"))
    add.add_argument("case_no", metavar="CASE_NO", help=_("案号"))
    add.add_argument("--amount", required=True, metavar="X", help=_("金额，如 12,345.67"))
    add.add_argument("--on", required=True, metavar="DATE", help=_("付款日期，如 2025-06-30"))
    add.add_argument("--ref", metavar="REF", help=_("银行流水号等凭证号（同一流水号只能登记一次）"))
    add.add_argument("--json", action="store_true", help=json_help)
    add.set_defaults(handler=cmd_payments_add)
    complete = payment_actions.add_parser(
        "complete", help=_("履行完毕：登记最后一笔付款，未付清的部分须说明免于支付的理由")
    )
    complete.add_argument("case_no", metavar="CASE_NO", help=_("案号"))
    complete.add_argument("--amount", metavar="X", help=_("最后一笔付款的金额"))
    complete.add_argument("--on", metavar="DATE", help=_("最后一笔付款的日期"))
    complete.add_argument("--waiver", metavar="REASON", help=_("其余款项免于支付的理由（记入案件历史）"))
    complete.add_argument("--json", action="store_true", help=json_help)
    complete.set_defaults(handler=cmd_payments_complete)
    imports = payment_actions.add_parser(
        "import", help=_("导入公司或银行的付款清单（按案号或身份证号码匹配），全部或全不")
    )
    imports.add_argument("file", metavar="FILE", help=_("付款清单文件（.xlsx/.xls/.ods/.csv）"))
    imports.add_argument("--json", action="store_true", help=json_help)
    imports.set_defaults(handler=cmd_payments_import)
    status = payment_actions.add_parser("status", help=_("各批次、各上市公司的回款与逾期情况"))
    status.add_argument("--json", action="store_true", help=json_help)
    status.set_defaults(handler=cmd_payments_status)


def _configure_stdio() -> None:
    # Windows consoles and redirected output default to the ANSI code page (cp936), which cannot
    # encode names such as 张䶮; always write UTF-8.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


class _VisibleControls:
    """stdout / stderr showing control and bidi-override characters as escapes (``\\x1b``,
    ``\\u202e``): a name or file typed by someone else cannot repaint or reorder the terminal."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from mediator.domain.validators import printable

        self._stream.write(printable(text, keep="\n\t"))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    _configure_stdio()
    saved = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, _VisibleControls(sys.stdout))
    sys.stderr = cast(TextIO, _VisibleControls(sys.stderr))
    try:
        return _run(argv)
    finally:
        sys.stdout, sys.stderr = saved


def _early_prefetch(argv: Sequence[str]) -> Any:
    """For ``mediator [--db URL] import FILE …``: start reading the first list in the background
    now, before the parser is built and the database opened (0.1 s sooner than cmd_import could).

    A guess from the raw arguments (the first existing file after ``import``); cmd_import uses it
    only when it is for the file the parsed arguments name, and a wrong guess costs nothing else.
    """
    from pathlib import Path

    tokens = iter(argv)
    for token in tokens:
        if token in ("--db", "--lang"):
            next(tokens, None)
        elif not token.startswith("-"):
            if token != "import":
                return None
            break
    for token in tokens:
        if not token.startswith("-") and Path(token).is_file():
            from mediator.services.intake.reader import Prefetch

            return Prefetch(token)
    return None


def _run(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The language must be known before the parser builds its help texts.
    if "--lang" in argv and argv.index("--lang") + 1 < len(argv):
        set_language(argv[argv.index("--lang") + 1])
    early = _early_prefetch(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.prefetch = early
    from mediator.logs import configure_logging

    configure_logging(verbose=args.verbose)
    try:
        return int(args.handler(args))
    except Cancelled:
        print(_("已取消。"), file=sys.stderr)
        return EXIT_CANCELLED
    except UserError as exc:
        print(_("错误：{message}").format(message=exc), file=sys.stderr)
        return EXIT_INPUT
    except EnvironmentProblem as exc:
        print(_("错误：{message}").format(message=exc), file=sys.stderr)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        print(_("已中断。"), file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:
        # `mediator stats | head`: the reader has all it wanted. Python's recipe: point stdout at
        # devnull so the interpreter's final flush does not fail again, and end quietly.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:
        from mediator.logs import log_file_path

        log.exception("unexpected error in command %s", getattr(args.handler, "__name__", "?"))
        print(_("内部错误，详情已写入日志：{path}").format(path=log_file_path()), file=sys.stderr)
        return EXIT_BUG


def run() -> None:
    """The ``mediator`` command: ``main``, then, after a command-line command, a quick exit.

    By then every file and database connection the command opened is closed, and the exit
    handlers still run (logging, process and thread pools); only the interpreter's teardown is
    skipped, which frees the objects of SQLAlchemy and the rest one by one (0.1–0.2 s after a big
    import, during which the shell prompt waits). The GUI ends the normal way: Qt cleans up in its
    destructors.
    """
    import atexit
    import os

    code = main()
    qt = sys.modules.get("PySide6.QtWidgets")
    if qt is not None and qt.QApplication.instance() is not None:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    run()
