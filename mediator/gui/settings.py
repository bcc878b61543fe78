"""Per-user settings in QSettings: preferences declared once each (Picard's option registry) and,
kept apart under their own group, window state (geometry, splitters, column widths, last filters).

Team-wide settings live in the database (SettingRow); these are the user's own.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import platformdirs
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget

from mediator.i18n import DEFAULT_LANGUAGE, N_, SUPPORTED_LANGUAGES

T = TypeVar("T")

_PREFERENCES = "preferences"
_WINDOW_STATE = "window_state"


@dataclass(frozen=True)
class Option(Generic[T]):
    """One preference: its key, type, default and the label the settings dialog shows (msgid)."""

    key: str
    type: type[T]
    default: T
    label: str
    choices: dict[str, str] | None = None  # value → label, for a drop-down
    # A file path chosen with "浏览…": the file dialog's filter (msgid); None for plain text.
    file_filter: str | None = None
    # Where the settings dialog shows it: one of SECTIONS.
    section: str = "general"

    def __post_init__(self) -> None:
        OPTIONS[self.key] = self


OPTIONS: dict[str, Option[Any]] = {}
# The settings dialog's groups, in order: key → title (msgid; "" for the ungrouped first block).
SECTIONS: dict[str, str] = {"general": "", "signing": N_("导入已签署文件")}

LANGUAGE: Option[str] = Option("language", str, DEFAULT_LANGUAGE, N_("界面语言"), dict(SUPPORTED_LANGUAGES))
USER_NAME: Option[str] = Option("user_name", str, "", N_("我的姓名（记入操作日志）"))
CONFIRM_TRANSITIONS: Option[bool] = Option("confirm_transitions", bool, True, N_("变更案件状态前先确认"))
DUE_WITHIN_DAYS: Option[int] = Option("due_within_days", int, 7, N_("概览中提示几天内到期的期限"))
# Daily local copies of the work database (services/backup/daily.py): how many to keep; 0 = off.
BACKUP_KEEP: Option[int] = Option("backup_keep", int, 14, N_("每日自动备份保留份数（0 为不备份）"))
# The work database: empty for the SQLite file in the user-data folder, else the team's server
# (postgresql+psycopg://user:password@host:5432/db). --db and MEDIATOR_DB win over it.
DATABASE_URL: Option[str] = Option("database_url", str, "", N_("团队数据库地址（留空则使用本机数据库）"))
# The signed-import check, as `mediator signed-import --trust-roots FILE.pem [--strict]` (issue 4):
# a certificate outside the trusted roots is accepted with a warning unless strict is on.
TRUST_ROOTS: Option[str] = Option(
    "trust_roots",
    str,
    "",
    N_("受信任的根证书文件（PEM）"),
    file_filter=N_("证书文件 (*.pem *.crt *.cer);;所有文件 (*)"),
    section="signing",
)
STRICT_SIGNATURES: Option[bool] = Option(
    "strict_signatures", bool, False, N_("只接受受信任证书签署的文件"), section="signing"
)


def settings_file() -> Path:
    return Path(platformdirs.user_config_dir("mediator", appauthor=False)) / "mediator.ini"


def open_qsettings(path: Path | None = None) -> QSettings:
    """An INI file in the user config folder (readable, and the same format on every platform)."""
    path = path or settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


class Preferences:
    """Typed access to the registered options."""

    def __init__(self, qsettings: QSettings) -> None:
        self.qsettings = qsettings

    def get(self, option: Option[T]) -> T:
        raw = self.qsettings.value(f"{_PREFERENCES}/{option.key}", None)
        if raw is None:
            return option.default
        try:
            if option.type is bool:
                # INI files give back "true"/"false" strings.
                return raw if isinstance(raw, bool) else str(raw).lower() in ("true", "1", "yes")  # type: ignore[return-value]
            value = option.type(raw)  # type: ignore[call-arg]
        except (TypeError, ValueError):
            return option.default
        if option.choices is not None and value not in option.choices:
            return option.default
        return value

    def set(self, option: Option[T], value: T) -> None:
        self.qsettings.setValue(f"{_PREFERENCES}/{option.key}", value)

    def actor(self) -> str:
        """The name recorded in the audit log: the user's own, else their login name."""
        name = self.get(USER_NAME).strip()
        if name:
            return name
        try:
            return getpass.getuser()
        except (OSError, KeyError):  # no login name (some service accounts)
            return "?"


class WindowState:
    """Saves and restores what the user arranged, under ``window_state/<name>/…``: geometry,
    splitters, header (column widths and sort) and any small values such as the last filters."""

    def __init__(self, qsettings: QSettings, name: str) -> None:
        self._settings = qsettings
        self._prefix = f"{_WINDOW_STATE}/{name}"

    def _key(self, part: str) -> str:
        return f"{self._prefix}/{part}"

    def save_geometry(self, widget: QWidget) -> None:
        self._settings.setValue(self._key("geometry"), widget.saveGeometry())

    def restore_geometry(self, widget: QWidget) -> bool:
        data = self._settings.value(self._key("geometry"))
        return isinstance(data, QByteArray | bytes) and widget.restoreGeometry(data)

    def save_splitter(self, name: str, splitter: QSplitter) -> None:
        self._settings.setValue(self._key(f"splitter_{name}"), splitter.saveState())

    def restore_splitter(self, name: str, splitter: QSplitter) -> bool:
        data = self._settings.value(self._key(f"splitter_{name}"))
        return isinstance(data, QByteArray | bytes) and splitter.restoreState(data)

    def save_header(self, name: str, header: QHeaderView) -> None:
        self._settings.setValue(self._key(f"header_{name}"), header.saveState())

    def restore_header(self, name: str, header: QHeaderView) -> bool:
        data = self._settings.value(self._key(f"header_{name}"))
        return isinstance(data, QByteArray | bytes) and header.restoreState(data)

    def save_value(self, name: str, value: Any) -> None:
        self._settings.setValue(self._key(name), value)

    def value(self, name: str, default: Any = None) -> Any:
        return self._settings.value(self._key(name), default)

    def sync(self) -> None:
        self._settings.sync()
