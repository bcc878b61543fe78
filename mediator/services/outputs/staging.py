"""Output files written last: under a temporary name beside their final one, renamed into place
only when the work they belong to is done (for a job that records what it wrote, after the database
commit), removed if it failed. The temporaries are named ``.staged-<pid>-….part``: the next run
that writes into the folder removes those of a process that is gone (a killed run's full
agreements, unmasked error rows or database copies do not linger)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mediator.errors import EnvironmentProblem
from mediator.i18n import _


def ensure_writable_folder(folder: Path) -> Path:
    """Create ``folder`` if needed and prove it is writable; ``EnvironmentProblem`` otherwise."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-", delete=True):
            pass
    except OSError as exc:
        raise EnvironmentProblem(
            _("无法写入文件夹 {folder}：{reason}").format(folder=folder, reason=exc.strerror or exc)
        ) from exc
    return folder


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place (never half a file).

    For a file that records nothing in the database; one that does is staged (``StagedFiles``) and
    renamed after the commit. The temporary carries the process id like the staged ones, so a
    killed run's is removed by the next write into the folder."""
    path = Path(path)
    temp: Path | None = None
    try:
        temp = temporary_beside(path)
        temp.write_bytes(data)
        os.replace(temp, path)
    except OSError as exc:
        if temp is not None:
            _remove_quietly(temp)
        raise EnvironmentProblem(
            _("无法写入文件 {path}：{reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc
    except BaseException:
        if temp is not None:
            _remove_quietly(temp)
        raise


def temporary_beside(target: Path) -> Path:
    """An empty temporary file in ``target``'s folder, named like the staged ones
    (``.staged-<pid>-….part``) so that a killed run's is removed by the next; a killed run's
    leftovers there are removed now.
    ``OSError`` when the folder cannot be written."""
    folder = Path(target).parent
    sweep_leftovers(folder)
    fd, temp_name = tempfile.mkstemp(
        dir=folder, prefix=f"{STAGED_PREFIX}{os.getpid()}-", suffix=STAGED_SUFFIX
    )
    os.close(fd)
    return Path(temp_name)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


@contextmanager
def published_after(staged: StagedFiles) -> Iterator[StagedFiles]:
    """Around a database transaction (``with published_after(staged), db.transaction() as s:``):
    the staged files are renamed into place once the block, commit included, has succeeded, and
    removed if it failed. No output without its record, no record of an output never written."""
    try:
        yield staged
    except BaseException:
        staged.discard()
        raise
    try:
        staged.commit()
    except OSError as exc:
        staged.discard()
        raise EnvironmentProblem(
            _("无法写入文件夹 {folder}：{reason}").format(folder=staged.folder, reason=exc.strerror or exc)
        ) from exc


STAGED_PREFIX = ".staged-"
STAGED_SUFFIX = ".part"


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform that cannot tell: leave its files
    return True


def sweep_leftovers(folder: Path) -> int:
    """Remove the temporaries a killed run left in ``folder`` (``.staged-<pid>-….part`` of a process
    that is gone; older ones without a pid too). Full agreements with ID numbers must not linger."""
    removed = 0
    with contextlib.suppress(OSError):
        for path in Path(folder).glob(f"{STAGED_PREFIX}*{STAGED_SUFFIX}"):
            owner = path.name[len(STAGED_PREFIX) :].split("-", 1)[0]
            if owner.isdigit() and _process_alive(int(owner)):
                continue
            _remove_quietly(path)
            removed += 1
    return removed


@dataclass
class StagedFiles:
    """Files written first under temporary names, then all renamed into place at the end.

    If anything fails before ``commit``, ``discard`` removes the temporaries: the output folder
    gets either every file of the job or none of them. Jobs that record what they wrote call
    ``commit`` only after the database commit, so no file appears without its record. The
    temporaries carry the process id: the next run in the folder removes those of a killed one.
    """

    folder: Path
    staged: list[tuple[Path, Path]] = field(default_factory=list)

    def __post_init__(self) -> None:
        sweep_leftovers(self.folder)

    def temp_path_for(self, final_name: str) -> Path:
        fd, temp_name = tempfile.mkstemp(
            dir=self.folder, prefix=f"{STAGED_PREFIX}{os.getpid()}-", suffix=STAGED_SUFFIX
        )
        os.close(fd)
        temp = Path(temp_name)
        self.staged.append((temp, self.folder / final_name))
        return temp

    def temp_of(self, final: Path) -> Path:
        """The temporary that becomes ``final`` at ``commit``."""
        for temp, target in self.staged:
            if target == final:
                return temp
        raise KeyError(final)

    def write(self, final_name: str, data: bytes) -> Path:
        """Stage a whole file (a manifest, a report) in one go; its final path."""
        temp = self.temp_path_for(final_name)
        temp.write_bytes(data)
        return self.folder / final_name

    def commit(self) -> list[Path]:
        finals: list[Path] = []
        for temp, final in self.staged:
            os.replace(temp, final)
            finals.append(final)
        self.staged.clear()
        return finals

    def discard(self) -> None:
        for temp, _final in self.staged:
            _remove_quietly(temp)
        self.staged.clear()
