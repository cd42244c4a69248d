"""format: Black's output, at a fraction of Black's cost. Settings are fixed here, so output never
depends on the machine.

Black formats about 3,700 lines a second; the biggest specs make over a million lines. So:

- **Styled files.** The built-in templates emit code in Black's style: exploded brackets carry
  a magic trailing comma, and every literal and docstring comes from ``pysource``, which applies
  Black's own rules. The renderer marks such files with a first line ``\\x1f=`` (``STYLED``).
  A chunk of a styled file whose code lines all fit in the line length is exactly what Black
  would make of it and is used as it is. Only a chunk with a longer line, and every chunk of a
  file from a user's template, goes to Black. The tests compare with Black on real specs.
- **Chunks.** Templates cut big files into chunks (one per operation or model) with a break
  line ``<indent>\\x1f<n>``: a chunk starts at that indentation, ``n`` blank lines after the one
  before. Spec text can never produce such a line: every filter escapes or drops control
  characters. Black formats a chunk alone, at its depth (inside ``class _:`` wrappers); the file
  is its chunks joined by the blank lines the breaks name. Breaks stand only where Black's own
  blank-line rule is fixed (before a ``def``, a class, a decorator, or a statement after a
  statement), so the file is exactly what Black makes of it whole.
- **Cache.** What Black formatted is cached by the sha256 of its text; the pipeline seeds the
  cache from the previous run's files, where the manifest records each such chunk (``layout``).
- **Cores.** What is left for Black is split over worker processes when it is large.
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
from black.strings import str_width

from .diagnostics import Diagnostic, Level, SpecError
from .pysource import LINE_LENGTH

MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=LINE_LENGTH)
#: Below this many lines for Black, worker processes cost more than they save.
PARALLEL_THRESHOLD = 20_000
BREAK = "\x1f"
#: The first line of a file emitted in Black's style (by a built-in template).
STYLED = f"{BREAK}=\n"
#: A break line, which ends at a newline or at the end of the text (lines end only at "\\n").
_BREAK_SPLIT = re.compile(r"^( *)\x1f(\d)(?:\n|\Z)", re.MULTILINE)
_LONG_LINE = re.compile(rf"^.{{{LINE_LENGTH + 1},}}$", re.MULTILINE)
_STRING = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
#: An item of an exploded bracket that is one string or dotted name, maybe a keyword argument's
#: or a dict entry's value: with no bracket and no operator in it, Black has no place to split
#: it (its string splitting is a preview feature), so it may be as long as it is.
_UNSPLITTABLE_ITEM = re.compile(rf" *(?:{_NAME}=|{_STRING}: )?(?:{_STRING}|{_NAME}(?:\.{_NAME})*),")
_cache: dict[str, str] = {}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Chunk:
    depth: int  # indentation level: 0 for module level, 1 inside a class or function
    blank_lines: int  # between the previous chunk and this one
    source: str
    styled: bool  # emitted in Black's style: used as it is when every code line fits

    @functools.cached_property
    def key(self) -> str:
        return source_key(self.source)

    @functools.cached_property
    def needs_black(self) -> bool:
        return not (self.styled and fits(self.source))


#: Formatted text is only reused under the Black version and settings that made it.
_FORMATTER = f"black {black.__version__} {MODE!r}\n".encode()


def source_key(source: str) -> str:
    """The cache key of unformatted text (128 bits of sha256, with the formatter's identity)."""
    return hashlib.sha256(_FORMATTER + source.encode()).hexdigest()[:32]


def fits(source: str) -> bool:
    """Whether Black leaves every line of ``source`` as it is: each is at most the line length
    wide as Black measures width (East Asian wide characters count twice), or one that Black
    cannot split: a docstring line, or an item of an exploded bracket with nothing to split."""
    if source.isascii() and _LONG_LINE.search(source) is None:
        return True
    in_docstring = False
    for line in source.split("\n"):
        code = line.lstrip()
        if in_docstring:
            in_docstring = '"""' not in line
        elif code.startswith('"""'):
            in_docstring = code.count('"""') == 1
        elif str_width(line) > LINE_LENGTH and not _UNSPLITTABLE_ITEM.fullmatch(line):
            return False
    return True


@functools.lru_cache(maxsize=1)
def chunks(source: str) -> tuple[Chunk, ...]:
    """``source`` cut at its break lines (a file without any is one chunk). The last file's are
    kept: a file is formatted, then its layout is taken. Only the last: the chunks copy the
    text, and the biggest specs make hundreds of MB of Python."""
    styled = source.startswith(STYLED)
    parts = _BREAK_SPLIT.split(source[len(STYLED) :] if styled else source)
    # [text, indent, blank lines, text, indent, blank lines, text, ...]
    found = [Chunk(0, 0, _strip_blank(parts[0]), styled)]
    found += [Chunk(len(parts[i]) // 4, int(parts[i + 1]), _strip_blank(parts[i + 2]), styled) for i in range(1, len(parts), 3)]
    return tuple(c for c in found if c.source)


def _lines(text: str) -> list[str]:
    """Lines ending in "\\n" (``str.splitlines`` would also cut at \\x1c-\\x1e, \\x85 and more)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _strip_blank(text: str) -> str:
    """The lines of ``text`` without blank ones at either end, each ending in "\\n"; "" when all
    are blank."""
    lines = text.split("\n")
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end]) + "\n" if start < end else ""


def without_breaks(source: str) -> str:
    """``source`` as one piece of Python, each break line replaced by its blank lines: what
    Black would be given whole, and what runs as it is when formatting is skipped."""
    source = source.removeprefix(STYLED)
    return re.sub(rf"(?m)^ *{BREAK}(\d)\n", lambda m: "\n" * int(m.group(1)), source)


def pending(files: dict[str, str]) -> list[Chunk]:
    """The chunks of Python files that Black has to format, each once."""
    todo: dict[str, Chunk] = {}
    for path, text in files.items():
        if path.endswith(".py"):
            todo.update((c.key, c) for c in chunks(text) if c.needs_black and c.key not in _cache)
    return list(todo.values())


def format_files(files: dict[str, str], progress: Progress | None = None) -> dict[str, str]:
    """Format every Python file; other files pass through unchanged."""
    format_chunks(pending(files), progress)
    return {path: format_python(path, text) if path.endswith(".py") else text for path, text in files.items()}


def format_chunks(todo: list[Chunk], progress: Progress | None = None) -> None:
    """Black on each chunk of ``todo`` (see ``pending``), into the cache; over worker processes
    when there is much to do."""
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


def format_python(path: str, source: str) -> str:
    """Black-format ``source``; a failure is a generator bug, reported with the file it hit."""
    parts: list[str] = []
    for chunk in chunks(source):
        formatted = _formatted(path, chunk)
        parts.append("\n" * chunk.blank_lines + formatted if parts else formatted)
    return "".join(parts)


def _formatted(path: str, chunk: Chunk) -> str:
    if not chunk.needs_black:
        return chunk.source
    if chunk.key not in _cache:
        try:
            _cache[chunk.key] = _format_chunk(chunk)
        except black.InvalidInput as exc:
            message = f"generated code does not parse (a stubforge bug): {exc}"
            raise SpecError([Diagnostic(path, 0, "", Level.ERROR, message)]) from None
    return _cache[chunk.key]


def layout(source: str) -> list[tuple[str, int, int]]:
    """Where each chunk that Black formatted lies in the formatted file: (key, first line, line
    count). Needs those chunks formatted (in the cache)."""
    found, line = [], 0
    for index, chunk in enumerate(chunks(source)):
        line += chunk.blank_lines if index else 0
        count = (_cache[chunk.key] if chunk.needs_black else chunk.source).count("\n")
        if chunk.needs_black:
            found.append((chunk.key, line, count))
        line += count
    return found


def remember(formatted_file: str, chunk_layout: list[tuple[str, int, int]]) -> None:
    """Seed the cache from a file formatted earlier and the layout recorded for it; a layout
    whose chunks are out of order or beyond the file (a damaged manifest) is ignored."""
    lines = _lines(formatted_file)
    ends = [0] + [first + count for _, first, count in chunk_layout]
    if ends[-1] > len(lines) or any(first < end or count < 1 for (_, first, count), end in zip(chunk_layout, ends)):
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
