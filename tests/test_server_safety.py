"""The generated server against hostile requests: every bad request is a 4xx in the server's
JSON error shape (``{"error": ..., "message": ...}``), never a 500, even when the handler echoes
what it received; an ambiguous or unknown operation selector is a 400 naming the valid values."""

from __future__ import annotations

import importlib
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from conftest import CORPUS, GENERATED, SEED, generate_into, generate_packages, require_corpus, run_stubforge, write_spec

SPEC = """
openapi: 3.0.3
info: {title: Safety, version: "1.0.0"}
components:
  schemas:
    Order:
      type: object
      required: [item]
      properties:
        item: {type: string}
        count: {type: integer}
        price: {type: number}
paths:
  /orders:
    post:
      operationId: createOrder
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Order"}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /anything:
    put:
      operationId: putAnything
      requestBody:
        content: {application/json: {schema: {}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {}}}}}
  /numbers:
    put:
      operationId: putNumbers
      requestBody:
        required: true
        content: {application/json: {schema: {type: array, items: {type: number}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {}}}}}
  /login:
    post:
      operationId: login
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [user]
              properties: {user: {type: string}, age: {type: integer}}
      responses: {"200": {description: ok, content: {application/json: {schema: {}}}}}
  /upload:
    post:
      operationId: upload
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [note]
              properties: {note: {type: string}, file: {type: string, format: binary}}
      responses: {"200": {description: ok, content: {application/json: {schema: {}}}}}
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
        - {name: X-Count, in: header, schema: {type: integer}}
        - {name: limit, in: query, schema: {type: integer}}
        - {name: ratio, in: query, schema: {type: number}}
      responses: {"200": {description: ok, content: {application/json: {schema: {}}}}}
  /#X-Amz-Target=Svc.Start:
    post:
      operationId: start
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Order"}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {}}}}}
  /#X-Amz-Target=Svc.Stop:
    post:
      operationId: stop
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Order"}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {}}}}}
  /items:
    get:
      operationId: listItems
      responses: {"200": {description: ok, content: {application/json: {schema: {}}}}}
  /items?Action=Count:
    get:
      operationId: countItems
      responses: {"200": {description: ok, content: {application/json: {schema: {}}}}}
  /items?Action=Purge:
    get:
      operationId: purgeItems
      responses: {"200": {description: ok, content: {application/json: {schema: {}}}}}
"""

DIGITS = b"1" * 5000  # beyond Python's 4300-digit limit for int(): a ValueError, not a number

# (case, body, content type): JSON bodies every JSON operation must refuse with a 4xx.
HOSTILE_JSON = [
    ("malformed", b'{"item": ', "application/json"),
    ("empty with a JSON content type", b"", "application/json"),
    ("array for an object", b'["item"]', "application/json"),
    ("string for an object", b'"item"', "application/json"),
    ("number for an object", b"42", "application/json"),
    ("not UTF-8", b'{"item": "\xff\xfe"}', "application/json"),
    ("UTF-16", '{"item": "x"}'.encode("utf-16"), "application/json"),
    ("lone surrogate escape", b'{"item": "\\udc00"}', "application/json"),
    ("lone surrogate key", b'{"item": "x", "\\ud800": 1}', "application/json"),
    ("float beyond range", b'{"item": "x", "price": 1e400}', "application/json"),
    ("integer of 5000 digits", b'{"item": "x", "count": ' + DIGITS + b"}", "application/json"),
    ("100k open brackets", b"[" * 100_000, "application/json"),
    ("100k nested objects", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "application/json"),
    ("NaN", b'{"item": "x", "price": NaN}', "application/json"),
    ("Infinity", b'{"item": "x", "price": -Infinity}', "application/json"),
    ("NaN as a string", b'{"item": "x", "price": "NaN"}', "application/json"),
    ("duplicate keys", b'{"item": "x", "item": "y"}', "application/json"),
    ("text/plain", b'{"item": "x"}', "text/plain"),
    ("XML, not UTF-8", b"<item>\xff</item>", "application/xml"),
    ("no content type", b'{"item": "x"}', None),
    ("a multipart body", b'--b\r\nContent-Disposition: form-data; name="item"\r\n\r\nx\r\n--b--\r\n', "multipart/form-data; boundary=b"),
]

# Bodies that are hostile whatever the operation reads: a sweep sends each to every operation.
SWEEP_BODIES = HOSTILE_JSON + [
    ("form, bad percent-encoding", b"user=%ff%fe", "application/x-www-form-urlencoded"),
    ("form, raw bytes", b"user=\xff\xfe&age=\x00", "application/x-www-form-urlencoded"),
    ("multipart without boundary", b"--x\r\n\r\n", "multipart/form-data"),
    ("multipart garbage", b"garbage\xff", "multipart/form-data; boundary=x"),
    ("multipart truncated", b'--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nva', "multipart/form-data; boundary=x"),
    ("multipart bad base64", b'--x\r\nContent-Disposition: form-data; name="file"; filename="f"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n--x--\r\n', "multipart/form-data; boundary=x"),
    ("multipart, RFC 2231 bogus charset", b"--x\r\nContent-Disposition: form-data; name*=bogus''%ff\r\n\r\nv\r\n--x--\r\n", "multipart/form-data; boundary=x"),
    ("octet bytes", b"\x00\x01\xff", "application/octet-stream"),
    ("odd content type", b"{}", ";;;=\xff"),
]


def echo_handlers(server: Any) -> Any:
    """Handlers implementing every operation by echoing their arguments, the worst case for a
    server: whatever it lets through goes back into a JSON response. (Uploaded bytes, which no
    handler would echo as JSON text, are echoed as their length.) Every credential is accepted."""
    app = importlib.import_module(server.__name__ + ".app")

    def plain(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return plain(value.model_dump(by_alias=True))
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return len(value) if isinstance(value, bytes) else value

    def make(name: str) -> Any:
        async def handler(self: Any, **arguments: Any) -> dict[str, Any]:
            return {"operation": name, "arguments": plain(arguments)}

        return handler

    async def accept(self: Any, credential: Any, *scopes_and_request: Any) -> str:
        return "anyone"

    verifiers = {auth.verifier: accept for auth in app.SCHEMES.values()}
    return type("Echo", (server.Handlers,), {name: make(name) for name in app.OPERATIONS} | verifiers)()


@pytest.fixture(scope="module")
def safety(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    (safety_server,) = generate_packages(tmp_path_factory.mktemp("safety"), "safety", SPEC, ("server",))
    return TestClient(safety_server.create_app(echo_handlers(safety_server)), raise_server_exceptions=False)


def send(client: TestClient, method: str, path: str, body: bytes, content_type: str | None, **kwargs: Any) -> Any:
    headers = dict(kwargs.pop("headers", {}))
    if content_type is not None:
        headers["content-type"] = content_type.encode("latin-1")
    return client.request(method, path, content=body, headers=headers, **kwargs)


def assert_error_shape(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body["error"], str) and isinstance(body["message"], str), body
    return body


@pytest.mark.parametrize("case, body, content_type", HOSTILE_JSON, ids=[c for c, _, _ in HOSTILE_JSON])
@pytest.mark.parametrize("path, headers", [("/orders", {}), ("/", {"X-Amz-Target": "Svc.Start"})], ids=["plain", "header-dispatched"])
def test_hostile_json_bodies_answer_422_in_the_error_shape(safety: TestClient, case: str, body: bytes, content_type: str | None, path: str, headers: dict[str, str]) -> None:
    """A body of another media type than JSON is not read at all: 415."""
    response = send(safety, "POST", path, body, content_type, headers=headers)
    assert_error_shape(response, 422 if "json" in (content_type or "") else 415)


@pytest.mark.parametrize(
    "body, reason",
    [
        (b'{"price": NaN}', "NaN is not a JSON number"),
        (b"[1e400]", "out of range"),
        (b'{"a": 1, "a": 2}', 'the key "a" appears twice'),
        (b'"\\udc00"', "lone surrogate"),
        (b"[" * 100_000, "nests deeper than 100 levels"),
        (b"[" * 101 + b"]" * 101, "nests deeper than 100 levels"),
        (b'{"a":' * 50 + b"[" * 51 + b"]" * 51 + b"}" * 50, "nests deeper than 100 levels"),
        (b'{"a": "\xff"}', "not UTF-8"),
        (b"[" + DIGITS + b"]", "4300"),
    ],
)
def test_json_an_untyped_body_would_accept_is_refused_with_the_reason(safety: TestClient, body: bytes, reason: str) -> None:
    """A body typed ``{}`` takes any JSON value, so only the JSON decoding can refuse these."""
    error = assert_error_shape(send(safety, "PUT", "/anything", body, "application/json"), 422)
    assert error["error"] == "invalid_request"
    assert reason in error["message"] and reason in error["detail"][0]["msg"]
    assert error["detail"][0]["type"] == "json_invalid"


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "application/x-www-form-urlencoded", None])
def test_a_json_body_of_another_media_type_is_refused(safety: TestClient, content_type: str | None) -> None:
    """FastAPI hands an untyped JSON body the raw bytes when the media type is not JSON."""
    error = assert_error_shape(send(safety, "PUT", "/anything", b'{"a": "\xff"}', content_type), 415)
    assert error["error"] == "unsupported_media_type"
    assert error["message"].startswith("the body must be sent as application/json, not ")
    assert send(safety, "PUT", "/anything", b'{"a": 1}', "application/merge-patch+json; charset=utf-8").json()["arguments"]["body"] == {"a": 1}


@pytest.mark.parametrize(
    "body, expected",
    [
        (b'{"emoji": "\\ud83d\\ude00", "text": "\\\\udc00"}', {"emoji": "\U0001f600", "text": "\\udc00"}),
        (b'\xef\xbb\xbf{"bom": 1}', {"bom": 1}),
        (b"[1.5e308, -0.0, 123456789012345678901234567890]", [1.5e308, -0.0, 123456789012345678901234567890]),
        (b"[" * 100 + b"]" * 100, json.loads("[" * 100 + "]" * 100)),
        (b'[["[[[[' + b"[" * 200 + b'"]]', [["[[[[" + "[" * 200]]),
    ],
    ids=["surrogate pair and escaped backslash", "UTF-8 byte order mark", "big but valid numbers", "100 levels", "brackets in a string"],
)
def test_valid_json_near_the_limits_is_still_accepted(safety: TestClient, body: bytes, expected: Any) -> None:
    response = send(safety, "PUT", "/anything", body, "application/json")
    assert response.status_code == 200, response.text
    assert response.json()["arguments"]["body"] == expected


@pytest.mark.parametrize("body", [b'["nan"]', b'[1, "1e400"]', b'["-Infinity"]', b'["' + DIGITS + b'"]'], ids=["nan", "1e400", "-Infinity", "5000 digits"])
def test_strings_that_would_validate_as_non_finite_numbers_are_refused(safety: TestClient, body: bytes) -> None:
    """Lax validation would read these strings as float NaN or infinity; JSON bodies are
    validated strictly, so a string is no number at all."""
    error = assert_error_shape(send(safety, "PUT", "/numbers", body, "application/json"), 422)
    assert [problem["type"] for problem in error["detail"]] == ["float_type"]


@pytest.mark.parametrize("ratio", ["nan", "inf", "-1e400"])
def test_non_finite_query_numbers_are_refused(safety: TestClient, ratio: str) -> None:
    assert assert_error_shape(safety.get(f"/pets/1?ratio={ratio}"), 422)["message"] == "ratio: Input should be a finite number"
    assert safety.get("/pets/1?ratio=0.5").json()["arguments"]["ratio"] == 0.5


def test_errors_do_not_echo_the_input(safety: TestClient) -> None:
    """FastAPI's own 422 lists each bad input: 100 KB strings, bytes that are no UTF-8."""
    response = send(safety, "PUT", "/numbers", b'["' + b"y" * 100_000 + b'", "' + b"x" * 100_000 + b'"]', "application/json")
    error = assert_error_shape(response, 422)
    assert len(response.content) < 2000 and "input" not in error["detail"][0]
    assert [problem["loc"] for problem in error["detail"]] == [["body", 0], ["body", 1]]
    error = assert_error_shape(send(safety, "POST", "/orders", b"\xff" * 10, "application/json"), 422)
    assert error["message"].startswith("body") and "\xff" not in response.text


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"user=%ff%fe", "application/x-www-form-urlencoded"),
        (b"user=\xff\xfe", "application/x-www-form-urlencoded"),
        (b"user=a&age=%00", "application/x-www-form-urlencoded"),
        (b"age=1", "application/x-www-form-urlencoded"),
    ],
    ids=["percent-encoded bytes that are no UTF-8", "raw bytes that are no UTF-8", "wrong type", "required field missing"],
)
def test_bad_form_bodies_answer_422(safety: TestClient, body: bytes, content_type: str) -> None:
    assert_error_shape(send(safety, "POST", "/login", body, content_type), 422)


def test_form_errors_are_located_in_the_body(safety: TestClient) -> None:
    form = "application/x-www-form-urlencoded"
    assert assert_error_shape(send(safety, "POST", "/login", b"user=a&age=x", form), 422)["detail"][0]["loc"] == ["body", "age"]
    error = assert_error_shape(send(safety, "POST", "/login", b"user=%ff", form), 422)
    assert error["detail"][0]["loc"] == ["body"] and "utf-8" in error["message"]


def test_form_bodies_in_utf_8_are_read(safety: TestClient) -> None:
    response = send(safety, "POST", "/login", "user=%C3%A9l%C3%A8ve&age=7".encode(), "application/x-www-form-urlencoded")
    assert response.json()["arguments"]["body"] == {"user": "élève", "age": 7}


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b'--x\r\nContent-Disposition: form-data; name="note"\r\n\r\n\xff\xfe\r\n--x--\r\n', "multipart/form-data; boundary=x"),
        (b"--x\r\n\r\n", "multipart/form-data"),
        (b"garbage\xff", "multipart/form-data; boundary=x"),
        (b'--x\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nno note\r\n--x--\r\n', "multipart/form-data; boundary=x"),
    ],
    ids=["text field not UTF-8", "no boundary", "garbage", "required field missing"],
)
def test_malformed_multipart_bodies_answer_422(safety: TestClient, body: bytes, content_type: str) -> None:
    assert_error_shape(send(safety, "POST", "/upload", body, content_type), 422)


def test_a_multipart_operation_refuses_json_with_415(safety: TestClient) -> None:
    assert_error_shape(send(safety, "POST", "/upload", b'{"note": "x"}', "application/json"), 415)


def nested_multipart(depth: int) -> tuple[bytes, str]:
    """A multipart body whose "note" part is a multipart body whose part is..., ``depth`` deep."""
    body = b"x"
    for level in range(depth):
        inner = f"multipart/mixed; boundary=b{level - 1}".encode()
        head = f'--b{level}\r\nContent-Disposition: form-data; name="note"\r\nContent-Type: '.encode() + inner
        body = head + b"\r\n\r\n" + body + f"\r\n--b{level}--\r\n".encode()
    return body, f"multipart/form-data; boundary=b{depth - 1}"


def test_nested_multipart_parts_are_data_at_any_depth(safety: TestClient) -> None:
    body, content_type = nested_multipart(3000)
    response = send(safety, "POST", "/upload", body, content_type)
    assert response.status_code == 200
    assert response.json()["arguments"]["body"]["note"].startswith("--b2998\r\n")


def test_many_multipart_parts_take_linear_time(safety: TestClient) -> None:
    """100,000 parts (5.7 MB) took 93 s with the standard library's email parser."""
    import time

    parts = b"".join(b'--x\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nv\r\n' % i for i in range(100_000))
    started = time.monotonic()
    response = send(safety, "POST", "/upload", parts + b'--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--x--\r\n', "multipart/form-data; boundary=x")
    assert response.status_code == 200 and response.json()["arguments"]["body"]["note"] == "hi"
    assert time.monotonic() - started < 30


def test_multipart_fields_named_again_are_a_list_and_files_stay_bytes(safety: TestClient) -> None:
    body = (
        b'preamble\r\n--x y\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n'
        b'--x y\r\ncontent-disposition: form-data; name=extra\r\n\r\n1\r\n'
        b'--x y\r\nContent-Disposition: form-data; name="extra"\r\n\r\n2\r\n'
        b'--x y\r\nContent-Disposition: form-data; name="file"; filename="a \\"b\\".bin"\r\n\r\n\x00\xff\r\n--x y--\r\nepilogue'
    )
    response = send(safety, "POST", "/upload", body, 'multipart/form-data; boundary="x y"')
    assert response.json()["arguments"]["body"] == {"note": "hi", "file": 2, "extra": ["1", "2"]}


@pytest.mark.parametrize("body, content_type", [(b'{"x": NaN}', "application/json"), (b"\xff\xfe", "application/octet-stream"), (b"[" * 100_000, "application/json")])
def test_a_body_on_an_operation_without_one_is_ignored(safety: TestClient, body: bytes, content_type: str) -> None:
    response = send(safety, "GET", "/pets/3", body, content_type)
    assert response.status_code == 200 and response.json()["arguments"]["pet_id"] == 3


@pytest.mark.parametrize(
    "path, headers, status",
    [
        ("/pets/notanumber", {}, 422),
        ("/pets/1?limit=%ff%fe", {}, 422),
        ("/pets/1?limit=" + "9" * 5000, {}, 422),
        ("/pets/1", {"X-Count": b"\xff\x80"}, 422),
        ("/pets/1", {"X-Count": "1e400"}, 422),
        ("/pets/1%2F2", {}, 422),  # one segment: the value "1/2", which is no integer
        ("/pets/%ff", {}, 422),
        ("/orders", {}, 405),
    ],
    ids=["path of the wrong type", "query not UTF-8", "query of 5000 digits", "header bytes", "header number out of range", "encoded slash", "path not UTF-8", "method"],
)
def test_hostile_parameters_answer_4xx_in_the_error_shape(safety: TestClient, path: str, headers: dict[str, Any], status: int) -> None:
    assert_error_shape(safety.get(path, headers=headers), status)


@pytest.fixture(scope="module")
def limited(safety: TestClient) -> TestClient:
    """The safety app with a body limit of 64 bytes."""
    import safety_server

    return TestClient(safety_server.create_app(echo_handlers(safety_server), max_body_size=64), raise_server_exceptions=False)


def chunks(body: bytes) -> Any:
    """A body sent in chunks without Content-Length."""
    yield from (body[i : i + 10] for i in range(0, len(body), 10))


@pytest.mark.parametrize(
    "path, body, headers",
    [
        ("/orders", b'{"item": "' + b"x" * 60 + b'"}', {"content-type": "application/json"}),
        ("/orders", chunks(b'{"item": "' + b"x" * 60 + b'"}'), {"content-type": "application/json"}),
        ("/orders", b'{"item": "x"}', {"content-type": "application/json", "content-length": str(10**30)}),
        ("/login", b"user=" + b"x" * 60, {"content-type": "application/x-www-form-urlencoded"}),
        ("/login", chunks(b"user=" + b"x" * 60), {"content-type": "application/x-www-form-urlencoded"}),
    ],
    ids=["JSON", "JSON in chunks", "Content-Length that lies", "form", "form in chunks"],
)
def test_a_body_over_the_limit_answers_413(limited: TestClient, path: str, body: Any, headers: dict[str, str]) -> None:
    error = assert_error_shape(limited.post(path, content=body, headers=headers), 413)
    assert error["message"] == "the body is larger than 64 bytes"


@pytest.mark.parametrize("path", ["/orders", "/login"])
def test_a_client_gone_before_the_whole_body_is_not_a_server_error(safety: TestClient, path: str) -> None:
    """Raw ASGI: the client disconnects after part of the body."""
    import asyncio

    import safety_server

    messages = [{"type": "http.request", "body": b"user=", "more_body": True}, {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    content_type = b"application/json" if path == "/orders" else b"application/x-www-form-urlencoded"
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http", "path": path,
             "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": [(b"content-type", content_type)],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    asyncio.run(safety_server.create_app(echo_handlers(safety_server))(scope, receive, send))
    assert sent[0]["status"] == 400


def test_a_body_at_the_limit_is_read(limited: TestClient) -> None:
    body = b'{"item": "' + b"x" * 52 + b'"}'
    assert len(body) == 64
    assert limited.post("/orders", content=chunks(body), headers={"content-type": "application/json"}).status_code == 200


def test_the_default_limit_is_10_mib(safety: TestClient) -> None:
    import safety_server

    assert safety_server.app.DEFAULT_MAX_BODY_SIZE == 10 * 1024 * 1024
    response = safety.put("/anything", content=b'"' + b"x" * (10 * 1024 * 1024 - 1) + b'"', headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "request_entity_too_large"


def test_repeated_query_selector_is_ambiguous_and_names_the_valid_values(seed_output: Path) -> None:
    from aws_cognito_server import create_app

    client = TestClient(create_app(mock=True))
    error = assert_error_shape(client.get("/?Action=GetId&Action=DeleteIdentities"), 400)
    assert error["error"] == "ambiguous_operation" and "Action" in error["message"]
    assert "Action=GetId" in error["valid"] and "Action=DeleteIdentities" in error["message"]
    assert client.get("/?Action=GetId&Action=GetId").status_code == 200


@pytest.mark.parametrize("values", [["Svc.Start", "Svc.Stop"], ["Svc.Start, Svc.Stop"], ["Svc.Nope"], []])
def test_header_selector_repeated_or_unknown_answers_400(safety: TestClient, values: list[str]) -> None:
    headers = [("x-amz-target", v) for v in values] + [("content-type", "application/json")]
    response = safety.post("/", content=b'{"item": "x"}', headers=headers)
    error = assert_error_shape(response, 400)
    assert error["valid"] == ["X-Amz-Target: Svc.Start", "X-Amz-Target: Svc.Stop"]
    assert error["error"] == ("ambiguous_operation" if len(values) == 2 else "unknown_operation")


def test_header_selector_chooses_the_operation(safety: TestClient) -> None:
    for target, operation in [("Svc.Start", "start"), ("Svc.Stop", "stop")]:
        response = safety.post("/", json={"item": "x"}, headers={"X-Amz-Target": target})
        assert response.json()["operation"] == operation


@pytest.mark.parametrize(
    "query, expected",
    [("", "list_items"), ("?Action=Count", "count_items"), ("?Action=Purge&Action=Purge", "purge_items")],
)
def test_a_path_with_a_fallback_serves_it_only_without_a_selector(safety: TestClient, query: str, expected: str) -> None:
    assert safety.get("/items" + query).json()["operation"] == expected


@pytest.mark.parametrize("query, error", [("?Action=Nope", "unknown_operation"), ("?Action=", "unknown_operation"), ("?Action=Count&Action=Purge", "ambiguous_operation")])
def test_a_path_with_a_fallback_refuses_an_unknown_or_ambiguous_selector(safety: TestClient, query: str, error: str) -> None:
    body = assert_error_shape(safety.get("/items" + query), 400)
    assert body["error"] == error and body["valid"] == ["Action=Count", "Action=Purge"]


SWEEP_SPECS = [SEED, "oas3/amazonaws.com__streams.dynamodb.json", "oas3/mineskin.org.json", "oas3/facecheck.id.json", "swagger2/APIs-guru__openapi-directory__authentiq.io_1.0_swagger.yaml"]


def request_parts(api: Any, op: Any) -> tuple[str, list[tuple[str, str]], dict[str, str], dict[str, str]]:
    """A request that reaches ``op``: path parameters filled, selector, credentials and required
    query and header parameters set."""
    headers = dict(op.fixed_headers)
    query = list(op.fixed_query)
    cookies: dict[str, str] = {}
    for scheme in op.security[0] if op.security else ():
        if scheme.kind in ("basic", "bearer"):
            headers["Authorization"] = "Basic eDp5" if scheme.kind == "basic" else "Bearer t"
        elif scheme.location == "query":
            query.append((scheme.param_name, "k"))
        else:
            (cookies if scheme.location == "cookie" else headers)[scheme.param_name] = "k"
    for p in op.parameters:
        if p.required and p.location in ("query", "header"):
            query.append((p.wire_name, "1")) if p.location == "query" else headers.setdefault(p.wire_name, "1")
    return api.base_path + re.sub(r"\{[^}]+\}", "1", op.path), query, headers, cookies


@pytest.mark.parametrize("spec", SWEEP_SPECS, ids=lambda s: Path(str(s)).stem)
def test_sweep_no_hostile_body_gets_a_server_error(spec: Any, tmp_path: Path) -> None:
    """Every hostile body to every operation, with mock answers and with echoing handlers (whose
    answers are no spec's: responses are not checked, requests are what is tested)."""
    path = Path(spec) if Path(spec).is_absolute() else CORPUS / spec
    if not Path(spec).is_absolute():
        require_corpus()
    api = generate_into(path, tmp_path / "out")
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if name.split(".")[0] == api.server_package}
    sys.path.insert(0, str(tmp_path / "out" / "server"))
    try:
        server = importlib.import_module(api.server_package)
        failures = []
        for app in (server.create_app(mock=True, validate_responses=False), server.create_app(echo_handlers(server), validate_responses=False)):
            client = TestClient(app, raise_server_exceptions=False)
            for op in api.operations:
                url, query, headers, cookies = request_parts(api, op)
                client.cookies = cookies
                for case, body, content_type in SWEEP_BODIES:
                    response = send(client, op.method, url, body, content_type, params=query, headers=headers)
                    # An error is JSON: the server's shape, or the error model the spec declares.
                    if response.status_code >= 500 or (response.status_code >= 400 and not isinstance(response.json(), dict)):
                        failures.append((op.py_name, case, response.status_code, response.text[:100]))
        assert not failures
    finally:
        sys.path.remove(str(tmp_path / "out" / "server"))
        for name in [m for m in sys.modules if m.split(".")[0] == api.server_package]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_selectors_of_any_characters_build_and_match(tmp_path: Path) -> None:
    """Selector values are spec text: one outside Latin-1 must not break ``create_app``."""
    spec = write_spec(
        tmp_path,
        "selectors.yaml",
        """
        openapi: 3.0.3
        info: {title: Selectors, version: "1"}
        paths:
          /#X-Target=日本:
            post: {operationId: japan, responses: {"200": {description: ok}}}
          /#X-Target=Café:
            post: {operationId: cafe, responses: {"200": {description: ok}}}
          /q?Action=日本:
            get: {operationId: query, responses: {"200": {description: ok}}}
        """,
    )
    assert run_stubforge("generate", spec, "--out", tmp_path / "out").returncode == 0
    sys.path.insert(0, str(tmp_path / "out" / "selectors" / "server"))
    try:
        import selectors_server

        client = TestClient(selectors_server.create_app(echo_handlers(selectors_server)))
    finally:
        sys.path.remove(str(tmp_path / "out" / "selectors" / "server"))
    assert client.post("/", headers=[("X-Target", "日本".encode())]).json()["operation"] == "japan"
    assert client.post("/", headers=[("X-Target", "Café".encode())]).json()["operation"] == "cafe"
    assert client.get("/q?Action=%E6%97%A5%E6%9C%AC").json()["operation"] == "query"
    assert assert_error_shape(client.post("/", headers=[("X-Target", b"\xff")]), 400)["valid"] == ["X-Target: 日本", "X-Target: Café"]


@pytest.fixture(scope="module")
def petstore() -> TestClient:
    """The committed Pet Store server in mock mode: ``/pets/{pet_id}`` has GET and DELETE."""
    sys.path.insert(0, str(GENERATED / "petstore" / "server"))
    import petstore_server

    return TestClient(petstore_server.create_app(mock=True), raise_server_exceptions=False)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "POST"])
def test_a_405_names_every_method_of_the_path_in_allow(petstore: TestClient, method: str) -> None:
    """Each operation is a route of its own: Starlette alone would name only the first's method."""
    answer = petstore.request(method, f"/v1/pets/{uuid.uuid4()}")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "DELETE, GET, OPTIONS"
    assert answer.json()["error"] == "method_not_allowed"


def test_options_on_a_path_answers_204_with_every_method_in_allow(petstore: TestClient) -> None:
    answer = petstore.options("/v1/pets")
    assert (answer.status_code, answer.headers["allow"], answer.content) == (204, "GET, OPTIONS, POST", b"")
