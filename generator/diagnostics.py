"""Findings about a spec, each with a location: ``file:line: /json/pointer: message``."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable


class Level(enum.IntEnum):
    WARNING = 1
    ERROR = 2


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    pointer: str
    level: Level
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        pointer = f" {self.pointer}:" if self.pointer else ""
        return f"{where}:{pointer} {self.level.name.lower()}: {self.message}"

    @property
    def in_file(self) -> str:
        """The finding without the file's path, for documents about that one file (the path
        depends on where generation ran, and generated output must not)."""
        where = f"line {self.line}:" if self.line else ""
        pointer = f" {self.pointer}:" if self.pointer else ""
        return f"{where}{pointer} {self.level.name.lower()}: {self.message}".strip()


class SpecError(Exception):
    """The spec cannot be generated; carries every finding that explains why."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sort_unique(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def sort_unique(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(set(diagnostics)))


def escape_pointer_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(*tokens: object) -> str:
    return "".join("/" + escape_pointer_token(t) for t in tokens)


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")
