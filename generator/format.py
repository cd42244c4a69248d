"""format: Black, in-process, with settings fixed here so output never depends on the machine.

Black is by far the slowest step, so it runs only on text it has not formatted before: results
are cached by the sha256 of the unformatted text, and the pipeline seeds the cache with the
previous run's files (the manifest records which unformatted text each came from). What is left
is split over worker processes when it is large.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

import black

from .diagnostics import Diagnostic, Level, SpecError

MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100)
#: Below this many lines of Python, worker processes cost more than they save.
PARALLEL_THRESHOLD = 20_000
_cache: dict[str, str] = {}


Progress = Callable[[int, int], None]


def source_key(source: str) -> str:
    """The cache key of unformatted text (recorded per file in the manifest)."""
    return hashlib.sha256(source.encode()).hexdigest()


def remember(key: str, formatted: str) -> None:
    """Seed the cache: ``formatted`` is what Black made of the text whose key is ``key``."""
    _cache[key] = formatted


def pending(files: dict[str, str]) -> list[str]:
    """The Python files Black still has to format."""
    return [p for p, t in files.items() if p.endswith(".py") and source_key(t) not in _cache]


def format_files(files: dict[str, str], progress: Progress | None = None) -> dict[str, str]:
    """Format every Python file; other files pass through unchanged."""
    todo = {p: files[p] for p in pending(files)}
    workers = min(os.cpu_count() or 1, len(todo))
    parallel = workers > 1 and sum(t.count("\n") for t in todo.values()) > PARALLEL_THRESHOLD
    if parallel:
        ordered = sorted(todo.items(), key=lambda item: -len(item[1]))
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for done, ((path, text), formatted) in enumerate(zip(ordered, pool.map(_format_or_error, ordered)), 1):
                if isinstance(formatted, str):
                    _cache[source_key(text)] = formatted
                if progress:
                    progress(done, len(ordered))
    result = {}
    for path, text in files.items():
        result[path] = format_python(path, text) if path.endswith(".py") else text
        if progress and path in todo and not parallel:
            progress(sum(1 for p in todo if p in result), len(todo))
    return result


def _format_or_error(item: tuple[str, str]) -> str | None:
    try:
        return black.format_str(item[1], mode=MODE)
    except black.InvalidInput:
        return None  # reported with its location by format_python in the parent


def format_python(path: str, source: str) -> str:
    """Black-format ``source``; a failure is a generator bug, reported with the file it hit."""
    key = source_key(source)
    if key not in _cache:
        try:
            _cache[key] = black.format_str(source, mode=MODE)
        except black.InvalidInput as exc:
            raise SpecError([Diagnostic(path, 0, "", Level.ERROR, f"generated code does not parse (a stubforge bug): {exc}")]) from None
    return _cache[key]
