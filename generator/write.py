"""write: the only step that touches disk.

The new output is built in a sibling folder and swapped in, so an error or a kill leaves either
the previous output or the complete new one. Files whose bytes did not change are hard links to
the previous ones, so they keep their mtime.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath


def safe_relative(path: str) -> PurePosixPath:
    """Refuse any output path that could land outside the output folder."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(part in ("", ".", "..") for part in pure.parts) or "\\" in path:
        raise ValueError(f"refusing to write outside the output folder: {path!r}")
    return pure


def write_tree(target: Path, files: dict[str, str]) -> None:
    """Replace the folder ``target`` with exactly ``files``; unchanged files keep their mtime.

    A file or a symbolic link where the folder belongs is refused (``NotADirectoryError``): the
    swap would put it in a staging folder that is deleted."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise NotADirectoryError(errno.ENOTDIR, "a file or symbolic link is in the way of the folder", str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    os.chmod(staging, target.stat().st_mode & 0o7777 if target.is_dir() else _default_folder_mode())
    try:
        for path, text in files.items():
            relative = safe_relative(path)
            destination = staging.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            previous = target.joinpath(*relative.parts)
            if previous.is_file() and not previous.is_symlink() and previous.read_bytes() == text.encode():
                os.link(previous, destination)
            else:
                destination.write_bytes(text.encode())
        _fsync_tree(staging)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def remove_tree(target: Path) -> None:
    """Delete the output folder ``target`` as one step: it is renamed to a staging name first,
    so a kill leaves it whole or gone (the leftover goes with the next ``tidy``)."""
    doomed = target.parent / f".{target.name}.new-removed-{os.getpid()}"
    os.rename(target, doomed)
    shutil.rmtree(doomed)


def tidy(out: Path) -> None:
    """Drop the staging folders that killed runs left in ``out``."""
    for leftover in out.glob(".*.new-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def _default_folder_mode() -> int:
    """What ``mkdir`` would give a new folder (mkdtemp always gives 0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _swap(staging: Path, target: Path) -> None:
    if target.exists() and _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # done: what a failure leaves goes with the next run
        return
    old = target.parent / f".{target.name}.old"
    if target.exists():
        os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders: renameat2(RENAME_EXCHANGE) on Linux, renamex_np(RENAME_SWAP)
    on macOS. False where neither exists (then two renames, with a moment between them)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        return bool(renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0)
    renamex_np = getattr(libc, "renamex_np", None)
    if renamex_np is not None:
        rename_swap = 2
        return bool(renamex_np(os.fsencode(a), os.fsencode(b), rename_swap) == 0)
    return False


def recover(target: Path) -> None:
    """Finish or undo a swap that a kill interrupted; drop staging folders it left."""
    old = target.parent / f".{target.name}.old"
    if old.exists():
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(old, target)
    for leftover in target.parent.glob(f".{target.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _fsync_tree(root: Path) -> None:
    for folder, _, names in os.walk(root):
        for name in names:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
