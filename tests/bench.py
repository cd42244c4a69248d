"""Benchmarks: print generation figures for each spec (time per step, peak memory).

Run ``make bench`` or ``python tests/bench.py [SPEC...]``. Each spec is measured in a fresh
process, so the format cache and imports do not flatter later runs. Figures are printed, never
asserted: this machine is shared and noisy.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3


def measure(spec: Path) -> dict[str, float]:
    """Time each step of one generation in this process (fresh for every spec)."""
    import tempfile

    from generator import pipeline
    from generator.format import format_files
    from generator.load import load_spec
    from generator.render import render
    from generator.swagger2 import normalize
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
    api = normalize(loaded, pipeline.spec_name(spec))
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


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(Path(argv[1]))))
        return
    specs = [Path(a) for a in argv] or sorted((ROOT / "specs").glob("*.y*ml")) + sorted((ROOT / "specs").glob("*.json"))
    for spec in specs:
        runs = []
        for _ in range(REPEATS):
            out = subprocess.run([sys.executable, __file__, "--one", str(spec)], capture_output=True, text=True, check=True, cwd=ROOT)
            runs.append(json.loads(out.stdout))
        best = {key: min(run[key] for run in runs) for key in runs[0]}
        steps = ", ".join(f"{k[:-2]} {best[k]:.3f}s" for k in ("load_s", "validate_s", "model_s", "render_s", "format_s", "write_s"))
        print(
            f"{spec.name}: {best['end_to_end_s']:.3f}s end to end (best of {REPEATS}, fresh process; {steps}); "
            f"{int(best['files'])} files, {int(best['python_lines'])} Python lines; peak RSS {best['peak_rss_mb']:.0f} MB"
        )
        cli = [sys.executable, "-m", "generator", "generate", "-q", str(spec), "--out"]
        with __import__("tempfile").TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run(cli + [out], check=True, cwd=ROOT)
            first = time.perf_counter() - started
            started = time.perf_counter()
            subprocess.run(cli + [out], check=True, cwd=ROOT)
            again = time.perf_counter() - started
        print(f"{spec.name}: `stubforge generate` as a command: {first:.2f}s first run, {again:.2f}s again on unchanged output")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
