"""config: what to generate, from ``[tool.stubforge]`` in ``pyproject.toml``.

With no config, every spec in ``specs/`` is generated into ``generated/`` with default names.
Every setting is checked here, before anything is generated, and a bad one is reported as
``pyproject.toml:line: /tool/stubforge/...: error: message``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import names
from .diagnostics import Diagnostic, Level, SpecError, pointer_of
from .load import DEFAULT_MAX_SPEC_MB

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
ARTEFACTS = ("client", "server", "docs")
_TOP_KEYS = {"output", "specs", "templates", "strict", "allow_remote_refs", "artefacts", "max_spec_mb"}
_SPEC_KEYS = {"path", "name", "client_package", "server_package", "artefacts", "templates", "strict", "allow_remote_refs", "max_spec_mb"}
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Options:
    """How one spec is generated. ``None`` names mean the defaults made from the spec's file name."""

    strict: bool = False
    allow_remote_refs: bool = False
    templates: Path | None = None
    name: str | None = None
    client_package: str | None = None
    server_package: str | None = None
    artefacts: tuple[str, ...] = ARTEFACTS
    #: The most MB of spec text read: per file, and for the spec and its referenced files together.
    max_spec_mb: int = DEFAULT_MAX_SPEC_MB


@dataclass(frozen=True)
class SpecConfig:
    path: Path
    options: Options


@dataclass(frozen=True)
class Config:
    output: Path = Path("generated")
    specs: tuple[SpecConfig, ...] = ()
    defaults: Options = field(default_factory=Options)
    source: Path | None = None


def default_name(spec_path: Path) -> str:
    """The output folder and package stem for a spec: ``specs/aws-cognito.yaml`` → ``aws_cognito``."""
    return names.package_name(spec_path.stem)


def specs_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SPEC_SUFFIXES)


def load_config(pyproject: Path) -> Config:
    """The ``[tool.stubforge]`` table of ``pyproject`` (paths in it are relative to its folder);
    defaults when the file or the table is absent."""
    base = pyproject.parent
    if not pyproject.is_file():
        return Config(specs=_discovered(base / "specs", Options()), output=base / "generated")
    text = pyproject.read_text("utf-8")
    reader = _Reader(pyproject, text)
    try:
        table = tomllib.loads(text).get("tool", {}).get("stubforge", {})
    except tomllib.TOMLDecodeError as exc:
        raise SpecError([Diagnostic(str(pyproject), 0, "", Level.ERROR, f"not valid TOML: {exc}")]) from None
    config = reader.config(table, base)
    reader.raise_errors()
    return config


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _discovered(folder: Path, options: Options) -> tuple[SpecConfig, ...]:
    return tuple(SpecConfig(path, options) for path in specs_in(folder))


class _Reader:
    """Reads the table, collecting every problem with its location before failing."""

    def __init__(self, file: Path, text: str):
        self.file = file
        self.lines = text.splitlines()
        self.errors: list[Diagnostic] = []

    def config(self, table: Any, base: Path) -> Config:
        if not isinstance(table, dict):
            self.error(("tool", "stubforge"), "must be a table")
            return Config(source=self.file)
        self.unknown_keys(table, _TOP_KEYS, ("tool", "stubforge"))
        defaults = self.options(table, Options(), base, ("tool", "stubforge"))
        output = base / self.string(table, "output", ("tool", "stubforge"), "generated")
        entries = table.get("specs")
        if entries is None:
            specs = _discovered(base / "specs", defaults)
        elif isinstance(entries, list):
            specs = tuple(self.spec(entry, defaults, base, i) for i, entry in enumerate(entries))
        else:
            self.error(("tool", "stubforge", "specs"), "must be an array of tables ([[tool.stubforge.specs]])")
            specs = ()
        self.check_unique(specs)
        return Config(output=output, specs=specs, defaults=defaults, source=self.file)

    def spec(self, entry: Any, defaults: Options, base: Path, index: int) -> SpecConfig:
        where = ("tool", "stubforge", "specs", index)
        if not isinstance(entry, dict):
            self.error(where, "must be a table")
            return SpecConfig(Path(), defaults)
        self.unknown_keys(entry, _SPEC_KEYS, where)
        path = self.string(entry, "path", where, "")
        if not path:
            self.error(where, "needs a path: the spec file, relative to pyproject.toml")
        options = self.options(entry, defaults, base, where)
        for key in ("name", "client_package", "server_package"):
            self.identifier(entry, key, where)
        options = replace(
            options,
            name=_text_or_none(entry.get("name")),
            client_package=_text_or_none(entry.get("client_package")),
            server_package=_text_or_none(entry.get("server_package")),
        )
        return SpecConfig(base / path, options)

    def options(self, table: dict[str, Any], inherited: Options, base: Path, where: tuple[Any, ...]) -> Options:
        templates = self.string(table, "templates", where, "")
        if templates and not (base / templates).is_dir():
            self.error((*where, "templates"), f"{templates!r} is not a folder (relative to {self.file.name})")
        artefacts = table.get("artefacts", list(inherited.artefacts))
        if not isinstance(artefacts, list) or not artefacts or not all(a in ARTEFACTS for a in artefacts):
            self.error((*where, "artefacts"), f"must be a non-empty list of {', '.join(map(repr, ARTEFACTS))}")
            artefacts = list(inherited.artefacts)
        return Options(
            strict=self.flag(table, "strict", where, inherited.strict),
            allow_remote_refs=self.flag(table, "allow_remote_refs", where, inherited.allow_remote_refs),
            templates=base / templates if templates else inherited.templates,
            artefacts=tuple(a for a in ARTEFACTS if a in artefacts),
            max_spec_mb=self.positive_integer(table, "max_spec_mb", where, inherited.max_spec_mb),
        )

    def string(self, table: dict[str, Any], key: str, where: tuple[Any, ...], default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.error((*where, key), "must be a string")
            return default
        return value

    def flag(self, table: dict[str, Any], key: str, where: tuple[Any, ...], default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.error((*where, key), "must be true or false")
            return default
        return value

    def positive_integer(self, table: dict[str, Any], key: str, where: tuple[Any, ...], default: int) -> int:
        value = table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.error((*where, key), "must be a whole number of at least 1")
            return default
        return value

    def identifier(self, table: dict[str, Any], key: str, where: tuple[Any, ...]) -> None:
        value = table.get(key)
        if value is None:
            return
        if not isinstance(value, str) or not _IDENTIFIER.match(value) or names.snake(value, "x") != value:
            self.error((*where, key), f"{value!r} must be a lower-case Python identifier (letters, digits, _), not a keyword")

    def unknown_keys(self, table: dict[str, Any], known: set[str], where: tuple[Any, ...]) -> None:
        for key in sorted(set(table) - known):
            self.error((*where, key), f"unknown setting {key!r}; known: {', '.join(sorted(known))}")

    def check_unique(self, specs: tuple[SpecConfig, ...]) -> None:
        seen: dict[str, int] = {}
        for index, spec in enumerate(specs):
            name = spec.options.name or default_name(spec.path)
            if name in seen:
                self.error(("tool", "stubforge", "specs", index), f"output name {name!r} is already used by specs[{seen[name]}]")
            seen.setdefault(name, index)

    def error(self, tokens: tuple[Any, ...], message: str) -> None:
        self.errors.append(Diagnostic(str(self.file), self.line_of(tokens), pointer_of(*tokens), Level.ERROR, message))

    def line_of(self, tokens: tuple[Any, ...]) -> int:
        """The line of a setting, found by reading the text (tomllib keeps no positions)."""
        start, end = self.table_lines(tokens)
        key = next((str(t) for t in reversed(tokens) if isinstance(t, str)), "")
        for number in range(start, end):
            if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[number]):
                return number + 1
        return start + 1 if start or tokens[:2] == ("tool", "stubforge") else 0

    def table_lines(self, tokens: tuple[Any, ...]) -> tuple[int, int]:
        """The line range of ``[tool.stubforge]`` or of the n-th ``[[tool.stubforge.specs]]``."""
        headers = [i for i, line in enumerate(self.lines) if re.match(r"\s*\[", line)]
        if len(tokens) >= 4 and tokens[2] == "specs" and isinstance(tokens[3], int):
            entries = [i for i in headers if re.match(r"\s*\[\[\s*tool\.stubforge\.specs\s*\]\]", self.lines[i])]
            start = entries[tokens[3]] if tokens[3] < len(entries) else -1
        else:
            start = next((i for i in headers if re.match(r"\s*\[\s*tool\.stubforge\s*\]", self.lines[i])), -1)
        if start < 0:
            return 0, 0
        end = next((i for i in headers if i > start), len(self.lines))
        return start, end

    def raise_errors(self) -> None:
        if self.errors:
            raise SpecError(self.errors)
