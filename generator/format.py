"""format: Black, in-process, with settings fixed here so output never depends on the machine.

Large outputs are split over worker processes (Black is by far the slowest step); results are
cached by content hash for the life of the process.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import black

from .diagnostics import Diagnostic, Level, SpecError

MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100)
#: Below this many lines of Python, worker processes cost more than they save.
PARALLEL_THRESHOLD = 20_000
_cache: dict[str, str] = {}


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Format every Python file; other files pass through unchanged."""
    pending = {p: t for p, t in files.items() if p.endswith(".py") and _key(t) not in _cache}
    workers = min(os.cpu_count() or 1, len(pending))
    if workers > 1 and sum(t.count("\n") for t in pending.values()) > PARALLEL_THRESHOLD:
        ordered = sorted(pending.items(), key=lambda item: -len(item[1]))
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for (path, text), formatted in zip(ordered, pool.map(_format_or_error, ordered)):
                if isinstance(formatted, str):
                    _cache[_key(text)] = formatted
    return {path: format_python(path, text) if path.endswith(".py") else text for path, text in files.items()}


def _format_or_error(item: tuple[str, str]) -> str | None:
    try:
        return black.format_str(item[1], mode=MODE)
    except black.InvalidInput:
        return None  # reported with its location by format_python in the parent


def _key(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


def format_python(path: str, source: str) -> str:
    """Black-format ``source``; a failure is a generator bug, reported with the file it hit."""
    key = _key(source)
    if key not in _cache:
        try:
            _cache[key] = black.format_str(source, mode=MODE)
        except black.InvalidInput as exc:
            raise SpecError([Diagnostic(path, 0, "", Level.ERROR, f"generated code does not parse (a stubforge bug): {exc}")]) from None
    return _cache[key]
