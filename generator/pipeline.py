"""One way through: load → model → render → format → write.

Around it, what makes regeneration a daily tool. The previous output's manifest says whether
anything changed at all (then nothing is done), which Python files Black need not format again,
which files were edited by hand since (then nothing is written), and what the API looked like,
so the run can say what the spec change changed.
"""

from __future__ import annotations

import difflib
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Iterator

from . import __version__, apidiff, names, openapi3, swagger2
from .config import Options, default_name
from .diagnostics import Diagnostic, Level, SpecError
from .format import format_chunks, format_python, layout, pending, remember
from .load import MB, LoadOptions, load_spec
from .manifest import MANIFEST, FolderState, Manifest, fingerprint, folder_state, input_hashes, inputs_unchanged, read_manifest, sha256
from .model import Api
from .render import plan
from .validate import validation_findings
from .write import Staging, recover, remove_tree

__all__ = ["Options", "build_model", "generate_files", "generate", "check", "output_name", "shared_folders", "orphans", "remove_orphan"]

#: ``progress(stage, done, total)``: how far a long run is, for a terminal to show.
Progress = Callable[[str, int, int], None]


def _silent(stage: str, done: int, total: int) -> None:
    """The default progress report: none."""


@dataclass(frozen=True)
class Generated:
    """A spec turned into files."""

    api: Api
    files: dict[str, str]  # the texts by path, when generated in memory (``generate_files``); empty when streamed to disk
    hashes: dict[str, str]  # the sha256 of every file by path, the manifest's too
    diagnostics: tuple[Diagnostic, ...]
    seconds: float
    formatted: int  # chunks of Python Black had to format (the rest were known from the last run)
    surface: dict[str, Any]  # the API as client code sees it (see apidiff)


@dataclass(frozen=True)
class Outcome:
    """What ``generate`` did to one output folder."""

    folder: Path
    generated: Generated | None  # None: inputs unchanged, nothing was even read
    changed_files: tuple[str, ...]
    api_changes: tuple[apidiff.Change, ...] | None  # None: no previous output to compare with
    seconds: float


class HandEdited(Exception):
    """Generation would overwrite files that someone changed or added by hand."""

    def __init__(self, folder: Path, state: FolderState):
        self.folder = folder
        self.edited = state.edited
        self.extra = state.extra
        lines = [f"{folder / p}: edited by hand since stubforge wrote it" for p in state.edited]
        lines += [f"{folder / p}: not written by stubforge" for p in state.extra]
        if len(lines) > self.SHOWN:
            lines[self.SHOWN :] = [f"... and {len(lines) - self.SHOWN} more files"]
        super().__init__("\n".join(lines))

    SHOWN = 12


@dataclass(frozen=True)
class Difference:
    path: str
    kind: str  # stale, edited, missing, extra
    diff: str


def output_name(path: Path, options: Options) -> str:
    return options.name or default_name(path)


def shared_folders(specs: Iterable[tuple[Path, Options]]) -> list[Diagnostic]:
    """An error for each spec whose output folder an earlier spec already writes
    (``pets.yaml`` and ``pets.json``, ``pet-store.yaml`` and ``pet_store.yaml``): the second
    would silently replace the first. Names that differ only in case share a folder too, on
    the file systems of macOS and Windows."""
    first: dict[str, Path] = {}
    errors = []
    for path, options in specs:
        name = output_name(path, options)
        earlier = first.setdefault(name.casefold(), path)
        if os.path.realpath(earlier) != os.path.realpath(path):  # never raises, even on a symlink loop
            message = f"writes the same output folder ({name}) as {earlier}; rename one of the two files, or give one a name in [tool.stubforge]"
            errors.append(Diagnostic(str(path), 0, "", Level.ERROR, message))
    return errors


def build_model(path: Path, options: Options = Options()) -> Api:
    api, _ = _load_model(path, options)
    return api


def _load_model(path: Path, options: Options) -> tuple[Api, dict[str, str] | None]:
    """The model, and the hashes of every file it was read from (None when a remote ref was
    followed: then there is no knowing from files alone whether the inputs changed)."""
    spec = load_spec(path, LoadOptions(allow_remote_refs=options.allow_remote_refs, strict=options.strict, max_bytes=options.max_spec_mb * MB))
    spec.diagnostics.extend(validation_findings(spec))
    normalizer = swagger2 if spec.version == "swagger2" else openapi3
    name = output_name(path, options)
    api = normalizer.normalize(spec, name)
    api = replace(
        api,
        client_package=options.client_package or api.client_package,
        server_package=options.server_package or api.server_package,
    )
    errors = [d for d in api.diagnostics if d.level is Level.ERROR or options.strict]
    if errors:
        raise SpecError(errors)
    inputs = None if spec.follows_remote_refs else input_hashes(path, list(spec.referenced_files))
    return api, inputs


def _settings(options: Options) -> dict[str, object]:
    """The options that shape the output, as recorded in the fingerprint."""
    return {
        "strict": options.strict,
        "allow_remote_refs": options.allow_remote_refs,
        "client_package": options.client_package,
        "server_package": options.server_package,
        "name": options.name,
        "artefacts": list(options.artefacts),
    }


def generate_files(path: Path, options: Options = Options(), previous: Previous | None = None, progress: Progress = _silent) -> Generated:
    """Generate in memory. ``previous``: an earlier output whose verified files spare Black the
    work of formatting the same text again."""
    files: dict[str, str] = {}

    def keep(file_path: str, pieces: Iterable[str]) -> str:
        files[file_path] = text = "".join(pieces)
        return sha256(text)

    generated = _produce(path, options, previous, progress, keep)
    return replace(generated, files=files)


def _produce(path: Path, options: Options, previous: Previous | None, progress: Progress, keep: Callable[[str, Iterable[str]], str]) -> Generated:
    """Every file of the output, rendered and formatted one at a time and handed to ``keep``
    (the manifest last), which returns its sha256: only the model and one file (Python, which
    is formatted whole) are held at once, however big the spec; other files pass as the pieces
    their template yields."""
    started = time.perf_counter()
    progress("read", 0, 1)
    api, inputs = _load_model(path, options)
    files = plan(api, options.templates, options.artefacts)
    _refuse_unportable(path, [*files, MANIFEST])
    if previous is not None:
        _remember_formatting(previous, files)
    surface = apidiff.surface(api)
    hashes: dict[str, str] = {}
    sources: dict[str, list[str]] = {}
    formatted = 0
    for done, (file_path, make) in enumerate(files.items()):
        progress("render", done, len(files))
        pieces = make()
        if file_path.endswith(".py"):
            text = "".join(pieces)
            todo = pending({file_path: text})
            formatted += len(todo)
            format_chunks(todo)
            sources[file_path] = [f"{key}:{first}:{count}" for key, first, count in layout(text)]
            pieces = (format_python(file_path, text),)
            del text
        hashes[file_path] = keep(file_path, pieces)
    manifest = Manifest(
        generator=f"stubforge {__version__}",
        fingerprint=fingerprint(_settings(options), options.templates),
        inputs=inputs or {},
        files=dict(sorted(hashes.items())),
        sources=sources,
        surface=surface,
    )
    hashes[MANIFEST] = keep(MANIFEST, (manifest.text(),))
    return Generated(api, {}, hashes, api.diagnostics, time.perf_counter() - started, formatted, surface)


def _refuse_unportable(spec: Path, files: list[str]) -> None:
    """Every generated path must be one that Linux, macOS and Windows can all hold, distinct
    from every other one ignoring case. ``names`` makes sure of it, so a failure here is a bug
    in stubforge: stop before anything is written rather than write a broken package."""
    problems = []
    seen: dict[str, str] = {}
    for path in sorted(files):
        parts = path.split("/")
        problems += [f"{path}: {part!r} {reason}" for part in parts if (reason := names.unportable(part))]
        for end in range(1, len(parts) + 1):
            prefix = "/".join(parts[:end])
            other = seen.setdefault(prefix.casefold(), prefix)
            if other != prefix:
                problems.append(f"{prefix} and {other} are the same on a case-insensitive file system")
    if problems:
        message = "internal error (a bug in stubforge, please report it): " + "; ".join(sorted(set(problems)))
        raise SpecError([Diagnostic(str(spec), 0, "", Level.ERROR, message)])


@contextmanager
def _writing(folder: Path) -> Iterator[None]:
    """A failure to change the output folder (disk full, no permission, a file where a folder
    belongs, a name too long) is for the user to fix: a located error instead of a traceback.
    ``Staging`` has left the previous output as it was."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.filename:
            # Name the file as it would be in the output folder, not in its staging twin.
            where = re.sub(rf"(^|/)\.{re.escape(folder.name)}\.new-[^/]*", lambda m: m.group(1) + folder.name, str(exc.filename))
            reason += f" ({where})"
        raise SpecError([Diagnostic(str(folder), 0, "", Level.ERROR, f"cannot write the output folder: {reason}")]) from None


@dataclass(frozen=True)
class Previous:
    """An output folder as the last run left it, and as it is now."""

    manifest: Manifest
    state: FolderState


def _remember_formatting(previous: Previous, rendered: Collection[str]) -> None:
    """Tell the formatter what the previous run's files were formatted from."""
    for path in previous.state.verified(previous.manifest):
        chunk_layout = previous.manifest.sources.get(path)
        if isinstance(chunk_layout, list) and chunk_layout and path in rendered:
            try:
                remember(previous.state.read(path).decode("utf-8"), [_layout_entry(str(entry)) for entry in chunk_layout])
            except ValueError:
                continue  # a damaged manifest: format that file again


def _layout_entry(entry: str) -> tuple[str, int, int]:
    key, first, count = entry.rsplit(":", 2)
    return key, int(first), int(count)


def is_current(path: Path, options: Options, manifest: Manifest | None, state: FolderState) -> bool:
    """Whether the folder is exactly what the previous run wrote, from exactly today's inputs."""
    return (
        manifest is not None
        and state.intact
        and bool(manifest.inputs)
        and manifest.fingerprint == fingerprint(_settings(options), options.templates)
        and inputs_unchanged(path, manifest.inputs, options.max_spec_mb * MB)
    )


def generate(path: Path, out: Path, options: Options = Options(), *, force: bool = False, progress: Progress = _silent) -> Outcome:
    """Bring ``out/<name>/`` up to date with the spec at ``path``.

    Refuses (``HandEdited``) before writing anything when a file there was edited or added by
    hand, unless ``force``. Does nothing when neither the inputs nor the folder changed.
    """
    started = time.perf_counter()
    folder = out / output_name(path, options)
    with _writing(folder):
        recover(folder)
    manifest = read_manifest(folder)
    state = folder_state(folder, manifest)
    if (state.edited or state.extra) and not force:
        raise HandEdited(folder, state)
    if is_current(path, options, manifest, state):
        return Outcome(folder, None, (), None, time.perf_counter() - started)
    with _writing(folder):
        staging = Staging(folder)
    with staging:

        def keep(file_path: str, pieces: Iterable[str]) -> str:
            with _writing(folder):
                return staging.add(file_path, pieces)

        generated = _produce(path, options, Previous(manifest, state) if manifest else None, progress, keep)
        changed = tuple(p for p in staging.changed if p != MANIFEST) + tuple(p for p in state.hashes if p not in generated.hashes)
        if changed or MANIFEST in staging.changed:
            progress("write", 0, 1)
            with _writing(folder):
                staging.commit()
    # A surface an older stubforge recorded in another format cannot be compared: no summary then.
    old_surface = manifest.surface if manifest else {}
    api_changes = tuple(apidiff.compare(old_surface, generated.surface)) if old_surface.get("format") == apidiff.SURFACE_FORMAT else None
    return Outcome(folder, generated, tuple(sorted(changed)), api_changes, time.perf_counter() - started)


def orphans(out: Path, names: set[str]) -> list[Path]:
    """Output folders in ``out`` that stubforge wrote (they hold a manifest) and that no spec in
    ``names`` produces any more: the spec was removed or renamed."""
    if not out.is_dir():
        return []
    return sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name not in names and (p / MANIFEST).is_file())


def remove_orphan(folder: Path, *, force: bool = False) -> None:
    """Delete an output folder no spec produces, unless something in it was changed by hand."""
    manifest = read_manifest(folder)
    state = folder_state(folder, manifest)
    if (state.edited or state.extra) and not force:
        raise HandEdited(folder, state)
    remove_tree(folder)


def check(path: Path, out: Path, options: Options = Options()) -> tuple[Path, list[Difference]]:
    """How the output folder differs from what generating now would write: every stale,
    edited, missing and extra file, with a unified diff for each one that has content."""
    folder = out / output_name(path, options)
    manifest = read_manifest(folder)
    state = folder_state(folder, manifest)
    if is_current(path, options, manifest, state):
        return folder, []
    generated = generate_files(path, options, Previous(manifest, state) if manifest else None)
    return folder, compare_folder(state, _manifest_bytes(folder), generated.files)


def _manifest_bytes(folder: Path) -> bytes | None:
    try:
        return (folder / MANIFEST).read_bytes()
    except OSError:
        return None


def compare_folder(state: FolderState, manifest: bytes | None, files: dict[str, str]) -> list[Difference]:
    differences = []
    for path, text in sorted(files.items()):
        if path == MANIFEST:
            current = manifest
        elif path not in state.hashes:
            current = None
        elif state.hashes[path] == sha256(text):
            continue
        else:
            current = state.read(path)
        if current is None:
            differences.append(Difference(path, "missing", ""))
        elif current != text.encode():
            kind = "edited" if path in state.edited else "stale"
            differences.append(Difference(path, kind, _unified_diff(path, current.decode("utf-8", "replace"), text)))
    for path in sorted(set(state.hashes) - set(files)):
        kind = "extra" if path in state.extra else "stale"
        differences.append(Difference(path, kind, ""))
    return differences


def _unified_diff(path: str, current: str, wanted: str) -> str:
    lines = difflib.unified_diff(current.splitlines(True), wanted.splitlines(True), f"a/{path}", f"b/{path}", n=2)
    return "".join(lines)
