"""Daily local backups the desktop app makes on its own: one copy a day of the work database
(``backup_database``), kept in a private folder, the oldest removed beyond the retention setting.

A day's copy is made once: opening the app again the same day makes none. The files are the same
as ``mediator backup`` writes, so ``mediator restore FILE`` reads them back.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import platformdirs

from mediator.domain.clock import china_today
from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.backup.copies import backup_database
from mediator.services.progress import Progress
from mediator.store.database import APP_NAME, Database, private_folder

log = logging.getLogger("mediator.backup")

_DAILY_NAME = re.compile(r"mediator-(\d{4}-\d{2}-\d{2})\.backup")
MAX_KEEP = 365


def backups_folder() -> Path:
    """The user-data folder's ``backups`` (readable by its user only, like the database)."""
    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "backups"
    private_folder(folder)
    return folder


@dataclass(frozen=True)
class DailyBackup:
    """What the day's backup did: the copy written (None: already made today, or off) and the old
    copies removed."""

    path: Path | None
    removed: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        if self.path is None:
            return _("今天的自动备份已存在，未重复备份。")
        return _("已自动备份到 {path}；按保留设置删除了 {count} 份旧备份。").format(
            path=self.path, count=len(self.removed)
        )


def daily_backup(
    db: Database,
    *,
    keep: int,
    folder: Path | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> DailyBackup | None:
    """Make today's copy of ``db`` unless there is one, then keep only the newest ``keep`` copies.
    ``keep`` = 0 turns daily backups off (None is returned and nothing is removed)."""
    if not 0 <= keep <= MAX_KEEP:
        raise UserError(_("备份保留份数应在 0 到 {max} 之间。").format(max=MAX_KEEP))
    if keep == 0:
        return None
    folder = folder if folder is not None else backups_folder()
    day = today or china_today()
    target = folder / f"mediator-{day.isoformat()}.backup"
    written: Path | None = None
    if not target.exists():
        written = backup_database(db, target, progress=progress).path
        log.info("daily backup written")
    return DailyBackup(written, _prune(folder, keep))


def _prune(folder: Path, keep: int) -> list[Path]:
    dated = sorted(
        (match[1], path)
        for path in folder.iterdir()
        if (match := _DAILY_NAME.fullmatch(path.name)) is not None and path.is_file()
    )
    removed = [path for _day, path in dated[: max(0, len(dated) - keep)]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
