"""Responses in the generated client, end to end against the generated server.

One small spec declares a JSON model with typed response headers and error models (by exact
status, by range, by ``default``), a 204, a PNG, a download, plain text and an event stream.
The client must return each as the spec says (``bytes``, ``str``, ``None``, models, events),
raise ``ResponseValidationError`` for a success that does not match, decode error bodies into
their models, give the raw response with ``with_raw_response``, and stream bodies and events
as they arrive (proved over a loopback socket: the server waits for the client to have read the
first part before it sends the next).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import generate_packages, run_stubforge, write_spec

SPEC = """
openapi: 3.0.3
info: {title: Responses, version: "1.0.0"}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer}
        name: {type: string}
    Error:
      type: object
      required: [code, message]
      properties:
        code: {type: integer}
        message: {type: string}
    Problem:
      type: object
      required: [detail]
      properties:
        detail: {type: string}
    Fault:
      type: object
      required: [fault]
      properties:
        fault: {type: string}
  headers:
    Remaining:
      description: requests left
      schema: {type: integer}
paths:
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: integer}}
    get:
      operationId: getPet
      tags: [pets]
      responses:
        "200":
          description: the pet
          headers:
            X-Remaining: {$ref: "#/components/headers/Remaining"}
            X-Cached: {schema: {type: boolean}}
            X-Expires: {schema: {type: string, format: date-time}}
            X-Tags: {schema: {type: array, items: {type: integer}}}
            X-Ratio: {schema: {type: number}}
          content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
        "404":
          description: no such pet
          content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
        "4XX":
          description: a bad request
          content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}
        default:
          description: anything else
          content: {application/json: {schema: {$ref: "#/components/schemas/Fault"}}}
    delete:
      operationId: deletePet
      tags: [pets]
      responses:
        "204": {description: deleted}
  /pets/{petId}/photo:
    get:
      operationId: getPhoto
      tags: [files]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: the photo
          content: {image/png: {schema: {type: string, format: binary}}}
  /pets/{petId}/notes:
    get:
      operationId: getNotes
      tags: [pets]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: notes
          content: {text/plain: {schema: {type: string}}}
  /files/{name}:
    get:
      operationId: download
      tags: [files]
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: the file
          content: {application/octet-stream: {schema: {type: string, format: binary}}}
  /events:
    get:
      operationId: streamEvents
      tags: [events]
      responses:
        "200":
          description: events
          content: {text/event-stream: {schema: {type: string}}}
  /raw:
    get:
      operationId: with_raw_response
      tags: [pets]
      responses:
        "200":
          description: an operation whose name the Api classes use
          content: {application/json: {schema: {type: object}}}
"""

#: Not UTF-8, with every byte value: a body decoded as text would not survive.
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\xff\xfe\x00"


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return generate_packages(tmp_path_factory.mktemp("responses"), "responses", SPEC)


class Behaviour:
    """What the test's handlers answer: ``pet`` is the getPet answer (a body, or a Response)."""

    def __init__(self) -> None:
        self.pet: Any = {"id": 1, "name": "Rex"}
        self.gate = threading.Event()
        self.events: list[Any] = []
        self.downloads = 0
        self.break_download = False


def handlers(server: Any, behaviour: Behaviour) -> Any:
    from fastapi.responses import StreamingResponse

    class Implementation(server.Handlers):
        async def get_pet(self, *, pet_id: int) -> Any:
            return behaviour.pet

        async def delete_pet(self, *, pet_id: int) -> Any:
            return None

        async def get_photo(self, *, pet_id: int) -> Any:
            return PNG

        async def get_notes(self, *, pet_id: int) -> Any:
            return f"notes on {pet_id}: café"

        async def download(self, *, name: str) -> Any:
            behaviour.downloads += 1

            async def chunks() -> AsyncIterator[bytes]:
                yield b"first part;"
                if behaviour.break_download:
                    raise ConnectionAbortedError("the server breaks the connection mid-body")
                released = await asyncio.to_thread(behaviour.gate.wait, 30)
                yield b"second part" if released else b"the client never read the first part"

            return StreamingResponse(chunks(), media_type="application/octet-stream")

        async def stream_events(self) -> Any:
            async def events() -> AsyncIterator[Any]:
                yield {"event": "hello", "data": "one", "id": "1"}
                released = await asyncio.to_thread(behaviour.gate.wait, 30)
                yield "two" if released else "the client never read the first event"
                for event in behaviour.events:
                    yield event

            return events()

        async def with_raw_response_(self) -> Any:
            return {"ok": True}

    return Implementation()


@pytest.fixture
def behaviour() -> Behaviour:
    return Behaviour()


@pytest.fixture
def app(pkg: Any, behaviour: Behaviour) -> Any:
    # The server sends what the handlers return unchecked: these tests give the client answers
    # that break the spec on purpose, to see what the client makes of them.
    return pkg[1].create_app(handlers(pkg[1], behaviour), strict=True, validate_responses=False)


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, pkg: Any, app: Any) -> Any:
    """``call("pets", "get_pet", pet_id=1)`` on the sync or the async client, in process; with
    ``raw=True`` through ``with_raw_response`` (the raw response's ``parse()`` is awaited too)."""
    client_pkg = pkg[0]

    def sync_call(group: str, method: str, raw: bool = False, **arguments: Any) -> Any:
        from fastapi.testclient import TestClient

        with client_pkg.Client("http://testserver", http_client=TestClient(app)) as client:
            api = getattr(client, group)
            result = getattr(api.with_raw_response if raw else api, method)(**arguments)
            return (result, result.parse()) if raw else result

    def async_call(group: str, method: str, raw: bool = False, **arguments: Any) -> Any:
        async def scenario() -> Any:
            http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
            async with client_pkg.AsyncClient("http://testserver", http_client=http) as client:
                api = getattr(client, group)
                result = await getattr(api.with_raw_response if raw else api, method)(**arguments)
                return (result, await result.parse()) if raw else result

        return asyncio.run(scenario())

    return sync_call if request.param == "sync" else async_call


# -- bodies as the spec declares them -------------------------------------------------------


def test_binary_response_is_the_bytes_sent(call: Any) -> None:
    photo = call("files", "get_photo", pet_id=1)
    assert isinstance(photo, bytes) and photo == PNG


def test_text_response_is_str(call: Any) -> None:
    assert call("pets", "get_notes", pet_id=7) == "notes on 7: café"


def test_no_content_returns_none(call: Any) -> None:
    assert call("pets", "delete_pet", pet_id=1) is None


def test_json_response_is_its_model(call: Any, pkg: Any) -> None:
    assert call("pets", "get_pet", pet_id=1) == pkg[0].models.Pet(id=1, name="Rex")


def test_return_annotations_follow_the_spec(pkg: Any) -> None:
    import inspect

    client_pkg = pkg[0]
    api = client_pkg.api
    assert inspect.signature(api.pets.PetsApi.get_pet).return_annotation == "models.Pet"
    assert inspect.signature(api.pets.PetsApi.delete_pet).return_annotation == "None"
    assert inspect.signature(api.pets.PetsApi.get_notes).return_annotation == "str"
    assert inspect.signature(api.files.FilesApi.get_photo).return_annotation == "bytes"
    assert inspect.signature(api.events.EventsApi.stream_events).return_annotation == "EventStream"
    assert inspect.signature(api.events.AsyncEventsApi.stream_events).return_annotation == "AsyncEventStream"


def test_an_operation_named_with_raw_response_gets_another_name(call: Any, pkg: Any) -> None:
    assert call("pets", "with_raw_response_") == {"ok": True}
    assert call("pets", "get_notes", raw=True, pet_id=2)[1] == "notes on 2: café"


@pytest.mark.parametrize(
    ("content_type", "schema", "kind"),
    [
        ("application/json", "model", "json"),
        ("application/problem+json", "model", "json"),
        ("text/plain", "string", "text"),
        ("application/xml", "model", "text"),
        ("image/png", "string", "binary"),
        ("application/octet-stream", "binary", "binary"),
        ("text/event-stream", "string", "event-stream"),
        ("*/*", "model", "json"),
        ("*/*", "binary", "binary"),
        ("*/*", "string", "text"),
        (None, None, "empty"),
    ],
)
def test_the_model_decides_how_a_response_is_read(content_type: str | None, schema: str | None, kind: str) -> None:
    from stubforge.model import Response, TypeInfo

    types = {"model": TypeInfo("model", model="Pet"), "string": TypeInfo("string"), "binary": TypeInfo("string", format="binary"), None: None}
    assert Response("200", "", types[schema], content_type, None).kind == kind
    assert Response("204", "", types[schema], content_type, None).kind == "empty"


@pytest.mark.parametrize(
    ("responses", "annotation"),
    [
        ([("200", "application/json", "model"), ("204", None, None)], "models.Pet | None"),
        ([("200", "application/json", "model"), ("201", "image/png", "binary")], "models.Pet | bytes"),
        ([("200", "application/json", "any"), ("204", None, None)], "Any"),
        ([("200", "text/event-stream", "string")], "EventStream"),
        ([("default", "text/plain", "string")], "str"),
        ([("201", None, None), ("default", "application/json", "model")], "None"),
        ([("400", "application/json", "model")], "Any"),
    ],
)
def test_the_return_annotation_is_the_union_of_the_success_responses(responses: list[Any], annotation: str) -> None:
    from dataclasses import replace

    from stubforge.model import Response, TypeInfo

    types = {"model": TypeInfo("model", model="Pet"), "any": TypeInfo("any"), "binary": TypeInfo("string", format="binary"), "string": TypeInfo("string"), None: None}
    op = seed_operation()
    op = replace(op, responses=tuple(Response(status, "", types[t], ct, None) for status, ct, t in responses))
    assert op.return_annotation == annotation
    head = replace(op, method="HEAD")
    assert head.return_annotation == ("None" if head.success_responses else "Any"), "HEAD answers carry no body"


def seed_operation() -> Any:
    from conftest import SEED
    from stubforge.pipeline import build_model

    return build_model(SEED).operations[0]


# -- successes that do not match ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"id": 1}, "missing required field 'name'"),
        ([{"id": 1, "name": "Rex"}], "expected a JSON object, got list"),
        (b"<html>oops</html>", "the body is not JSON"),
        (b"", "the body is empty"),
    ],
)
def test_a_success_that_does_not_match_raises_response_validation_error(
    call: Any, pkg: Any, behaviour: Behaviour, body: Any, problem: str
) -> None:
    from fastapi.responses import Response

    client_pkg = pkg[0]
    behaviour.pet = Response(body, media_type="application/json") if isinstance(body, bytes) else body
    with pytest.raises(client_pkg.ResponseValidationError) as caught:
        call("pets", "get_pet", pet_id=1)
    error = caught.value
    assert isinstance(error, client_pkg.ApiError)
    assert problem in str(error) and "GET http://testserver/pets/1 answered 200" in str(error)
    assert isinstance(error.response, httpx.Response) and error.response.status_code == 200
    assert error.status == 200 and error.content == error.response.content
    assert error.headers["content-type"] == "application/json"


# -- errors carry their declared model ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "error_class", "model", "expected"),
    [
        (404, {"code": 4, "message": "no pet"}, "NotFoundError", "Error", {"code": 4, "message": "no pet"}),
        (409, {"detail": "taken"}, "ConflictError", "Problem", {"detail": "taken"}),
        (503, {"fault": "down"}, "ServerError", "Fault", {"fault": "down"}),
    ],
)
def test_an_error_body_is_its_declared_model(
    call: Any, pkg: Any, behaviour: Behaviour, status: int, body: Any, error_class: str, model: str, expected: Any
) -> None:
    """By exact status (404), by range (4XX), by default (503)."""
    from fastapi.responses import JSONResponse

    client_pkg = pkg[0]
    behaviour.pet = JSONResponse(body, status_code=status)
    with pytest.raises(getattr(client_pkg, error_class)) as caught:
        call("pets", "get_pet", pet_id=1)
    error = caught.value
    model_class = getattr(client_pkg.models, model)
    assert isinstance(error.body, model_class) and error.body.to_dict() == expected
    assert error.status == status and error.content == JSONResponse(body).body


def test_an_error_body_that_does_not_match_its_model_stays_plain(call: Any, pkg: Any, behaviour: Behaviour) -> None:
    from fastapi.responses import JSONResponse, Response

    client_pkg = pkg[0]
    behaviour.pet = JSONResponse({"unexpected": True}, status_code=404)
    with pytest.raises(client_pkg.NotFoundError) as caught:
        call("pets", "get_pet", pet_id=1)
    assert caught.value.body == {"unexpected": True}
    behaviour.pet = Response(b"\xffnot json", status_code=404, media_type="application/json")
    with pytest.raises(client_pkg.NotFoundError) as text_caught:
        call("pets", "get_pet", pet_id=1)
    assert text_caught.value.content == b"\xffnot json" and text_caught.value.body == "\ufffdnot json"


# -- raw responses --------------------------------------------------------------------------


def test_raw_response_with_typed_declared_headers(call: Any, pkg: Any, behaviour: Behaviour) -> None:
    from fastapi.responses import JSONResponse

    client_pkg = pkg[0]
    headers = {
        "X-Remaining": "41",
        "X-Cached": "true",
        "X-Expires": "2026-12-01T10:00:00Z",
        "X-Tags": "1, 2,3",
        "X-Ratio": "0.5",
        "X-Undeclared": "7",
    }
    behaviour.pet = JSONResponse({"id": 3, "name": "Tom"}, headers=headers)
    response, parsed = call("pets", "get_pet", raw=True, pet_id=3)
    assert parsed == client_pkg.models.Pet(id=3, name="Tom")
    assert response.status_code == 200 and response.headers["x-undeclared"] == "7"
    assert isinstance(response.http_response, httpx.Response)
    assert str(response.url) == "http://testserver/pets/3"
    assert isinstance(response.elapsed, datetime.timedelta)
    assert response.parsed_headers == {
        "X-Remaining": 41,
        "X-Cached": True,
        "X-Expires": datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.timezone.utc),
        "X-Tags": [1, 2, 3],
        "X-Ratio": 0.5,
    }


def test_a_declared_header_that_does_not_match_its_type_raises_when_read(call: Any, pkg: Any, behaviour: Behaviour) -> None:
    from fastapi.responses import JSONResponse

    behaviour.pet = JSONResponse({"id": 3, "name": "Tom"}, headers={"X-Remaining": "many"})
    response, _ = call("pets", "get_pet", raw=True, pet_id=3)
    with pytest.raises(pkg[0].ResponseValidationError, match="X-Remaining"):
        response.parsed_headers


def test_raw_response_of_an_error_raises_the_error(call: Any, pkg: Any, behaviour: Behaviour) -> None:
    from fastapi.responses import JSONResponse

    behaviour.pet = JSONResponse({"code": 1, "message": "gone"}, status_code=404)
    with pytest.raises(pkg[0].NotFoundError):
        call("pets", "get_pet", raw=True, pet_id=1)


def test_raw_binary_response_parses_to_bytes(call: Any) -> None:
    response, parsed = call("files", "get_photo", raw=True, pet_id=1)
    assert parsed == PNG and response.headers["content-type"] == "image/png"


# -- streaming over a loopback socket -------------------------------------------------------


@pytest.fixture
def base_url(app: Any, serve: Any) -> str:
    return str(serve(app))


def test_streaming_response_delivers_chunks_as_they_are_sent(pkg: Any, behaviour: Behaviour, base_url: str) -> None:
    with pkg[0].Client(base_url, max_retries=0) as client:
        with client.files.with_streaming_response.download(name="big.bin") as response:
            assert response.status_code == 200
            chunks = response.iter_bytes()
            assert next(chunks) == b"first part;"
            behaviour.gate.set()
            assert b"".join(chunks) == b"second part"
        assert response.http_response.is_closed


def test_async_streaming_response_delivers_chunks_as_they_are_sent(pkg: Any, behaviour: Behaviour, base_url: str) -> None:
    async def scenario() -> None:
        async with pkg[0].AsyncClient(base_url, max_retries=0) as client:
            async with client.files.with_streaming_response.download(name="big.bin") as response:
                chunks = response.aiter_bytes()
                assert await anext(chunks) == b"first part;"
                behaviour.gate.set()
                assert b"".join([chunk async for chunk in chunks]) == b"second part"
            assert response.http_response.is_closed

    asyncio.run(scenario())


def test_a_body_broken_while_it_is_streamed_is_not_requested_again(pkg: Any, behaviour: Behaviour, base_url: str) -> None:
    behaviour.break_download = True
    with pkg[0].Client(base_url, max_retries=2) as client:
        with client.files.with_streaming_response.download(name="big.bin") as response:
            with pytest.raises(pkg[0].ApiConnectionError) as caught:
                b"".join(response.iter_bytes())
    assert behaviour.downloads == 1 and response.http_response.is_closed
    assert not caught.value.never_sent and caught.value.request.url.path == "/files/big.bin"


# -- a connection that breaks while a body is streamed ---------------------------------------

SECRET = "s3cret-token"


def breaking_transport(mode: str, content_type: str, first: bytes) -> httpx.MockTransport:
    """Answers 200 with ``first`` and then a broken connection (httpx.ReadError)."""

    def chunks() -> Any:
        yield first
        raise httpx.ReadError("connection reset by peer")

    async def async_chunks() -> Any:
        yield first
        raise httpx.ReadError("connection reset by peer")

    def answer(request: httpx.Request) -> httpx.Response:
        body = chunks() if mode == "sync" else async_chunks()
        return httpx.Response(200, headers={"content-type": content_type}, content=body)

    return httpx.MockTransport(answer)


def read_broken(pkg: Any, mode: str, how: str) -> tuple[list[Any], Exception]:
    """What ``how`` read before the connection broke, and what it raised; the client sends a
    bearer token that the error must not show."""
    client_pkg = pkg[0]
    events = how in ("events", "raw events")
    content_type = "text/event-stream" if events else "application/octet-stream"
    transport = breaking_transport(mode, content_type, b"data: one\n\n" if events else b"first;")
    headers = {"Authorization": f"Bearer {SECRET}"}
    got: list[Any] = []
    if mode == "sync":
        with client_pkg.Client("http://h", headers=headers, http_client=httpx.Client(transport=transport)) as client:
            try:
                if how == "events":
                    got.extend(client.events.stream_events())
                elif how == "raw events":
                    got.extend(client.events.with_raw_response.stream_events().parse())
                elif how == "read":
                    with client.files.with_streaming_response.download(name="f") as response:
                        got.append(response.read())
                else:
                    with client.files.with_streaming_response.download(name="f") as response:
                        got.extend(response.iter_bytes())
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                return got, exc
        raise AssertionError(f"nothing raised; read {got}")

    async def scenario() -> Exception:
        http = httpx.AsyncClient(transport=transport)
        async with client_pkg.AsyncClient("http://h", headers=headers, http_client=http) as client:
            try:
                if how == "events":
                    async for event in await client.events.stream_events():
                        got.append(event)
                elif how == "raw events":
                    raw = await client.events.with_raw_response.stream_events()
                    async for event in await raw.parse():
                        got.append(event)
                elif how == "read":
                    async with client.files.with_streaming_response.download(name="f") as response:
                        got.append(await response.read())
                else:
                    async with client.files.with_streaming_response.download(name="f") as response:
                        async for chunk in response.aiter_bytes():
                            got.append(chunk)
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                return exc
        raise AssertionError(f"nothing raised; read {got}")

    return got, asyncio.run(scenario())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("how", ["iter_bytes", "read", "events", "raw events"])
def test_a_connection_broken_mid_body_is_an_api_connection_error(pkg: Any, mode: str, how: str) -> None:
    """Not a raw ``httpx.TransportError``: the client's own error, its request redacted, as
    when the connection breaks before the response arrives."""
    got, error = read_broken(pkg, mode, how)
    assert type(error) is pkg[0].ApiConnectionError, repr(error)
    assert "ReadError: connection reset by peer" in str(error)
    assert error.request.url.path == ("/files/f" if how in ("iter_bytes", "read") else "/events")
    assert error.request is not None and error.request.headers["authorization"] == "[REDACTED]"
    assert SECRET not in str(error) and not error.never_sent
    if how == "iter_bytes":
        assert got == [b"first;"]  # what arrived before the break was delivered
    elif how in ("events", "raw events"):
        assert [event.data for event in got] == ["one"]


def test_streaming_response_parse_reads_the_whole_body(pkg: Any, behaviour: Behaviour, base_url: str) -> None:
    behaviour.gate.set()
    with pkg[0].Client(base_url) as client:
        with client.files.with_streaming_response.download(name="big.bin") as response:
            assert response.parse() == b"first part;second part"


def test_server_sent_events_arrive_as_they_are_sent(pkg: Any, behaviour: Behaviour, base_url: str) -> None:
    behaviour.events = [{"data": "line 1\nline 2", "event": "multi"}, {"comment": "keep-alive"}, {"data": {"n": 3}}]
    client_pkg = pkg[0]
    with client_pkg.Client(base_url, max_retries=0) as client:
        stream = client.events.stream_events()
        first = next(stream)
        assert first == client_pkg.ServerSentEvent(data="one", event="hello", id="1")
        behaviour.gate.set()
        rest = list(stream)
    assert [(e.event, e.data, e.id) for e in rest] == [
        ("message", "two", "1"),
        ("multi", "line 1\nline 2", "1"),
        ("message", '{"n": 3}', "1"),
    ]
    assert rest[-1].json() == {"n": 3}
    assert stream.response.is_closed


def test_async_server_sent_events_arrive_as_they_are_sent(pkg: Any, behaviour: Behaviour, base_url: str) -> None:
    async def scenario() -> None:
        async with pkg[0].AsyncClient(base_url, max_retries=0) as client:
            stream = await client.events.stream_events()
            assert (await anext(stream)).data == "one"
            behaviour.gate.set()
            assert [event.data async for event in stream] == ["two"]
            assert stream.response.is_closed

    asyncio.run(scenario())


def test_a_raw_event_stream_arrives_with_its_headers_and_is_read_by_parse(pkg: Any, behaviour: Behaviour, base_url: str) -> None:
    """``with_raw_response`` returns once the headers are in, the events unread: the server
    holds the second event back until the client has read the first through ``parse()``."""
    with pkg[0].Client(base_url, max_retries=0) as client:
        raw = client.events.with_raw_response.stream_events()
        assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/event-stream")
        assert not raw.http_response.is_stream_consumed
        stream = raw.parse()
        assert next(stream).data == "one"
        behaviour.gate.set()
        assert [event.data for event in stream] == ["two"]
        assert raw.http_response.is_closed


def test_leaving_an_event_stream_early_closes_the_response(pkg: Any, behaviour: Behaviour, base_url: str) -> None:
    behaviour.gate.set()
    with pkg[0].Client(base_url) as client:
        with client.events.stream_events() as stream:
            for _ in stream:
                break
        assert stream.response.is_closed


# -- the event-stream parser, byte by byte --------------------------------------------------

RAW_EVENTS = (
    "\ufeff: a comment first\r\n"
    "retry: 3000\r\n"
    "data: crlf\r\n\r\n"
    "event: cr\rdata:no space\rdata:  two spaces\r\r"
    "id: 7\n"
    "data\n"
    "\n"
    "event: only an event type, no data: not dispatched\n\n"
    "id: bad\x00id\n"
    "retry: 12x\n"
    "data: é ü 日本\n\n"
    "data: unfinished at the end: dropped\n"
).encode("utf-8")


def events_of(pkg: Any, chunks: list[bytes]) -> list[Any]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(chunks))

    with pkg[0].Client("http://h", http_client=httpx.Client(transport=httpx.MockTransport(answer))) as client:
        return list(client.events.stream_events())


@pytest.mark.parametrize("size", [len(RAW_EVENTS), 1, 2, 3, 7])
def test_event_stream_parsing_follows_the_whatwg_rules_in_any_chunking(pkg: Any, size: int) -> None:
    """CR, LF and CRLF line ends (a CRLF split across chunks is one), comments, a leading BOM,
    ``data`` without colon, one leading space stripped, multi-byte UTF-8 split across chunks."""
    chunks = [RAW_EVENTS[i : i + size] for i in range(0, len(RAW_EVENTS), size)]
    events = [(e.event, e.data, e.id, e.retry) for e in events_of(pkg, chunks)]
    assert events == [
        ("message", "crlf", None, 3000),
        ("cr", "no space\n two spaces", None, None),
        ("message", "", "7", None),
        ("message", "é ü 日本", "7", None),
    ]


# -- static types and lint of the generated client ------------------------------------------

USAGE = '''
from __future__ import annotations

import datetime
from typing import Any, Iterator, assert_type

from responses_client import (
    ApiResponse,
    AsyncApiResponse,
    AsyncClient,
    AsyncEventStream,
    Client,
    EventStream,
    ServerSentEvent,
    models,
)


def use(client: Client) -> None:
    assert_type(client.files.get_photo(pet_id=1), bytes)
    assert_type(client.pets.get_notes(pet_id=1), str)
    assert_type(client.pets.delete_pet(pet_id=1), None)
    assert_type(client.pets.get_pet(pet_id=1), models.Pet)
    raw = client.pets.with_raw_response.get_pet(pet_id=1)
    assert_type(raw, ApiResponse[models.Pet])
    assert_type(raw.parse(), models.Pet)
    assert_type(raw.parsed_headers, dict[str, Any])
    assert_type(raw.elapsed, datetime.timedelta)
    with client.files.with_streaming_response.download(name="x") as streamed:
        assert_type(streamed.iter_bytes(), Iterator[bytes])
    events = client.events.stream_events()
    assert_type(events, EventStream)
    for event in events:
        assert_type(event, ServerSentEvent)


async def use_async(client: AsyncClient) -> None:
    assert_type(await client.files.get_photo(pet_id=1), bytes)
    raw = await client.files.with_raw_response.get_photo(pet_id=1)
    assert_type(raw, AsyncApiResponse[bytes])
    assert_type(await raw.parse(), bytes)
    async with client.files.with_streaming_response.download(name="x") as streamed:
        async for chunk in streamed.aiter_bytes():
            assert_type(chunk, bytes)
    events = await client.events.stream_events()
    assert_type(events, AsyncEventStream)
    async for event in events:
        assert_type(event, ServerSentEvent)
'''


def test_generated_packages_and_their_use_pass_mypy_strict_and_ruff(pkg: Any, tmp_path: Path) -> None:
    client_folder = Path(pkg[0].__file__).parent
    server_folder = Path(pkg[1].__file__).parent
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE, encoding="utf-8")
    env_path = f"{client_folder.parent}"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(client_folder), str(server_folder), str(usage)],
        capture_output=True,
        text=True,
        timeout=600,
        env={"MYPYPATH": env_path, "PATH": ""},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "json", str(client_folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    findings = [(f["code"], f["message"]) for f in json.loads(lint.stdout)]
    # The operation modules import these whether they use them or not (not a response matter).
    imported_always = ("Literal", "models", "Param", "decode_list", "decode_map", "decode_union")
    assert [f for f in findings if not (f[0] == "F401" and f[1].split("`")[1].split(".")[-1] in imported_always)] == []


# -- against Prism, a mock server nobody here wrote -----------------------------------------

PRISM_SPEC = """
openapi: 3.0.3
info: {title: Prism responses, version: "1.0.0"}
paths:
  /photo:
    get:
      operationId: getPhoto
      responses:
        "200":
          description: the photo
          content: {image/png: {schema: {type: string, format: binary}}}
  /notes:
    get:
      operationId: getNotes
      responses:
        "200":
          description: notes
          content: {text/plain: {schema: {type: string}, example: "some notes"}}
  /pets/{petId}:
    delete:
      operationId: deletePet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "204": {description: deleted}
        "404":
          description: no such pet
          content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
components:
  schemas:
    Error:
      type: object
      required: [message]
      properties:
        message: {type: string}
"""


def test_binary_text_and_empty_responses_from_prism(tmp_path: Path) -> None:
    from test_prism import require_prism, start_prism

    require_prism()
    spec = write_spec(tmp_path, "prism_responses.yaml", PRISM_SPEC)
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(tmp_path / "out" / "prism_responses" / "client"))
    import prism_responses_client as client_pkg

    server = start_prism(spec, tmp_path)
    try:
        with client_pkg.Client(server.base_url, max_retries=0) as client:
            assert isinstance(client.default.get_photo(), bytes)
            assert client.default.get_notes() == "some notes"
            assert client.default.delete_pet(pet_id=1) is None
            raw = client.default.with_raw_response.get_photo()
            assert raw.headers["content-type"].startswith("image/png") and raw.parse() == raw.http_response.content
        with client_pkg.Client(server.base_url, max_retries=0, headers={"Prefer": "code=404"}) as client:
            with pytest.raises(client_pkg.NotFoundError) as caught:
                client.default.delete_pet(pet_id=1)
            assert isinstance(caught.value.body, client_pkg.models.Error)
    finally:
        server.stop()
