"""The corpus: each real spec in ../shared/corpus generates, its Python compiles, its client and
server packages import, its server app has a route for every operation, and its client passes
mypy --strict and ruff check (default rules). ``make test`` checks the specs up to 100 KB
(``corpus_report.suite_specs``: 100 of 141); ``make corpus`` checks every one.

One test per file, then one mypy run and one ruff run over every client those tests generated. A document that is not YAML or JSON at all may instead be refused by the CLI
with exit 2 and a located message. The generated packages are imported by a long-lived worker
process (``corpus_report.ImportChecker``), one spec per request, so a failure is the spec's own.

Black is the slowest step by far: 1,000 s of CPU for the whole corpus (about 1,900 rendered lines
a second; 70 to 90 s for each of the five biggest specs) against about 80 s for every other step
together. So only specs whose rendered Python is at most FORMAT_MAX_LINES lines are formatted
here; ``make corpus`` formats every spec and prints a report.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import ROOT, run_stubforge
from corpus_report import (
    ImportChecker,
    compile_errors,
    suite_specs,
    is_openapi3,
    mypy_strict,
    ruff_check,
    parses_as_yaml_or_json,
    python_lines,
    write_files,
)
from stubforge.diagnostics import SpecError
from stubforge.format import format_files, without_breaks
from stubforge.pipeline import Options, build_model
from stubforge.render import render

# False skips OpenAPI 3 documents (as needed while the generator refused them). The OpenAPI 3 normalizer
# is merged (f2e8fa5) and every OpenAPI 3 document in the corpus passes.
OAS3_SUPPORTED = True

CORPUS = ROOT.parent / "shared" / "corpus"
if not CORPUS.is_dir():
    pytest.skip(f"no corpus at {CORPUS}", allow_module_level=True)

# Measured over the 141 corpus specs (one core, Black 26.10.1): at most 5,000 rendered lines
# covers 79 specs (56%) for 53 s of Black; 3,000 lines: 71 specs, 39 s; 8,000: 93 specs, 97 s;
# 20,000: 117 specs, 241 s; every spec: 1,000 s. Past 5,000 lines each spec costs 3 to 90 s more.
FORMAT_MAX_LINES = 5_000


def _param(spec: Path) -> object:
    marks = []
    if not OAS3_SUPPORTED and is_openapi3(spec):
        marks.append(pytest.mark.skip(reason="OpenAPI 3 normalizer not merged yet"))
    return pytest.param(spec, id=f"{spec.parent.name}/{spec.name}", marks=marks)


@pytest.fixture(scope="module")
def checker() -> Iterator[ImportChecker]:
    worker = ImportChecker()
    yield worker
    worker.close()


@dataclass
class KeptClients:
    """The client and server packages the spec tests generated, kept for one mypy run over all
    clients and one ruff run over each part."""

    folder: Path
    clients: dict[str, tuple[str, int]] = field(default_factory=dict)  # spec name: (package, lines)
    servers: dict[str, tuple[str, int]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def kept_clients() -> Iterator[KeptClients]:
    with tempfile.TemporaryDirectory(prefix="stubforge-corpus-clients-") as folder:
        yield KeptClients(Path(folder))


@pytest.mark.parametrize("spec", [_param(spec) for spec in suite_specs(CORPUS)])
def test_spec_generates_compiles_imports_and_serves(spec: Path, checker: ImportChecker, kept_clients: KeptClients) -> None:
    refusal: str | None = None
    try:
        api = build_model(spec, Options())
    except SpecError as exc:
        refusal = str(exc)
    if refusal is not None:
        if parses_as_yaml_or_json(spec):
            pytest.fail(f"generation failed:\n{refusal}", pytrace=False)
        with tempfile.TemporaryDirectory() as out:
            cli = run_stubforge("generate", spec, "--out", out)
        assert cli.returncode == 2, cli.stdout + cli.stderr
        assert re.search(re.escape(spec.name) + r":\d+", cli.stderr), f"message names no line:\n{cli.stderr}"
        return

    files = render(api)
    if python_lines(files) <= FORMAT_MAX_LINES:
        files = format_files(files)  # raises SpecError naming the file if Black rejects it
    else:
        files = {path: without_breaks(text) if path.endswith(".py") else text for path, text in files.items()}
    with tempfile.TemporaryDirectory(prefix="stubforge-corpus-") as out:
        write_files(Path(out), files)
        checker.submit(Path(out), api.client_package, api.server_package)
        problems = compile_errors(files)  # while the worker imports, on the other core
        result = checker.result()
    if not problems:
        if result["client"]:
            problems.append(f"client {api.client_package} does not import: {result['client']}")
        if result["server"]:
            problems.append(f"server {api.server_package} does not import or build its app: {result['server']}")
        elif result["routes"] < len(api.operations):
            problems.append(f"the server app has {result['routes']} routes for {len(api.operations)} operations")
        if api.spec_name not in kept_clients.clients:  # names come from file names: unique in the corpus
            for part, package, kept in (("client", api.client_package, kept_clients.clients), ("server", api.server_package, kept_clients.servers)):
                written = {path: text for path, text in files.items() if path.startswith(f"{part}/{package}/")}
                write_files(kept_clients.folder / api.spec_name, written)
                kept[api.spec_name] = (package, python_lines(written))
    assert not problems, "\n".join(problems)


def test_every_generated_client_passes_mypy_strict(kept_clients: KeptClients) -> None:
    """One mypy run over every client the tests above generated: the 141 of the whole corpus in
    23 s on two cores (one mypy process per spec would pay its start-up each time and use one core)."""
    if not kept_clients.clients:
        pytest.skip("no corpus spec was generated in this run")
    failures = mypy_strict(kept_clients.clients, kept_clients.folder, jobs=min(2, os.cpu_count() or 1))
    assert not failures, "\n".join(f"{name}: {cause}" for name, cause in sorted(failures.items()))


def test_every_generated_client_passes_ruff_with_its_default_rules(kept_clients: KeptClients) -> None:
    """Unused imports, ambiguous names, redefinitions: what a user's linter says of the vendored client."""
    if not kept_clients.clients:
        pytest.skip("no corpus spec was generated in this run")
    failures = ruff_check(kept_clients.clients, kept_clients.folder)
    assert not failures, "\n".join(f"{name}: {cause}" for name, cause in sorted(failures.items()))


def test_every_generated_server_passes_ruff_with_its_default_rules(kept_clients: KeptClients) -> None:
    """The server stub is vendored too: its modules import only what they use."""
    if not kept_clients.servers:
        pytest.skip("no corpus spec was generated in this run")
    failures = ruff_check(kept_clients.servers, kept_clients.folder, "server")
    assert not failures, "\n".join(f"{name}: {cause}" for name, cause in sorted(failures.items()))
