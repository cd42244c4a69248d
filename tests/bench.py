"""Benchmarks: print generation and regeneration figures for each spec.

Run ``make bench`` or ``python tests/bench.py [SPEC...]`` (default: the specs in ``specs/`` and,
when the corpus is beside the repo, its Kubernetes spec). For each spec:

- the time of each step of one generation, measured in a fresh process (so neither the format
  cache nor imports flatter it), best of three, and the peak memory;
- the daily loop, as ``stubforge generate`` commands in a scratch folder: a first run, a no-op
  run on the unchanged spec, and a run after a one-operation change (an optional query parameter
  added to the first operation).

Figures are printed, never asserted: this machine is shared and noisy.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("STUBFORGE_CORPUS", ROOT.parent / "shared" / "corpus"))
KUBERNETES = CORPUS / "swagger2" / "npm__kubernetes-client__swagger-1.13.json"
REPEATS = 3


def measure(spec: Path) -> dict[str, float]:
    """Time each step of one generation in this process (fresh for every spec)."""
    from generator import openapi3, swagger2
    from generator.config import default_name
    from generator.format import format_files
    from generator.load import load_spec
    from generator.render import render
    from generator.validate import validation_findings
    from generator.write import write_tree

    figures: dict[str, float] = {}
    started = time.perf_counter()
    loaded = load_spec(spec)
    figures["load_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    validation_findings(loaded)
    figures["validate_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    api = (swagger2 if loaded.version == "swagger2" else openapi3).normalize(loaded, default_name(spec))
    figures["model_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    files = render(api)
    figures["render_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    formatted = format_files(files)
    figures["format_s"] = time.perf_counter() - mark
    with tempfile.TemporaryDirectory() as out:
        mark = time.perf_counter()
        write_tree(Path(out) / api.spec_name, formatted)
        figures["write_s"] = time.perf_counter() - mark
    figures["end_to_end_s"] = time.perf_counter() - started
    figures["files"] = len(formatted)
    figures["python_lines"] = sum(t.count("\n") for p, t in formatted.items() if p.endswith(".py"))
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def steps(spec: Path) -> str:
    runs = []
    for _ in range(REPEATS):
        out = subprocess.run([sys.executable, __file__, "--one", str(spec)], capture_output=True, text=True, check=True, cwd=ROOT)
        runs.append(json.loads(out.stdout))
    best = {key: min(run[key] for run in runs) for key in runs[0]}
    parts = ", ".join(f"{k[:-2]} {best[k]:.2f}s" for k in ("load_s", "validate_s", "model_s", "render_s", "format_s", "write_s"))
    return (
        f"{best['end_to_end_s']:.2f}s end to end in-process (best of {REPEATS}; {parts}); "
        f"{int(best['files'])} files, {int(best['python_lines'])} Python lines; peak RSS {best['peak_rss_mb']:.0f} MB"
    )


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


def timed_generate(spec: Path, out: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "generator", "generate", str(spec), "--out", str(out)],
        capture_output=True, text=True, check=True, cwd=ROOT, env={**os.environ, "CI": "1"},
    )
    return time.perf_counter() - started, done.stdout.splitlines()[0]


def loop(spec: Path) -> list[str]:
    """First run, no-op run and one-operation change, each a ``stubforge generate`` command."""
    from generator.load import parse_document

    document, _, _ = parse_document(spec.read_bytes(), str(spec))
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / f"{spec.stem}.json"
        out = Path(scratch) / "out"
        copy.write_text(json.dumps(document, indent=1, sort_keys=True))
        first, _ = timed_generate(copy, out)
        no_op = min(timed_generate(copy, out)[0] for _ in range(REPEATS))
        copy.write_text(json.dumps(one_operation_changed(document), indent=1, sort_keys=True))
        changed, summary = timed_generate(copy, out)
        shutil.rmtree(out)
    detail = re.sub(r"^.*?: ", "", summary)
    return [
        f"first run {first:.2f}s; no-op {no_op:.2f}s (best of {REPEATS})",
        f"one operation changed: {changed:.2f}s ({detail})",
    ]


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(Path(argv[1]))))
        return
    specs = [Path(a) for a in argv] or sorted(p for p in (ROOT / "specs").iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    if not argv and KUBERNETES.is_file():
        specs.append(KUBERNETES)
    for spec in specs:
        print(f"{spec.name}: {steps(spec)}", flush=True)
        for line in loop(spec):
            print(f"{spec.name}: `stubforge generate`: {line}", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
