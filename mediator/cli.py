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
from typing import Any

from mediator import __version__
from mediator.errors import Cancelled, EnvironmentProblem, UserError
from mediator.i18n import _, set_language

log = logging.getLogger("mediator.cli")

EXIT_OK = 0
EXIT_INPUT = 2
EXIT_ENVIRONMENT = 3
EXIT_CANCELLED = 130
EXIT_BUG = 70

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
    from mediator.demo.first_year import load_demo_into

    with _opened(args) as db:
        result = load_demo_into(db, reset=args.reset)
    assert result is not None  # only_if_empty is off: a full database raises instead
    print(result.summary())
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
    from datetime import date

    from mediator.services.calendar import list_calendar_overrides, work_calendar, year_status

    with _opened(args) as db:
        overrides = list_calendar_overrides(db, year=args.year)
        calendar = work_calendar(db)
    this_year = date.today().year  # noqa: DTZ011 - the user's own calendar year
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
    # (calamine does not hold the GIL): started before the heavy imports below (0.3 s of them).
    prefetch = Prefetch(args.files[0]) if Path(args.files[0]).is_file() else None
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
    if args.errors_out and result.errors:
        write_errors_workbook(result, args.errors_out)
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
            print(_("问题行已写入 {path}。").format(path=args.errors_out), file=sys.stderr)
        return EXIT_FILE_ERRORS
    return EXIT_OK


def _date_arg(text: str | None, option: str) -> Any:
    """A date option (2025-03-03 or 2025/3/3) or None; a clear error naming the option."""
    from datetime import date

    if text is None:
        return None
    cleaned = text.strip().replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in cleaned.split("-"))
        return date(year, month, day)
    except ValueError:
        message = _("{option} 的日期无法识别：{text}（请写作 2025-03-03）。")
        raise UserError(message.format(option=option, text=text)) from None


def cmd_agreements(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mediator.services.documents.agreement import generate_agreements

    with _opened(args) as db:
        run = generate_agreements(db, batch=args.batch, out_dir=Path(args.out), jobs=args.jobs)
    print(
        _("已生成调解协议书 {count} 份，保存在 {folder}（用时 {seconds:.1f} 秒）。").format(
            count=run.count, folder=args.out, seconds=run.seconds
        )
    )
    return EXIT_OK


def cmd_sign_package(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mediator.services.documents.signing import MANIFEST_JSON, MANIFEST_XLSX, write_sign_package

    with _opened(args) as db:
        package = write_sign_package(db, args.batch, Path(args.out), actor=_actor(), jobs=args.jobs)
    print(
        _("签署包已写入 {folder}：协议书 {count} 份，清单 {xlsx}、{json}。").format(
            folder=args.out, count=package.count, xlsx=MANIFEST_XLSX, json=MANIFEST_JSON
        )
    )
    return EXIT_OK


def cmd_signed_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mediator.services.documents.signing import import_signed

    with _opened(args) as db:
        report = import_signed(
            db,
            Path(args.folder),
            trust_roots=Path(args.trust_roots) if args.trust_roots else None,
            strict=args.strict,
            actor=_actor(),
        )
    if args.json:
        print_json(report.as_json())
    else:
        print(report.as_text())
    # Rejected files are reported, not an error of the command: the others were registered.
    return EXIT_OK if report.count("rejected") == 0 else EXIT_FILE_ERRORS


def cmd_signing_status(args: argparse.Namespace) -> int:
    from mediator.services.documents.signing import format_span, signing_status

    with _opened(args) as db, db.session() as session:
        status = signing_status(session, args.batch)
    if args.json:
        print_json(status.as_json())
        return EXIT_OK
    print(
        _("第{n}批：已签署 {signed} 件，待签署 {agreed} 件。").format(
            n=status.batch_number, signed=status.signed, agreed=status.agreed
        )
    )
    if status.package_at is None:
        print(_("尚未生成签署包。"))
    else:
        print(_("签署包生成于 {at}。").format(at=status.package_at.astimezone().strftime("%Y-%m-%d %H:%M")))
    if status.turnaround is not None:
        median, longest = status.turnaround
        print(
            _("签署用时：中位数 {median}，最长 {longest}。").format(
                median=format_span(median), longest=format_span(longest)
            )
        )
    return EXIT_OK


def cmd_confirmation(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mediator.services.documents.confirmation import write_confirmation_applications

    with _opened(args) as db:
        run = write_confirmation_applications(
            db, args.batch, Path(args.out), per_batch=True if args.per_batch else None
        )
    kind = _("每批一份（附案件清单）") if run.per_batch else _("每案一份")
    print(
        _("已生成司法确认申请书 {files} 份（{kind}，涉及 {cases} 件案件），保存在 {folder}。").format(
            files=len(run.files), kind=kind, cases=run.cases, folder=args.out
        )
    )
    earliest = run.earliest_window()
    if earliest is not None:
        from datetime import datetime

        today = datetime.now().astimezone().date()
        overdue = sum(1 for _case, window in run.windows if window.days_left(today) < 0)
        print(
            _("最早的申请期限：{end}（{case}）；已过期 {overdue} 件。").format(
                end=earliest[1].end.isoformat(), case=earliest[0], overdue=overdue
            )
        )
    return EXIT_OK


def cmd_confirmation_record(args: argparse.Namespace) -> int:
    from datetime import datetime

    from mediator.services.documents.confirmation import record_confirmation

    applied = _date_arg(args.applied, "--applied")
    ruling_date = _date_arg(args.ruling_date, "--ruling-date")
    with _opened(args) as db, db.transaction() as session:
        record = record_confirmation(
            session,
            args.case,
            applied=applied,
            ruling=args.ruling,
            ruling_date=ruling_date,
            actor=_actor(),
        )
    from mediator.domain.workflow import CaseStatus

    print(_("{case}：{status}").format(case=record.case_number, status=CaseStatus(record.status).label))
    if record.application_date:
        print(_("申请日期：{day}").format(day=record.application_date.isoformat()))
    if record.ruling_number:
        print(_("裁定：{number}（{day}）").format(number=record.ruling_number, day=record.ruling_date))
    if record.window is not None:
        today = datetime.now().astimezone().date()
        print(
            _("申请司法确认的期限：{end}（{left}）").format(
                end=record.window.end.isoformat(),
                left=_("还剩 {n} 天").format(n=record.window.days_left(today))
                if record.window.days_left(today) >= 0
                else _("已过期"),
            )
        )
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mediator.services.documents.court_report import write_court_report

    with _opened(args) as db:
        files = write_court_report(
            db,
            args.batch,
            Path(args.out),
            pdf=Path(args.pdf) if args.pdf else None,
            show_personal_data=args.show_personal_data,
            actor=_actor(),
        )
    written = [str(p) for p in (files.xlsx, files.pdf) if p is not None]
    print(_("反馈表已写入 {files}（{cases} 件案件）。").format(files="、".join(written), cases=files.cases))
    return EXIT_OK


# --- parser ---------------------------------------------------------------------------------------


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

    implemented_on, disclosed_on = _losscalc_dates(args)
    commission = _decimal_arg(args.commission_rate, "--commission-rate", percent=True)
    parameters = LossParameters(
        implemented_on,
        disclosed_on,
        method=Method(args.method),
        kind=Kind.SHORT if args.kind in ("short", "诱空") else Kind.LONG,
        commission_rate=DEFAULT_COMMISSION_RATE if commission is None else commission,
        interest_rate=_decimal_arg(args.interest, "--interest", percent=True),
        ratio=_decimal_arg(args.ratio, "--ratio", percent=True),
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
    if args.out:
        from mediator.services.losses.breakdown import write_breakdowns

        written = write_breakdowns(run.results, Path(args.out), company=args.company)
        print(
            _("计算明细 {count} 份已保存在 {folder}。").format(count=len(written), folder=args.out),
            file=sys.stderr,
        )
    if args.json:
        print_json(run.as_json())
    else:
        print(run.as_text())
    return EXIT_OK


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
    losscalc.add_argument("--ratio", metavar="RATIO", help=_("调解比例，如 0.4：另给出建议调解金额"))
    losscalc.add_argument("--index-name", metavar="NAME", help=_("对比指数的名称（默认取自行情文件的列名）"))
    losscalc.add_argument("--out", metavar="DIR", help=_("为每位投资者生成计算明细 PDF，保存在此文件夹"))
    losscalc.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    losscalc.set_defaults(handler=cmd_losscalc)


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

    demo = commands.add_parser("demo", help=_("载入演示数据（数据库为空时）"))
    demo.add_argument("--reset", action="store_true", help=_("先清空数据库再载入"))
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
    agreements = commands.add_parser("agreements", help=_("生成调解协议书（每案一份 PDF）"))
    agreements.add_argument("--batch", metavar="NO", required=True, help=batch_help)
    agreements.add_argument("--out", metavar="DIR", required=True, help=_("保存 PDF 的文件夹"))
    agreements.add_argument("--jobs", metavar="N", type=int, default=2, help=_("并行进程数（默认 2）"))
    agreements.set_defaults(handler=cmd_agreements)

    sign_package = commands.add_parser("sign-package", help=_("生成供法院云签署的签署包（协议书与清单）"))
    sign_package.add_argument("--batch", metavar="NO", required=True, help=batch_help)
    sign_package.add_argument("--out", metavar="DIR", required=True, help=_("保存签署包的文件夹"))
    sign_package.add_argument("--jobs", metavar="N", type=int, default=2, help=_("并行进程数（默认 2）"))
    sign_package.set_defaults(handler=cmd_sign_package)

    signed_import = commands.add_parser("signed-import", help=_("导入已签署的协议书并验证电子签名"))
    signed_import.add_argument("folder", metavar="DIR", help=_("存放已签署 PDF 的文件夹"))
    signed_import.add_argument("--trust-roots", metavar="FILE.pem", help=_("受信任的根证书（PEM）"))
    signed_import.add_argument(
        "--strict", action="store_true", help=_("严格模式：证书不在受信任根证书之下的签名一律拒收")
    )
    signed_import.add_argument("--json", action="store_true", help=_("以 JSON 输出结果"))
    signed_import.set_defaults(handler=cmd_signed_import)

    signing_status = commands.add_parser("signing-status", help=_("某批次的签署进度与签署用时"))
    signing_status.add_argument("--batch", metavar="NO", required=True, help=batch_help)
    signing_status.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    signing_status.set_defaults(handler=cmd_signing_status)

    confirmation = commands.add_parser("confirmation", help=_("生成司法确认申请书"))
    confirmation.add_argument("--batch", metavar="NO", required=True, help=batch_help)
    confirmation.add_argument("--out", metavar="DIR", required=True, help=_("保存 PDF 的文件夹"))
    confirmation.add_argument(
        "--per-batch",
        action="store_true",
        help=_("每批一份申请书并附案件清单（默认每案一份，或按设置 confirmation_per_batch）"),
    )
    confirmation.set_defaults(handler=cmd_confirmation)

    confirmation_record = commands.add_parser("confirmation-record", help=_("登记司法确认的申请日期与裁定"))
    confirmation_record.add_argument("--case", metavar="案号", required=True, help=_("案号"))
    confirmation_record.add_argument("--applied", metavar="DATE", help=_("申请日期，如 2025-04-01"))
    confirmation_record.add_argument("--ruling", metavar="NO", help=_("裁定案号，如（2025）苏01民特88号"))
    confirmation_record.add_argument("--ruling-date", metavar="DATE", help=_("裁定日期"))
    confirmation_record.set_defaults(handler=cmd_confirmation_record)

    report = commands.add_parser("report", help=_("生成向法院反馈的调解情况表（xlsx 或 PDF）"))
    report.add_argument("--batch", metavar="NO", required=True, help=batch_help)
    report.add_argument("--out", metavar="FILE", required=True, help=_("输出文件（.xlsx 或 .pdf）"))
    report.add_argument("--pdf", metavar="FILE.pdf", help=_("另存一份 PDF"))
    report.add_argument(
        "--show-personal-data", action="store_true", help=_("显示完整身份证件号码（会记入操作日志）")
    )
    report.set_defaults(handler=cmd_report)

    extend = commands.add_parser("extend-term", help=_("延长批次的委派调解期限（须记录理由）"))
    extend.add_argument("--batch", required=True, metavar="NO", help=_("批次，如“第15批”或“15”"))
    extend.add_argument("--days", required=True, type=int, help=_("延长的天数"))
    extend.add_argument("--reason", required=True, help=_("延长理由，如“双方同意延长”"))
    extend.set_defaults(handler=cmd_extend_term)

    _add_losscalc_command(commands)

    # Further commands (import, agreements, sign-package, signed-import, report...) go above.
    return parser


def _configure_stdio() -> None:
    # Windows consoles and redirected output default to the ANSI code page (cp936), which cannot
    # encode names such as 张䶮; always write UTF-8.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    _configure_stdio()
    argv = list(sys.argv[1:] if argv is None else argv)
    # The language must be known before the parser builds its help texts.
    if "--lang" in argv and argv.index("--lang") + 1 < len(argv):
        set_language(argv[argv.index("--lang") + 1])
    parser = build_parser()
    args = parser.parse_args(argv)
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
    except Exception:
        from mediator.logs import log_file_path

        log.exception("unexpected error in command %s", getattr(args.handler, "__name__", "?"))
        print(_("内部错误，详情已写入日志：{path}").format(path=log_file_path()), file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
