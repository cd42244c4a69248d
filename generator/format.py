"""format: Black, in-process, with settings fixed here so output never depends on the machine.

Black is by far the slowest step (about 2,000 lines a second), so it only ever sees text it has
not formatted before, in small pieces:

- Templates cut big files into **chunks** (one per operation or model) with a break line,
  ``<indent>\\x1f<n>``: a chunk starts at that indentation, ``n`` blank lines after the one before.
  Spec text can never produce that line: every filter escapes or drops control characters.
- Each chunk is formatted alone, at its depth (inside ``class _:`` wrappers), and cached by the
  sha256 of its text; a file is its formatted chunks joined by the blank lines the breaks name.
  Breaks stand only where Black's own blank-line rule is fixed (before a ``def``, a class, a
  decorator, or a statement after a statement), so the file is exactly what Black makes of it
  whole; the tests check that on real specs.
- The pipeline seeds the cache from the previous run's files: the manifest records where each
  chunk's formatted text lies in them (``layout``).

What is left is split over worker processes when it is large.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable

import black

from .diagnostics import Diagnostic, Level, SpecError

MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100)
#: Below this many lines of Python, worker processes cost more than they save.
PARALLEL_THRESHOLD = 20_000
BREAK = "\x1f"
_BREAK_LINE = re.compile(r"^( *)\x1f(\d)$")
_cache: dict[str, str] = {}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Chunk:
    depth: int  # indentation level: 0 for module level, 1 inside a class or function
    blank_lines: int  # between the previous chunk and this one
    source: str

    @functools.cached_property
    def key(self) -> str:
        return source_key(self.source)


#: Formatted text is only reused under the Black version and settings that made it.
_FORMATTER = f"black {black.__version__} {MODE!r}\n".encode()


def source_key(source: str) -> str:
    """The cache key of unformatted text (128 bits of sha256, with the formatter's identity)."""
    return hashlib.sha256(_FORMATTER + source.encode()).hexdigest()[:32]


@functools.lru_cache(maxsize=1024)
def chunks(source: str) -> tuple[Chunk, ...]:
    """``source`` cut at its break lines (a file without any is one chunk). Cached: a run asks
    for the chunks of each file several times (what to format, formatting, the layout)."""
    found: list[Chunk] = []
    depth, blank_lines, lines = 0, 0, []
    for line in _lines(source):
        match = _BREAK_LINE.match(line.rstrip("\n"))
        if match is None:
            lines.append(line)
            continue
        found.append(Chunk(depth, blank_lines, _strip_blank(lines)))
        depth, blank_lines, lines = len(match.group(1)) // 4, int(match.group(2)), []
    found.append(Chunk(depth, blank_lines, _strip_blank(lines)))
    return tuple(c for c in found if c.source)


def _lines(text: str) -> list[str]:
    """Lines ending in "\\n" (``str.splitlines`` would also cut at \\x1c-\\x1e, \\x85 and more)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _strip_blank(lines: list[str]) -> str:
    """The lines without blank ones at either end; "" when all are blank."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "".join(lines[start:end]).rstrip("\n") + "\n" if start < end else ""


def without_breaks(source: str) -> str:
    """``source`` as one piece of Python, each break line replaced by its blank lines: what
    Black would be given whole, and what runs as it is when formatting is skipped."""
    return re.sub(rf"(?m)^ *{BREAK}(\d)\n", lambda m: "\n" * int(m.group(1)), source)


def pending(files: dict[str, str]) -> list[Chunk]:
    """The chunks of Python files that Black has not formatted yet, each once."""
    todo: dict[str, Chunk] = {}
    for path, text in files.items():
        if path.endswith(".py"):
            todo.update((c.key, c) for c in chunks(text) if c.key not in _cache)
    return list(todo.values())


def format_files(files: dict[str, str], progress: Progress | None = None) -> dict[str, str]:
    """Format every Python file; other files pass through unchanged."""
    todo = pending(files)
    if len(todo) > 1 and sum(c.source.count("\n") for c in todo) > PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(os.cpu_count(), mp_context=multiprocessing.get_context("fork")) as pool:
            for done, (chunk, formatted) in enumerate(zip(todo, pool.map(_format_or_none, todo, chunksize=16)), 1):
                if formatted is not None:
                    _cache[chunk.key] = formatted
                if progress:
                    progress(done, len(todo))
    else:
        for done, chunk in enumerate(todo, 1):
            formatted = _format_or_none(chunk)
            if formatted is not None:
                _cache[chunk.key] = formatted
            if progress:
                progress(done, len(todo))
    return {path: format_python(path, text) if path.endswith(".py") else text for path, text in files.items()}


def format_python(path: str, source: str) -> str:
    """Black-format ``source``; a failure is a generator bug, reported with the file it hit."""
    parts: list[str] = []
    for chunk in chunks(source):
        if chunk.key not in _cache:
            try:
                _cache[chunk.key] = _format_chunk(chunk)
            except black.InvalidInput as exc:
                message = f"generated code does not parse (a stubforge bug): {exc}"
                raise SpecError([Diagnostic(path, 0, "", Level.ERROR, message)]) from None
        parts.append("\n" * chunk.blank_lines + _cache[chunk.key] if parts else _cache[chunk.key])
    return "".join(parts)


def layout(source: str) -> list[tuple[str, int, int]]:
    """Where each chunk of ``source`` lies in its formatted file: (key, first line, line count).
    Needs the chunks formatted (in the cache)."""
    found, line = [], 0
    for index, chunk in enumerate(chunks(source)):
        line += chunk.blank_lines if index else 0
        count = _cache[chunk.key].count("\n")
        found.append((chunk.key, line, count))
        line += count
    return found


def remember(formatted_file: str, chunk_layout: list[tuple[str, int, int]]) -> None:
    """Seed the cache from a file formatted earlier and the layout recorded for it; a layout
    that does not tile the file exactly (a damaged manifest) is ignored."""
    lines = _lines(formatted_file)
    ends = [0] + [first + count for _, first, count in chunk_layout]
    if ends[-1] != len(lines) or any(first < end for (_, first, _), end in zip(chunk_layout, ends)):
        return
    for key, first, count in chunk_layout:
        _cache.setdefault(key, "".join(lines[first : first + count]))


def _format_or_none(chunk: Chunk) -> str | None:
    try:
        return _format_chunk(chunk)
    except black.InvalidInput:
        return None  # reported with its file by format_python


def _format_chunk(chunk: Chunk) -> str:
    """Black on one chunk, inside as many ``class _:`` lines as its depth, which are then dropped."""
    wrapper = "".join("    " * level + "class _:\n" for level in range(chunk.depth))
    formatted = black.format_str(wrapper + chunk.source, mode=MODE)
    body = formatted.split("\n", chunk.depth)[chunk.depth] if chunk.depth else formatted
    return body.lstrip("\n")
