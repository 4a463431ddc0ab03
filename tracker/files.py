"""Every file the tracker writes goes through here, so none is ever half-written, readable by
others, written through a symlink, or silently put over an existing file.

How: the content goes to a temporary file beside the target (the same directory, so giving it
the target's name is one rename on one file system), created exclusively with mode 0600 and
locked while it is written. It is fsynced, and only then does it take the target's name:

- without ``force`` by a hard link, which the kernel refuses atomically when the name exists
  (no check-then-rename race); the temporary name is then removed;
- with ``force`` by ``os.replace``, which replaces a symlink at the target itself, never the
  file it points to.

The directory is fsynced after, so the new name survives a power cut. Whatever fails (a full
disk, a denied permission, a kill), the target is untouched: a kill leaves at most a hidden
``.name.tracker-….tmp`` beside it, which the next write of the same target removes once its
lock shows that no writer is alive.

The target's folder must exist: a typo in a folder name is one line naming it, never a tree
of new folders. Only the program's own folders (tracker.locations.own_folders: the data
directory and its backups, reports and exports) are created when missing, private (0700).

A directory (the CSV export) is built the same way: whole, under a hidden sibling name,
fsynced, then renamed into place; with ``force`` the old one is moved aside first and removed
after, so the target name never holds a torn directory, only the old one, nothing, or the new.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from tracker.domain.text import visible
from tracker.errors import TrackerError
from tracker.locations import own_folders

try:  # POSIX: a writer's lock tells a live temporary from one a killed run left behind
    import fcntl
except ImportError:  # pragma: no cover - Windows: stale temporaries are left, not removed
    fcntl = None  # type: ignore[assignment]

PRIVATE = 0o600
PRIVATE_DIRECTORY = 0o700
MARK = ".tracker-"
# A temporary is only a candidate for removal this long after it was last written, as well as
# unlocked: the lock is taken a moment after the file is created.
STALE_AFTER_SECONDS = 60.0
# SQLite's files beside a database: a temporary copy's are removed with it.
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")
# Hard links are missing on some file systems (FAT, exFAT, some network shares): there the
# name is given by a rename after a check, the best those file systems allow.
_NO_HARD_LINKS = {errno.EPERM, errno.EMLINK, errno.ENOTSUP,
                  getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)}


def shown_in_file(text: str) -> str:
    """A register text as every file the tracker writes carries it: a control character
    (which the door refuses, but a register written before, or edited with raw SQL, may hold)
    shown as a visible escape (``\\x1b``) instead of making the writer fail (XML cannot hold
    it) or reaching a terminal that shows the file. Line feeds and tabs are kept."""
    return visible(text, one_line=False)


class TargetExists(TrackerError):
    """The target name is taken and the caller did not ask to replace it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} already exists; pass --force to replace it")


def _cannot(path: Path, err: OSError) -> TrackerError | None:
    """The one line a person can act on for a write that failed, or None for a bug."""
    why = {
        errno.ENOSPC: f"the disk is full: {path} not written; nothing changed",
        getattr(errno, "EDQUOT", errno.ENOSPC):
            f"the disk quota is used up: {path} not written; nothing changed",
        errno.EACCES: f"no permission to write {path}: not written; nothing changed",
        errno.EPERM: f"no permission to write {path}: not written; nothing changed",
        errno.EROFS: f"{path} is on a read-only file system: not written; nothing changed",
        errno.EISDIR: f"{path} is a directory: not written; nothing changed",
        errno.ENOTDIR: f"{path}: part of the path is not a directory; nothing changed",
        errno.ENAMETOOLONG: f"{path}: the name is too long; nothing changed",
    }.get(err.errno or 0)
    return TrackerError(why) if why else None


def require_folder(target: Path) -> None:
    """Refuse, in one line, a target whose folder is missing or is not a folder; create it
    (0700) only when it is one of the program's own folders."""
    folder = target.parent
    if folder.is_dir():
        return
    if os.path.lexists(folder):
        raise TrackerError(f"{folder} is not a folder: {target.name} not written; "
                           "nothing changed")
    own = {path.resolve() for path in own_folders()}
    if folder.resolve() not in own:
        raise TrackerError(f"no folder {folder}; create it first ({target.name} not "
                           "written)")
    _make_own_folder(folder, own)


def _make_own_folder(folder: Path, own: set[Path]) -> None:
    """Create one of the program's own folders, and its own folders above it, 0700; a
    missing folder above those (the platform's data folder) the ordinary way."""
    if not folder.parent.is_dir():
        if folder.parent.resolve() in own:
            _make_own_folder(folder.parent, own)
        else:
            folder.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another program made it meanwhile
        os.mkdir(folder, PRIVATE_DIRECTORY)
        os.chmod(folder, PRIVATE_DIRECTORY)  # whatever the umask


@contextlib.contextmanager
def _explained(path: Path) -> Iterator[None]:
    try:
        yield
    except TrackerError:
        raise
    except OSError as err:
        explained = _cannot(path, err)
        if explained is None:
            raise
        raise explained from err


def _temporary_name(target: Path, kind: str) -> Path:
    # Cut a long name: the temporary's name must stay within the file system's limit.
    return target.with_name(f".{target.name[:120]}{MARK}{secrets.token_hex(6)}.{kind}")


def _lock(fd: int) -> bool:
    """Take the writer's lock on ``fd``; False when someone else holds it."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def remove_stale(target: Path) -> None:
    """Remove what killed writes of ``target`` left behind: temporaries nobody holds locked
    and not written to for a while. Another writer's live temporary is never touched."""
    if fcntl is None:  # pragma: no cover
        return
    prefix = f".{target.name[:120]}{MARK}"
    try:
        names = [n for n in os.listdir(target.parent) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        kind = name.rpartition(".")[2]
        if kind not in {"tmp", "tmpdir", "old"}:
            continue  # a SQLite companion (-journal): removed with its temporary
        path = target.parent / name
        try:
            info = os.lstat(path)
            if time.time() - info.st_mtime < STALE_AFTER_SECONDS:
                continue
            if stat.S_ISLNK(info.st_mode):  # an old symlink target moved aside by --force
                os.unlink(path)
                continue
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if not _lock(fd):
                continue  # a writer is alive
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(path, ignore_errors=True)
            else:
                _remove(path)
        finally:
            os.close(fd)


def _remove(temporary: Path) -> None:
    for suffix in ("", *SQLITE_COMPANIONS):
        with contextlib.suppress(OSError):
            os.unlink(f"{temporary}{suffix}")


def sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX; Windows cannot open a directory)."""
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as err:  # some file systems cannot sync a directory: nothing more to do
        if err.errno not in {errno.EINVAL, errno.ENOTSUP, errno.EBADF}:
            raise
    finally:
        os.close(fd)


def create_private(path: Path) -> int:
    """A new file readable by its owner only, opened for writing; refuses an existing name
    (a symlink included). Returns the descriptor: ``open(fd, "w", ...)`` wraps it."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_NOFOLLOW", 0), PRIVATE)
    if hasattr(os, "fchmod"):  # POSIX: whatever the umask
        os.fchmod(fd, PRIVATE)
    return fd


def _publish(temporary: Path, target: Path, *, force: bool) -> None:
    if force:
        os.replace(temporary, target)  # a symlink at the target is replaced, not followed
        return
    try:
        os.link(temporary, target)  # link(2) never follows a symlink at the new name
    except FileExistsError:
        raise TargetExists(target) from None
    except OSError as err:
        if err.errno not in _NO_HARD_LINKS:
            raise
        if os.path.lexists(target):
            raise TargetExists(target) from None
        os.rename(temporary, target)
        return
    os.unlink(temporary)


@contextlib.contextmanager
def replacing(target: Path, *, force: bool = False,
              companions: Sequence[str] = ()) -> Iterator[Path]:
    """A private, locked temporary path beside ``target``; when the block ends without an
    error it is fsynced and takes the target's name (see the module's docstring).

    The block writes the temporary by its path (openpyxl and SQLite open it themselves).
    ``companions`` are suffixes of files that belong to the target's name (SQLite's
    ``-wal``): they are removed just before the new file takes the name, so a stale one can
    never be read as part of it."""
    with _explained(target):
        require_folder(target)
        if not force and os.path.lexists(target):
            raise TargetExists(target)  # early, before the work; the link checks again
        remove_stale(target)
        temporary = _temporary_name(target, "tmp")
        fd = create_private(temporary)
        try:
            _lock(fd)
            yield temporary
            os.fsync(fd)
            os.close(fd)
            fd = -1
            if force or not os.path.lexists(target):
                for suffix in companions:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(f"{target}{suffix}")
            _publish(temporary, target, force=force)
        finally:
            if fd >= 0:
                os.close(fd)
            _remove(temporary)
        sync_directory(target.parent)


def write_bytes(target: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` as ``target``, atomically (see :func:`replacing`)."""
    with replacing(target, force=force) as temporary, _explained(target):
        fd = os.open(temporary, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)


@contextlib.contextmanager
def replacing_directory(target: Path, *, force: bool = False) -> Iterator[Path]:
    """A private, locked temporary directory beside ``target``, to be filled with new files
    (:func:`create_private`); when the block ends without an error every file in it is
    fsynced and the directory takes the target's name.

    Without ``force`` an existing target is refused, except an empty directory, which holds
    nothing to lose (a rename replaces it atomically). With ``force`` an existing directory
    or symlink is moved aside, the new one renamed in, and the old one removed; the caller
    decides beforehand whether the old directory may be removed at all."""
    with _explained(target):
        require_folder(target)
        if not force and os.path.lexists(target) and not _empty_directory(target):
            raise TargetExists(target)
        remove_stale(target)
        temporary = _temporary_name(target, "tmpdir")
        os.mkdir(temporary, PRIVATE_DIRECTORY)
        fd = os.open(temporary, os.O_RDONLY)
        try:
            _lock(fd)
            yield temporary
            for child in temporary.iterdir():
                child_fd = os.open(child, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                try:
                    os.fsync(child_fd)
                finally:
                    os.close(child_fd)
            os.fsync(fd)
            old = _swap_in(temporary, target, force=force)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        finally:
            os.close(fd)
        sync_directory(target.parent)
        if old is not None:
            _discard(old)


def _empty_directory(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode) and not os.listdir(path)
    except OSError:
        return False


def _swap_in(temporary: Path, target: Path, *, force: bool) -> Path | None:
    """Rename ``temporary`` to ``target``; returns where the replaced old one now is."""
    try:
        os.rename(temporary, target)  # POSIX: replaces only a missing name or an empty dir
        return None
    except OSError as err:
        if err.errno not in {errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR}:
            raise
        if not force:
            raise TargetExists(target) from None
    old = _temporary_name(target, "old")
    os.rename(target, old)  # a symlink is moved itself; what it points to stays
    os.rename(temporary, target)
    return old


def _discard(old: Path) -> None:
    if os.path.islink(old) or not os.path.isdir(old):
        with contextlib.suppress(OSError):
            os.unlink(old)
    else:
        shutil.rmtree(old, ignore_errors=True)
