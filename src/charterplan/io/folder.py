"""Output folders that never lose a person's files (SPEC §8), for every command.

A command claims its folder before it starts work, fills a staging folder beside it
and commits at the end::

    with claim_output_folder(target) as out:   # refused here, before any work
        write_files_into(out.staging)
        out.commit()                             # staging takes the target's place

The rules:

- **Ours to replace.** Every run leaves a marker, ``.charterplan-output.json``, that
  lists each file and folder it wrote. A target is replaced only when it is missing,
  empty, or every entry in it is listed in its marker; otherwise
  :class:`OutputFolderError` before anything is touched. Checked at the claim and
  again at the commit (a person may have added a file meanwhile).
- **One run per target.** A lock file ``.<name>.charterplan.lock`` beside the target,
  held from the claim to the end and removed then; a second run is refused at once.
- **Writable first.** The claim creates the staging folder (and any missing parents),
  so an unwritable place is refused before any work; an aborted run removes both.
- **Leftovers.** A killed run can leave ``.<name>.<8 hex>.partial`` or ``….old`` beside
  the target. The next claim, holding the lock (so no live run owns them), removes
  those that are provably ours: named so, and empty or holding a marker. A marker is
  written first into a staging folder and removed last from any folder we delete.
- **Never missing.** The commit swaps the two folders with one ``renameat2`` call
  (``RENAME_EXCHANGE``, Linux) and then deletes the old one. Where that call is
  missing, it renames target → ``….old`` and staging → target; a run killed between
  the two leaves the target missing, and the next claim renames the ``.old`` back
  before anything else.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from os import PathLike
from pathlib import Path

from charterplan.errors import CharterplanError

if sys.platform == "win32":  # pragma: no cover - CI runs on Linux
    import msvcrt

    def _try_lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

__all__ = ["MARKER", "OutputFolder", "OutputFolderError", "check_output_folder",
           "claim_output_folder", "write_files"]

MARKER = ".charterplan-output.json"
"""The file in every output folder that lists what charterplan wrote there."""

_LEFTOVER = re.compile(r"[0-9a-f]{8}\.(partial|old)")


class OutputFolderError(CharterplanError, ValueError):
    """The output folder cannot be used: it holds someone else's files, it is a file,
    it cannot be written, or another run is writing it."""


class OutputFolder:
    """A claimed output folder: write into :attr:`staging`, then :meth:`commit`."""

    def __init__(self, path: Path, target: Path, staging: Path) -> None:
        self.path = path
        """The folder as the caller named it."""
        self.staging = staging
        """Where to write the files; empty but for the marker."""
        self.committed = False
        """Whether the staging folder has taken the target's place."""
        self._target = target

    def commit(self) -> Path:
        """List what was written in the marker, put the staging folder in the target's
        place and delete the folder it replaced; return :attr:`path`.

        Raises:
            OutputFolderError: the target now holds a file charterplan did not write.
        """
        if self.committed:
            raise RuntimeError(f"{self.path} is committed already")
        _write_marker(self.staging, sorted(e for e, ours in _entries(self.staging)
                                           if ours and e != MARKER))
        _refuse_foreign(self._target, self.path)
        replaced = _swap(self.staging, self._target)
        self.committed = True
        if replaced is not None:
            with suppress(OSError):  # what is left is ours: the next run removes it
                _remove(replaced)
        return self.path


def check_output_folder(folder: str | PathLike[str]) -> Path:
    """Return ``folder`` as a path if a run may fill or replace it; touch nothing.

    Raises:
        OutputFolderError: it is a file, or it holds an entry that no marker lists.
    """
    given = Path(folder)
    _refuse_foreign(_resolved(given), given)
    return given


@contextmanager
def claim_output_folder(folder: str | PathLike[str]) -> Iterator[OutputFolder]:
    """Claim ``folder`` for one run (see the module's rules); on leaving the block
    without :meth:`OutputFolder.commit`, remove what the claim made.

    Raises:
        OutputFolderError: the folder is not ours to replace, cannot be written, or
            another run holds it.
    """
    given = Path(folder)
    target = _resolved(given)
    created: list[Path] = []
    out: OutputFolder | None = None
    claimed = False
    try:
        created = _make_parents(target.parent, given)
        with _locked(target.with_name(f".{target.name}.charterplan.lock"), given):
            try:
                _clean_leftovers(target)
                _refuse_foreign(target, given)
                _refuse_unwritable(target, given)
                staging = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
                staging.mkdir()
                out = OutputFolder(given, target, staging)
                _write_marker(staging, [], complete=False)
                claimed = True
                yield out
            finally:
                if out is not None and not out.committed:
                    with suppress(OSError):
                        _remove(out.staging)
    except OSError as exc:
        if claimed:  # the caller's work or the commit failed, not the claim
            raise
        raise OutputFolderError(
            f"cannot write the output folder {str(given)!r}: {exc.strerror or exc}") from exc
    finally:
        if out is None or not out.committed:
            for parent in reversed(created):
                with suppress(OSError):
                    parent.rmdir()



def write_files(folder: str | PathLike[str], texts: Mapping[str, str],
                ours: Callable[[Path], bool],
                before_writing: Callable[[], None] = lambda: None) -> list[Path]:
    """Write each ``texts[name]`` to ``folder / name`` and leave the folder's other
    files alone: for files a person puts beside their own (``schema --out docs``).

    A file already there is replaced only when ``ours(path)`` says a run wrote it;
    every name is checked before anything is written, so a refusal touches nothing.
    Each file is written beside its place and renamed over it, so it is never half
    written. ``folder`` and its parents are created when missing. Returns the paths.

    Raises:
        OutputFolderError: ``folder`` is a file or cannot be written, or a file of one
            of the names is not ours (nor a plain file).
    """
    given = Path(folder)
    paths = [given / name for name in texts]
    for path in paths:
        if os.path.lexists(path) and (path.is_symlink() or not path.is_file()
                                      or not ours(path)):
            raise OutputFolderError(
                f"{str(path)!r} exists and charterplan did not write it; nothing was "
                "written: move it or choose another folder")
    try:
        given.mkdir(parents=True, exist_ok=True)
        before_writing()
        for path, text in zip(paths, texts.values(), strict=True):
            part = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
            try:
                part.write_text(text, encoding="utf-8")
                os.replace(part, path)
            finally:
                part.unlink(missing_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise OutputFolderError(f"cannot write into {str(given)!r}: it or a folder above it "
                                "is a file") from exc
    except PermissionError as exc:
        raise OutputFolderError(
            f"cannot write into {str(given)!r}: {exc.strerror or exc}") from exc
    return paths

def _resolved(given: Path) -> Path:
    target = given.resolve()
    if not target.name:
        raise OutputFolderError(f"{str(given)!r} cannot be an output folder")
    return target


def _make_parents(parent: Path, given: Path) -> list[Path]:
    """Create the missing folders above the target; return them, outermost first."""
    missing = []
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    if not parent.is_dir():
        raise OutputFolderError(f"cannot write the output folder {str(given)!r}: "
                                f"{str(parent)!r} is a file")
    created = []
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)
        created.append(folder)
    return created


@contextmanager
def _locked(path: Path, given: Path) -> Iterator[None]:
    """Hold the lock file ``path``; refuse at once if another run holds it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            _try_lock(fd)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                os.close(fd)
                raise
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise OutputFolderError(
                f"another charterplan run (pid {holder or '?'}) is writing the output "
                f"folder {str(given)!r}; wait for it to end or choose another folder"
            ) from None
        # The holder before us unlinks the file as it lets go: lock the file now there.
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        yield
    finally:
        with suppress(OSError):
            path.unlink()
        os.close(fd)


def _entries(folder: Path, prefix: str = "") -> Iterator[tuple[str, bool]]:
    """Every entry under ``folder``, as a relative path (folders end in ``/``) and
    whether it may be ours at all (a plain file or folder, not a link)."""
    with os.scandir(folder) as scan:
        found = sorted(scan, key=lambda entry: entry.name)
    for entry in found:
        name = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield name + "/", True
            yield from _entries(Path(entry.path), name + "/")
        else:
            yield name, entry.is_file(follow_symlinks=False)


def _listed(folder: Path) -> set[str] | None:
    """The entries the marker in ``folder`` lists; None if it has no readable marker."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("written_by") != "charterplan":
        return None
    entries = marker.get("entries")
    if not isinstance(entries, list):
        return None
    return {e for e in entries if isinstance(e, str)}


def _stray(folder: Path) -> str | None:
    """The first entry of ``folder`` that is not ours; None if it is empty or all ours."""
    listed = _listed(folder) or set()
    for entry, ours in _entries(folder):
        if entry != MARKER and not (ours and entry in listed):
            return entry
    return None


def _refuse_foreign(target: Path, given: Path) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputFolderError(f"the output folder {str(given)!r} is a file")
    stray = _stray(target)
    if stray is not None:
        raise OutputFolderError(
            f"the output folder {str(given)!r} holds {stray!r}, which charterplan did not "
            "write; nothing was touched: choose a new or empty folder")


def _refuse_unwritable(target: Path, given: Path) -> None:
    """Refuse a target whose old content could not be deleted after the swap."""
    if not target.is_dir():
        return
    folders = [target, *(target / e for e, _ in _entries(target) if e.endswith("/"))]
    for folder in folders:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputFolderError(f"cannot write the output folder {str(given)!r}: "
                                    f"{str(folder)!r} is read-only")


def _write_marker(folder: Path, entries: list[str], *, complete: bool = True) -> None:
    from charterplan._version import __version__

    text = json.dumps({"written_by": "charterplan", "version": __version__,
                       "complete": complete, "entries": entries}, indent=1) + "\n"
    part = folder / f"{MARKER}.tmp"
    part.write_text(text, encoding="utf-8")
    os.replace(part, folder / MARKER)


def _clean_leftovers(target: Path) -> None:
    """Put back a target a killed swap left missing, then remove the leftovers of
    killed runs into ``target`` that are ours (empty, or holding a marker)."""
    prefix = f".{target.name}."
    leftovers = sorted(
        (p for p in target.parent.iterdir()
         if p.name.startswith(prefix) and _LEFTOVER.fullmatch(p.name[len(prefix):])
         and p.is_dir() and not p.is_symlink()),
        key=lambda p: p.stat().st_mtime)
    if not os.path.lexists(target):
        old = [p for p in leftovers if p.name.endswith(".old") and _stray(p) is None]
        if old:
            old[-1].rename(target)
            leftovers.remove(old[-1])
    for leftover in leftovers:
        if (leftover / MARKER).is_file() or not any(leftover.iterdir()):
            _remove(leftover)


def _exchange(a: Path, b: Path) -> bool:
    """Swap the paths ``a`` and ``b`` in one step; False where the system cannot."""
    if sys.platform != "linux":
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # e.g. the file system
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(staging: Path, target: Path) -> Path | None:
    """Put ``staging`` in ``target``'s place; return where the replaced folder is now."""
    if not os.path.lexists(target):
        staging.rename(target)
        return None
    if _exchange(staging, target):
        return staging
    old = staging.with_name(staging.name.removesuffix(".partial") + ".old")
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    return old


def _remove(folder: Path) -> None:
    """Delete ``folder``, its marker last, so that a deletion cut short leaves a
    folder the next run still knows as its own."""
    for root, folders, files in os.walk(folder, topdown=False):
        for name in files:
            if not (name == MARKER and root == str(folder)):
                os.unlink(os.path.join(root, name))
        for name in folders:
            path = os.path.join(root, name)
            if os.path.islink(path):
                os.unlink(path)
            else:
                os.rmdir(path)
    (folder / MARKER).unlink(missing_ok=True)
    folder.rmdir()
