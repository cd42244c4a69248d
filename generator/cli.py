"""The command line: ``stubforge generate | check | diff | scaffold | validate | mock | init |
completion``.

Exit codes: 0 success; 1 the output needs attention (``check``: stale; ``generate``: hand edits
in the way; ``diff``: breaking changes); 2 bad input or usage.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__, apidiff
from .config import Config, Options, SpecConfig, load_config
from .diagnostics import Diagnostic, Level, SpecError
from .manifest import read_manifest
from .pipeline import HandEdited, Outcome, build_model, check, generate, orphans, output_name, remove_orphan, shared_folders
from .write import tidy

_spec_argument = click.argument("specs", nargs=-1, type=click.Path(path_type=Path))
_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("pyproject.toml"),
    show_default=True,
    help="The pyproject.toml whose [tool.stubforge] table says what to generate.",
)
_out_option = click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None, help="Output folder; each spec gets a subfolder. [default: from the config, else generated]")
_strict_option = click.option("--strict", is_flag=True, help="Treat warnings (validation findings, broken refs) as errors.")
_remote_option = click.option("--allow-remote-refs", is_flag=True, help="Follow http(s) $refs (refused by default).")
_templates_option = click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None, help="A folder whose templates override the built-in ones by relative path.")
_max_spec_mb_option = click.option(
    "--max-spec-mb",
    type=click.IntRange(min=1),
    default=None,
    help="Refuse a spec file, or the spec's files together, larger than this many MB. [default: from the config, else 100]",
)
_quiet_option = click.option("--quiet", "-q", is_flag=True, help="Print errors only.")


@click.group()
@click.version_option(__version__, prog_name="stubforge")
def cli() -> None:
    """Generate a typed Python client, a FastAPI server stub and docs from Swagger 2.0 and OpenAPI 3 specs."""


def _print_diagnostics(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], quiet: bool = False) -> None:
    for diagnostic in diagnostics:
        if diagnostic.level is Level.ERROR or not quiet:
            click.echo(str(diagnostic), err=True)


def _config(config_path: Path) -> Config:
    try:
        return load_config(config_path)
    except SpecError as exc:
        _print_diagnostics(exc.diagnostics)
        sys.exit(2)


def _targets(config: Config, specs: tuple[Path, ...], strict: bool, allow_remote_refs: bool, templates: Path | None, max_spec_mb: int | None = None) -> list[SpecConfig]:
    """The specs to work on with their options: the ones named on the command line (with their
    settings from the config when it lists them), else every spec the config names."""
    if specs:
        configured = {_resolved(entry.path): entry.options for entry in config.specs}
        chosen = [SpecConfig(spec, configured.get(_resolved(spec), config.defaults)) for spec in specs]
    else:
        chosen = list(config.specs)
        if not chosen:
            raise click.UsageError("no SPEC given, none named in [tool.stubforge] and no .yaml/.yml/.json files in ./specs")
    targets = [
        SpecConfig(
            entry.path,
            replace(
                entry.options,
                strict=entry.options.strict or strict,
                allow_remote_refs=entry.options.allow_remote_refs or allow_remote_refs,
                templates=templates or entry.options.templates,
                max_spec_mb=max_spec_mb or entry.options.max_spec_mb,
            ),
        )
        for entry in chosen
    ]
    return _one_folder_each(targets)


def _one_folder_each(targets: list[SpecConfig]) -> list[SpecConfig]:
    """Exit 2 before anything is written when two specs would write the same output folder."""
    errors = shared_folders((t.path, t.options) for t in targets)
    if errors:
        _print_diagnostics(errors)
        sys.exit(2)
    return targets


def _resolved(path: Path) -> Path:
    """``path`` made absolute, symlinks followed where they can be (a symlink loop is left for
    the loader to report, with its place)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def progress_line(label: str, stage: str, done: int, total: int, elapsed: float) -> str:
    """``label: stage done/total``, with the rate and the time left once a second has passed."""
    line = f"{label}: {stage}"
    if total > 1:
        line += f" {done}/{total}"
        if done and elapsed >= 1.0 and done < total:
            rate = done / elapsed
            line += f" ({rate:.0f}/s, about {(total - done) / rate:.0f}s left)"
    return line


class TerminalProgress:
    """One status line on stderr, rewritten in place; only on a terminal and outside CI."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.shown = False
        self.label = ""
        self.last = 0.0
        self.stage = ("", 0.0)  # the stage being reported and when it started

    @staticmethod
    def wanted(quiet: bool) -> bool:
        return not quiet and sys.stderr.isatty() and not os.environ.get("CI")

    def for_spec(self, label: str) -> Callable[[str, int, int], None]:
        self.label = label
        return self.report

    def report(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self.stage[0] != stage:
            self.stage = (stage, now)
        if not self.enabled or (0 < done < total and now - self.last < 0.1):
            return
        self.last = now
        click.echo(f"\r\x1b[2K{progress_line(self.label, stage, done, total, now - self.stage[1])}", err=True, nl=False)
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\x1b[2K", err=True, nl=False)
            self.shown = False


@cli.command(name="generate")
@_spec_argument
@_config_option
@_out_option
@_strict_option
@_remote_option
@_templates_option
@_max_spec_mb_option
@click.option("--force", is_flag=True, help="Overwrite files edited by hand in the output folder (and remove files added there).")
@_quiet_option
def generate_command(specs: tuple[Path, ...], config_path: Path, out: Path | None, strict: bool, allow_remote_refs: bool, templates: Path | None, max_spec_mb: int | None, force: bool, quiet: bool) -> None:
    """Generate client, server and docs for each SPEC (default: what [tool.stubforge] in
    pyproject.toml names, else every spec in ./specs)."""
    config = _config(config_path)
    output = out or config.output
    progress = TerminalProgress(TerminalProgress.wanted(quiet))
    status = 0
    targets = _targets(config, specs, strict, allow_remote_refs, templates, max_spec_mb)
    for target in targets:
        try:
            outcome = generate(target.path, output, target.options, force=force, progress=progress.for_spec(str(target.path)))
        except SpecError as exc:
            progress.clear()
            _print_diagnostics(exc.diagnostics)
            click.echo(f"{target.path}: not generated; {output} left as it was", err=True)
            status = max(status, 2)
            continue
        except HandEdited as exc:
            progress.clear()
            click.echo(str(exc), err=True)
            click.echo(f"{target.path}: not generated; nothing was written. Move your changes out of {exc.folder} (see README: Regenerating), or run again with --force to overwrite them.", err=True)
            status = max(status, 1)
            continue
        progress.clear()
        _report(target, outcome, quiet)
    if not specs:
        status = max(status, _remove_orphans(output, targets, force, quiet))
    sys.exit(status)


def _remove_orphans(output: Path, targets: list[SpecConfig], force: bool, quiet: bool) -> int:
    """After a run over every configured spec: delete the output folders of specs that are gone."""
    if output.is_dir():
        tidy(output)
    status = 0
    for folder in orphans(output, {output_name(t.path, t.options) for t in targets}):
        try:
            remove_orphan(folder, force=force)
        except HandEdited as exc:
            click.echo(str(exc), err=True)
            click.echo(f"{folder}: no spec produces it any more, but it holds changes; not removed. Move them out, or run again with --force.", err=True)
            status = max(status, 1)
            continue
        except OSError as exc:
            click.echo(f"{folder}: error: no spec produces it any more, but it cannot be removed: {exc.strerror or exc}", err=True)
            status = 2
            continue
        if not quiet:
            click.echo(f"{folder}: removed (no spec produces it any more)")
    return status


def _report(target: SpecConfig, outcome: Outcome, quiet: bool) -> None:
    generated = outcome.generated
    if generated is not None:
        _print_diagnostics(generated.diagnostics, quiet)
    if quiet:
        return
    if generated is None:
        click.echo(f"{target.path} -> {outcome.folder}: up to date ({outcome.seconds:.2f}s)")
        return
    click.echo(
        f"{target.path} -> {outcome.folder}: {len(generated.api.operations)} operations; "
        f"{len(outcome.changed_files)} of {len(generated.hashes) - 1} files changed, "
        f"{generated.formatted} chunks formatted; {outcome.seconds:.2f}s"
    )
    if outcome.changed_files and outcome.api_changes is not None:
        click.echo(apidiff.summary(list(outcome.api_changes)))


@cli.command(name="check")
@_spec_argument
@_config_option
@_out_option
@_strict_option
@_remote_option
@_templates_option
@_max_spec_mb_option
def check_command(specs: tuple[Path, ...], config_path: Path, out: Path | None, strict: bool, allow_remote_refs: bool, templates: Path | None, max_spec_mb: int | None) -> None:
    """Exit 1 when the output for any SPEC is not what generating now would write: names every
    stale, edited, missing and extra file, with a short unified diff."""
    config = _config(config_path)
    output = out or config.output
    stale = False
    targets = _targets(config, specs, strict, allow_remote_refs, templates, max_spec_mb)
    for target in targets:
        try:
            folder, differences = check(target.path, output, target.options)
        except SpecError as exc:
            _print_diagnostics(exc.diagnostics)
            sys.exit(2)
        if not differences:
            click.echo(f"{folder}: up to date")
            continue
        stale = True
        click.echo(f"{folder}: {len(differences)} files differ from what {target.path} generates; run 'stubforge generate'")
        for difference in differences:
            click.echo(f"  {difference.kind}: {difference.path}")
        for difference in differences:
            if difference.diff:
                click.echo(_clip(difference.diff))
    if not specs:
        for folder in orphans(output, {output_name(t.path, t.options) for t in targets}):
            click.echo(f"{folder}: no spec produces it any more; run 'stubforge generate' to remove it")
            stale = True
    if stale:
        sys.exit(1)


def _clip(diff: str, limit: int = 40) -> str:
    lines = diff.splitlines()
    return "\n".join(lines[:limit] + ([f"... ({len(lines) - limit} more diff lines)"] if len(lines) > limit else []))


@cli.command(name="diff")
@click.argument("old", type=click.Path(path_type=Path, exists=True))
@click.argument("new", type=click.Path(path_type=Path, exists=True))
@_remote_option
def diff_command(old: Path, new: Path, allow_remote_refs: bool) -> None:
    """List the API changes from OLD to NEW and exit 1 when any breaks existing client code.

    Each of OLD and NEW is a spec file, or an output folder (its manifest records the API it
    was generated from)."""
    before, after = _surface(old, allow_remote_refs), _surface(new, allow_remote_refs)
    changes = apidiff.compare(before, after)
    click.echo(apidiff.summary(changes))
    if any(change.breaking for change in changes):
        sys.exit(1)


def _surface(path: Path, allow_remote_refs: bool) -> dict[str, Any]:
    if path.is_dir():
        manifest = read_manifest(path)
        if manifest is None or not manifest.surface:
            raise click.BadParameter(f"{path} is a folder without a stubforge manifest")
        if manifest.surface.get("format") != apidiff.SURFACE_FORMAT:
            raise click.BadParameter(f"{path} was generated by another stubforge version: generate it again, or compare its spec")
        return manifest.surface
    try:
        return apidiff.surface(build_model(path, Options(allow_remote_refs=allow_remote_refs)))
    except SpecError as exc:
        _print_diagnostics(exc.diagnostics)
        sys.exit(2)


@cli.command(name="scaffold")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="The new .py file to write (outside the generated folder).")
@_config_option
@_templates_option
def scaffold_command(spec: Path, out: Path, config_path: Path, templates: Path | None) -> None:
    """Write a starter implementation of every server handler for SPEC to OUT, once.

    The file is yours from then on: it is never overwritten. After a spec change, mypy on it
    names the handlers whose signature no longer matches the regenerated server."""
    from .scaffold import ScaffoldError, scaffold

    (target,) = _targets(_config(config_path), (spec,), False, False, templates)
    try:
        written = scaffold(target.path, out, target.options)
    except SpecError as exc:
        _print_diagnostics(exc.diagnostics)
        sys.exit(2)
    except (FileExistsError, ScaffoldError) as exc:
        click.echo(f"stubforge scaffold: {exc}", err=True)
        sys.exit(2)
    click.echo(f"{written}: starter handlers for {spec}; implement them there (stubforge will not touch this file again)")


@cli.command(name="validate")
@click.argument("spec", type=click.Path(path_type=Path))
@_strict_option
@_remote_option
@_max_spec_mb_option
def validate_command(spec: Path, strict: bool, allow_remote_refs: bool, max_spec_mb: int | None) -> None:
    """Print the diagnostics for SPEC without generating anything."""
    started = time.perf_counter()
    try:
        api = build_model(spec, Options(strict=strict, allow_remote_refs=allow_remote_refs, max_spec_mb=max_spec_mb or Options.max_spec_mb))
    except SpecError as exc:
        _print_diagnostics(exc.diagnostics)
        sys.exit(2)
    _print_diagnostics(api.diagnostics)
    click.echo(f"{spec}: {len(api.operations)} operations, {len(api.models)} models, {len(api.diagnostics)} findings ({time.perf_counter() - started:.2f}s)")


@cli.command(name="mock")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=4010, show_default=True, help="The port to listen on.")
@_config_option
@_strict_option
@_remote_option
@_templates_option
def mock_command(spec: Path, host: str, port: int, config_path: Path, strict: bool, allow_remote_refs: bool, templates: Path | None) -> None:
    """Serve SPEC's generated server in mock mode, without writing anything: every operation
    answers its example (the spec's, else data made from the schema), after validating the
    request. Choose an answer with the header ``Prefer: code=404`` or ``Prefer: example=name``.
    Exit 1 when the spec has errors."""
    from .mockserve import mock_server, startup_text

    (target,) = _targets(_config(config_path), (spec,), strict, allow_remote_refs, templates)
    try:
        server = mock_server(target.path, target.options)
    except SpecError as exc:
        _print_diagnostics(exc.diagnostics)
        click.echo(f"{spec}: not served", err=True)
        sys.exit(1)
    _print_diagnostics(server.api.diagnostics, quiet=True)
    import uvicorn

    click.echo(startup_text(server.api, host, port))
    uvicorn.run(server.app, host=host, port=port, log_level="warning")


@cli.command(name="init")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True), default=Path("."))
def init_command(folder: Path) -> None:
    """Set stubforge up in the repository at FOLDER (default: here): a [tool.stubforge] table in
    pyproject.toml, a specs/ folder, and Makefile targets for generate and check. Only what is
    missing is added, and existing text is only appended to."""
    from .init import InitError, init

    try:
        steps = init(folder)
    except InitError as exc:
        click.echo(f"stubforge init: {exc}", err=True)
        sys.exit(2)
    for step in steps:
        click.echo(f"{step.path}: {step.done}")
    click.echo("Next: put a spec in specs/ and run `stubforge generate`; `stubforge check` in CI or a pre-commit hook keeps generated/ current.")


@cli.command(name="completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion_command(shell: str) -> None:
    """Print the shell completion script for SHELL. Add to your shell's startup file, e.g.
    ``eval "$(stubforge completion bash)"`` in ~/.bashrc."""
    from click.shell_completion import get_completion_class

    completion = get_completion_class(shell)
    assert completion is not None  # every choice is one of click's shells
    click.echo(completion(cli, {}, "stubforge", "_STUBFORGE_COMPLETE").source())


def main() -> None:
    cli(prog_name="stubforge")
