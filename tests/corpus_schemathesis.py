"""The schemathesis sweep: every corpus spec that generates, served in mock mode and fuzzed.

Run ``make corpus`` or ``python tests/corpus_schemathesis.py [--jobs N] [--max-examples N]
[--only PATTERN] [--json OUT] [--logs DIR] [FILES...]``.

For each spec: generate it into a temporary folder (``python -m stubforge generate``), start
``python -m <pkg>_server --host 127.0.0.1 --port N --mock`` (PYTHONPATH = the generated server
folder) on a free port, run ``schemathesis run http://127.0.0.1:N/openapi.json --checks all``
with every check but those in ``EXCLUDED_CHECKS`` and both data generation modes (positive and
negative: ``--mode all``), and stop the server by its PID (terminate, then kill). Failures are
counted from schemathesis' own JSON report (one entry per failure code, with its count of unique
failures and the operations where it was seen), never from its text.

The run is bounded: each spec has ``SPEC_TIMEOUT`` seconds (generation, start and fuzzing), and a
spec with more than ``--max-operations`` operations is fuzzed on an evenly spread sample of its
paths (the output says so). Prints a markdown table of failures per check, one line per spec, and
where each spec's schemathesis output and server log were kept.

``tests/test_corpus_conformance.py`` runs a few specs through ``fuzz_spec`` in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from conftest import stop_process

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("STUBFORGE_CORPUS", ROOT.parent / "shared" / "corpus"))
SPEC_TIMEOUT = 900
MAX_EXAMPLES = 10
MAX_OPERATIONS = 40
STARTUP_TIMEOUT = 120  # the Kubernetes servers import ~1,000 pydantic models before they listen

# Checks a mock server cannot pass by design, switched off with the reason (every other check of
# ``--checks all`` is on):
EXCLUDED_CHECKS = {
    "ignored_auth": (
        "the mock answers 401 when an operation's credentials are missing, but it cannot tell a valid "
        "credential from an invalid one (there are no accounts), so 'invalid credentials accepted' (ST401) is by design"
    ),
    "use_after_free": "mock mode is stateless (each operation answers its example): a resource stays available after DELETE (ST301)",
    "ensure_resource_availability": "mock mode is stateless: a resource made by POST is not kept, so GET cannot find it (ST302)",
}

# ``--suppress-health-check too_slow``: that health check times hypothesis' own data generation,
# not the server. The aws-ec2 specs are one GET with 242 query parameters; on a shared 2-core
# machine their generation is slow at random and the whole spec went unfuzzed.

# Failure code -> (the check that reports it, its title), for the table; from schemathesis itself.
try:
    from schemathesis.failure_codes import FAILURE_CLASSES

    CODES = {cls.code: (cls.checks[0] if cls.checks else "custom", cls.kind_title) for cls in FAILURE_CLASSES}
except ImportError:  # another schemathesis version: the table shows bare codes
    CODES = {}


@dataclass
class Outcome:
    """What happened to one spec. ``status``: ok, failures, did not generate, server did not
    start, timed out, or schemathesis error."""

    spec: str
    status: str
    detail: str = ""
    operations: int = 0  # in the published document
    fuzzed: int = 0  # selected for schemathesis (fewer when capped)
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> {"count", "operations"}
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failure_count(self) -> int:
        return sum(entry["count"] for entry in self.failures.values())


class Deadline:
    """The time left of one spec's budget."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise subprocess.TimeoutExpired("spec", 0)
        return remaining


def short_id(name: str) -> str:
    """A readable id: the file name without the directory prefixes every spec repeats."""
    stem = Path(name).stem
    for prefix in ("APIs-guru__openapi-directory__", "streamdata-gallery-organizations__", "streamdata-gallery-topics__", "go-swagger__go-swagger__", "dzekelid__"):
        stem = stem.removeprefix(prefix)
    return stem[:60]


def corpus_specs(folder: Path = CORPUS) -> list[Path]:
    """Every file in the corpus's subfolders (the top level holds README.md and the manifests)."""
    return sorted(p for p in folder.glob("*/*") if p.is_file() and not p.name.startswith("."))


def generate(spec: Path, out: Path, timeout: float) -> tuple[str, Path]:
    """Generate ``spec`` under ``out`` with the CLI; its server package and the folder holding it.
    Raises ``RuntimeError`` with the generator's message when it refuses the spec."""
    result = subprocess.run(
        [sys.executable, "-m", "stubforge", "generate", str(spec), "--out", str(out), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    packages = sorted(out.glob("*/server/*_server"))
    if result.returncode != 0 or not packages:
        message = (result.stderr.strip() or result.stdout.strip() or "no server package").splitlines()
        raise RuntimeError(" / ".join(message[:2])[:300])
    return packages[0].name, packages[0].parent


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MockServer:
    """``python -m PKG --host 127.0.0.1 --port N --mock`` on a free port (another one when the port
    was taken before the server could listen), stopped by PID."""

    def __init__(self, package: str, server_folder: Path, workdir: Path, startup_timeout: float = STARTUP_TIMEOUT, attempts: int = 3):
        self.log = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        for _ in range(attempts):
            self.port = free_port()
            self.base_url = f"http://127.0.0.1:{self.port}"
            with self.log.open("wb") as sink:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", package, "--host", "127.0.0.1", "--port", str(self.port), "--mock"],
                    env={**os.environ, "PYTHONPATH": str(server_folder)},
                    cwd=workdir,
                    stdin=subprocess.DEVNULL,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                )
            if self._wait_until_up(startup_timeout):
                return
            self.stop()
            if "address already in use" not in self.output().lower():
                break
        raise RuntimeError(f"{package} did not start: " + " / ".join(self.output().strip().splitlines()[-2:])[:300])

    def _wait_until_up(self, timeout: float) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                httpx.get(self.base_url + "/openapi.json", timeout=5).raise_for_status()
                return True
            except httpx.TransportError:
                time.sleep(0.2)
        return False

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


def operations_of(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (path, method) of a published OpenAPI document, in document order."""
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return [(path, method) for path, item in (document.get("paths") or {}).items() for method in item if method in methods]


def path_sample(operations: list[tuple[str, str]], cap: int) -> list[str]:
    """Every k-th path of the document, as many as hold at most ``cap`` operations (at least one)."""
    per_path = Counter(path for path, _ in operations)
    stride = -(-len(operations) // cap)
    chosen: list[str] = []
    total = 0
    for path in list(per_path)[::stride]:
        if chosen and total + per_path[path] > cap:
            break
        chosen.append(path)
        total += per_path[path]
    return chosen


def schemathesis_command(base_url: str, report: Path, max_examples: int, paths: list[str] | None) -> list[str]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", base_url + "/openapi.json",
        "--checks", "all",
        "--exclude-checks", ",".join(EXCLUDED_CHECKS),
        "--mode", "all",
        "--suppress-health-check", "too_slow",
        "--max-examples", str(max_examples),
        "--workers", "1",
        "--seed", "1",
        "--generation-database", "none",
        "--no-color",
        "--report", "json",
        "--report-json-path", str(report),
    ]  # fmt: skip
    if paths is not None:
        command += ["--include-path-regex", "^(?:" + "|".join(re.escape(p) for p in paths) + ")$"]
    return command


def fuzz_spec(spec: Path, workdir: Path, max_examples: int = MAX_EXAMPLES, max_operations: int = MAX_OPERATIONS, timeout: float = SPEC_TIMEOUT) -> Outcome:
    """Generate ``spec`` into ``workdir``, serve it in mock mode and fuzz it with schemathesis.
    ``workdir`` keeps ``schemathesis.txt`` (its output) and ``server.log``."""
    started = time.monotonic()
    deadline = Deadline(timeout)
    outcome = Outcome(spec=str(spec), status="ok")
    try:
        try:
            package, server_folder = generate(spec, workdir / "out", deadline.left())
        except RuntimeError as exc:
            outcome.status, outcome.detail = "did not generate", str(exc)
            return outcome
        try:
            server = MockServer(package, server_folder, workdir, min(STARTUP_TIMEOUT, deadline.left()))
        except RuntimeError as exc:
            outcome.status, outcome.detail = "server did not start", str(exc)
            return outcome
        try:
            _fuzz(server, workdir, outcome, max_examples, max_operations, deadline)
        finally:
            server.stop()
    except subprocess.TimeoutExpired:
        outcome.status, outcome.detail = "timed out", f"after {timeout:.0f} s"
    finally:
        outcome.seconds = time.monotonic() - started
    return outcome


def _fuzz(server: MockServer, workdir: Path, outcome: Outcome, max_examples: int, max_operations: int, deadline: Deadline) -> None:
    document = httpx.get(server.base_url + "/openapi.json", timeout=60).json()
    operations = operations_of(document)
    paths = path_sample(operations, max_operations) if len(operations) > max_operations else None
    outcome.operations = len(operations)
    outcome.fuzzed = len(operations) if paths is None else sum(1 for path, _ in operations if path in set(paths))
    report = workdir / "schemathesis.json"
    with (workdir / "schemathesis.txt").open("wb") as sink:
        subprocess.run(
            schemathesis_command(server.base_url, report, max_examples, paths),
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            timeout=deadline.left(),
            check=False,
        )
    if not report.is_file():
        outcome.status, outcome.detail = "schemathesis error", "no report; see schemathesis.txt"
        return
    data = json.loads(report.read_text(encoding="utf-8"))
    outcome.failures = {f["code"]: {"count": f["count"], "operations": f["operations"], "title": f["title"]} for f in data["failures"]}
    outcome.errors = [_error_line(error) for error in data["errors"]]
    if outcome.failures:
        outcome.status = "failures"
    elif outcome.errors:
        outcome.status, outcome.detail = "schemathesis error", outcome.errors[0]


def _error_line(error: Any) -> str:
    if isinstance(error, dict):
        return " ".join(str(error.get(key, "")) for key in ("operation", "title", "message") if error.get(key))[:300]
    return str(error)[:300]


# -- the report ---------------------------------------------------------------------------------


def spec_line(outcome: Outcome) -> str:
    """One table row: the spec, its outcome and, for failures, codes with counts."""
    cap = f" (capped: {outcome.fuzzed} of {outcome.operations} operations)" if outcome.fuzzed < outcome.operations else ""
    if outcome.status == "failures":
        text = f"{outcome.failure_count} failures: " + ", ".join(f"{code}×{entry['count']}" for code, entry in sorted(outcome.failures.items()))
    else:
        text = outcome.status + (f": {outcome.detail}" if outcome.detail else "")
    return f"| {short_id(outcome.spec)} | {outcome.fuzzed} | {text.replace('|', '/')}{cap} | {outcome.seconds:.0f} |"


def markdown(outcomes: list[Outcome], max_examples: int, max_operations: int) -> str:
    by_code: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        for code, entry in outcome.failures.items():
            by_code[code][0] += entry["count"]
            by_code[code][1] += 1
    statuses = Counter(outcome.status for outcome in outcomes)
    capped = [o for o in outcomes if o.fuzzed < o.operations]
    lines = [
        f"schemathesis {_schemathesis_version()} over {len(outcomes)} corpus specs: --checks all, --mode all (positive and negative), "
        f"--max-examples {max_examples}, --seed 1; specs of more than {max_operations} operations fuzzed on a sample of their paths ({len(capped)} specs).",
        "",
        "Outcomes: " + ", ".join(f"{status} {count}" for status, count in sorted(statuses.items())),
        "",
        "| check | code | failure | failures | specs |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for code in sorted(by_code):
        check, title = CODES.get(code, ("?", code))
        lines.append(f"| {check} | {code} | {title} | {by_code[code][0]} | {by_code[code][1]} |")
    total = sum(count for count, _ in by_code.values())
    lines.append(f"| **total** | | | **{total}** | **{sum(1 for o in outcomes if o.failures)}** |")
    lines += ["", "Checks left off:"]
    lines += [f"- {check}: {reason}" for check, reason in EXCLUDED_CHECKS.items()]
    lines += ["", "| spec | operations fuzzed | outcome | s |", "| --- | ---: | --- | ---: |"]
    lines += [spec_line(outcome) for outcome in outcomes]
    return "\n".join(lines)


def _schemathesis_version() -> str:
    from importlib.metadata import version

    return version("schemathesis")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="specs to fuzz (default: every corpus spec)")
    parser.add_argument("--jobs", type=int, default=2, help="specs fuzzed at once")
    parser.add_argument("--max-examples", type=int, default=MAX_EXAMPLES, help="schemathesis' examples per operation")
    parser.add_argument("--max-operations", type=int, default=MAX_OPERATIONS, help="a bigger spec is fuzzed on a sample of its paths")
    parser.add_argument("--timeout", type=float, default=SPEC_TIMEOUT, help="seconds per spec: generation, start and fuzzing")
    parser.add_argument("--only", help="a regular expression: only the specs whose path matches it")
    parser.add_argument("--json", type=Path, help="write every spec's outcome and the failures to this file")
    parser.add_argument("--logs", type=Path, default=ROOT / "build" / "corpus_schemathesis", help="keep each spec's schemathesis output and server log here")
    args = parser.parse_args(argv)

    specs = args.files or corpus_specs()
    if args.only:
        specs = [spec for spec in specs if re.search(args.only, str(spec))]
    args.logs.mkdir(parents=True, exist_ok=True)

    def run(spec: Path) -> Outcome:
        with tempfile.TemporaryDirectory(prefix="st-") as folder:
            workdir = Path(folder)
            outcome = fuzz_spec(spec, workdir, args.max_examples, args.max_operations, args.timeout)
            for kept in ("schemathesis.txt", "server.log", "schemathesis.json"):
                if (workdir / kept).is_file():
                    (args.logs / f"{short_id(str(spec))}.{kept}").write_bytes((workdir / kept).read_bytes())
        print(spec_line(outcome), file=sys.stderr, flush=True)
        return outcome

    # Biggest first, so the Kubernetes specs do not start last and hold up the end of the run.
    ordered = sorted(specs, key=lambda p: -p.stat().st_size)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = sorted(pool.map(run, ordered), key=lambda o: o.spec)
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1), encoding="utf-8")
    print(markdown(outcomes, args.max_examples, args.max_operations))
    print(f"\nschemathesis output and server logs: {args.logs}")
    return 0 if all(o.status == "ok" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
