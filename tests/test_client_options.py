"""The generated client's per-call options, ``with_options``, request logging and the rule that
decides which credentials an operation sends.

Requests go to an httpx.MockTransport that records them; the tests assert on what was sent,
for the sync and the async client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import generate_packages

SPEC = """
openapi: 3.0.3
info: {title: Options, version: "1.0"}
components:
  securitySchemes:
    headerKey: {type: apiKey, in: header, name: X-Api-Key}
    queryKey: {type: apiKey, in: query, name: api_key}
    bearer: {type: http, scheme: bearer}
    basic: {type: http, scheme: basic}
  schemas:
    Item:
      type: object
      required: [id]
      properties: {id: {type: string}, size: {type: integer}}
paths:
  /items/{itemId}:
    get:
      operationId: getItem
      security: [{headerKey: [], queryKey: []}, {bearer: []}]
      parameters:
        - {name: itemId, in: path, required: true, schema: {type: string}}
        - {name: q, in: query, schema: {type: string}}
        - {name: X-Note, in: header, schema: {type: string}}
        - {name: timeout, in: query, schema: {type: integer}}
        - {name: extra_headers, in: header, schema: {type: string}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}}
  /items:
    post:
      operationId: createItem
      security: [{bearer: []}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}
      responses:
        "201": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}}
  /forms:
    post:
      operationId: submitForm
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {name: {type: string}}}
      responses: {"204": {description: done}}
  /blobs:
    put:
      operationId: putBlob
      requestBody:
        content: {application/octet-stream: {schema: {type: string, format: binary}}}
      responses: {"204": {description: done}}
  /public:
    get:
      operationId: getPublic
      security: []
      responses: {"204": {description: done}}
  /open:
    get:
      operationId: getOpen
      responses: {"204": {description: done}}
  /optional:
    get:
      operationId: getOptional
      security: [{}]
      responses: {"204": {description: done}}
"""

MODES = ["sync", "async"]
# Every secret holds SECRET, so that a leak of any of them is easy to see.
HEADER_KEY = "hk-SECRET-1"
QUERY_KEY = "qk-SECRET-2"
BEARER = "bt-SECRET-3"
BASIC = ("ann", "pw-SECRET-4")


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Any:
    (options_client,) = generate_packages(tmp_path_factory.mktemp("options"), "options", SPEC, ("client",))
    return options_client


class Recorder:
    """A MockTransport handler: records every request; answers each with the next of
    ``statuses`` (the last one repeats), an Item when the status is 2xx and not 204."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses or (200,))
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if status == 204:
            return httpx.Response(204)
        return httpx.Response(status, json={"id": "7", "size": 3})

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def call(
    pkg: Any,
    mode: str,
    recorder: Recorder,
    operation: str,
    arguments: dict[str, Any],
    **settings: Any,
) -> Any:
    """Call ``operation`` of a client of ``mode`` whose requests go to ``recorder``."""
    settings = {"max_retries": 0, **settings}
    if mode == "sync":
        with httpx.Client(transport=httpx.MockTransport(recorder)) as http:
            client = pkg.Client("http://api.test", http_client=http, **settings)
            return getattr(client.default, operation)(**arguments)

    async def scenario() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as http:
            client = pkg.AsyncClient("http://api.test", http_client=http, **settings)
            return await getattr(client.default, operation)(**arguments)

    return asyncio.run(scenario())


@pytest.fixture
def no_waits(pkg: Any, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits between attempts instead of waiting."""
    waits: list[float] = []

    def wait(self: Any, seconds: float) -> None:
        waits.append(seconds)

    async def async_wait(self: Any, seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(pkg._runtime.SyncTransport, "_wait", wait)
    monkeypatch.setattr(pkg._runtime.AsyncTransport, "_wait", async_wait)
    return waits


# Per-call options


@pytest.mark.parametrize("mode", MODES)
def test_extra_headers_are_sent_and_replace_the_operations_own(pkg: Any, mode: str) -> None:
    recorder = Recorder()
    item = call(
        pkg,
        mode,
        recorder,
        "get_item",
        {"item_id": "1", "x_note": "from-argument", "extra_headers": {"x-note": "from-option", "X-Trace": "t1"}},
        headers={"X-Trace": "from-client"},
    )
    assert item.id == "7"
    assert recorder.last.headers.get_list("x-note") == ["from-option"]
    assert recorder.last.headers.get_list("x-trace") == ["t1"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("header", [{"X-Evil": "a\r\nInjected: 1"}, {"Bad Name": "v"}, {"X-Evil": "a\nb"}])
def test_extra_headers_a_header_cannot_carry_are_refused(pkg: Any, mode: str, header: dict[str, str]) -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="extra_headers"):
        call(pkg, mode, recorder, "get_item", {"item_id": "1", "extra_headers": header})
    assert recorder.requests == []


@pytest.mark.parametrize("mode", MODES)
def test_credentials_win_over_extra_headers_and_extra_query(pkg: Any, mode: str) -> None:
    recorder = Recorder()
    extra = {"extra_headers": {"x-api-key": "mine"}, "extra_query": {"api_key": "mine"}}
    call(pkg, mode, recorder, "get_item", {"item_id": "1", **extra}, header_key=HEADER_KEY, query_key=QUERY_KEY)
    assert recorder.last.headers.get_list("x-api-key") == [HEADER_KEY]
    assert recorder.last.url.params.get_list("api_key") == [QUERY_KEY]


@pytest.mark.parametrize("mode", MODES)
def test_extra_query_is_added_and_replaces_the_operations_own(pkg: Any, mode: str) -> None:
    recorder = Recorder()
    extra_query = {"q": "from-option", "flag": True, "ids": [1, 2], "absent": None}
    call(pkg, mode, recorder, "get_item", {"item_id": "1", "q": "from-argument", "extra_query": extra_query})
    params = recorder.last.url.params
    assert params.get_list("q") == ["from-option"]
    assert params.get_list("flag") == ["true"]
    assert params.get_list("ids") == ["1", "2"]
    assert "absent" not in params


@pytest.mark.parametrize("mode", MODES)
def test_extra_body_is_merged_into_a_json_body(pkg: Any, mode: str) -> None:
    recorder = Recorder(201)
    body = pkg.models.Item(id="1", size=2)
    call(pkg, mode, recorder, "create_item", {"body": body, "extra_body": {"size": 5, "note": "n"}})
    assert json.loads(recorder.last.content) == {"id": "1", "size": 5, "note": "n"}
    assert body.size == 2, "the caller's model is not changed"


@pytest.mark.parametrize("mode", MODES)
def test_extra_body_is_merged_into_a_form_body(pkg: Any, mode: str) -> None:
    recorder = Recorder(204)
    call(pkg, mode, recorder, "submit_form", {"body": {"name": "a"}, "extra_body": {"extra": "b"}})
    assert recorder.last.headers["content-type"] == "application/x-www-form-urlencoded"
    assert httpx.QueryParams(recorder.last.content.decode()) == httpx.QueryParams({"name": "a", "extra": "b"})


@pytest.mark.parametrize("mode", MODES)
def test_extra_body_for_a_binary_body_is_refused(pkg: Any, mode: str) -> None:
    recorder = Recorder(204)
    with pytest.raises(TypeError, match="extra_body"):
        call(pkg, mode, recorder, "put_blob", {"body": b"\x00\x01", "extra_body": {"x": 1}})
    assert recorder.requests == []


@pytest.mark.parametrize("mode", MODES)
def test_timeout_per_call_replaces_the_clients(pkg: Any, mode: str) -> None:
    recorder = Recorder()
    call(pkg, mode, recorder, "get_item", {"item_id": "1", "timeout": 2.5}, timeout=30.0)
    assert recorder.last.extensions["timeout"] == httpx.Timeout(2.5).as_dict()
    call(pkg, mode, recorder, "get_item", {"item_id": "1"}, timeout=30.0)
    assert recorder.last.extensions["timeout"] == httpx.Timeout(30.0).as_dict()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("client_retries", "call_retries", "attempts"), [(0, 3, 4), (3, 0, 1), (2, None, 3)])
def test_max_retries_per_call_replaces_the_clients(
    pkg: Any, mode: str, no_waits: list[float], client_retries: int, call_retries: int | None, attempts: int
) -> None:
    recorder = Recorder(503)
    options = {} if call_retries is None else {"max_retries": call_retries}
    with pytest.raises(pkg.ServerError):
        call(pkg, mode, recorder, "get_item", {"item_id": "1", **options}, max_retries=client_retries)
    assert len(recorder.requests) == attempts
    assert len(no_waits) == attempts - 1


# Names


@pytest.mark.parametrize("mode", MODES)
def test_spec_arguments_named_like_options_get_other_python_names(pkg: Any, mode: str) -> None:
    recorder = Recorder()
    arguments = {"item_id": "1", "timeout_": 5, "extra_headers_": "spec-header", "timeout": 9.0}
    call(pkg, mode, recorder, "get_item", arguments)
    assert recorder.last.url.params["timeout"] == "5"
    assert recorder.last.headers["extra_headers"] == "spec-header"
    assert recorder.last.extensions["timeout"] == httpx.Timeout(9.0).as_dict()


def test_mypy_accepts_the_options_and_rejects_wrong_types(pkg: Any, tmp_path: Path) -> None:
    client_folder = Path(pkg.__file__).parent.parent
    (tmp_path / "good.py").write_text(
        textwrap.dedent(
            """
            import httpx
            from options_client import AsyncClient, Client, RequestOptions

            client = Client("http://api.test")
            options: RequestOptions = {"timeout": 1.0}
            item = client.default.get_item(
                item_id="1",
                timeout_=3,
                extra_headers={"X-A": "b"},
                extra_query={"q": 1},
                extra_body={"k": [1]},
                timeout=httpx.Timeout(2.0),
                max_retries=1,
            )
            size: int | None = item.size
            again = client.default.get_item(item_id="2", **options)
            fast: Client = client.with_options(timeout=None, max_retries=0, headers={"X-B": "c"})
            slow: AsyncClient = AsyncClient("http://api.test").with_options(timeout=60.0)
            """
        )
    )
    (tmp_path / "bad.py").write_text(
        textwrap.dedent(
            """
            from options_client import Client

            client = Client("http://api.test")
            client.default.get_item(item_id="1", timeout="soon")
            client.default.get_item(item_id="1", max_retries="3")
            client.default.get_item(item_id="1", extra_headers={"X-A": 1})
            client.default.get_item(item_id="1", extra_query=["q"])
            client.default.get_item(item_id="1", retries=3)
            client.with_options(max_retries="3")
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), "good.py", "bad.py"],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(client_folder)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert not [line for line in errors if line.startswith("good.py")], result.stdout
    assert sorted({int(line.split(":")[1]) for line in errors if line.startswith("bad.py")}) == [5, 6, 7, 8, 9, 10], result.stdout


# with_options


@pytest.mark.parametrize("mode", MODES)
def test_with_options_returns_a_changed_copy_sharing_the_pool(pkg: Any, mode: str, no_waits: list[float]) -> None:
    recorder = Recorder(503)

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as http:
            check(pkg.AsyncClient("http://api.test", http_client=http, **settings), http)
            for client in clients:
                with pytest.raises(pkg.ServerError):
                    await client.default.get_item(item_id="1")

    def check(original: Any, http: Any) -> None:
        changed = original.with_options(timeout=4.0, max_retries=1, headers={"X-Extra": "e"})
        assert changed is not original and type(changed) is type(original)
        assert changed._http_client is original._http_client is http
        clients.extend([original, changed])

    clients: list[Any] = []
    settings = {"timeout": 30.0, "max_retries": 0, "headers": {"X-Base": "b"}, "bearer": BEARER}
    if mode == "sync":
        with httpx.Client(transport=httpx.MockTransport(recorder)) as http:
            check(pkg.Client("http://api.test", http_client=http, **settings), http)
            for client in clients:
                with pytest.raises(pkg.ServerError):
                    client.default.get_item(item_id="1")
    else:
        asyncio.run(scenario())
    first, second, third = recorder.requests
    assert first.extensions["timeout"] == httpx.Timeout(30.0).as_dict() and "x-extra" not in first.headers
    assert second.extensions["timeout"] == third.extensions["timeout"] == httpx.Timeout(4.0).as_dict()
    assert len(no_waits) == 1, "the copy retries once, the original never"
    for request in (first, second):
        assert request.headers["x-base"] == "b" and request.headers["authorization"] == f"Bearer {BEARER}"
    assert second.headers["x-extra"] == "e"


def test_closing_a_copy_leaves_the_shared_pool_open(pkg: Any) -> None:
    client = pkg.Client("http://api.test")
    copy = client.with_options(max_retries=5)
    copy.close()
    assert not client._http_client.is_closed
    client.close()
    assert client._http_client.is_closed


def test_with_options_refuses_a_header_that_cannot_be_sent(pkg: Any) -> None:
    with pytest.raises(ValueError, match="headers"):
        pkg.Client("http://api.test").with_options(headers={"X-A": "a\r\nb: c"})


# The credentials an operation sends


ALL_CREDENTIALS = {"header_key": HEADER_KEY, "query_key": QUERY_KEY, "bearer": BEARER}


def sent(request: httpx.Request) -> dict[str, str]:
    """The credentials ``request`` carries, by place."""
    found = {name: request.headers[name] for name in ("x-api-key", "authorization") if name in request.headers}
    if "api_key" in request.url.params:
        found["api_key"] = request.url.params["api_key"]
    return found


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("operation", "arguments", "given", "expected"),
    [
        pytest.param(
            "get_item", {"item_id": "1"}, ALL_CREDENTIALS, {"x-api-key": HEADER_KEY, "api_key": QUERY_KEY},
            id="the-first-alternative-fully-given-and-nothing-else",
        ),
        pytest.param(
            "get_item", {"item_id": "1"}, {"header_key": HEADER_KEY, "bearer": BEARER}, {"authorization": f"Bearer {BEARER}"},
            id="a-later-alternative-when-the-first-is-not-fully-given",
        ),
        pytest.param(
            "get_item", {"item_id": "1"}, {"header_key": HEADER_KEY}, {"x-api-key": HEADER_KEY},
            id="no-alternative-fully-given-sends-what-was-given",
        ),
        pytest.param(
            "create_item", {"body": {"id": "1"}}, ALL_CREDENTIALS, {"authorization": f"Bearer {BEARER}"},
            id="a-single-requirement",
        ),
        pytest.param(
            "get_public", {}, ALL_CREDENTIALS, {"x-api-key": HEADER_KEY, "api_key": QUERY_KEY, "authorization": f"Bearer {BEARER}"},
            id="security-empty-list-sends-every-credential",
        ),
        pytest.param(
            "get_open", {}, ALL_CREDENTIALS, {"x-api-key": HEADER_KEY, "api_key": QUERY_KEY, "authorization": f"Bearer {BEARER}"},
            id="no-requirement-sends-every-credential",
        ),
        pytest.param(
            "get_optional", {}, {"query_key": QUERY_KEY}, {"api_key": QUERY_KEY},
            id="optional-empty-alternative-sends-every-credential",
        ),
        pytest.param(
            "get_public", {}, {"bearer": BEARER, "basic": BASIC}, {"authorization": f"Bearer {BEARER}"},
            id="two-credentials-for-one-header-the-first-declared-wins",
        ),
        pytest.param("get_public", {}, {}, {}, id="none-given-none-sent"),
    ],
)
def test_the_credentials_an_operation_sends(
    pkg: Any, mode: str, operation: str, arguments: dict[str, Any], given: dict[str, Any], expected: dict[str, str]
) -> None:
    recorder = Recorder()
    call(pkg, mode, recorder, operation, arguments, **given)
    assert sent(recorder.last) == expected


# Logging


LOGGING_SCRIPT = """
import httpx
from options_client import Client

statuses = [503, 200]

def answer(request):
    return httpx.Response(statuses.pop(0), json={"id": "7"})

http = httpx.Client(transport=httpx.MockTransport(answer))
client = Client(
    "http://api.test",
    http_client=http,
    header_key="hk-SECRET-1",
    query_key="qk-SECRET-2",
    headers={"Authorization": "Bearer hdr-SECRET-5"},
)
client._transport._wait = lambda seconds: None
item = client.default.get_item(
    item_id="1",
    q="visible",
    extra_headers={"Proxy-Authorization": "Basic px-SECRET-6", "Cookie": "sid=ck-SECRET-7"},
)
print("result", item.id)
"""


def run_logging_script(pkg: Any, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    client_folder = Path(pkg.__file__).parent.parent
    script = tmp_path / "log_requests.py"
    script.write_text(LOGGING_SCRIPT)
    environment = {k: v for k, v in os.environ.items() if k != "OPTIONS_LOG"}
    environment.update(PYTHONPATH=str(client_folder), **env)
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=environment)


@pytest.mark.parametrize("level", ["debug", "info", "DEBUG"])
def test_the_environment_variable_logs_each_request_without_secrets(pkg: Any, tmp_path: Path, level: str) -> None:
    done = run_logging_script(pkg, tmp_path, OPTIONS_LOG=level)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "result 7"
    lines = done.stderr.splitlines()
    sent_lines = [line for line in lines if " -> " in line]
    assert len(sent_lines) == 2
    assert all(" options_client " in line for line in lines), lines
    assert "GET http://api.test/items/1?q=visible&api_key=[REDACTED] -> 503 Service Unavailable in " in sent_lines[0]
    assert "(attempt 1 of 3)" in sent_lines[0] and "(attempt 2 of 3)" in sent_lines[1]
    assert " -> 200 OK in " in sent_lines[1]
    assert len([line for line in lines if "retrying GET http://api.test/items/1" in line and "(retry 1)" in line]) == 1
    headers = [line for line in lines if "request headers:" in line]
    assert len(headers) == (2 if level.lower() == "debug" else 0)
    for line in headers:
        for name in ("x-api-key", "authorization", "proxy-authorization", "cookie"):
            assert f"'{name}': '[REDACTED]'" in line
    assert [line for line in lines if "SECRET" in line] == []


@pytest.mark.parametrize("env", [{}, {"OPTIONS_LOG": "warning"}, {"OPTIONS_LOG": ""}])
def test_without_the_environment_variable_nothing_is_logged_or_configured(pkg: Any, tmp_path: Path, env: dict[str, str]) -> None:
    done = run_logging_script(pkg, tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    logger = logging.getLogger("options_client")
    pkg.Client("http://api.test")
    assert logger.handlers == [] and logger.level == logging.NOTSET


@pytest.mark.parametrize("mode", MODES)
def test_records_reach_the_applications_own_logging_redacted(
    pkg: Any, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="options_client")
    recorder = Recorder()
    call(pkg, mode, recorder, "get_item", {"item_id": "1", "extra_query": {"api_key": "x"}}, header_key=HEADER_KEY, query_key=QUERY_KEY)
    messages = [record.getMessage() for record in caplog.records if record.name == "options_client"]
    assert len(messages) == 2 and messages[0].startswith("GET http://api.test/items/1?api_key=[REDACTED] -> 200 OK")
    assert [message for message in messages if "SECRET" in message] == []


def test_the_log_variable_is_named_after_the_package(pkg: Any) -> None:
    assert pkg.client.LOG_VARIABLE == "OPTIONS_LOG"

