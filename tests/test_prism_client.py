"""The generated client end to end against Prism, a mock server nobody here wrote.

One spec, one Prism (``prism mock --errors``, module-scoped, on a free 127.0.0.1 port, stopped
by its PID). Prism validates every request against the spec and answers a wrong one with its
own 422 problem document (or an ``sl-violations`` header): the client raises, or the recorded
responses name the violation, and the test fails. Its answers are the spec's examples, which
the client must read back typed. Checked, sync and async:

- typed values: a ``uuid`` in the path, a ``date-time`` and a ``date`` in the query and in a
  JSON body are sent as the formats say (Prism checks each format) and read back as
  ``uuid.UUID``, ``datetime.datetime`` and ``datetime.date``;
- pagination: the iterator's request passes validation, and a page whose example has no next
  cursor ends the walk after one request;
- streaming: ``with_streaming_response`` delivers a binary body through ``iter_bytes``;
- server-sent events: Prism serves a ``text/event-stream`` example as one whole body, at once.
  So these tests check the media type and the parsing of a body Prism wrote, not events
  arriving over time; that is covered against the generated server over a loopback socket
  (``test_client_responses.py``: ``test_server_sent_events_arrive_as_they_are_sent`` and its
  async twin).
"""

from __future__ import annotations

import asyncio
import datetime
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conftest import run_stubforge, write_spec
from test_prism import PrismError, PrismServer, require_prism, violations

SPEC = """
openapi: 3.0.3
info: {title: Prism client, version: "1.0.0"}
paths:
  /events/{eventId}:
    put:
      operationId: putEvent
      tags: [events]
      parameters:
        - {name: eventId, in: path, required: true, schema: {type: string, format: uuid}}
        - {name: since, in: query, required: true, schema: {type: string, format: date-time}}
        - {name: day, in: query, required: true, schema: {type: string, format: date}}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Event"}}}
      responses:
        "200":
          description: the event as stored
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Event"}
              example: {id: 3fa85f64-5717-4562-b3fc-2c963f66afa6, when: "2024-01-31T14:00:00.5+02:00", day: "2024-01-31"}
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
        - {name: since, in: query, schema: {type: string, format: date-time}}
      responses:
        "200":
          description: a page of pets; this example is the last page
          content:
            application/json:
              schema:
                type: object
                required: [pets]
                properties:
                  pets: {type: array, items: {$ref: "#/components/schemas/Pet"}}
                  next_cursor: {type: string, nullable: true}
              example: {pets: [{name: Rex}, {name: Tom}]}
  /files/{name}:
    get:
      operationId: download
      tags: [files]
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: the file
          content:
            application/octet-stream:
              schema: {type: string, format: binary}
              example: "file bytes"
  /feed:
    get:
      operationId: feed
      tags: [events]
      responses:
        "200":
          description: events
          content:
            text/event-stream:
              schema: {type: string}
              example: "event: hello\\ndata: one\\nid: 1\\n\\ndata: two\\n\\n"
components:
  schemas:
    Event:
      type: object
      required: [when, day]
      properties:
        id: {type: string, format: uuid, readOnly: true}
        when: {type: string, format: date-time}
        day: {type: string, format: date}
    Pet:
      type: object
      required: [name]
      properties: {name: {type: string}}
"""

MODES = ["sync", "async"]
EVENT_ID = uuid.UUID("8d1e1c5e-7b4a-4f57-9c55-2a3d4b5c6d7e")
SINCE = datetime.datetime(2024, 1, 31, 14, 0, 0, 500000, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
DAY = datetime.date(2024, 1, 31)


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, PrismServer]]:
    """The generated client package and the one Prism serving the spec; Prism boots while the
    spec is generated."""
    require_prism()
    folder = tmp_path_factory.mktemp("prism_client")
    spec = write_spec(folder, "prism_client.yaml", SPEC)
    server = PrismServer(spec, folder)
    try:
        result = run_stubforge("generate", spec, "--out", folder / "out")
        assert result.returncode == 0, result.stderr
        sys.path.insert(0, str(folder / "out" / "prism_client" / "client"))
        import prism_client_client

        if not server.wait():
            raise PrismError(f"prism did not start:\n{server.output()[-3000:]}")
        yield prism_client_client, server
    finally:
        server.stop()


class Recorder:
    """HTTP clients that keep every response, for what Prism says about the requests."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    def sync_http(self) -> httpx.Client:
        return httpx.Client(timeout=20, event_hooks={"response": [self.responses.append]})

    def async_http(self) -> httpx.AsyncClient:
        async def record(response: httpx.Response) -> None:
            self.responses.append(response)

        return httpx.AsyncClient(timeout=20, event_hooks={"response": [record]})

    def request_violations(self) -> list[str]:
        return [v for response in self.responses for v in violations(response)[0]]


def run(prism: tuple[Any, PrismServer], mode: str, use: Any) -> tuple[Any, Recorder]:
    """``use(client)`` with a sync client, or ``await use(client)`` with an async one (a plain
    call of an operation serves both); what it returned and the recorder of the responses."""
    client_pkg, server = prism
    recorder = Recorder()
    if mode == "sync":
        with recorder.sync_http() as http, client_pkg.Client(server.base_url, max_retries=0, http_client=http) as client:
            return use(client), recorder

    async def scenario() -> Any:
        async with recorder.async_http() as http, client_pkg.AsyncClient(server.base_url, max_retries=0, http_client=http) as client:
            return await use(client)

    return asyncio.run(scenario()), recorder


# -- typed values ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_uuid_date_time_and_date_go_out_as_prism_validates_them_and_come_back_typed(prism: Any, mode: str) -> None:
    models = prism[0].models

    def put_event(client: Any) -> Any:
        body = models.Event(when=SINCE, day=DAY)
        return client.events.put_event(event_id=EVENT_ID, since=SINCE, day=DAY, body=body)

    event, recorder = run(prism, mode, put_event)
    assert recorder.request_violations() == []
    (response,) = recorder.responses
    assert response.status_code == 200
    assert response.request.url.path == f"/events/{EVENT_ID}"
    assert response.request.url.params["since"] == "2024-01-31T14:00:00.500000+02:00"
    assert response.request.url.params["day"] == "2024-01-31"
    assert response.request.content == b'{"when":"2024-01-31T14:00:00.500000+02:00","day":"2024-01-31"}'
    assert event.id == uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")
    assert event.when == datetime.datetime(2024, 1, 31, 12, 0, 0, 500000, tzinfo=datetime.UTC)
    assert event.day == DAY and type(event.day) is datetime.date


@pytest.mark.parametrize("mode", MODES)
def test_prism_refuses_a_value_that_breaks_its_format(prism: Any, mode: str) -> None:
    """The check can fail: a text that is no UUID passes the client (its type is not checked at
    run time) and Prism answers 422 naming the path parameter."""
    client_pkg, _ = prism

    def wrong(client: Any) -> Any:
        body = client_pkg.models.Event(when=SINCE, day=DAY)
        return client.events.put_event(event_id="not-a-uuid", since=SINCE, day=DAY, body=body)

    with pytest.raises(client_pkg.UnprocessableEntityError) as caught:
        run(prism, mode, wrong)
    assert "must match format" in str(caught.value.body) and "uuid" in str(caught.value.body)


# -- pagination --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_page_without_a_next_cursor_ends_the_walk_after_one_request(prism: Any, mode: str) -> None:
    def walk(client: Any) -> Any:
        return [pet.name for pet in client.pets.iter_list_pets(since=SINCE)]

    async def walk_async(client: Any) -> Any:
        return [pet.name async for pet in client.pets.iter_list_pets(since=SINCE)]

    names, recorder = run(prism, mode, walk if mode == "sync" else walk_async)
    assert names == ["Rex", "Tom"]
    assert recorder.request_violations() == []
    assert [(r.status_code, r.request.url.path, dict(r.request.url.params)) for r in recorder.responses] == [
        (200, "/pets", {"since": "2024-01-31T14:00:00.500000+02:00"})
    ]


@pytest.mark.parametrize("mode", MODES)
def test_whole_pages_from_prism_are_the_operations_response(prism: Any, mode: str) -> None:
    client_pkg, _ = prism

    def pages(client: Any) -> Any:
        return list(client.pets.iter_list_pets().pages())

    async def pages_async(client: Any) -> Any:
        return [page async for page in client.pets.iter_list_pets().pages()]

    found, recorder = run(prism, mode, pages if mode == "sync" else pages_async)
    (page,) = found
    assert isinstance(page, client_pkg.models.ListPetsResponse) and page.next_cursor is None
    assert recorder.request_violations() == [] and len(recorder.responses) == 1


# -- streaming ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_streamed_binary_body_from_prism_arrives_through_iter_bytes(prism: Any, mode: str) -> None:
    def download(client: Any) -> Any:
        with client.files.with_streaming_response.download(name="report 1.bin") as response:
            assert not response.http_response.is_stream_consumed
            return response.headers["content-type"], b"".join(response.iter_bytes())

    async def download_async(client: Any) -> Any:
        async with client.files.with_streaming_response.download(name="report 1.bin") as response:
            assert not response.http_response.is_stream_consumed
            return response.headers["content-type"], b"".join([chunk async for chunk in response.aiter_bytes()])

    (content_type, body), recorder = run(prism, mode, download if mode == "sync" else download_async)
    assert content_type.startswith("application/octet-stream") and body == b"file bytes"
    assert recorder.request_violations() == []
    assert recorder.responses[0].request.url.raw_path == b"/files/report%201.bin"


@pytest.mark.parametrize("mode", MODES)
def test_an_event_stream_example_from_prism_is_parsed_into_events(prism: Any, mode: str) -> None:
    def feed(client: Any) -> Any:
        return [(e.event, e.data, e.id) for e in client.events.feed()]

    async def feed_async(client: Any) -> Any:
        return [(e.event, e.data, e.id) async for e in await client.events.feed()]

    events, recorder = run(prism, mode, feed if mode == "sync" else feed_async)
    assert events == [("hello", "one", "1"), ("message", "two", "1")]
    assert recorder.request_violations() == []
    assert recorder.responses[0].headers["content-type"].startswith("text/event-stream")
