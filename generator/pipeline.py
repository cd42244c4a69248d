"""One way through: load → model → render → format → write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__, names, openapi3, swagger2
from .diagnostics import Diagnostic, Level, SpecError
from .format import format_files
from .load import LoadOptions, load_spec
from .model import Api
from .render import render
from .validate import validation_findings
from .write import MANIFEST, Difference, compare_tree, manifest_text, sha256, write_tree


@dataclass(frozen=True)
class Options:
    strict: bool = False
    allow_remote_refs: bool = False
    templates: Path | None = None


@dataclass(frozen=True)
class Generated:
    """A spec turned into files, in memory."""

    api: Api
    files: dict[str, str]
    diagnostics: tuple[Diagnostic, ...]
    seconds: float


def spec_name(path: Path) -> str:
    return names.package_name(path.stem)


def build_model(path: Path, options: Options = Options()) -> Api:
    spec = load_spec(path, LoadOptions(allow_remote_refs=options.allow_remote_refs, strict=options.strict))
    spec.diagnostics.extend(validation_findings(spec))
    normalizer = swagger2 if spec.version == "swagger2" else openapi3
    api = normalizer.normalize(spec, spec_name(path))
    errors = [d for d in api.diagnostics if d.level is Level.ERROR or options.strict]
    if errors:
        raise SpecError(errors)
    return api


def generate_files(path: Path, options: Options = Options()) -> Generated:
    started = time.perf_counter()
    api = build_model(path, options)
    files = format_files(render(api, options.templates))
    files[MANIFEST] = manifest_text(files, sha256(path.read_bytes()), __version__)
    return Generated(api, files, api.diagnostics, time.perf_counter() - started)


def generate(path: Path, out: Path, options: Options = Options()) -> Generated:
    generated = generate_files(path, options)
    write_tree(out / generated.api.spec_name, generated.files)
    return generated


def check(path: Path, out: Path, options: Options = Options()) -> tuple[Generated, list[Difference]]:
    generated = generate_files(path, options)
    return generated, compare_tree(out / generated.api.spec_name, generated.files)
