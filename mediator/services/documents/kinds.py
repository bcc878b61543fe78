"""The registry of document kinds: one table that the CLI's document commands and the GUI's 文档
menu are built from (after MusicBrainz Picard's ``picard/formats/__init__.py``).

Each ``DocumentKind`` brings its template, the service that produces it (named, imported on first
use: reportlab and pyHanko stay out of start-up), what it works on (a batch, a batch or chosen
cases, a folder of returned files), where its output goes, its CLI command with the command's
arguments and its menu action. A new kind of document is one service module with a ``run``
entry point, one template in ``resources/templates`` and one ``DocumentKind`` in ``KINDS``:
``mediator.cli`` adds the command and ``gui.main_window`` the menu entry by looping over ``KINDS``.

Every entry point has the same shape, ``run(database, request) -> DocumentResult``: it opens its
own transaction(s) and returns a plain result whose ``summary()`` is the text both the CLI prints
and the GUI's result dialog shows.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediator.i18n import N_

if TYPE_CHECKING:
    from mediator.services.progress import Progress
    from mediator.store.database import Database


class Scope(enum.Enum):
    """What a kind works on."""

    BATCH = "batch"  # the batch the user points at (CLI --batch)
    BATCH_OR_CASES = "batch_or_cases"  # the batch, or the cases selected in the case list
    FOLDER = "folder"  # files in a folder (the signed agreements coming back)


class Destination(enum.Enum):
    """Where the GUI asks the user to point: the folder written into, the folder read from, or
    the report's file (with its options)."""

    FOLDER = "folder"
    SOURCE_FOLDER = "source_folder"
    REPORT_FILE = "report_file"


@dataclass(frozen=True)
class DocumentRequest:
    """What the user asked for, from the command line or a GUI dialog."""

    batch: str | int | None = None
    case_ids: list[int] | None = None
    # The folder written into (or read from, for a folder kind), or the report's file.
    out: Path | None = None
    actor: str = "cli"
    jobs: int = 2
    # "spawn" from the GUI: forking a process that runs Qt threads can copy a held lock.
    start_method: str | None = None
    progress: Progress | None = None
    # Kind-specific options (each kind's CLI arguments name these).
    per_batch: bool | None = None
    pdf: Path | None = None
    show_personal_data: bool = False
    trust_roots: Path | None = None
    strict: bool = False
    # agreements --reissue CASE_NO --reason TEXT: re-issue one signed agreement, explicitly.
    reissue: str | None = None
    reason: str | None = None
    # court-request --withdrawal: ask for the withdrawal instead of a 民事调解书.
    withdrawal: bool = False

    @property
    def folder(self) -> Path:
        if self.out is None:
            raise ValueError("a document request without a folder or file")
        return self.out

    @property
    def batch_required(self) -> str | int:
        if self.batch is None:
            raise ValueError("a batch document request without a batch")
        return self.batch


_PATH_OPTIONS = ("out", "pdf", "trust_roots")
_OPTIONS = ("batch", "per_batch", "show_personal_data", "strict", "jobs", "reissue", "reason", "withdrawal")


def request_from_options(options: Mapping[str, Any], *, actor: str) -> DocumentRequest:
    """A request from parsed CLI options (``vars(args)``): the options a kind's arguments define."""
    values: dict[str, Any] = {"actor": actor}
    for name in _PATH_OPTIONS:
        if options.get(name):
            values[name] = Path(options[name])
    for name in _OPTIONS:
        if options.get(name) is not None:
            values[name] = options[name]
    if not options.get("per_batch"):
        values.pop("per_batch", None)  # not given: the team setting decides
    return DocumentRequest(**values)


class DocumentResult:
    """What a document job did. Subclasses are plain (frozen) dataclasses."""

    def summary(self) -> str:
        """The text the CLI prints and the GUI's result dialog shows."""
        raise NotImplementedError

    def details(self) -> str:
        """The CLI's full text (a line per file for kinds that check files; else the summary)."""
        return self.summary()

    @property
    def complete(self) -> bool:
        """False when some input was refused (the CLI then exits with 1)."""
        return True

    def as_json(self) -> dict[str, Any] | None:
        """The machine-readable result of ``--json``, for kinds that offer it."""
        return None

    def table(self) -> tuple[list[str], list[tuple[list[str], bool]]] | None:
        """(column headers, rows (cells, needs attention)) for the GUI's result dialog, if any."""
        return None

    def output_folder(self) -> Path | None:
        """The folder the GUI offers to open."""
        return None


@dataclass(frozen=True)
class CliArgument:
    """One ``add_argument`` call of a kind's command: option strings and keyword arguments (the
    ``help`` text is a msgid, translated when the parser is built)."""

    flags: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document: its service, template, CLI command and menu action."""

    key: str  # also the CLI command
    label: str  # N_: what it is (调解协议书)
    template: str | None  # resources/templates/<template>.toml
    service: str  # "module:function", the entry point run(database, request) -> DocumentResult
    scope: Scope
    destination: Destination
    cli_help: str  # N_
    cli_arguments: tuple[CliArgument, ...]
    menu_text: str  # N_: the 文档 menu entry
    action_name: str  # the QAction's objectName
    progress_text: str  # N_: the job's title while it runs
    folder_prompt: str = ""  # N_: the folder dialog's title (FOLDER / SOURCE_FOLDER)
    tooltip: str = ""  # N_
    shortcut: str | None = None
    icon: str | None = None  # a QStyle.StandardPixmap name (the platform's own icons)
    toolbar: bool = False
    menu_group: int = 0  # a separator goes between groups
    changes_data: bool = True  # the window reloads after the job

    @property
    def command(self) -> str:
        return self.key

    @property
    def dialog_title(self) -> str:
        """The result dialog's title: the menu text without its ellipsis (msgid)."""
        return self.menu_text.rstrip("…")

    def entry_point(self) -> Callable[[Database, DocumentRequest], DocumentResult]:
        module_name, function = self.service.split(":")
        entry: Callable[[Database, DocumentRequest], DocumentResult] = getattr(
            importlib.import_module(module_name), function
        )
        return entry

    def run(self, database: Database, request: DocumentRequest) -> DocumentResult:
        """Produce the documents (the service opens its own transaction)."""
        return self.entry_point()(database, request)


_BATCH = CliArgument(("--batch",), {"metavar": "NO", "required": True, "help": N_("批次，如“第15批”或 15")})
_JOBS = CliArgument(
    ("--jobs",), {"metavar": "N", "type": int, "default": 2, "help": N_("并行进程数（默认 2）")}
)

KINDS: tuple[DocumentKind, ...] = (
    DocumentKind(
        key="agreements",
        label=N_("调解协议书"),
        template="agreement",
        service="mediator.services.documents.reissue:run",  # agreements, or --reissue
        scope=Scope.BATCH_OR_CASES,
        destination=Destination.FOLDER,
        cli_help=N_("生成调解协议书（每案一份 PDF；已签署的不重新出具）"),
        cli_arguments=(
            CliArgument(("--batch",), {"metavar": "NO", "help": N_("批次，如“第15批”或 15")}),
            CliArgument(("--out",), {"metavar": "DIR", "required": True, "help": N_("保存 PDF 的文件夹")}),
            _JOBS,
            CliArgument(
                ("--reissue",),
                {
                    "metavar": "CASE_NO",
                    "help": N_("重新出具该案件已签署的协议：新编号，原协议作废（须 --reason）"),
                },
            ),
            CliArgument(("--reason",), {"metavar": "TEXT", "help": N_("重新出具的理由（记入操作日志）")}),
        ),
        menu_text=N_("生成调解协议书…"),
        action_name="actionGenerateAgreements",
        progress_text=N_("正在生成调解协议书"),
        folder_prompt=N_("选择保存调解协议书的文件夹"),
        tooltip=N_("为所选批次（或所选案件）生成调解协议书PDF"),
        shortcut="Ctrl+G",
        icon="SP_FileIcon",
        toolbar=True,
        menu_group=0,
    ),
    DocumentKind(
        key="sign-package",
        label=N_("签署包"),
        template="agreement",
        service="mediator.services.documents.signing:run_sign_package",
        scope=Scope.BATCH,
        destination=Destination.FOLDER,
        cli_help=N_("生成供法院云签署的签署包（协议书与清单）"),
        cli_arguments=(
            _BATCH,
            CliArgument(("--out",), {"metavar": "DIR", "required": True, "help": N_("保存签署包的文件夹")}),
            _JOBS,
        ),
        menu_text=N_("导出签署包…"),
        action_name="actionSignPackage",
        progress_text=N_("正在生成签署包"),
        folder_prompt=N_("选择保存签署包的文件夹"),
        tooltip=N_("导出所选批次待签署的协议书和清单，供法院在线签署"),
        icon="SP_DialogSaveButton",
        toolbar=True,
        menu_group=1,
    ),
    # Not a document the app writes but the same round's return leg: an import of signed files,
    # kept in this table so that its command and menu action come from the same place.
    DocumentKind(
        key="signed-import",
        label=N_("已签署文件"),
        template=None,
        service="mediator.services.documents.signing:run_signed_import",
        scope=Scope.FOLDER,
        destination=Destination.SOURCE_FOLDER,
        cli_help=N_("导入已签署的协议书并验证电子签名"),
        cli_arguments=(
            CliArgument(("out",), {"metavar": "DIR", "help": N_("存放已签署 PDF 的文件夹")}),
            CliArgument(("--trust-roots",), {"metavar": "FILE.pem", "help": N_("受信任的根证书（PEM）")}),
            CliArgument(
                ("--strict",),
                {"action": "store_true", "help": N_("严格模式：证书不在受信任根证书之下的签名一律拒收")},
            ),
            CliArgument(("--json",), {"action": "store_true", "help": N_("以 JSON 输出结果")}),
        ),
        menu_text=N_("导入已签署文件…"),
        action_name="actionSignedImport",
        progress_text=N_("正在验证已签署的协议书"),
        folder_prompt=N_("选择存放已签署协议书的文件夹"),
        tooltip=N_("验证签名并登记已签署的协议书"),
        icon="SP_DialogApplyButton",
        toolbar=True,
        menu_group=1,
    ),
    DocumentKind(
        key="confirmation",
        label=N_("司法确认申请书"),
        template="confirmation_application",
        service="mediator.services.documents.confirmation:run",
        scope=Scope.BATCH,
        destination=Destination.FOLDER,
        cli_help=N_("生成司法确认申请书"),
        cli_arguments=(
            _BATCH,
            CliArgument(("--out",), {"metavar": "DIR", "required": True, "help": N_("保存 PDF 的文件夹")}),
            CliArgument(
                ("--per-batch",),
                {
                    "action": "store_true",
                    "help": N_("每批一份申请书并附案件清单（默认每案一份，或按设置 confirmation_per_batch）"),
                },
            ),
        ),
        menu_text=N_("生成司法确认申请书…"),
        action_name="actionConfirmations",
        progress_text=N_("正在生成司法确认申请书"),
        folder_prompt=N_("选择保存司法确认申请书的文件夹"),
        menu_group=2,
    ),
    # A filed case (民初, 委托调解) ends in a 民事调解书 or a withdrawal, not in 司法确认.
    DocumentKind(
        key="court-request",
        label=N_("民事调解书申请书"),
        template="court_request",
        service="mediator.services.documents.court_request:run",
        scope=Scope.BATCH,
        destination=Destination.FOLDER,
        cli_help=N_("为已签署的立案后委托调解（民初）案件生成请求出具民事调解书（或撤诉）的申请书"),
        cli_arguments=(
            _BATCH,
            CliArgument(("--out",), {"metavar": "DIR", "required": True, "help": N_("保存 PDF 的文件夹")}),
            CliArgument(("--withdrawal",), {"action": "store_true", "help": N_("改为原告的撤诉申请书")}),
        ),
        menu_text=N_("生成民事调解书申请书…"),
        action_name="actionCourtRequests",
        progress_text=N_("正在生成申请书"),
        folder_prompt=N_("选择保存申请书的文件夹"),
        tooltip=N_("立案后委托调解（民初）的案件：请求法院出具民事调解书"),
        menu_group=2,
    ),
    DocumentKind(
        key="report",
        label=N_("法院反馈表"),
        template="court_report",
        service="mediator.services.documents.court_report:run",
        scope=Scope.BATCH,
        destination=Destination.REPORT_FILE,
        cli_help=N_("生成向法院反馈的调解情况表（xlsx 或 PDF）"),
        cli_arguments=(
            _BATCH,
            CliArgument(
                ("--out",), {"metavar": "FILE", "required": True, "help": N_("输出文件（.xlsx 或 .pdf）")}
            ),
            CliArgument(("--pdf",), {"metavar": "FILE.pdf", "help": N_("另存一份 PDF")}),
            CliArgument(
                ("--show-personal-data",),
                {"action": "store_true", "help": N_("显示完整身份证件号码（会记入操作日志）")},
            ),
        ),
        menu_text=N_("导出法院反馈表…"),
        action_name="actionCourtReport",
        progress_text=N_("正在生成法院反馈表"),
        menu_group=2,
        changes_data=False,
    ),
    DocumentKind(
        key="return-letter",
        label=N_("退回函"),
        template="return_letter",
        service="mediator.services.documents.return_letter:run",
        scope=Scope.BATCH,
        destination=Destination.FOLDER,
        cli_help=N_("生成退回函：调解不成的案件退回法院（PDF），并将其标记为“已退回法院”"),
        cli_arguments=(
            _BATCH,
            CliArgument(("--out",), {"metavar": "DIR", "required": True, "help": N_("保存 PDF 的文件夹")}),
        ),
        menu_text=N_("生成退回函…"),
        action_name="actionReturnLetter",
        progress_text=N_("正在生成退回函"),
        folder_prompt=N_("选择保存退回函的文件夹"),
        tooltip=N_("所选批次调解不成的案件退回法院：生成退回函PDF并标记为“已退回法院”"),
        menu_group=2,
    ),
)


def kind(key: str) -> DocumentKind:
    """The registered kind called ``key`` (its CLI command)."""
    for entry in KINDS:
        if entry.key == key:
            return entry
    raise KeyError(key)
