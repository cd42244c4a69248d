"""format: Black, in-process, with settings fixed here so output never depends on the machine."""

from __future__ import annotations

import hashlib

import black

from .diagnostics import Diagnostic, Level, SpecError

MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100)
_cache: dict[str, str] = {}


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Format every Python file; other files pass through unchanged."""
    return {path: format_python(path, text) if path.endswith(".py") else text for path, text in files.items()}


def format_python(path: str, source: str) -> str:
    """Black-format ``source``; a failure is a generator bug, reported with the file it hit."""
    key = hashlib.sha256(source.encode()).hexdigest()
    if key not in _cache:
        try:
            _cache[key] = black.format_str(source, mode=MODE)
        except black.InvalidInput as exc:
            raise SpecError([Diagnostic(path, 0, "", Level.ERROR, f"generated code does not parse (a stubforge bug): {exc}")]) from None
    return _cache[key]
