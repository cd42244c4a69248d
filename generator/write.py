"""write: the only step that touches disk.

The new output is built in a sibling folder and swapped in, so an error or a kill leaves either
the previous output or the complete new one. Files whose bytes did not change are hard links to
the previous ones, so they keep their mtime.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import filecmp
import hashlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator


def safe_relative(path: str) -> PurePosixPath:
    """Refuse any output path that could land outside the output folder."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(part in ("", ".", "..") for part in pure.parts) or "\\" in path:
        raise ValueError(f"refusing to write outside the output folder: {path!r}")
    return pure


class Staging:
    """A new version of the folder ``target``, built file by file beside it: ``commit`` swaps it
    in; leaving the ``with`` block without committing removes it and leaves ``target`` as it was.

    A file or a symbolic link where the folder belongs is refused (``NotADirectoryError``): the
    swap would put it in a staging folder that is deleted. Nothing touches disk before the first
    ``add``."""

    def __init__(self, target: Path):
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise NotADirectoryError(errno.ENOTDIR, "a file or symbolic link is in the way of the folder", str(target))
        self.target = target
        self.changed: list[str] = []  # added files whose bytes differ from the target's (or that it lacks)
        self._staging: Path | None = None
        self._committed = False

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._staging is not None and not self._committed:
            shutil.rmtree(self._staging, ignore_errors=True)

    def add(self, path: str, pieces: Iterable[str]) -> str:
        """Write one file from its text in pieces; its sha256. A file whose bytes did not change
        becomes a hard link to the old one."""
        relative = safe_relative(path)
        destination = self._folder().joinpath(*relative.parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest = _write(destination, pieces)
        previous = self.target.joinpath(*relative.parts)
        if previous.is_file() and not previous.is_symlink() and filecmp.cmp(previous, destination, shallow=False):
            destination.unlink()
            os.link(previous, destination)
        else:
            self.changed.append(path)
        return digest

    def commit(self) -> None:
        """Swap the new folder in (atomically where the system can)."""
        staging = self._folder()
        _fsync_tree(staging)
        _swap(staging, self.target)
        self._committed = True

    def _folder(self) -> Path:
        if self._staging is None:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            recover(self.target)
            self._staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.new-", dir=self.target.parent))
            os.chmod(self._staging, self.target.stat().st_mode & 0o7777 if self.target.is_dir() else _default_folder_mode())
        return self._staging


def write_tree(target: Path, files: dict[str, str]) -> None:
    """Replace the folder ``target`` with exactly ``files``; unchanged files keep their mtime."""
    with Staging(target) as staging:
        for path, text in files.items():
            staging.add(path, (text,))
        staging.commit()


def _write(destination: Path, pieces: Iterable[str]) -> str:
    """Write the pieces as UTF-8; the sha256 of the bytes."""
    digest = hashlib.sha256()
    with destination.open("xb") as file:
        for block in _blocks(pieces):
            data = block.encode()
            digest.update(data)
            file.write(data)
    return digest.hexdigest()


def _blocks(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces joined into blocks of about a megabyte: a template yields millions of small
    pieces, too many to write one by one."""
    block: list[str] = []
    size = 0
    for piece in pieces:
        block.append(piece)
        size += len(piece)
        if size >= _BLOCK:
            yield "".join(block)
            block, size = [], 0
    yield "".join(block)


_BLOCK = 1 << 20


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
