"""The corpus report: every spec in ../shared/corpus generated, checked and type-checked.

Run ``make corpus`` or ``python tests/corpus_report.py [--only-swagger2] [--jobs N] [--out DIR] [FILES...]``.
For every spec: generate with full formatting (Black), compile every generated ``.py``, import the
client package and every module in it, import the server package, build its app and count its
routes, and run ``mypy --strict`` over every generated client (a few mypy processes, each over
many packages: package names come from file names, so they are unique). Prints pass counts per
check, wall time per step, the slowest specs, and every failure with its cause.

This module also holds what ``test_corpus.py`` shares with the report: listing the corpus,
compiling, writing, and ``ImportChecker``, a long-lived subprocess that imports generated packages
(one interpreter and one FastAPI import for many specs, each answered on its own).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
# One worker imports this many specs before it is replaced, which bounds its memory (the
# generated Kubernetes packages hold ~1,000 pydantic models and dataclasses each).
SPECS_PER_WORKER = 25
CHECK_TIMEOUT = 300


# -- the corpus ---------------------------------------------------------------------------------


def corpus_specs(folder: Path = CORPUS) -> list[Path]:
    """Every file in the corpus's subfolders (the top level holds README.md and the manifests)."""
    return sorted(p for p in folder.glob("*/*") if p.is_file() and not p.name.startswith("."))


#: The corpus specs `make test` runs spec by spec: the 100 of 141 up to 100 KB, which take a
#: sixth of the time of all of them (the biggest take 5 to 20 s each). `make corpus` sets
#: STUBFORGE_CORPUS_SPECS=all and runs every one.
SUITE_MAX_BYTES = 100_000


def suite_specs(folder: Path = CORPUS) -> list[Path]:
    """The corpus specs the test suite checks one by one (``SUITE_MAX_BYTES``)."""
    specs = corpus_specs(folder)
    if os.environ.get("STUBFORGE_CORPUS_SPECS") == "all":
        return specs
    return [p for p in specs if p.stat().st_size <= SUITE_MAX_BYTES]


_OPENAPI3 = re.compile(r"""(?m)(?:^|[{,])\s*["']?openapi["']?\s*:\s*["']?3\.""")


def is_openapi3(path: Path) -> bool:
    """Whether the document declares ``openapi: 3.x`` (a sniff of the text, not a parse)."""
    return bool(_OPENAPI3.search(path.read_text("utf-8", errors="replace")))


def parses_as_yaml_or_json(path: Path) -> bool:
    """Whether the text is JSON or a YAML stream at all (syntax only: nothing is constructed)."""
    import yaml

    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    try:
        json.loads(text)
        return True
    except ValueError:
        pass
    try:
        for _ in yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            pass
        return True
    except yaml.YAMLError:
        return False


# -- generated files ----------------------------------------------------------------------------


def python_lines(files: dict[str, str]) -> int:
    return sum(text.count("\n") for path, text in files.items() if path.endswith(".py"))


def compile_errors(files: dict[str, str]) -> list[str]:
    """Every generated Python file that does not compile, as ``path:line: message``."""
    errors = []
    for path, text in files.items():
        if path.endswith(".py"):
            try:
                compile(text, path, "exec", dont_inherit=True)
            except SyntaxError as exc:
                errors.append(f"{path}:{exc.lineno}: SyntaxError: {exc.msg}")
    return errors


def write_files(folder: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


# -- importing generated packages in a worker process -------------------------------------------


def _cause(exc: BaseException, folder: str) -> str:
    """The exception's one-line message, located at the innermost frame in generated code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(folder)]
    where = f" ({Path(frames[-1].filename).relative_to(folder)}:{frames[-1].lineno})" if frames else ""
    message = (str(exc).strip().splitlines() or [""])[0][:300]
    notes = "".join(f" [{note}]" for note in getattr(exc, "__notes__", [])[:1])  # pydantic says what it was doing
    return f"{type(exc).__name__}: {message}{notes}{where}"


def _import_all(package: str) -> None:
    import importlib
    import pkgutil

    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)


def check_packages(folder: str, client: str, server: str) -> dict[str, Any]:
    """In the worker: import ``client`` (every module) and ``server`` (every module), build the app.

    Answers ``{"client": error or None, "server": error or None, "routes": n or None, "seconds": s}``.
    """
    started = time.perf_counter()
    paths = [str(Path(folder) / "client"), str(Path(folder) / "server")]
    sys.path[:0] = paths
    result: dict[str, Any] = {"client": None, "server": None, "routes": None}
    try:
        try:
            _import_all(client)
        except BaseException as exc:  # noqa: BLE001 - any failure is the answer
            result["client"] = _cause(exc, folder)
        try:
            _import_all(server)
            from fastapi.routing import APIRoute

            app = sys.modules[server].create_app()
            result["routes"] = sum(isinstance(route, APIRoute) for route in app.routes)
        except BaseException as exc:  # noqa: BLE001
            result["server"] = _cause(exc, folder)
    finally:
        for path in paths:
            sys.path.remove(path)
        for name in [m for m in sys.modules if m.split(".")[0] in (client, server)]:
            del sys.modules[name]
    result["seconds"] = time.perf_counter() - started
    return result


def _serve() -> None:
    """The worker: one JSON request a line on stdin, one JSON answer a line on the saved stdout."""
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever generated code prints goes to stderr, never into the answers
    sys.stdout = sys.stderr
    import fastapi  # noqa: F401 - paid once, before the first spec
    import httpx  # noqa: F401
    import pydantic  # noqa: F401

    answers.write('{"ready": true}\n')
    answers.flush()
    for line in sys.stdin:
        request = json.loads(line)
        answers.write(json.dumps(check_packages(request["folder"], request["client"], request["server"])) + "\n")
        answers.flush()


class ImportChecker:
    """A long-lived worker process that imports generated packages, one spec per request.

    A Python start plus the FastAPI, pydantic and httpx imports cost ~0.5 s, more than importing
    most generated packages; one worker serves SPECS_PER_WORKER specs and is then replaced. A worker
    that dies or hangs fails only the spec it was checking, and the next request starts a new one.
    """

    def __init__(self, specs_per_worker: int = SPECS_PER_WORKER) -> None:
        self.specs_per_worker = specs_per_worker
        self.process: subprocess.Popen[bytes] | None = None
        self.stderr: Any = None
        self.served = 0
        self._last_stderr = ""

    def _start(self) -> None:
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )
        self.served = 0
        ready = self._read(60)
        if ready != {"ready": True}:
            raise RuntimeError(f"the import worker did not start: {ready}")

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            reason = f"no answer in {timeout:.0f} s" if not ready else f"exit status {self.process.poll()}"
            self.close(kill=True)
            raise RuntimeError(f"the import worker failed ({reason}); its stderr ends:\n{self._last_stderr}")
        return dict(json.loads(line))

    def submit(self, folder: Path, client: str, server: str) -> None:
        """Start checking one spec's packages; ``result()`` waits for the answer (meanwhile the
        caller can use the other core)."""
        if self.process is None or self.served >= self.specs_per_worker:
            self.close()
            self._start()
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write((json.dumps({"folder": str(folder), "client": client, "server": server}) + "\n").encode())
        self.process.stdin.flush()
        self.served += 1

    def result(self, timeout: float = CHECK_TIMEOUT) -> dict[str, Any]:
        """``{"client": error or None, "server": error or None, "routes": n or None, "seconds": s}``"""
        return self._read(timeout)

    def check(self, folder: Path, client: str, server: str, timeout: float = CHECK_TIMEOUT) -> dict[str, Any]:
        self.submit(folder, client, server)
        return self.result(timeout)

    def close(self, kill: bool = False) -> None:
        if self.process is not None:
            if kill and self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            elif self.process.poll() is None:
                assert self.process.stdin is not None
                self.process.stdin.close()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        if self.stderr is not None:
            self.stderr.seek(0)
            self._last_stderr = self.stderr.read().decode("utf-8", errors="replace")[-3000:]
            self.stderr.close()
            self.stderr = None


# -- the report ---------------------------------------------------------------------------------

CHECKS = ("generate", "compile", "import client", "import server", "routes", "mypy --strict", "ruff check")


def _generate_one(spec: str, out: str, nested_black: bool = False) -> dict[str, Any]:
    """In a pool process: load → model → render → format, written under ``out``; timings and errors."""
    from stubforge import format as format_module
    from stubforge.diagnostics import SpecError
    from stubforge.format import format_files

    if not nested_black:  # the pool already keeps every core busy: no Black workers inside a worker
        format_module.PARALLEL_THRESHOLD = sys.maxsize
    from stubforge.pipeline import Options, build_model
    from stubforge.render import render

    record: dict[str, Any] = {"spec": spec, "failures": {}}
    path = Path(spec)
    try:
        mark = time.perf_counter()
        api = build_model(path, Options())
        record["model_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        files = render(api)
        record["render_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        files = format_files(files)
        record["format_s"] = time.perf_counter() - mark
    except SpecError as exc:
        first = next((d for d in exc.diagnostics if d.level.name == "ERROR"), exc.diagnostics[0] if exc.diagnostics else None)
        message = f"line {first.line}{' ' + first.pointer if first.pointer else ''}: {first.message}" if first else "SpecError"
        if not parses_as_yaml_or_json(path) and first is not None and first.line:
            record["refused"] = message  # not YAML or JSON at all, refused with a located message
        else:
            record["failures"]["generate"] = message
        return record
    except Exception as exc:  # noqa: BLE001 - a generator crash is this spec's failure
        record["failures"]["generate"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
        return record
    record.update(name=api.spec_name, client=api.client_package, server=api.server_package, operations=len(api.operations))
    record["python_lines"] = python_lines(files)
    mark = time.perf_counter()
    errors = compile_errors(files)
    record["compile_s"] = time.perf_counter() - mark
    if errors:
        record["failures"]["compile"] = f"{errors[0]} ({len(errors)} files)" if len(errors) > 1 else errors[0]
    write_files(Path(out) / api.spec_name, files)
    return record


def mypy_strict(clients: dict[str, tuple[str, int]], folder: Path, jobs: int) -> dict[str, str]:
    """``mypy --strict`` over many generated clients at once; the failures, by spec name.

    ``clients`` maps a spec name to its client package and its size in lines; the package is at
    ``folder/<spec name>/client/<package>``. Package names are unique, so a few mypy processes
    (``jobs``, balanced by size) check them all, and every error names the spec it is in.
    """
    batches: list[list[str]] = [[] for _ in range(max(1, jobs))]
    sizes = [0] * len(batches)
    for name in sorted(clients, key=lambda n: -clients[n][1]):
        smallest = sizes.index(min(sizes))
        batches[smallest].append(name)
        sizes[smallest] += clients[name][1]
    running = []
    # No cache: every package is new to mypy, and writing ~150 MB of cache for the corpus cost more
    # than it saved (19 s against 22 s for 70 clients, and deleting it took most of a 12 s teardown).
    command = [sys.executable, "-m", "mypy", "--strict", "--no-color-output", "--cache-dir", os.devnull]
    for batch in (b for b in batches if b):
        packages = [f"{name}/client/{clients[name][0]}" for name in batch]
        running.append((batch, subprocess.Popen(command + packages, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
    failures: dict[str, str] = {}
    for batch, process in running:
        output, _ = process.communicate()
        by_name: dict[str, list[str]] = defaultdict(list)
        for line in output.splitlines():
            if ": error: " in line:
                by_name[line.split("/", 1)[0]].append(line)
        finished = process.returncode in (0, 1) and "errors prevented further checking" not in output
        for name in batch:
            errors = by_name.get(name, [])
            if errors:
                first = errors[0].split("/client/", 1)[-1]
                failures[name] = f"{first} ({len(errors)} errors)" if len(errors) > 1 else first
            elif not finished:
                failures[name] = "mypy did not finish: " + (output.strip().splitlines() or ["?"])[-1]
    return failures


def ruff_check(packages: dict[str, tuple[str, int]], folder: Path, part: str = "client") -> dict[str, str]:
    """``ruff check`` (its default rules, no configuration file) over many generated clients (or
    servers: ``part``) at once, each at ``folder/<spec name>/<part>/<package>``; the failures, by
    spec name. One process: ruff checks the whole corpus in seconds."""
    paths = [f"{name}/{part}/{package}" for name, (package, _) in sorted(packages.items())]
    if not paths:
        return {}
    command = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--output-format", "concise", "--quiet"]
    output = subprocess.run(command + paths, cwd=folder, capture_output=True, text=True).stdout
    by_name: dict[str, list[str]] = defaultdict(list)
    for line in output.splitlines():
        if f"/{part}/" in line:
            by_name[line.split("/", 1)[0]].append(line.split(f"/{part}/", 1)[1])
    return {name: f"{errors[0]} ({len(errors)} findings)" if len(errors) > 1 else errors[0] for name, errors in by_name.items()}


def _group_key(cause: str) -> str:
    """A cause with its specifics (locations, counts, quoted names) blanked, to group failures."""
    cause = re.sub(r"\([^()]*\.py:\d+\)|\(\d+ (errors|files)\)", "", cause)
    cause = re.sub(r"^(\S+\.py:\d+: (error: )?|line \d+ \S*: )", "", cause)
    cause = re.sub(r"^\d+ routes for \d+ operations$", "fewer routes than operations", cause)
    return re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", cause).strip()


def report(specs: list[Path], jobs: int, out: Path) -> int:
    from concurrent.futures import ProcessPoolExecutor

    steps: dict[str, float] = {}
    started = time.perf_counter()
    # Biggest first, so the Kubernetes specs do not start last and leave the other cores idle.
    ordered = sorted(specs, key=lambda p: -p.stat().st_size)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        records = list(pool.map(_generate_one, [str(s) for s in ordered], [str(out)] * len(ordered), [jobs == 1] * len(ordered)))
    records.sort(key=lambda r: r["spec"])
    steps["generate (load, model, render, Black) + compile + write"] = time.perf_counter() - started

    mark = time.perf_counter()
    generated = [r for r in records if "name" in r]
    checker = ImportChecker()
    try:
        for record in generated:
            try:
                result = checker.check(out / record["name"], record["client"], record["server"])
            except RuntimeError as exc:
                result = {"client": str(exc).splitlines()[0], "server": str(exc).splitlines()[0], "routes": None, "seconds": 0.0}
            record["import_s"] = result["seconds"]
            if result["client"]:
                record["failures"]["import client"] = result["client"]
            if result["server"]:
                record["failures"]["import server"] = result["server"]
            elif result["routes"] is not None and result["routes"] < record["operations"]:
                record["failures"]["routes"] = f"{result['routes']} routes for {record['operations']} operations"
            if result["server"]:
                record["failures"]["routes"] = "server did not import"
    finally:
        checker.close()
    steps["import client and server, create_app (one worker per 25 specs)"] = time.perf_counter() - mark

    mark = time.perf_counter()
    compiled = [r for r in generated if "compile" not in r["failures"]]
    clients = {r["name"]: (r["client"], r["python_lines"]) for r in compiled}
    for name, cause in mypy_strict(clients, out, jobs).items():
        next(r for r in compiled if r["name"] == name)["failures"]["mypy --strict"] = cause
    for record in generated:
        if "compile" in record["failures"]:
            record["failures"]["mypy --strict"] = "not run: does not compile"
    steps[f"mypy --strict over {len(compiled)} clients ({min(jobs, len(compiled))} processes)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    servers = {r["name"]: (r["server"], r["python_lines"]) for r in compiled}
    for part, packages in (("client", clients), ("server", servers)):
        for name, cause in ruff_check(packages, out, part).items():
            next(r for r in compiled if r["name"] == name)["failures"][f"ruff check ({part})"] = cause
    for record in generated:
        if "compile" in record["failures"]:
            record["failures"]["ruff check (client)"] = record["failures"]["ruff check (server)"] = "not run: does not compile"
    steps[f"ruff check over {len(compiled)} clients and servers"] = time.perf_counter() - mark
    steps["total"] = time.perf_counter() - started

    total = len(records)
    refused = [r for r in records if "refused" in r]
    print(f"\nstubforge corpus report: {total} specs, {jobs} jobs, output in {out}\n")
    print(f"{'check':<22} {'pass':>5} / {total:<5} {'%':>6}")
    for check in CHECKS:
        # A document that is not YAML or JSON and is refused with a located message passes: that is allowed.
        passed = sum(1 for r in records if check not in r["failures"] and ("name" in r or "refused" in r))
        print(f"{check:<22} {passed:>5} / {total:<5} {100 * passed / total:>5.1f}%")
    clean = sum(1 for r in records if not r["failures"] and "name" in r) + len(refused)
    print(f"{'every check':<22} {clean:>5} / {total:<5} {100 * clean / total:>5.1f}%")
    if refused:
        print(f"\n{len(refused)} documents are not YAML or JSON and were refused with a located message:")
        for r in refused:
            print(f"  {Path(r['spec']).name}: {r['refused']}")

    print("\nwall time per step")
    for step, seconds in steps.items():
        print(f"  {seconds:8.1f} s  {step}")
    timed = [r for r in generated if "format_s" in r]
    for key in ("model_s", "render_s", "format_s", "compile_s", "import_s"):
        print(f"  {sum(r.get(key, 0.0) for r in timed):8.1f} s  sum over specs of {key[:-2]} (CPU seconds, before parallelism)")

    print("\nslowest specs (seconds: model = load + validate + normalize; format = Black)")
    print(f"  {'total':>7} {'model':>6} {'render':>6} {'format':>7} {'import':>6} {'lines':>8}  spec")
    for r in sorted(timed, key=lambda r: -(r["model_s"] + r["render_s"] + r["format_s"]))[:10]:
        whole = r["model_s"] + r["render_s"] + r["format_s"]
        print(
            f"  {whole:7.1f} {r['model_s']:6.2f} {r['render_s']:6.2f} {r['format_s']:7.1f} {r.get('import_s', 0):6.2f} "
            f"{r['python_lines']:8}  {Path(r['spec']).parent.name}/{Path(r['spec']).name}"
        )

    failed = [r for r in records if r["failures"]]
    groups: Counter[tuple[str, str]] = Counter()
    for r in failed:
        for check, cause in r["failures"].items():
            groups[(check, _group_key(cause))] += 1
    if groups:
        print(f"\nfailures by cause ({len(failed)} specs fail at least one check)")
        for (check, cause), count in sorted(groups.items(), key=lambda item: (-item[1], item[0])):
            print(f"  {count:4} × {check}: {cause}")
        print("\nfailures by spec (the first error of each failed check)")
        for r in failed:
            print(f"  {Path(r['spec']).parent.name}/{Path(r['spec']).name}")
            for check, cause in r["failures"].items():
                print(f"      {check}: {cause}")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if argv == ["--worker"]:
        _serve()
        return 0
    parser = argparse.ArgumentParser(prog="python tests/corpus_report.py", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="specs to check (default: every file in ../shared/corpus)")
    parser.add_argument("--only-swagger2", action="store_true", help="leave out OpenAPI 3 documents")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for generation and mypy (default: every core)")
    parser.add_argument("--out", type=Path, help="keep the generated output in this folder (default: a temporary folder)")
    args = parser.parse_intermixed_args(argv)
    specs = args.files or corpus_specs()
    if not specs:
        parser.error(f"no specs given and none in {CORPUS}")
    if args.only_swagger2:
        specs = [s for s in specs if not is_openapi3(s)]
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        return report(specs, args.jobs, args.out.resolve())
    with tempfile.TemporaryDirectory(prefix="stubforge-corpus-") as out:
        return report(specs, args.jobs, Path(out))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
