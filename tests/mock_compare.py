"""Side by side: ``stubforge mock`` and Prism's mock, serving the same specs.

    python tests/mock_compare.py [SPEC ...]

For each spec (default: the seed and three corpus specs), both mocks are started on 127.0.0.1
(free ports, stopped by PID at the end) and every operation is called once through the generated
client, with the model's example arguments and made-up credentials (the same requests for
both). Each answer is judged against the spec as stubforge's model describes it:

- **routed**: the mock found the operation (not a 404/405 the operation does not declare);
- **schema-valid**: the status is one the operation declares (or ``default``) and the body
  validates against that response's schema (OpenAPI 3.0 JSON Schema, formats checked), and the
  generated client could decode it;
- **5xx**: the mock answered with a server error (or dropped the connection);
- **refuses a bad request**: of the operations with a required query or header parameter, how
  many answer 4xx when it is left out (and the credentials are sent): the mock validates requests.

Prints one markdown table; the figures go into the issue's closing note. Needs Prism
(``npm ci`` installs it into node_modules/) and schemathesis' dependencies (openapi-schema-validator).
"""

from __future__ import annotations

import argparse
import base64
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from openapi_schema_validator import OAS30Validator
from jsonschema import FormatChecker

sys.path.insert(0, str(Path(__file__).parent))

from conftest import CORPUS, SEED, free_port, generate_into, stop_process  # noqa: E402
from stubforge.server_openapi import server_openapi  # noqa: E402
from test_prism import PrismServer, arguments, clean_copy, credentials, import_client  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STUBFORGE = ROOT / ".venv" / "bin" / "stubforge"
DEFAULT_SPECS = [
    SEED,
    CORPUS / "oas3" / "apache.org__airflow.json",
    CORPUS / "oas3" / "doqs.dev.json",
    CORPUS / "swagger2" / "APIs-guru__openapi-directory__ebay.com_buy-feed_v1_beta.28.0_swagger.yaml",
]


@dataclass
class Tally:
    called: int = 0
    routed: int = 0
    valid: int = 0
    server_errors: int = 0
    bad_requests: int = 0  # requests sent without a required parameter
    refused: int = 0  # of those, answered 4xx
    examples: list[str] = field(default_factory=list)  # a few answers that were not schema-valid


class StubforgeMock:
    """``stubforge mock SPEC --port N`` on 127.0.0.1, ready once its port accepts connections."""

    def __init__(self, spec: Path, folder: Path):
        self.port = free_port()
        self.log = folder / f"stubforge-mock-{self.port}.log"
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(
                [str(STUBFORGE), "mock", str(spec), "--port", str(self.port), "--host", "127.0.0.1"],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, timeout: float = 120) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return True
            time.sleep(0.1)
        return False

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_process(self.process)


def declared(op: Any, status: int) -> Any:
    """The response ``op`` declares for ``status`` (exact, then ``4XX``, then ``default``)."""
    by_status = {r.status.upper(): r for r in op.responses}
    return by_status.get(str(status)) or by_status.get(f"{str(status)[0]}XX") or by_status.get("DEFAULT")


def schema_problem(op: Any, response: httpx.Response, components: dict[str, Any]) -> str | None:
    """Why ``response`` is not an answer the spec allows for ``op``, or None."""
    expected = declared(op, response.status_code)
    if expected is None:
        return f"status {response.status_code} is not declared"
    if expected.kind != "json" or expected.type is None:
        return None
    try:
        body = response.json()
    except ValueError:
        return f"status {response.status_code}: the body is not JSON"
    schema = {**expected.type.json_schema, "components": components}
    error = next(iter(OAS30Validator(schema, format_checker=FormatChecker()).iter_errors(body)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    return f"status {response.status_code}: /{where}: {error.message[:120]}"


def credential_parts(op: Any) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Headers, query and cookies carrying made-up credentials for the first security alternative."""
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    cookies: dict[str, str] = {}
    for scheme in op.security[0] if op.security else ():
        if scheme.kind == "basic":
            headers["Authorization"] = "Basic " + base64.b64encode(b"user:secret").decode()
        elif scheme.kind == "bearer":
            headers["Authorization"] = "Bearer secret-token"
        else:
            {"header": headers, "query": query, "cookie": cookies}[scheme.location][scheme.param_name] = "secret-token"
    return headers, query, cookies


def missing_parameter_status(op: Any, base_url: str) -> int | None:
    """The status of ``op`` sent without its first required query or header parameter (the
    others from the model's examples), or None when it has none or a path parameter lacks an example."""
    required = [p for p in op.parameters if p.required and p.location in ("query", "header")]
    path_params = [p for p in op.parameters if p.location == "path"]
    if not required or any(p.example is None for p in path_params):
        return None
    path = op.path
    for p in path_params:
        path = path.replace("{" + p.wire_name + "}", quote(str(p.example), safe=""))
    headers, query, cookies = credential_parts(op)
    query.update(dict(op.fixed_query))
    headers.update(dict(op.fixed_headers))
    for p in required[1:]:
        if p.example is not None and not isinstance(p.example, (dict, list)):
            target = query if p.location == "query" else headers
            target[p.wire_name] = str(p.example).lower() if isinstance(p.example, bool) else str(p.example)
    with httpx.Client(timeout=30, cookies=cookies) as http:
        return http.request(op.method, base_url.rstrip("/") + path, params=query, headers=headers).status_code


def call_every_operation(api: Any, package: Any, base_url: str, document: dict[str, Any]) -> Tally:
    import importlib

    tally = Tally()
    models = importlib.import_module(api.client_package + ".models")
    components = server_openapi(api).get("components", {})
    answers: list[httpx.Response] = []
    http = httpx.Client(timeout=30, event_hooks={"response": [answers.append]})
    client = package.Client(base_url, max_retries=0, http_client=http, **credentials(api))
    with http, client:
        for group in api.groups:
            for op in group.operations:
                args, _ = arguments(op, models, document)
                if args is None:
                    continue
                tally.called += 1
                answers.clear()
                decode_error = ""
                try:
                    getattr(getattr(client, group.attr), op.py_name)(**args)
                except Exception as exc:  # noqa: BLE001 - a status error or a decoding error, judged below
                    decode_error = "" if type(exc).__name__ == "ApiStatusError" else f"{type(exc).__name__}: {exc}"
                if not answers:
                    tally.server_errors += 1
                    continue
                response = answers[-1]
                response.read()
                if response.status_code >= 500:
                    tally.server_errors += 1
                if response.status_code not in (404, 405) or declared(op, response.status_code) is not None:
                    tally.routed += 1
                problem = schema_problem(op, response, components) or (decode_error[:160] or None)
                refusal = missing_parameter_status(op, base_url)
                if refusal is not None:
                    tally.bad_requests += 1
                    tally.refused += 400 <= refusal < 500
                if problem is None:
                    tally.valid += 1
                elif len(tally.examples) < 3:
                    tally.examples.append(f"{op.method} {op.display_path}: {problem}")
    return tally


def compare(spec: Path, folder: Path) -> tuple[Any, Tally, Tally]:
    from stubforge.load import LoadOptions, load_spec

    document = load_spec(spec, LoadOptions()).document
    prism = PrismServer(clean_copy(spec, document, folder), folder)
    ours = StubforgeMock(spec, folder)
    try:
        api = generate_into(spec, folder)
        package = import_client(api, folder)
        results = []
        for name, server in (("stubforge", ours), ("prism", prism)):
            if not server.wait():
                raise SystemExit(f"{name} did not start on {spec.name}:\n{server.output()[-2000:]}")
            # stubforge serves the spec's paths under its base path (as the startup line says);
            # Prism serves them at the root whatever the servers say.
            base_url = server.base_url + (api.base_path if server is ours else "")
            results.append(call_every_operation(api, package, base_url, document))
    finally:
        ours.stop()
        prism.stop()
    return api, results[0], results[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="*", type=Path, default=DEFAULT_SPECS)
    specs = parser.parse_args().specs
    rows = [
        "| spec | operations called | mock | routed | schema-valid answers | 5xx answers | refuses a bad request |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes: list[str] = []
    for spec in specs:
        with tempfile.TemporaryDirectory() as folder:
            api, ours, prism = compare(spec, Path(folder))
        for name, tally in (("stubforge mock", ours), ("Prism", prism)):
            title = api.title.replace("|", "\\|")
            refused = f"{tally.refused} of {tally.bad_requests}"
            rows.append(f"| {title} | {tally.called} | {name} | {tally.routed} | {tally.valid} | {tally.server_errors} | {refused} |")
            notes += [f"- {api.title}, {name}: {example}" for example in tally.examples]
    print("\n".join(rows))
    if notes:
        print("\nAnswers that were not schema-valid (first three per mock and spec):")
        print("\n".join(notes))


if __name__ == "__main__":
    main()
