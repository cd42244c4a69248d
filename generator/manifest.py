"""manifest: what a previous run wrote, and what the output folder holds now.

Each output folder carries ``.stubforge-manifest.json``:

- ``files``: every generated file with the sha256 of its bytes, so a hand edit is noticed;
- ``sources``: for each Python file, where each chunk of it lies (see ``format``): the key of
  its text before Black, its first line and line count, so unchanged text is never formatted
  again (the formatted text is read back from the verified file on disk);
- ``inputs``: the sha256 of every input file (the spec and the files it refers to) and a
  fingerprint of everything else that shapes the output (generator code, templates, Black,
  options), so an unchanged spec regenerates without any work at all;
- ``surface``: the API as client code sees it, to summarise what a spec change changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .load import DEFAULT_MAX_SPEC_MB, MB, Unreadable, read_bounded

MANIFEST = ".stubforge-manifest.json"
#: Folders that installs, builds and tools leave inside a generated package (``pip install``
#: with setuptools, ``python -m build``, Python itself, mypy, pytest, ruff). They are not the
#: generator's and not hand edits: never hashed, compared or reported; a rewrite of the output
#: folder drops them with the rest of the old folder.
ARTEFACT_FOLDERS = frozenset({"build", "dist", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox"})
_GENERATOR = Path(__file__).resolve().parent


def sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


@dataclass(frozen=True)
class Manifest:
    generator: str
    fingerprint: str
    inputs: dict[str, str]  # path relative to the spec's folder → sha256
    files: dict[str, str]  # generated path → sha256
    sources: dict[str, Any] = field(default_factory=dict)  # Python path → ["chunk key:first line:lines"]
    surface: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """Sorted JSON, with one line per operation and per model of the surface: small, and a
        spec change shows in a review as the lines of what it changed."""
        data = {
            "generator": self.generator,
            "inputs": {"fingerprint": self.fingerprint, "files": self.inputs},
            "files": self.files,
            "sources": self.sources,
        }
        head = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)
        return head[: -len("\n}")] + ',\n "surface": ' + _surface_text(self.surface) + "\n}\n"


def _surface_text(surface: dict[str, Any]) -> str:
    def compact(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def section(value: Any) -> str:
        if not isinstance(value, dict) or not value:
            return compact(value)
        return "{\n" + ",\n".join(f"   {compact(key)}: {compact(item)}" for key, item in sorted(value.items())) + "\n  }"

    if not surface:
        return "{}"
    return "{\n" + ",\n".join(f"  {compact(key)}: {section(value)}" for key, value in sorted(surface.items())) + "\n }"


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of a previous run; None when there is none or it cannot be read. A manifest
    from before ``inputs`` were recorded still says which files were generated."""
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
        inputs = data.get("inputs", {})
        return Manifest(
            generator=str(data["generator"]),
            fingerprint=str(inputs.get("fingerprint", "")),
            inputs=dict(inputs.get("files", {})),
            files=dict(data["files"]),
            sources=dict(data.get("sources", {})),
            surface=dict(data.get("surface", {})),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


@dataclass(frozen=True)
class FolderState:
    """The output folder on disk compared with its manifest. Only hashes are kept: the output of
    the biggest specs is a gigabyte, read again one file at a time when needed (``read``)."""

    folder: Path
    hashes: dict[str, str]  # sha256 of every file in the folder except the manifest
    edited: tuple[str, ...]  # listed in the manifest, bytes differ
    missing: tuple[str, ...]  # listed in the manifest, not on disk
    extra: tuple[str, ...]  # on disk, not listed (or no manifest at all)

    @property
    def intact(self) -> bool:
        return not (self.edited or self.missing or self.extra)

    def read(self, path: str) -> bytes:
        return (self.folder / path).read_bytes()

    def verified(self, manifest: Manifest | None) -> list[str]:
        """Files whose bytes are what the manifest says the previous run wrote."""
        if manifest is None:
            return []
        return [p for p, digest in self.hashes.items() if manifest.files.get(p) == digest]


def folder_state(folder: Path, manifest: Manifest | None) -> FolderState:
    hashes = _hash_tree(folder)
    listed = manifest.files if manifest else {}
    return FolderState(
        folder=folder,
        hashes=hashes,
        edited=tuple(sorted(p for p, digest in hashes.items() if p in listed and listed[p] != digest)),
        missing=tuple(sorted(p for p in listed if p not in hashes)),
        extra=tuple(sorted(p for p in hashes if p not in listed)),
    )


def _hash_tree(folder: Path) -> dict[str, str]:
    hashes: dict[str, str] = {}
    if not folder.is_dir():
        return hashes
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not is_artefact_folder(d))
        for name in sorted(files):
            path = Path(root, name)
            relative = path.relative_to(folder).as_posix()
            if relative != MANIFEST:
                hashes[relative] = sha256(path.read_bytes())
    return hashes


def is_artefact_folder(name: str) -> bool:
    """Whether a folder of this name is a build artefact or cache (``ARTEFACT_FOLDERS``)."""
    return name in ARTEFACT_FOLDERS or name.endswith(".egg-info")


def input_hashes(spec: Path, referenced: list[Path]) -> dict[str, str]:
    """sha256 of the spec and of each file it refers to, by path relative to the spec's folder."""
    base = spec.resolve().parent
    hashes = {spec.name: sha256(spec.read_bytes())}
    for path in referenced:
        hashes[path.resolve().relative_to(base).as_posix()] = sha256(path.read_bytes())
    return hashes


def inputs_unchanged(spec: Path, recorded: dict[str, str], limit: int = DEFAULT_MAX_SPEC_MB * MB) -> bool:
    """Whether every input the previous run read still has the same bytes. Read as the loader
    reads (a FIFO, a device or a file over ``limit`` is a change, left for it to report)."""
    if recorded.get(spec.name) is None:
        return False
    try:
        base = spec.resolve().parent
        for relative, digest in recorded.items():
            path = (base / relative).resolve()
            if not path.is_relative_to(base) or sha256(read_bounded(path, limit)) != digest:
                return False
    except (OSError, RuntimeError, Unreadable):
        return False
    return True


def fingerprint(settings: dict[str, Any], templates: Path | None) -> str:
    """Everything but the spec that decides the output: stubforge's own code and templates
    (which covers its version), Black's and markdown-it-py's versions, the user's templates and
    the options."""
    user_templates = _tree_hash(templates) if templates else ""
    payload = json.dumps({"generator": _generator_hash(), "settings": settings, "templates": user_templates}, sort_keys=True)
    return sha256(payload)


@functools.cache
def _generator_hash() -> str:
    import black
    import markdown_it

    from .render import BUILTIN_TEMPLATES

    return sha256(_tree_hash(_GENERATOR, "*.py") + _tree_hash(BUILTIN_TEMPLATES) + black.__version__ + markdown_it.__version__)


def _tree_hash(folder: Path, pattern: str = "*") -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
