"""Retries, backoff, Retry-After and timeouts of the generated client."""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any

import httpx
import pytest

from conftest import free_port

pytestmark = pytest.mark.usefixtures("seed_output")


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the client's waits between attempts instead of waiting."""
    import aws_cognito_client._runtime as runtime

    recorded: list[float] = []

    def wait(self: Any, seconds: float) -> None:
        recorded.append(seconds)

    async def async_wait(self: Any, seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(runtime.SyncTransport, "_wait", wait)
    monkeypatch.setattr(runtime.AsyncTransport, "_wait", async_wait)
    return recorded


class FlakyHandlers:
    """get_id fails with the scripted responses first, then succeeds."""

    def __init__(self, script: list[tuple[int, dict[str, str]]], delay: float = 0.0):
        from aws_cognito_server import Handlers
        from fastapi.responses import Response

        outer = self

        class Flaky(Handlers):
            async def get_id(self, **arguments: Any) -> Any:
                outer.calls += 1
                if delay:
                    await asyncio.sleep(delay)
                if outer.script:
                    status, headers = outer.script.pop(0)
                    return Response(status_code=status, headers=headers, content=b'{"error": "try again"}', media_type="application/json")
                return {"ok": True, "attempt": outer.calls}

        self.script = list(script)
        self.calls = 0
        self.handlers = Flaky()


def app_for(handlers: Any) -> Any:
    from aws_cognito_server import create_app

    return create_app(handlers)


def test_retries_honour_retry_after_then_succeed(serve: Any, sleeps: list[float]) -> None:
    from aws_cognito_client import Client

    flaky = FlakyHandlers([(503, {"Retry-After": "7"}), (429, {"Retry-After": "2"})])
    with Client(serve(app_for(flaky.handlers)), max_retries=2) as client:
        # The seed declares no response body: the raw response shows what the server sent.
        response = client.identities.with_raw_response.get_id(account_id="1")
        assert response.http_response.json() == {"ok": True, "attempt": 3}
    assert sleeps == [7.0, 2.0]
    assert flaky.calls == 3


def test_async_retries_honour_retry_after_then_succeed(serve: Any, sleeps: list[float]) -> None:
    from aws_cognito_client import AsyncClient

    flaky = FlakyHandlers([(502, {"Retry-After": "1"}), (408, {})])
    base_url = serve(app_for(flaky.handlers))

    async def scenario() -> Any:
        async with AsyncClient(base_url, max_retries=3) as client:
            response = await client.identities.with_raw_response.get_id()
            return response.http_response.json()

    assert asyncio.run(scenario()) == {"ok": True, "attempt": 3}
    assert sleeps[0] == 1.0 and 0.25 <= sleeps[1] <= 1.0  # second wait: backoff 0.5 * 2**1 with jitter
    assert flaky.calls == 3


def test_retry_after_is_capped_and_dates_are_read(serve: Any, sleeps: list[float]) -> None:
    from aws_cognito_client import Client

    soon = email.utils.formatdate(time.time(), usegmt=True)
    flaky = FlakyHandlers([(503, {"Retry-After": "3600"}), (503, {"Retry-After": soon})])
    with Client(serve(app_for(flaky.handlers)), max_retries=2) as client:
        client.identities.get_id()
    assert sleeps[0] == 30.0
    assert 0.0 <= sleeps[1] <= 1.0


def test_gives_up_after_max_retries_with_the_last_error(serve: Any, sleeps: list[float]) -> None:
    from aws_cognito_client import Client, ServerError

    flaky = FlakyHandlers([(500, {})] * 5)
    with Client(serve(app_for(flaky.handlers)), max_retries=2) as client:
        with pytest.raises(ServerError) as caught:
            client.identities.get_id()
    assert caught.value.status == 500 and caught.value.body == {"error": "try again"}
    assert flaky.calls == 3 and len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422, 501])
def test_no_retry_for_statuses_that_will_not_pass(serve: Any, sleeps: list[float], status: int) -> None:
    from aws_cognito_client import ApiStatusError, Client

    flaky = FlakyHandlers([(status, {})])
    with Client(serve(app_for(flaky.handlers)), max_retries=3) as client:
        with pytest.raises(ApiStatusError) as caught:
            client.identities.get_id()
    assert caught.value.status == status and flaky.calls == 1 and sleeps == []


def test_connection_refused_is_retried_then_raised(sleeps: list[float]) -> None:
    from aws_cognito_client import ApiConnectionError, Client

    with Client(f"http://127.0.0.1:{free_port()}", max_retries=2) as client:
        with pytest.raises(ApiConnectionError) as caught:
            client.identities.get_id()
    assert caught.value.status is None and caught.value.never_sent
    assert len(sleeps) == 2


def test_timeout_per_client_and_per_call(serve: Any) -> None:
    from aws_cognito_client import ApiTimeoutError, Client

    flaky = FlakyHandlers([], delay=1.0)
    base_url = serve(app_for(flaky.handlers))
    with Client(base_url, timeout=0.1, max_retries=0) as client:
        with pytest.raises(ApiTimeoutError):
            client.identities.get_id()
        assert client.identities.with_raw_response.get_id(timeout=10).http_response.json()["ok"] is True


def _runtime_transport(responses: list[httpx.Response]) -> tuple[Any, list[httpx.Request]]:
    from aws_cognito_client._runtime import NOT_GIVEN, SyncTransport

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses.pop(0)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    return SyncTransport(http, "http://h", None, NOT_GIVEN, 3), seen


def test_unsafe_methods_are_not_resent_after_the_server_saw_them(sleeps: list[float]) -> None:
    from aws_cognito_client import ServerError
    from aws_cognito_client._runtime import Endpoint

    transport, seen = _runtime_transport([httpx.Response(503, headers={"Retry-After": "1"}), httpx.Response(200)])
    post = Endpoint("POST", "/things", retry_safe=False)
    with pytest.raises(ServerError):
        transport.call(post, {})
    assert len(seen) == 1 and sleeps == []


def test_safe_methods_are_resent(sleeps: list[float]) -> None:
    from aws_cognito_client._runtime import Endpoint

    transport, seen = _runtime_transport([httpx.Response(503), httpx.Response(200, json=[1])])
    put = Endpoint("PUT", "/things", retry_safe=True)
    assert transport.call(put, {}) == [1]
    assert len(seen) == 2 and len(sleeps) == 1
