"""The command line: ``stubforge generate | check | validate``.

Exit codes: 0 success; 1 stale output (check); 2 bad input or usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .diagnostics import Diagnostic, Level, SpecError
from .pipeline import Options, build_model, check, generate

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def _specs_or_default(specs: tuple[Path, ...]) -> list[Path]:
    if specs:
        return list(specs)
    folder = Path("specs")
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SPEC_SUFFIXES) if folder.is_dir() else []
    if not found:
        raise click.UsageError("no SPEC given and no .yaml/.yml/.json files in ./specs")
    return found


def _print_diagnostics(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], quiet: bool = False) -> None:
    for diagnostic in diagnostics:
        if diagnostic.level is Level.ERROR or not quiet:
            click.echo(str(diagnostic), err=True)


def _options(strict: bool, allow_remote_refs: bool, templates: Path | None) -> Options:
    return Options(strict=strict, allow_remote_refs=allow_remote_refs, templates=templates)


_spec_argument = click.argument("specs", nargs=-1, type=click.Path(path_type=Path))
_out_option = click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("generated"), show_default=True, help="Output folder; each spec gets a subfolder.")
_strict_option = click.option("--strict", is_flag=True, help="Treat warnings (validation findings, broken refs) as errors.")
_remote_option = click.option("--allow-remote-refs", is_flag=True, help="Follow http(s) $refs (refused by default).")
_templates_option = click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None, help="A folder whose templates override the built-in ones by relative path.")
_quiet_option = click.option("--quiet", "-q", is_flag=True, help="Print errors only.")


@click.group()
@click.version_option(__version__, prog_name="stubforge")
def cli() -> None:
    """Generate a typed Python client, a FastAPI server stub and docs from Swagger 2.0 specs."""


@cli.command(name="generate")
@_spec_argument
@_out_option
@_strict_option
@_remote_option
@_templates_option
@_quiet_option
def generate_command(specs: tuple[Path, ...], out: Path, strict: bool, allow_remote_refs: bool, templates: Path | None, quiet: bool) -> None:
    """Generate client, server and docs for each SPEC (default: every spec in ./specs)."""
    failed = False
    for spec in _specs_or_default(specs):
        try:
            result = generate(spec, out, _options(strict, allow_remote_refs, templates))
        except SpecError as exc:
            _print_diagnostics(exc.diagnostics)
            click.echo(f"{spec}: not generated; {out} left as it was", err=True)
            failed = True
            continue
        _print_diagnostics(result.diagnostics, quiet)
        if not quiet:
            click.echo(
                f"{spec} -> {out / result.api.spec_name}: {len(result.api.operations)} operations, "
                f"{len(result.files)} files in {result.seconds:.2f}s"
            )
    if failed:
        sys.exit(2)


@cli.command(name="check")
@_spec_argument
@_out_option
@_strict_option
@_remote_option
@_templates_option
def check_command(specs: tuple[Path, ...], out: Path, strict: bool, allow_remote_refs: bool, templates: Path | None) -> None:
    """Exit 1 when the generated output for any SPEC is not what generation would write now."""
    stale = False
    for spec in _specs_or_default(specs):
        try:
            result, differences = check(spec, out, _options(strict, allow_remote_refs, templates))
        except SpecError as exc:
            _print_diagnostics(exc.diagnostics)
            sys.exit(2)
        folder = out / result.api.spec_name
        if not differences:
            click.echo(f"{folder}: up to date")
            continue
        stale = True
        click.echo(f"{folder}: {len(differences)} files differ from what {spec} generates; run 'stubforge generate'")
        for difference in differences:
            click.echo(f"  {difference.kind}: {difference.path}")
        for difference in differences:
            if difference.diff:
                click.echo(_clip(difference.diff))
    if stale:
        sys.exit(1)


def _clip(diff: str, limit: int = 40) -> str:
    lines = diff.splitlines()
    return "\n".join(lines[:limit] + ([f"... ({len(lines) - limit} more diff lines)"] if len(lines) > limit else []))


@cli.command(name="validate")
@click.argument("spec", type=click.Path(path_type=Path))
@_strict_option
@_remote_option
def validate_command(spec: Path, strict: bool, allow_remote_refs: bool) -> None:
    """Print the diagnostics for SPEC without generating anything."""
    try:
        api = build_model(spec, _options(strict, allow_remote_refs, None))
    except SpecError as exc:
        _print_diagnostics(exc.diagnostics)
        sys.exit(2)
    _print_diagnostics(api.diagnostics)
    click.echo(f"{spec}: {len(api.operations)} operations, {len(api.models)} models, {len(api.diagnostics)} findings")


def main() -> None:
    cli(prog_name="stubforge")
