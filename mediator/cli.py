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
from collections.abc import Callable, Sequence
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


def _open(args: argparse.Namespace) -> Any:
    from mediator.store.database import open_database

    return open_database(args.db)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


# --- commands -------------------------------------------------------------------------------------


def cmd_gui(args: argparse.Namespace) -> int:
    from mediator.gui.app import run_gui

    return run_gui(db_url=args.db)


def cmd_demo(args: argparse.Namespace) -> int:
    from mediator.services.demo import load_demo

    db = _open(args)
    try:
        with db.transaction() as session:
            result = load_demo(session, reset=args.reset)
    finally:
        db.dispose()
    print(result.summary())
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from mediator.services.stats import compute_stats

    db = _open(args)
    try:
        with db.session() as session:
            stats = compute_stats(session)
    finally:
        db.dispose()
    if args.json:
        print_json(stats.as_json())
    else:
        print(stats.as_text())
    return EXIT_OK


# --- parser ---------------------------------------------------------------------------------------


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
