"""``stubforge mock SPEC``: serve the generated server's mock mode straight from a spec.

Nothing is written: the model is built and the server package rendered in memory (Black is
skipped, the code runs as the templates emit it), then imported from its ``{path: text}`` by
``MemoryPackage``, a finder on ``sys.meta_path`` that also serves the package's data files
(``mock.json``, ``openapi.json``) to ``importlib.resources``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import io
import os
import sys
from dataclasses import dataclass
from importlib.resources.abc import Traversable, TraversableResources
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

from .config import Options
from .format import without_breaks
from .model import Api
from .pipeline import build_model
from .render import render


@dataclass(frozen=True)
class MockServer:
    api: Api
    app: Any  # the generated package's GeneratedApp, in mock mode


def mock_server(spec: Path, options: Options = Options()) -> MockServer:
    """The spec's server in mock mode, imported from memory (raises ``SpecError`` for a spec
    with errors)."""
    api = build_model(spec, options)
    prefix = f"server/{api.server_package}/"
    files = {path.removeprefix(prefix): text for path, text in render(api, options.templates, ("server",)).items() if path.startswith(prefix)}
    sources = {path: without_breaks(text) if path.endswith(".py") else text for path, text in files.items()}
    package = MemoryPackage(api.server_package, sources)
    package.install()
    module = importlib.import_module(api.server_package)
    return MockServer(api, module.create_app(mock=True))


def startup_text(api: Api, host: str, port: int) -> str:
    """What ``stubforge mock`` prints before serving: where, and every operation it answers."""
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}{api.base_path}"
    lines = [f"Mocking {api.title} at {url} ({len(api.operations)} operations); Ctrl+C stops it."]
    for op in api.operations:
        dispatch = "".join(f" [{key}: {value}]" for key, value in op.fixed_headers)
        lines.append(f"  {op.method:7} {op.display_path}{dispatch}  ({op.py_name})")
    lines.append("Choose an answer with the header  Prefer: code=404  and/or  Prefer: example=<name>.")
    return "\n".join(lines)


class MemoryPackage(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the package ``name`` and its modules from ``files`` (relative path -> text)."""

    def __init__(self, name: str, files: dict[str, str]) -> None:
        self.name = name
        self.files = files

    def install(self) -> None:
        """First on ``sys.meta_path``: the package shadows any installed one of the same name."""
        for module in [m for m in sys.modules if m == self.name or m.startswith(self.name + ".")]:
            del sys.modules[module]
        sys.meta_path.insert(0, self)

    def _path(self, fullname: str) -> str | None:
        if fullname == self.name:
            return "__init__.py"
        if fullname.startswith(self.name + "."):
            path = fullname[len(self.name) + 1 :].replace(".", "/")
            for candidate in (f"{path}.py", f"{path}/__init__.py"):
                if candidate in self.files:
                    return candidate
        return None

    def find_spec(self, fullname: str, path: Any = None, target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        found = self._path(fullname)
        if found is None:
            return None
        package = found.endswith("__init__.py")
        spec = importlib.machinery.ModuleSpec(fullname, self, origin=f"<stubforge mock>/{self.name}/{found}", is_package=package)
        if package:
            spec.submodule_search_locations = []
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        path = self._path(module.__name__)
        assert path is not None
        origin = module.__spec__.origin if module.__spec__ and module.__spec__.origin else path
        code = compile(self.files[path], origin, "exec")
        exec(code, module.__dict__)

    def get_resource_reader(self, fullname: str) -> TraversableResources | None:
        return _Resources(self.files) if fullname == self.name else None


class _Resources(TraversableResources):
    def __init__(self, files: dict[str, str]) -> None:
        self._files = files

    def files(self) -> Traversable:
        return _MemoryFile(self._files, "")


class _MemoryFile(Traversable):
    """A file or folder of the package in memory, for ``importlib.resources``."""

    def __init__(self, files: dict[str, str], path: str) -> None:
        self._files = files
        self._path = path

    @property
    def name(self) -> str:
        return self._path.rsplit("/", 1)[-1]

    def iterdir(self) -> Iterator[_MemoryFile]:
        prefix = self._path + "/" if self._path else ""
        children = {p[len(prefix) :].split("/", 1)[0] for p in self._files if p.startswith(prefix)}
        return iter([_MemoryFile(self._files, prefix + child) for child in sorted(children)])

    def is_file(self) -> bool:
        return self._path in self._files

    def is_dir(self) -> bool:
        return not self.is_file() and any(p.startswith(self._path + "/") or not self._path for p in self._files)

    def joinpath(self, *descendants: str | os.PathLike[str]) -> _MemoryFile:
        parts = [os.fspath(d) for d in descendants]
        return _MemoryFile(self._files, "/".join([self._path, *parts] if self._path else parts))

    def __truediv__(self, child: str | os.PathLike[str]) -> _MemoryFile:
        return self.joinpath(child)

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self._path not in self._files:
            raise FileNotFoundError(self._path)
        text = self._files[self._path]
        return io.BytesIO(text.encode("utf-8")) if "b" in mode else io.StringIO(text)

    def read_text(self, encoding: str | None = None) -> str:
        with self.open() as handle:
            return str(handle.read())

    def read_bytes(self) -> bytes:
        with self.open("rb") as handle:
            return bytes(handle.read())
