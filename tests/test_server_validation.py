"""The generated server enforces the spec both ways: requests are validated with every schema
constraint (422, located), a handler's answer is checked against the declared success response
(500 and a log record; ``validate_responses=False`` turns it off), and errors the server answers
itself take the error model the spec declares."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from conftest import generate_packages
from stubforge.model import Constraints

SPEC = """
openapi: 3.0.3
info: {title: Checks, version: "1"}
paths:
  /items/{code}:
    put:
      operationId: putItem
      parameters:
        - {name: code, in: path, required: true, schema: {type: string, pattern: "^[A-Z]{3}$"}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: ratio, in: query, schema: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true}}
        - {name: step, in: query, schema: {type: integer, multipleOf: 5}}
        - {name: small, in: query, schema: {type: integer, format: int32}}
        - {name: ids, in: query, schema: {type: array, items: {type: integer}, minItems: 1, maxItems: 3, uniqueItems: true}}
        - {name: X-Tag, in: header, schema: {type: string, minLength: 2, maxLength: 4}}
        - {name: session, in: cookie, schema: {type: string, pattern: "^s-"}}
        - {name: dry, in: query, schema: {type: boolean}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
      responses:
        '200':
          description: The item.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
  /forms:
    post:
      operationId: postForm
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                count: {type: integer, maximum: 10}
                name: {type: string, maxLength: 3}
      responses:
        '204': {description: Done.}
  /uploads:
    post:
      operationId: upload
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                title: {type: string, minLength: 2}
      responses:
        '204': {description: Done.}
  /guarded:
    get:
      operationId: guarded
      security: [{key: []}]
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
      responses:
        '200':
          description: A count.
          content:
            application/json:
              schema: {type: integer, minimum: 0}
        '401':
          description: No key.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Problem'}
        default:
          description: Anything else.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Problem'}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
  schemas:
    Item:
      type: object
      additionalProperties: false
      required: [name]
      properties:
        name: {type: string, maxLength: 5}
        email: {type: string, format: email}
        homepage: {type: string, format: uri}
        born: {type: string, format: date}
        at: {type: string, format: date-time}
        id: {type: string, format: uuid}
        count: {type: integer, format: int64}
        price: {type: string, format: decimal}
        size: {type: string, enum: [S, M, L]}
        tags: {type: array, items: {type: string}, uniqueItems: true, maxItems: 2}
        labels: {type: object, additionalProperties: {type: string}, minProperties: 1, maxProperties: 2}
        code: {type: string, pattern: "^(?!x)[a-z]+$"}
        inner: {$ref: '#/components/schemas/Inner'}
    Inner:
      type: object
      minProperties: 1
      properties:
        level: {type: integer, minimum: 0}
        kind: {type: string, enum: [a, b]}
        flag: {type: boolean}
    Problem:
      type: object
      required: [status, title]
      properties:
        status: {type: integer}
        title: {type: string}
        type: {type: string}
"""

ITEM = {
    "name": "Rex",
    "email": "rex@example.com",
    "homepage": "https://example.com/rex?x=1",
    "born": "2020-01-31",
    "at": "2020-01-31T12:00:00Z",
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "count": 2**40,
    "price": "12.50",
    "size": "M",
    "tags": ["a", "b"],
    "labels": {"k": "v"},
    "code": "abc",
    "inner": {"level": 0, "kind": "a"},
}
QUERY = {"limit": "100", "ratio": "0.5", "step": "10", "small": str(2**31 - 1), "ids": ["1", "2"], "dry": "false"}
HEADERS = {"X-Tag": "ab"}
COOKIES = {"session": "s-1"}


class Echo:
    """Handlers that answer ``putItem`` with its body (a valid answer) and the rest with what
    ``answers`` holds (to give a wrong one)."""

    def __init__(self, server: Any, answers: dict[str, Any] | None = None) -> None:
        self.server, self.answers = server, answers or {}

    def handlers(self) -> Any:
        answers = self.answers

        async def put_item(self: Any, **arguments: Any) -> Any:
            return answers.get("put_item", arguments["body"])

        async def guarded(self: Any, **arguments: Any) -> Any:
            return answers.get("guarded", 3)

        async def verify_key(self: Any, credential: str, request: Any) -> Any:
            return credential  # any key: these tests are about answers, not credentials

        methods = {"put_item": put_item, "guarded": guarded, "verify_key": verify_key}
        return type("Echo", (self.server.Handlers,), methods)()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    (checks_server,) = generate_packages(tmp_path_factory.mktemp("checks"), "checks", SPEC, ("server",))
    return checks_server


@pytest.fixture(scope="module")
def client(server: Any) -> TestClient:
    return TestClient(server.create_app(Echo(server).handlers()), raise_server_exceptions=False)


def put_item(client: TestClient, code: str = "ABC", query: Any = None, headers: Any = None, cookies: Any = None, body: Any = None) -> Any:
    client.cookies = COOKIES if cookies is None else cookies
    return client.put(f"/items/{code}", params=QUERY if query is None else query, headers=HEADERS if headers is None else headers, json=ITEM if body is None else body)


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with the value at ``path`` (keys joined by ``.``) replaced; the
    value ``...`` removes it."""
    result = copy.deepcopy(base)
    *parents, last = path.split(".")
    target = result
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return result


def assert_refused(response: Any, loc: list[Any]) -> None:
    assert response.status_code == 422, response.text
    assert loc in [problem["loc"] for problem in response.json()["detail"]], response.json()


def test_a_request_within_every_constraint_is_accepted_and_answered(client: TestClient) -> None:
    response = put_item(client)
    assert response.status_code == 200, response.text
    assert response.json() == ITEM


# (constraint, a body field path, a valid value, an invalid value)
BODY_CASES = [
    ("maxLength", "name", "Fido5", "Fido56"),
    ("format email", "email", "a.b@c.example", "not an address"),
    ("format uri", "homepage", "urn:isbn:0451450523", "no scheme here"),
    ("format date", "born", "2024-02-29", "2023-02-29"),
    ("format date-time", "at", "2020-01-31T12:00:00+02:00", "2020-01-31 noon"),
    ("format uuid", "id", "00000000-0000-0000-0000-000000000000", "3fa85f64"),
    ("format int64", "count", 2**63 - 1, 2**63),
    ("format decimal", "price", "-1.5e3", "12,50"),
    ("enum", "size", "L", "XL"),
    ("uniqueItems", "tags", ["a", "A"], ["a", "a"]),
    ("maxItems", "tags", [], ["a", "b", "c"]),
    ("minProperties of a map", "labels", {"a": "1", "b": "2"}, {}),
    ("maxProperties of a map", "labels", {"a": "1"}, {"a": "1", "b": "2", "c": "3"}),
    ("pattern with a look-ahead (Python's re)", "code", "yes", "xyz"),
    ("minimum of a nested field", "inner.level", 7, -1),
    ("enum of a nested field", "inner.kind", "b", "c"),
    ("minProperties of a model", "inner", {"kind": "a"}, {}),
    ("type, strictly: a string is no integer", "count", 12, "12"),
    ("type, strictly: a number is no string", "name", "12", 12),
    ("type, strictly: a string is no boolean", "inner.flag", True, "true"),
]


@pytest.mark.parametrize(("constraint", "path", "valid", "invalid"), BODY_CASES, ids=[case[0] for case in BODY_CASES])
def test_body_fields_are_checked_with_their_constraints(client: TestClient, constraint: str, path: str, valid: Any, invalid: Any) -> None:
    accepted = put_item(client, body=changed(ITEM, path, valid))
    assert accepted.status_code == 200, accepted.text
    refused = put_item(client, body=changed(ITEM, path, invalid))
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"][:2] == ["body", path.split(".")[0]]


def test_a_closed_model_refuses_properties_it_does_not_list(client: TestClient) -> None:
    assert_refused(put_item(client, body={**ITEM, "colour": "red"}), ["body", "colour"])


def test_an_open_model_keeps_properties_it_does_not_list(client: TestClient) -> None:
    response = put_item(client, body=changed(ITEM, "inner.extra", True))
    assert response.status_code == 200, response.text
    assert response.json()["inner"]["extra"] is True


# (constraint, where the parameter is, its name, a valid value, an invalid value)
PARAMETER_CASES = [
    ("pattern (path)", "path", "code", "XYZ", "XY1"),
    ("minimum", "query", "limit", "1", "0"),
    ("maximum", "query", "limit", "100", "101"),
    ("exclusiveMinimum", "query", "ratio", "0.001", "0"),
    ("exclusiveMaximum", "query", "ratio", "0.999", "1"),
    ("multipleOf", "query", "step", "15", "12"),
    ("format int32", "query", "small", str(-(2**31)), str(2**31)),
    ("minItems", "query", "ids", ["3"], []),
    ("maxItems", "query", "ids", ["1", "2", "3"], ["1", "2", "3", "4"]),
    ("uniqueItems", "query", "ids", ["1", "2"], ["2", "2"]),
    ("minLength (header)", "header", "X-Tag", "ab", "a"),
    ("maxLength (header)", "header", "X-Tag", "abcd", "abcde"),
    ("pattern (cookie)", "cookie", "session", "s-2", "t-2"),
    ("a boolean is true or false", "query", "dry", "true", "1"),
]


def parameter_request(client: TestClient, location: str, name: str, value: Any) -> Any:
    if location == "path":
        return put_item(client, code=value)
    if location == "query":
        return put_item(client, query={**QUERY, name: value} if value != [] else {k: v for k, v in QUERY.items() if k != name} | {name: value})
    if location == "header":
        return put_item(client, headers={**HEADERS, name: value})
    return put_item(client, cookies={**COOKIES, name: value})


@pytest.mark.parametrize(("constraint", "location", "name", "valid", "invalid"), PARAMETER_CASES, ids=[case[0] for case in PARAMETER_CASES])
def test_parameters_are_checked_with_their_constraints(client: TestClient, constraint: str, location: str, name: str, valid: Any, invalid: Any) -> None:
    accepted = parameter_request(client, location, name, valid)
    assert accepted.status_code == 200, accepted.text
    if invalid == []:
        # An exploded array with no item is no parameter at all: an optional one is absent.
        assert parameter_request(client, location, name, invalid).status_code == 200
        return
    refused = parameter_request(client, location, name, invalid)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"][:2] == [location, name]


def test_parameters_are_text_and_are_parsed(client: TestClient) -> None:
    """Query values are text: "7" is the integer 7 there (unlike in a JSON body)."""
    assert put_item(client, query={**QUERY, "limit": "7"}).status_code == 200
    assert_refused(put_item(client, query={**QUERY, "limit": "seven"}), ["query", "limit"])


@pytest.mark.parametrize(("fields", "valid"), [({"count": "10", "name": "abc"}, True), ({"count": "11"}, False), ({"name": "abcd"}, False)])
def test_form_fields_are_checked_with_their_constraints(client: TestClient, fields: dict[str, str], valid: bool) -> None:
    response = client.post("/forms", data=fields)
    assert response.status_code == (501 if valid else 422), response.text


@pytest.mark.parametrize(("title", "valid"), [("ok", True), ("x", False)])
def test_multipart_fields_are_checked_with_their_constraints(client: TestClient, title: str, valid: bool) -> None:
    response = client.post("/uploads", files={"title": (None, title)})
    assert response.status_code == (501 if valid else 422), response.text


def test_a_pattern_python_would_backtrack_over_is_not_run_by_python() -> None:
    """Patterns pydantic's linear Rust engine refuses (look-arounds) fall back to Python's
    ``re`` only when no repetition nests a repetition, an alternation or a back reference."""
    assert Constraints(pattern="^(?!x)[a-z]+$").backtracking_safe
    assert not Constraints(pattern="^(?!x)(a+)+$").backtracking_safe
    assert not Constraints(pattern="^(?=a)(a|aa)*$").backtracking_safe


def wrong_answer_client(server: Any, **options: Any) -> TestClient:
    handlers = Echo(server, {"put_item": {**ITEM, "name": "far too long"}, "guarded": -1}).handlers()
    return TestClient(server.create_app(handlers, **options), raise_server_exceptions=False)


@pytest.mark.parametrize(("path", "location"), [("/items/ABC", "/name"), ("/guarded", "at /: Input should be greater than or equal to 0")])
def test_an_answer_that_breaks_the_spec_answers_500_and_is_logged(server: Any, caplog: pytest.LogCaptureFixture, path: str, location: str) -> None:
    client = wrong_answer_client(server)
    client.cookies = COOKIES
    with caplog.at_level(logging.ERROR, logger="checks_server.app"):
        if path == "/guarded":
            response = client.get(path, headers={"X-Key": "k"})
        else:
            response = client.put(path, params=QUERY, headers=HEADERS, json=ITEM)
    assert response.status_code == 500, response.text
    records = [r.getMessage() for r in caplog.records if r.name == "checks_server.app"]
    operation = "guarded" if path == "/guarded" else "put_item"
    assert len(records) == 1 and f"operation {operation}:" in records[0] and location in records[0], records


def test_answers_are_not_checked_when_the_switch_is_off(server: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = wrong_answer_client(server, validate_responses=False)
    with caplog.at_level(logging.ERROR, logger="checks_server.app"):
        response = client.get("/guarded", headers={"X-Key": "k"})
    assert response.status_code == 200 and response.json() == -1
    assert not [r for r in caplog.records if r.name == "checks_server.app"]


def test_a_response_object_is_sent_unchecked(server: Any) -> None:
    handlers = Echo(server, {"guarded": JSONResponse({"anything": True}, status_code=202)}).handlers()
    response = TestClient(server.create_app(handlers)).get("/guarded", headers={"X-Key": "k"})
    assert response.status_code == 202 and response.json() == {"anything": True}


def test_errors_take_the_error_model_the_spec_declares(client: TestClient) -> None:
    """``guarded`` declares a Problem for 401 and as its default: the server fills it (the
    message in ``title``, the status in ``status``, the kind of error in ``type``)."""
    missing_key = client.get("/guarded")
    assert missing_key.status_code == 401
    assert missing_key.json() == {"status": 401, "title": "this operation needs credentials", "type": "unauthenticated", "operation": "guarded"}
    invalid = client.get("/guarded", params={"page": "0"}, headers={"X-Key": "k"})
    assert invalid.status_code == 422
    assert invalid.json()["status"] == 422 and invalid.json()["type"] == "invalid_request"
    assert invalid.json()["title"] == "query.page: Input should be greater than or equal to 1"


def test_an_unknown_path_answers_in_the_model_the_operations_declare_for_404(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert {key: response.json()[key] for key in ("status", "title", "type")} == {"status": 404, "title": "Not Found", "type": "not_found"}


def test_errors_keep_the_servers_shape_where_the_spec_declares_none(client: TestClient) -> None:
    response = put_item(client, code="no")
    assert response.status_code == 422
    assert set(response.json()) == {"error", "message", "detail"}


def test_the_published_document_describes_the_errors_as_answered(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    guarded = document["paths"]["/guarded"]["get"]["responses"]
    problem = {"$ref": "#/components/schemas/Problem"}
    assert guarded["401"]["content"]["application/json"]["schema"] == problem
    assert guarded["422"]["content"]["application/json"]["schema"] == problem
    put = document["paths"]["/items/{code}"]["put"]["responses"]
    assert put["422"]["content"]["application/json"]["schema"]["properties"].keys() == {"error", "message"}
    price = document["components"]["schemas"]["Item"]["properties"]["price"]
    assert price["pattern"].startswith("^[+-]?")


SHARED_PATH = """
openapi: 3.0.3
info: {title: Shared, version: "1"}
paths:
  /?Action=Add:
    post:
      operationId: add
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [a], properties: {a: {type: integer}}}
      responses:
        '204': {description: Done.}
  /?Action=Remove:
    post:
      operationId: remove
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {r: {type: string}}}
      responses:
        '204': {description: Done.}
"""


def test_the_published_document_describes_the_bodies_of_operations_that_share_a_path(tmp_path: Path) -> None:
    (shared_server,) = generate_packages(tmp_path, "shared", SHARED_PATH, ("server",))
    document = TestClient(shared_server.create_app()).get("/openapi.json").json()
    body = document["paths"]["/"]["post"]["requestBody"]
    assert body["required"] is False  # Remove's body is optional
    schemas = body["content"]["application/json"]["schema"]["anyOf"]
    models = [document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]] for schema in schemas]
    assert [sorted(model["properties"]) for model in models] == [["a"], ["r"]]


def test_the_command_line_turns_the_answer_check_off_with_a_flag(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import uvicorn

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    command = importlib.import_module(server.__name__ + ".__main__")
    command.main(["--mock"])
    command.main(["--mock", "--no-validate-responses"])
    assert [app.validate_responses for app in served] == [True, False]


NULLS = """
openapi: 3.1.0
info: {title: Nulls, version: "1"}
paths:
  /settings:
    post:
      operationId: putSettings
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Settings'}
      responses:
        '204': {description: Done.}
  /notes:
    post:
      operationId: putNote
      requestBody:
        content:
          application/json:
            schema:
              oneOf: [{$ref: '#/components/schemas/Settings'}, {type: 'null'}]
      responses:
        '204': {description: Done.}
components:
  schemas:
    Settings:
      type: object
      properties:
        drop-pending: {type: boolean}
        note: {type: [string, 'null']}
        level: {oneOf: [{type: integer}, {type: 'null'}]}
        anything: {}
        inner: {$ref: '#/components/schemas/Inner'}
    Inner:
      type: object
      properties:
        flag: {type: boolean}
"""


@pytest.fixture(scope="module")
def nulls_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    (nulls_server,) = generate_packages(tmp_path_factory.mktemp("nulls"), "nulls", NULLS, ("server",))
    return TestClient(nulls_server.create_app(), raise_server_exceptions=False)


@pytest.mark.parametrize("body, loc", [({"drop-pending": None}, ["body", "drop-pending"]), ({"inner": None}, ["body", "inner"]), ({"inner": {"flag": None}}, ["body", "inner", "flag"])])
def test_an_optional_field_that_is_not_nullable_refuses_null(nulls_client: TestClient, body: Any, loc: list[Any]) -> None:
    assert_refused(nulls_client.post("/settings", json=body), loc)


@pytest.mark.parametrize("body", [{}, {"inner": {}}, {"note": None, "level": None, "anything": None}, {"drop-pending": True, "inner": {"flag": False}}])
def test_absent_fields_and_nullable_fields_set_to_null_are_accepted(nulls_client: TestClient, body: Any) -> None:
    assert nulls_client.post("/settings", json=body).status_code == 501  # valid, then not implemented


def test_an_optional_body_is_refused_as_null_unless_its_type_is_nullable(nulls_client: TestClient) -> None:
    headers = {"Content-Type": "application/json"}
    assert nulls_client.post("/settings").status_code == 501  # left out
    assert_refused(nulls_client.post("/settings", content=b"null", headers=headers), ["body"])
    assert nulls_client.post("/notes", content=b"null", headers=headers).status_code == 501
    assert nulls_client.post("/notes").status_code == 501


def test_an_answer_with_null_in_a_field_that_is_not_nullable_answers_500(server: Any, caplog: pytest.LogCaptureFixture) -> None:
    handlers = Echo(server, {"put_item": {**ITEM, "inner": {"flag": None}}}).handlers()
    client = TestClient(server.create_app(handlers), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="checks_server.app"):
        response = put_item(client)
    assert response.status_code == 500, response.text
    assert any("at /inner/flag: Value error, the value is not nullable" in r.getMessage() for r in caplog.records), caplog.records


BOUNDED_INT64 = """
swagger: "2.0"
info: {title: Bounded, version: "1"}
paths:
  /audits/{id}:
    put:
      operationId: putAudit
      parameters:
        - {name: id, in: path, required: true, type: integer, format: int64, minimum: 1}
        - {name: limit, in: query, type: integer, format: int32, maximum: 50}
        - {name: body, in: body, schema: {$ref: "#/definitions/Audit"}}
      responses: {"200": {description: ok, schema: {type: string}}}
definitions:
  Audit:
    type: object
    properties:
      level: {type: integer, format: int64, minimum: 1}
"""


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/audits/5?limit=50", {"level": 1}, 200),
        ("/audits/0", {}, 422),  # the spec's minimum, not int64's
        ("/audits/99999999999999999999", {}, 422),  # int64's maximum still holds
        ("/audits/5?limit=51", {}, 422),
        ("/audits/5", {"level": 0}, 422),
    ],
)
def test_the_spec_bounds_of_an_int32_or_int64_value_narrow_the_formats_range(tmp_path: Path, path: str, body: Any, status: int) -> None:
    (server,) = generate_packages(tmp_path, "bounded", BOUNDED_INT64, ("server",))
    client = TestClient(server.create_app(mock=True))
    assert client.put(path, json=body).status_code == status
