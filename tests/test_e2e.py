"""The generated client against the generated server: every operation, sync and async,
in-process and over a loopback socket. The handler must receive exactly what the client was given."""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import free_port

pytestmark = pytest.mark.usefixtures("seed_output")

# (group attribute, method, the Action it must send)
SEED_OPERATIONS = [
    ("identities", "delete_identities", "DeleteIdentities"),
    ("identities", "describe_identity", "DescribeIdentity"),
    ("identities", "get_credentials_for_identity", "GetCredentialsForIdentity"),
    ("identities", "get_id", "GetId"),
    ("open_id_token_for_developer_identities", "get_open_id_token_for_developer_identity", "GetOpenIdTokenForDeveloperIdentity"),
]


def recording_handlers(log: list[tuple[str, dict[str, Any]]]) -> Any:
    """A Handlers subclass implementing every operation: it records its arguments and echoes them."""
    from aws_cognito_server import Handlers

    def make(name: str) -> Any:
        async def handler(self: Any, **arguments: Any) -> dict[str, Any]:
            log.append((name, arguments))
            return {"operation": name, "arguments": arguments}

        return handler

    names = [n for n, _ in inspect.getmembers(Handlers, inspect.iscoroutinefunction) if not n.startswith("_")]
    return type("Recording", (Handlers,), {n: make(n) for n in names})()


def arguments_for(method: Any) -> dict[str, str]:
    """A distinct value for every spec argument of a client method (not its **options)."""
    names = [n for n, p in inspect.signature(method).parameters.items() if p.kind is not p.VAR_KEYWORD]
    return {name: f"{name}-value ünïcode & = ?" for name in names}


def test_every_handler_is_reachable_and_covered() -> None:
    from aws_cognito_server import Handlers

    names = {n for n, _ in inspect.getmembers(Handlers, inspect.iscoroutinefunction) if not n.startswith("_")}
    assert names == {method for _, method, _ in SEED_OPERATIONS}


@pytest.fixture
def app_and_log() -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
    from aws_cognito_server import create_app

    log: list[tuple[str, dict[str, Any]]] = []
    return create_app(recording_handlers(log)), log


def assert_round_trip(result: Any, log: list[tuple[str, dict[str, Any]]], method: str, given: dict[str, str]) -> None:
    """``result`` is the call's raw response: the seed declares no response body (the methods
    return None), the recording handler answers one all the same."""
    assert log[-1][0] == method
    received = log[-1][1]
    assert {k: v for k, v in received.items() if v is not None} == given
    assert all(received[k] is None for k in received if k not in given)
    assert result.http_response.json() == {"operation": method, "arguments": received}


@pytest.mark.parametrize(("group", "method", "action"), SEED_OPERATIONS)
def test_sync_in_process(app_and_log: Any, group: str, method: str, action: str) -> None:
    from aws_cognito_client import Client
    from fastapi.testclient import TestClient

    app, log = app_and_log
    with Client("http://testserver", http_client=TestClient(app)) as client:
        call = getattr(getattr(client, group).with_raw_response, method)
        given = arguments_for(call)
        assert_round_trip(call(**given), log, method, given)
        first = {k: given[k] for k in list(given)[:1]}
        assert_round_trip(call(**first), log, method, first)


@pytest.mark.parametrize(("group", "method", "action"), SEED_OPERATIONS)
def test_async_in_process(app_and_log: Any, group: str, method: str, action: str) -> None:
    from aws_cognito_client import AsyncClient

    app, log = app_and_log

    async def scenario() -> None:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
        async with AsyncClient("http://testserver", http_client=http) as client:
            call = getattr(getattr(client, group).with_raw_response, method)
            given = arguments_for(call)
            assert_round_trip(await call(**given), log, method, given)
        await http.aclose()

    asyncio.run(scenario())


@pytest.fixture
def loopback_server(app_and_log: Any, serve: Any) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """The app served by uvicorn on 127.0.0.1; stopped when the test ends."""
    app, log = app_and_log
    return serve(app), log


def test_sync_over_loopback(loopback_server: tuple[str, list[Any]]) -> None:
    from aws_cognito_client import Client

    base_url, log = loopback_server
    with Client(base_url) as client:
        for group, method, _ in SEED_OPERATIONS:
            call = getattr(getattr(client, group).with_raw_response, method)
            given = arguments_for(call)
            assert_round_trip(call(**given), log, method, given)


def test_async_over_loopback(loopback_server: tuple[str, list[Any]]) -> None:
    from aws_cognito_client import AsyncClient

    base_url, log = loopback_server

    async def scenario() -> None:
        async with AsyncClient(base_url) as client:
            for group, method, _ in SEED_OPERATIONS:
                call = getattr(getattr(client, group).with_raw_response, method)
                given = arguments_for(call)
                assert_round_trip(await call(**given), log, method, given)

    asyncio.run(scenario())


class Recorder:
    """An httpx transport that records requests and answers 200 with an empty JSON object."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={})


@pytest.mark.parametrize(("group", "method", "action"), SEED_OPERATIONS)
def test_exact_requests_sent(group: str, method: str, action: str) -> None:
    from aws_cognito_client import Client

    recorder = Recorder()
    with Client("https://api.example.test", http_client=httpx.Client(transport=httpx.MockTransport(recorder))) as client:
        call = getattr(getattr(client, group), method)
        call()
        wires = {name: name for name in arguments_for(call)}
        call(**{name: "v1" for name in wires})
    bare, full = recorder.requests
    assert (bare.method, str(bare.url)) == ("GET", f"https://api.example.test/?Action={action}")
    assert full.method == "GET" and full.url.path == "/"
    query = full.url.query.decode()
    assert query.startswith(f"Action={action}&") and query.count("?") == 0
    pairs = [pair.split("=") for pair in query.split("&")]
    assert pairs[0] == ["Action", action] and all(value == "v1" for _, value in pairs[1:])
    assert len(pairs) == len(wires) + 1


def test_get_id_wire_names() -> None:
    from aws_cognito_client import Client

    recorder = Recorder()
    with Client("http://h", http_client=httpx.Client(transport=httpx.MockTransport(recorder))) as client:
        client.identities.get_id(account_id="1", logins="a b")
        client.identities.delete_identities(identity_ids_to_delete="x,y")
    assert str(recorder.requests[0].url) == "http://h/?Action=GetId&AccountId=1&Logins=a+b"
    assert str(recorder.requests[1].url) == "http://h/?Action=DeleteIdentities&IdentityIdsToDelete=x%2Cy"


def test_unimplemented_operation_answers_501_as_server_error() -> None:
    from aws_cognito_client import Client, ServerError
    from aws_cognito_server import create_app
    from fastapi.testclient import TestClient

    with Client("http://testserver", http_client=TestClient(create_app())) as client:
        with pytest.raises(ServerError) as caught:
            client.identities.get_id(account_id="1")
    assert caught.value.status == 501
    assert caught.value.body["error"] == "not_implemented"
    assert caught.value.headers["content-type"] == "application/json"


@pytest.mark.parametrize("query", ["", "?Action=Nope", "?action=GetId", "?Other=1"])
def test_missing_or_unknown_action_answers_400_naming_valid_ones(query: str) -> None:
    from aws_cognito_server import create_app
    from fastapi.testclient import TestClient

    response = TestClient(create_app()).get("/" + query)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "unknown_operation"
    assert body["valid"] == [f"Action={a}" for _, _, a in SEED_OPERATIONS]


def test_mock_mode_answers_every_operation() -> None:
    from aws_cognito_server import create_app
    from fastapi.testclient import TestClient

    client = TestClient(create_app(mock=True))
    for _, _, action in SEED_OPERATIONS:
        assert client.get(f"/?Action={action}").status_code == 200


def test_server_module_serves_on_loopback_and_stops(seed_output: Path) -> None:
    """``python -m aws_cognito_server --port N --mock``, stopped by its PID."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(seed_output / "server")}
    process = subprocess.Popen(
        [sys.executable, "-m", "aws_cognito_server", "--port", str(port), "--mock"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/?Action=GetId", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert response.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["openapi"] == "3.0.3"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def test_client_works_vendored_under_any_parent_package(seed_output: Path, tmp_path: Path) -> None:
    """Relative imports only: the package folder copied under another package still works."""
    import shutil

    vendor = tmp_path / "myapp" / "third_party"
    vendor.mkdir(parents=True)
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (vendor / "__init__.py").write_text("")
    shutil.copytree(seed_output / "client" / "aws_cognito_client", vendor / "cognito")
    script = (
        "import httpx\n"
        "from myapp.third_party.cognito import Client\n"
        "seen = []\n"
        "def answer(request):\n"
        "    seen.append(str(request.url))\n"
        "    return httpx.Response(200, json={'IdentityId': 'x'})\n"
        "with Client('http://h', http_client=httpx.Client(transport=httpx.MockTransport(answer))) as client:\n"
        "    response = client.identities.with_raw_response.get_id(account_id='1')\n"
        "    assert response.http_response.json() == {'IdentityId': 'x'}\n"
        "assert seen == ['http://h/?Action=GetId&AccountId=1'], seen\n"
        "import sys\n"
        "assert not any(m.startswith('aws_cognito_client') for m in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
