"""Values typed as what they are: dates, date-times, UUIDs, decimals and base64 bytes are read
into their Python types and written back exactly; readOnly fields are never sent; enum values
the spec does not list are accepted; an annotation says ``None`` once."""

from __future__ import annotations

import asyncio
import base64
import datetime
import decimal
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import run_stubforge, write_spec
from stubforge.model import ModelField, TypeInfo

SPEC = """
openapi: 3.0.3
info: {title: Typed, version: 1.0.0}
servers: [{url: "http://typed.test"}]
paths:
  /events:
    get:
      operationId: listEvents
      parameters:
        - {name: since, in: query, schema: {type: string, format: date-time}}
        - {name: day, in: query, schema: {type: string, format: date}}
        - {name: minimum, in: query, schema: {type: number, format: decimal}}
        - {name: X-Token, in: header, schema: {type: string, format: byte}}
        - {name: kind, in: query, schema: {type: string, enum: [open, closed]}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Event"}}
    post:
      operationId: createEvent
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Event"}}}
      responses:
        "201":
          description: created
          content: {application/json: {schema: {$ref: "#/components/schemas/Event"}}}
  /events/{eventId}:
    get:
      operationId: getEvent
      parameters:
        - {name: eventId, in: path, required: true, schema: {type: string, format: uuid}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Event"}}}
  /clock:
    get:
      operationId: echoTime
      parameters:
        - {name: at, in: query, required: true, schema: {type: string, format: date-time}}
        - {name: ref, in: query, required: true, schema: {type: string, format: uuid}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Stamp"}}}
  /ping:
    delete:
      operationId: ping
      parameters:
        - {name: mode, in: query, schema: {type: string, enum: [fast]}}
      responses:
        "204": {description: no body}
  /clock/now:
    get:
      operationId: now
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: string, format: date-time}}}
components:
  schemas:
    Status:
      type: string
      enum: [open, closed]
    Stamp:
      type: object
      required: [at, ref]
      properties:
        at: {type: string, format: date-time}
        ref: {type: string, format: uuid}
        uuid: {type: string, format: uuid}
        datetime: {type: string, format: date-time}
        decimal: {type: number, format: decimal}
    Event:
      type: object
      required: [id, when, day, amount, blob, status, secret]
      properties:
        id: {type: string, format: uuid, readOnly: true}
        when: {type: string, format: date-time}
        day: {type: string, format: date}
        amount: {type: number, format: decimal}
        prices: {type: array, items: {type: string, format: decimal}}
        blob: {type: string, format: byte}
        status: {$ref: "#/components/schemas/Status"}
        secret: {type: string, writeOnly: true}
        created: {type: string, format: date-time, readOnly: true}
        holidays: {type: array, items: {type: string, format: date}}
        seen: {type: object, additionalProperties: {type: string, format: date-time}}
        ended: {type: string, format: date-time, nullable: true}
        either: {oneOf: [{type: string, format: uuid}, {type: integer}], nullable: true}
"""

SWAGGER2 = """
swagger: "2.0"
info: {title: Typed Two, version: "1.0"}
host: typed2.test
paths:
  /things/{thingId}:
    get:
      operationId: getThing
      parameters:
        - {name: thingId, in: path, required: true, type: string, format: uuid}
        - {name: madeOn, in: query, type: string, format: date}
      responses:
        "200": {description: ok, schema: {$ref: "#/definitions/Thing"}}
  /forms:
    post:
      operationId: postForm
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: when, in: formData, type: string, format: date-time}
        - {name: data, in: formData, type: string, format: byte}
      responses:
        "204": {description: ok}
  /files:
    post:
      operationId: postFile
      consumes: [multipart/form-data]
      parameters:
        - {name: file, in: formData, type: file}
        - {name: day, in: formData, type: string, format: date}
      responses:
        "204": {description: ok}
definitions:
  Thing:
    type: object
    required: [id, made]
    properties:
      id: {type: string, format: uuid, readOnly: true}
      made: {type: string, format: date-time}
      data: {type: string, format: byte}
      weight: {type: number, format: decimal}
"""

OAS31 = """
openapi: 3.1.0
info: {title: Typed Three, version: "1.0"}
paths:
  /slots:
    get:
      operationId: getSlot
      parameters:
        - {name: after, in: query, schema: {type: [string, "null"], format: date-time}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Slot"}}}
components:
  schemas:
    Slot:
      type: object
      properties:
        start: {type: [string, "null"], format: date-time}
        ref: {anyOf: [{type: string, format: uuid}, {type: "null"}]}
        count: {type: [integer, string, "null"]}
"""


def generate(folder: Path, name: str, text: str) -> Path:
    spec = write_spec(folder, f"{name}.yaml", text)
    result = run_stubforge("generate", spec, "--out", folder / "out")
    assert result.returncode == 0, result.stderr
    return folder / "out" / name


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Path]:
    out = generate(tmp_path_factory.mktemp("typed"), "typed", SPEC)
    for part in ("client", "server"):
        sys.path.insert(0, str(out / part))
    import typed_client
    import typed_server

    return typed_client, typed_server, out


@pytest.fixture(scope="module")
def others(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    folder = tmp_path_factory.mktemp("typed_others")
    two, three = generate(folder, "typed_two", SWAGGER2), generate(folder, "typed_three", OAS31)
    for out in (two, three):
        sys.path.insert(0, str(out / "client"))
    import typed_three_client
    import typed_two_client

    return typed_two_client, typed_three_client


EVENT = {
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "when": "2024-01-31T12:00:00Z",
    "day": "2024-02-29",
    "amount": 12.34,
    "prices": ["19.990", "0.5"],
    "blob": base64.b64encode(b"\x00\xffbytes").decode(),
    "status": "open",
    "secret": "s3cret",
    "created": "2024-01-31T14:00:00.123456+02:00",
    "holidays": ["2024-12-25"],
    "seen": {"alice": "2024-01-31T12:00:00.5Z"},
    "ended": None,
    "either": "0b5c2e8e-1d0c-4d7a-9a59-2f6b6c1f0c11",
}


class Recorder:
    """A MockTransport handler: records every request and answers with ``status`` and ``body``."""

    def __init__(self, body: Any, status: int = 200) -> None:
        self.body, self.status = body, status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json=self.body)


def mocked(client_pkg: Any, body: Any, status: int = 200) -> tuple[Any, Recorder]:
    recorder = Recorder(body, status)
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    return client_pkg.Client("http://typed.test", http_client=http), recorder


def test_a_model_reads_every_format_into_its_python_type(typed: Any) -> None:
    client_pkg = typed[0]
    event = client_pkg.models.Event.from_dict(EVENT)
    assert event.id == uuid.UUID(EVENT["id"])
    assert event.when == datetime.datetime(2024, 1, 31, 12, tzinfo=datetime.timezone.utc)
    assert event.day == datetime.date(2024, 2, 29)
    assert event.amount == decimal.Decimal("12.34")
    assert event.prices == [decimal.Decimal("19.990"), decimal.Decimal("0.5")]
    assert event.blob == b"\x00\xffbytes"
    assert event.created == datetime.datetime(2024, 1, 31, 12, 0, 0, 123456, tzinfo=datetime.timezone.utc)
    assert event.created.utcoffset() == datetime.timedelta(hours=2)
    assert event.holidays == [datetime.date(2024, 12, 25)]
    assert event.seen == {"alice": datetime.datetime(2024, 1, 31, 12, 0, 0, 500000, tzinfo=datetime.timezone.utc)}
    assert event.ended is None
    assert event.either == uuid.UUID(EVENT["either"])
    assert client_pkg.models.Event.from_dict({**EVENT, "either": 7}).either == 7


def test_a_model_read_and_written_back_gives_the_same_json(typed: Any) -> None:
    """The same instants, dates and bytes; UTC written as Z; offsets kept."""
    client_pkg = typed[0]
    client, recorder = mocked(client_pkg, EVENT, 201)
    event = client_pkg.models.Event.from_dict(EVENT)
    client.default.create_event(body=event)
    sent = json.loads(recorder.requests[0].content)
    # readOnly fields are not sent; an optional field that is None is not sent either
    expected = {k: v for k, v in EVENT.items() if k not in ("id", "created", "ended")}
    expected["seen"] = {"alice": "2024-01-31T12:00:00.500000Z"}
    assert sent == expected
    assert b'"amount":12.34' in recorder.requests[0].content  # a JSON number, every digit
    assert sent["prices"] == ["19.990", "0.5"]  # strings, as the spec types them
    assert recorder.requests[0].headers["content-type"] == "application/json"
    assert event.to_dict()["created"] == "2024-01-31T14:00:00.123456+02:00"


def test_a_decimal_is_sent_with_every_digit(typed: Any) -> None:
    client_pkg = typed[0]
    client, recorder = mocked(client_pkg, EVENT, 201)
    event = client_pkg.models.Event.from_dict({**EVENT, "amount": "1234567890.123456789012"})
    assert event.amount == decimal.Decimal("1234567890.123456789012")
    client.default.create_event(body=event)
    assert b'"amount":1234567890.123456789012' in recorder.requests[0].content


def test_read_only_fields_are_not_required_and_not_sent(typed: Any) -> None:
    client_pkg = typed[0]
    models = client_pkg.models
    event = models.Event(
        when=datetime.datetime(2024, 5, 1, 8, 30, tzinfo=datetime.timezone.utc),
        day=datetime.date(2024, 5, 1),
        amount=decimal.Decimal("0.10"),
        blob=b"hi",
        status="closed",
        secret="s3cret",
    )
    assert event.id is None
    client, recorder = mocked(client_pkg, EVENT, 201)
    client.default.create_event(body=event)
    sent = json.loads(recorder.requests[0].content)
    assert sent == {"when": "2024-05-01T08:30:00Z", "day": "2024-05-01", "amount": 0.1, "blob": "aGk=", "status": "closed", "secret": "s3cret"}
    assert b'"amount":0.10' in recorder.requests[0].content
    event.id = uuid.UUID(EVENT["id"])
    client.default.create_event(body=event)
    assert "id" not in json.loads(recorder.requests[1].content)
    assert event.to_dict()["id"] == EVENT["id"]  # kept when not a request
    assert "id" not in event.to_dict(request=True)


def test_write_only_fields_are_not_required_in_a_response(typed: Any) -> None:
    client_pkg = typed[0]
    event = client_pkg.models.Event.from_dict({k: v for k, v in EVENT.items() if k != "secret"})
    assert event.secret is None


def test_parameters_of_every_format_are_sent_as_text(typed: Any) -> None:
    client_pkg = typed[0]
    client, recorder = mocked(client_pkg, [EVENT])
    events = client.default.list_events(
        since=datetime.datetime(2024, 1, 31, 12, 0, 0, 250000, tzinfo=datetime.timezone.utc),
        day=datetime.date(2024, 1, 31),
        minimum=decimal.Decimal("10.50"),
        x_token=b"\x01\x02token",
        kind="open",
    )
    request = recorder.requests[0]
    assert dict(request.url.params) == {"since": "2024-01-31T12:00:00.250000Z", "day": "2024-01-31", "minimum": "10.50", "kind": "open"}
    assert request.headers["X-Token"] == base64.b64encode(b"\x01\x02token").decode()
    assert [e.when for e in events] == [datetime.datetime(2024, 1, 31, 12, tzinfo=datetime.timezone.utc)]
    offset = datetime.timezone(datetime.timedelta(hours=2))
    client.default.list_events(since=datetime.datetime(2024, 1, 31, 14, tzinfo=offset))
    assert recorder.requests[1].url.params["since"] == "2024-01-31T14:00:00+02:00"
    ident = uuid.UUID(EVENT["id"])
    client, recorder = mocked(client_pkg, EVENT)
    assert client.default.get_event(event_id=ident).id == ident
    assert recorder.requests[0].url.path == f"/events/{ident}"


def test_a_top_level_date_time_response_is_decoded(typed: Any) -> None:
    client, _ = mocked(typed[0], "2024-01-31t12:00:00z")
    assert client.default.now() == datetime.datetime(2024, 1, 31, 12, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [
        ("when", "yesterday", "Event.when: not an RFC 3339 date-time: 'yesterday'"),
        ("day", "31/01/2024", "Event.day: not a date"),
        ("id", "not-a-uuid", "Event.id: not a UUID"),
        ("amount", "twelve", "Event.amount: not a decimal number"),
        ("blob", "***", "Event.blob: not base64 text"),
        ("holidays", ["2024-13-01"], "Event.holidays: not a date"),
    ],
)
def test_a_value_that_does_not_parse_raises_value_error_naming_the_field(typed: Any, field: str, bad: Any, message: str) -> None:
    """Read directly, a bad value is a ValueError; in a response, the client's ResponseValidationError
    (an ApiError keeping the response) with the same words."""
    client_pkg = typed[0]
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        client_pkg.models.Event.from_dict({**EVENT, field: bad})
    client, _ = mocked(client_pkg, {**EVENT, field: bad})
    with pytest.raises(client_pkg.ResponseValidationError, match="answered 200, but the body does not match the spec: " + message.split(":")[0]) as caught:
        client.default.get_event(event_id=uuid.uuid4())
    assert caught.value.response.status_code == 200


def test_an_enum_value_the_spec_does_not_list_is_accepted(typed: Any) -> None:
    client_pkg = typed[0]
    client, _ = mocked(client_pkg, [{**EVENT, "status": "archived"}])
    (event,) = client.default.list_events()
    assert event.status == "archived"
    assert client_pkg.models.Event.from_dict({**EVENT, "status": "archived"}).to_dict()["status"] == "archived"
    assert "Status" in client_pkg.models.__all__


def test_fields_named_like_the_modules_annotations_use_are_escaped(typed: Any) -> None:
    """A field ``uuid: uuid.UUID`` would hide the module from annotations in the class body,
    where pydantic evaluates them."""
    client_pkg, server_pkg, _ = typed
    data = {"at": EVENT["when"], "ref": EVENT["id"], "uuid": EVENT["id"], "datetime": EVENT["when"], "decimal": 1.5}
    stamp = client_pkg.models.Stamp.from_dict(data)
    assert (stamp.uuid_, stamp.datetime_, stamp.decimal_) == (uuid.UUID(EVENT["id"]), event_when(), decimal.Decimal("1.5"))
    served = server_pkg.models.Stamp.model_validate(data)
    assert (served.uuid_, served.datetime_, served.decimal_) == (uuid.UUID(EVENT["id"]), event_when(), decimal.Decimal("1.5"))


def event_when() -> datetime.datetime:
    return datetime.datetime(2024, 1, 31, 12, tzinfo=datetime.timezone.utc)


def test_swagger2_formats_and_read_only(others: Any) -> None:
    two = others[0]
    thing = two.models.Thing.from_dict({"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "made": "2024-01-31T12:00:00+00:00", "data": "AAE=", "weight": 1.5})
    assert (thing.id, thing.made, thing.data, thing.weight) == (
        uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        datetime.datetime(2024, 1, 31, 12, tzinfo=datetime.timezone.utc),
        b"\x00\x01",
        decimal.Decimal("1.5"),
    )
    assert two.models.Thing(made=thing.made).to_dict(request=True) == {"made": "2024-01-31T12:00:00Z"}
    recorder = Recorder({"made": "2024-01-31T12:00:00Z"})
    client = two.Client("http://typed2.test", http_client=httpx.Client(transport=httpx.MockTransport(recorder)))
    client.default.get_thing(thing_id=thing.id, made_on=datetime.date(2024, 1, 31))
    assert str(recorder.requests[0].url) == f"http://typed2.test/things/{thing.id}?madeOn=2024-01-31"


def test_form_and_multipart_fields_of_every_format(others: Any) -> None:
    """Form fields carry text (base64 for bytes); a multipart file part carries the raw bytes."""
    two = others[0]
    recorder = Recorder(None, 204)
    client = two.Client("http://typed2.test", http_client=httpx.Client(transport=httpx.MockTransport(recorder)))
    when = datetime.datetime(2024, 1, 31, 12, tzinfo=datetime.timezone.utc)
    client.default.post_form(body=two.models.PostFormForm(when=when, data=b"\x00\x01"))
    assert recorder.requests[0].content == b"when=2024-01-31T12%3A00%3A00Z&data=AAE%3D"
    client.default.post_file(body=two.models.PostFileForm(file=b"\x00raw\xff", day=datetime.date(2024, 1, 31)))
    content = recorder.requests[1].content
    assert b"\x00raw\xff" in content and b"2024-01-31" in content and base64.b64encode(b"\x00raw\xff") not in content


def test_openapi31_null_types_read_as_optional_values(others: Any) -> None:
    three = others[1]
    slot = three.models.Slot.from_dict({"start": "2024-01-31T12:00:00Z", "ref": None, "count": "3"})
    assert (slot.start, slot.ref, slot.count) == (datetime.datetime(2024, 1, 31, 12, tzinfo=datetime.timezone.utc), None, "3")


def test_nullable_and_optional_say_none_once() -> None:
    nullable_date = TypeInfo("string", format="date", nullable=True)
    union = TypeInfo("union", variants=(nullable_date, TypeInfo("integer", nullable=True)), nullable=True)
    assert union.annotation == "datetime.date | int | None"
    assert ModelField("u", "u", union, False, "").annotation == "datetime.date | int | None"
    assert ModelField("d", "d", nullable_date, False, "").annotation == "datetime.date | None"
    assert ModelField("d", "d", TypeInfo("string", format="date-time"), False, "").annotation == "datetime.datetime | None"
    listed = TypeInfo("array", items=nullable_date, nullable=True)
    assert listed.annotation == "list[datetime.date | None] | None"
    assert TypeInfo("union", variants=(TypeInfo("any"), nullable_date)).annotation == "Any"


def test_read_only_and_write_only_fields_are_optional_in_the_model() -> None:
    type_ = TypeInfo("string", format="uuid")
    assert ModelField("id", "id", type_, True, "", read_only=True).annotation == "uuid.UUID | None"
    assert ModelField("pw", "pw", TypeInfo("string"), True, "", write_only=True).python_default == "None"
    assert ModelField("id", "id", type_, True, "").annotation == "uuid.UUID"


def test_generated_code_says_none_once(typed: Any, others: Any) -> None:
    folders = [typed[2]] + [Path(pkg.__file__).parent.parent.parent for pkg in others]
    texts = [p.read_text() for folder in folders for p in folder.rglob("*.py")]
    assert texts and not [t for t in texts if "None | None" in t]


@pytest.fixture
def app_and_calls(typed: Any) -> tuple[Any, list[dict[str, Any]]]:
    _, server_pkg, _ = typed
    calls: list[dict[str, Any]] = []

    class Echo(server_pkg.Handlers):  # type: ignore[misc]
        async def echo_time(self, **kw: Any) -> Any:
            calls.append(kw)
            return {"at": kw["at"], "ref": kw["ref"]}

        async def create_event(self, **kw: Any) -> Any:
            calls.append(kw)
            return kw["body"]

        async def list_events(self, **kw: Any) -> Any:
            calls.append(kw)
            return [EVENT]

    return server_pkg.create_app(Echo()), calls


def test_end_to_end_sync_a_date_time_and_a_uuid_round_trip(typed: Any, app_and_calls: Any) -> None:
    from fastapi.testclient import TestClient

    client_pkg = typed[0]
    app, calls = app_and_calls
    at = datetime.datetime(2024, 1, 31, 12, 0, 0, 123000, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    ref = uuid.uuid4()
    with client_pkg.Client("http://testserver", http_client=TestClient(app)) as client:
        stamp = client.default.echo_time(at=at, ref=ref)
        assert calls[-1] == {"at": at, "ref": ref}
        assert (stamp.at, stamp.ref) == (at, ref)
        event = client_pkg.models.Event.from_dict(EVENT)
        echoed = client.default.create_event(body=event)
        assert calls[-1]["body"].id is None  # readOnly: not sent, and the server does not demand it
        assert (echoed.when, echoed.day, echoed.amount, echoed.blob) == (event.when, event.day, event.amount, event.blob)
        given = {"since": at, "day": at.date(), "minimum": decimal.Decimal("10.5"), "x_token": b"\x00\xff", "kind": "open"}
        (listed,) = client.default.list_events(**given)
        assert calls[-1] == given  # the server reads every format back into its type
        assert [type(calls[-1][k]) for k in given] == [datetime.datetime, datetime.date, float, bytes, str]
        assert listed.when == event.when


def test_the_server_demands_write_only_fields_but_not_read_only_ones(typed: Any, app_and_calls: Any) -> None:
    from fastapi.testclient import TestClient

    app, _ = app_and_calls
    body = {k: v for k, v in EVENT.items() if k not in ("id", "created")}
    assert TestClient(app).post("/events", json=body).status_code == 201
    missing = TestClient(app).post("/events", json={k: v for k, v in body.items() if k != "secret"})
    assert missing.status_code == 422 and "secret" in missing.text


def test_the_server_writes_decimals_as_the_spec_types_them(typed: Any, app_and_calls: Any) -> None:
    """pydantic writes a Decimal as a JSON string: right for a string of format decimal, wrong for
    a number, which the server therefore keeps a float."""
    from fastapi.testclient import TestClient

    app, _ = app_and_calls
    answer = TestClient(app).post("/events", json={k: v for k, v in EVENT.items() if k != "id"}).json()
    assert (answer["amount"], answer["prices"]) == (12.34, ["19.990", "0.5"])


def test_end_to_end_async_a_date_time_and_a_uuid_round_trip(typed: Any, app_and_calls: Any) -> None:
    client_pkg = typed[0]
    app, calls = app_and_calls
    at = datetime.datetime(2024, 1, 31, 12, tzinfo=datetime.timezone.utc)
    ref = uuid.uuid4()

    async def scenario() -> Any:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
        async with client_pkg.AsyncClient("http://testserver", http_client=http) as client:
            return await client.default.echo_time(at=at, ref=ref)

    stamp = asyncio.run(scenario())
    assert calls[-1] == {"at": at, "ref": ref}
    assert (stamp.at, stamp.ref) == (at, ref)


def test_generated_client_and_server_pass_mypy_strict_and_ruff(typed: Any, tmp_path: Path) -> None:
    _, _, out = typed
    client, server = out / "client" / "typed_client", out / "server" / "typed_server"
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE)
    readme = (out / "client" / "README.md").read_text()
    quick_start = tmp_path / "quick_start.py"  # its example call passes a date-time, a decimal, bytes
    quick_start.write_text(readme.split("## Quick start")[1].split("```python\n")[1].split("```")[0])
    assert "import datetime" in quick_start.read_text()
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(client), str(server), str(usage), str(quick_start)],
        capture_output=True,
        text=True,
        timeout=600,
        env={"MYPYPATH": f"{out / 'client'}", "PATH": ""},
    )
    assert mypy.returncode == 0, mypy.stdout
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", str(client)], capture_output=True, text=True, timeout=300)
    assert ruff.returncode == 0, ruff.stdout


USAGE = '''
import datetime
import decimal
import uuid

from typed_client import Client, models


def use(client: Client) -> None:
    event = client.default.get_event(event_id=uuid.uuid4())
    when: datetime.datetime = event.when
    day: datetime.date = event.day
    amount: decimal.Decimal = event.amount
    blob: bytes = event.blob
    status: models.Status = event.status
    print(when, day, amount, blob, status)
    client.default.list_events(since=when, day=day, minimum=amount, x_token=blob, kind="closed")
    now: datetime.datetime = client.default.now()
    print(now)
'''


@pytest.mark.parametrize("text", [SPEC, SWAGGER2, OAS31], ids=["oas30", "swagger2", "oas31"])
def test_the_typed_code_is_what_black_makes_of_the_whole_file(tmp_path: Path, text: str) -> None:
    """The imports, ``_read_only`` and ``_decimal_text`` the templates add are laid out as Black would."""
    from test_format import assert_formatting_equals_whole_file_black

    as_emitted, _ = assert_formatting_equals_whole_file_black(write_spec(tmp_path, "spec.yaml", text))
    assert as_emitted > 0


def test_a_naive_datetime_is_sent_as_local_time_with_its_offset(typed: Any) -> None:
    """RFC 3339 requires an offset; a naive datetime means local time in Python (``astimezone``)."""
    client_pkg = typed[0]
    client, recorder = mocked(client_pkg, [EVENT])
    naive = datetime.datetime(2024, 7, 1, 9, 30)
    client.default.list_events(since=naive)
    sent = recorder.requests[0].url.params["since"]
    assert sent == naive.astimezone().isoformat().replace("+00:00", "Z")
    assert datetime.datetime.fromisoformat(sent) == naive.astimezone()
    assert sent[len("2024-07-01T09:30:00"):] != ""  # an offset or Z, never nothing
