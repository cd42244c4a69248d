"""The client against the mock, over the whole corpus: do the two agree on the wire?

For each corpus spec, a fresh worker process generates the client and the server (unformatted:
Black changes no behaviour), starts the server in mock mode behind Starlette's ``TestClient``
(an ``httpx.Client``, given to the generated client as its ``http_client``), and calls every
operation twice: with its required arguments only, and with every argument. The values are the
docs' example values (``Parameter.example``, ``Body.example``, from ``mockdata``); the client is
given every credential the spec declares (``secret``, through the variables the docs' examples
read). A call succeeds when it returns; any exception is a failure, named with its class and
its first line.

    python tests/corpus_calls.py [--jobs 2] [--json out.json] [SPEC ...]

prints calls made and succeeded per spec (specs with a failure, then the totals), the failures
grouped by their first words, and exits 1 when a call failed. ``make corpus`` runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus_report import CORPUS, corpus_specs, write_files  # noqa: E402

TIMEOUT = 300

#: Calls that fail by design, by (spec file, operation): the reason, printed with the count.
_GITLAB_ASANA = (
    "gitlab: the example 'asana' of {service_slug} is also the concrete path "
    "/v3/projects/{id}/services/asana, which has only PUT; a concrete path wins (405)"
)
_JELLYFIN_VERSION = (
    "jellyfin: the path parameter {version} is a closed model whose properties are all "
    "readOnly: no request can fill it, so the client refuses the empty segment (warned of)"
)
EXPLAINED: dict[tuple[str, str], str] = {
    ("gitlab.com.json", "get_v3_projects_id_services_service_slug"): _GITLAB_ASANA,
    ("gitlab.com.json", "delete_v3_projects_id_services_service_slug"): _GITLAB_ASANA,
    **{("jellyfin.local.json", op): _JELLYFIN_VERSION for op in ("uninstall_plugin_by_version", "disable_plugin", "enable_plugin", "get_plugin_image")},
}


def call_text(group: str, op: Any, everything: bool) -> str:
    """The client call of ``op`` as Python source: every argument, or the required ones."""
    from stubforge.examples import _python_value

    if everything:
        return str(op.example.python)
    args = [f"{p.py_name}={_python_value(p.type, p.example)}" for p in op.parameters if p.required]
    if op.body is not None and op.body.required:
        args.append(f"{op.body.py_name}={_python_value(op.body.type, op.body.example)}")
    return f"client.{group}.{op.py_name}({', '.join(args)})"


def run_one(spec: Path) -> dict[str, Any]:
    """Generate ``spec``, serve its mock, call every operation; the calls and their outcomes."""
    from stubforge.diagnostics import SpecError
    from stubforge.format import without_breaks
    from stubforge.pipeline import Options, build_model
    from stubforge.render import render

    try:
        api = build_model(spec, Options())
    except SpecError as exc:
        return {"spec": spec.name, "refused": str(exc).splitlines()[0], "calls": []}
    files = {path: without_breaks(text) if path.endswith(".py") else text for path, text in render(api).items()}
    folder = Path(tempfile.mkdtemp(prefix="stubforge-calls-"))
    write_files(folder, files)
    sys.path[:0] = [str(folder / "client"), str(folder / "server")]
    import importlib
    import warnings

    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    client_package = importlib.import_module(api.client_package)
    server_package = importlib.import_module(api.server_package)
    for scheme in api.security_schemes:
        for variable in scheme.variables:
            os.environ[variable] = "secret"
    credentials = sorted({c for op in api.operations for c in op.example.credentials})
    http = TestClient(server_package.create_app(mock=True), raise_server_exceptions=False)
    scope: dict[str, Any] = {"os": os, "Client": client_package.Client, "http": http}
    exec("import datetime, decimal, uuid", scope)
    scope["base_url"] = "http://testserver" + api.base_path  # the mock serves under the spec's base path
    client = eval(f"Client(base_url=base_url, http_client=http{''.join(', ' + c for c in credentials)})", scope)
    scope["client"] = client
    calls = []
    for op in api.operations:
        for everything in (False, True):
            text = call_text(op.group, op, everything)
            try:
                result = eval(text, scope)
                if hasattr(result, "close") and hasattr(result, "__iter__") and not isinstance(result, (bytes, str, list, dict)):
                    result.close()  # an event stream
                calls.append({"op": op.py_name, "call": text[:200], "ok": True})
            except Exception as exc:  # every failure is the finding
                first = (str(exc).splitlines() or [""])[0]
                answer = getattr(exc, "content", b"").decode("utf-8", "replace")
                failure = {"op": op.py_name, "call": text[:200], "ok": False, "error": f"{type(exc).__name__}: {first[:240]}"}
                calls.append(failure | ({"answer": answer[:400]} if answer else {}))
    return {"spec": spec.name, "calls": calls}


def worker(spec: Path) -> dict[str, Any]:
    try:
        done = subprocess.run([sys.executable, __file__, "--one", str(spec)], capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"spec": spec.name, "crashed": f"no answer in {TIMEOUT} s", "calls": []}
    if done.returncode != 0:
        return {"spec": spec.name, "crashed": (done.stderr.strip().splitlines() or ["exit %d" % done.returncode])[-1], "calls": []}
    return dict(json.loads(done.stdout.splitlines()[-1]))


def kind_of(error: str) -> str:
    """A failure's class and first words, so failures of one cause group together."""
    name, _, message = error.partition(": ")
    words = [w for w in message.split() if not any(c.isdigit() for c in w) and "://" not in w][:6]
    return f"{name}: {' '.join(words)}"


def explanation(spec: str, call: dict[str, Any]) -> str | None:
    """Why a failed call fails by design (see ``EXPLAINED``), or None."""
    return None if call["ok"] else EXPLAINED.get((spec, call.get("op", "")))


def report(results: list[dict[str, Any]]) -> int:
    """Prints calls made, succeeded and failed for a named reason per spec (the specs with a
    failure, then the totals), the reasons, and the other failures by kind; 1 when a call failed
    for no named reason or a spec crashed."""
    made = sum(len(r["calls"]) for r in results)
    ok = sum(c["ok"] for r in results for c in r["calls"])
    reasons = Counter(why for r in results for c in r["calls"] if (why := explanation(r["spec"], c)))
    explained = sum(reasons.values())
    print(f"{'spec':56} {'calls':>6} {'ok':>6} {'named':>6}")
    for r in sorted(results, key=lambda r: r["spec"]):
        failed = [c for c in r["calls"] if not c["ok"]]
        if failed or "crashed" in r or "refused" in r:
            note = r.get("crashed") or r.get("refused") or ""
            named = sum(explanation(r["spec"], c) is not None for c in failed)
            print(f"{r['spec'][:56]:56} {len(r['calls']):6} {len(r['calls']) - len(failed):6} {named:6} {note[:80]}")
    share = f"{100 * ok / max(made, 1):.1f}%; {100 * (ok + explained) / max(made, 1):.1f}% with the named"
    print(f"{'total (' + str(len(results)) + ' specs)':56} {made:6} {ok:6} {explained:6}  ({share})")
    if reasons:
        print("\nfailures with a named reason:")
        for why, count in reasons.most_common():
            print(f"{count:6}  {why}")
    kinds = Counter(kind_of(c["error"]) for r in results for c in r["calls"] if not c["ok"] and not explanation(r["spec"], c))
    if kinds:
        print("\nother failures by kind:")
        for kind, count in kinds.most_common(30):
            print(f"{count:6}  {kind}")
    crashed = [r["spec"] for r in results if "crashed" in r]
    return 1 if kinds or crashed else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        try:
            print(json.dumps(run_one(Path(argv[1]))))
        except Exception:
            traceback.print_exc()
            return 1
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    specs = args.files or corpus_specs(CORPUS)
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(worker, specs))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return report(results)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
