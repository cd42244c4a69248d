"""Mock mode: the spec's examples first, else complete data within every constraint; every
declared status on request (``Prefer``); requests still validated; ``stubforge mock``."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from conftest import CORPUS, ROOT, SEED, free_port, generate_packages, require_corpus, snapshot, write_spec
from stubforge.mockdata import MockData, pattern_strings
from stubforge.model import Constraints, TypeInfo
from stubforge.pipeline import build_model

EXAMPLES_SPEC = """
openapi: 3.0.3
info: {title: Zoo, version: "1.0"}
components:
  schemas:
    Animal:
      type: object
      required: [name, legs]
      properties:
        name: {type: string}
        legs: {type: integer, minimum: 0, example: -1}
        nickname: {type: string, example: Whiskers}
  examples:
    Bird: {value: {name: Tweety, legs: 2}}
paths:
  /animals/{id}:
    get:
      operationId: getAnimal
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}, example: 42}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Animal"}
              examples:
                cat: {value: {name: Tom, legs: 4}}
                broken: {value: {name: Nemo}}
                bird: {$ref: "#/components/examples/Bird"}
        "404":
          description: missing
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties: {message: {type: string}}
              example: {message: no such animal}
  /animals:
    get:
      operationId: listAnimals
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Animal"}}
  /animals/broken:
    get:
      operationId: brokenExample
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Animal"}
              example: {name: Nemo, legs: fins}
"""

@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    (server,) = generate_packages(tmp_path_factory.mktemp("zoo"), "mock_zoo", EXAMPLES_SPEC, ("server",))
    return TestClient(server.create_app(mock=True))


def test_the_first_named_example_is_the_default_answer(zoo: TestClient) -> None:
    answer = zoo.get("/animals/1")
    assert answer.status_code == 200
    assert answer.json() == {"name": "Tom", "legs": 4}


def test_prefer_example_picks_a_named_example_even_through_a_ref(zoo: TestClient) -> None:
    assert zoo.get("/animals/1", headers={"Prefer": "example=bird"}).json() == {"name": "Tweety", "legs": 2}


def test_an_unknown_example_name_answers_400_listing_the_names(zoo: TestClient) -> None:
    answer = zoo.get("/animals/1", headers={"Prefer": "example=dog"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "unknown_mock_example"
    assert answer.json()["valid"] == ["cat", "bird"], "the example that does not fit is not served"


def test_an_example_that_does_not_fit_its_schema_is_skipped_with_a_located_warning(tmp_path: Path) -> None:
    api = build_model(write_spec(tmp_path, "zoo.yaml", EXAMPLES_SPEC))
    warnings = {d.pointer: d.message for d in api.diagnostics}
    broken = "/paths/~1animals~1{id}/get/responses/200/content/application~1json/examples/broken"
    assert "lacks the required property 'legs'" in warnings[broken]
    assert "not a number" in warnings["/paths/~1animals~1broken/get/responses/200/content/application~1json/example"]
    assert "below the minimum 0" in warnings["/components/schemas/Animal/properties/legs"], "a schema's example too"


def test_without_a_fitting_example_the_answer_is_made_from_the_schema(zoo: TestClient) -> None:
    made = zoo.get("/animals/broken").json()
    assert made == {"name": "string", "legs": 0, "nickname": "Whiskers"}, "optional properties too; the examples that fit"


def test_prefer_code_answers_another_declared_status_with_its_example(zoo: TestClient) -> None:
    answer = zoo.get("/animals/1", headers={"Prefer": "code=404"})
    assert answer.status_code == 404
    assert answer.json() == {"message": "no such animal"}


def test_parameter_examples_reach_the_docs_call_example(tmp_path: Path) -> None:
    api = build_model(write_spec(tmp_path, "zoo.yaml", EXAMPLES_SPEC))
    op = next(op for op in api.operations if op.py_name == "get_animal")
    assert "/animals/42" in op.example.curl


SWAGGER2_SPEC = """
swagger: "2.0"
info: {title: Shop, version: "1.0"}
produces: [application/json]
paths:
  /items/{sku}:
    get:
      operationId: getItem
      parameters:
        - {name: sku, in: path, required: true, type: string, pattern: "^[A-Z]{3}[0-9]{2}$", x-example: ABC12}
      responses:
        "200":
          description: ok
          schema:
            type: object
            required: [sku, price]
            properties:
              sku: {type: string}
              price: {type: number, minimum: 0}
          examples:
            application/json: {sku: ABC12, price: 9.5}
"""


def test_swagger2_response_examples_are_answered_and_named_by_media_type(tmp_path: Path) -> None:
    (server,) = generate_packages(tmp_path, "mock_shop", SWAGGER2_SPEC, ("server",))
    client = TestClient(server.create_app(mock=True))
    assert client.get("/items/ABC12").json() == {"sku": "ABC12", "price": 9.5}
    named = client.get("/items/ABC12", headers={"Prefer": "example=application/json"})
    assert named.json() == {"sku": "ABC12", "price": 9.5}
    api = build_model(write_spec(tmp_path, "shop.yaml", SWAGGER2_SPEC))
    assert "/items/ABC12" in api.operations[0].example.curl, "x-example"


# -- complete data within every constraint ---------------------------------------------------

CONSTRAINED = {
    "bounded": {"type": "integer", "minimum": 5, "exclusiveMinimum": True, "maximum": 9},
    "negative": {"type": "integer", "maximum": -3},
    "multiple": {"type": "integer", "minimum": 10, "multipleOf": 7},
    "fraction": {"type": "number", "minimum": 0.3, "multipleOf": 0.25},
    "narrow": {"type": "number", "minimum": 0.1, "maximum": 0.2, "exclusiveMaximum": True},
    "int32": {"type": "integer", "format": "int32", "minimum": -5},
    "exact_length": {"type": "string", "minLength": 12, "maxLength": 12},
    "short": {"type": "string", "maxLength": 3},
    "code": {"type": "string", "pattern": "^[A-Z]{2}-\\d{3}$"},
    "long_word": {"type": "string", "pattern": "^[a-z]+$", "minLength": 9},
    "choice": {"type": "string", "pattern": "^(red|green)(/[0-9a-f]{4})?$"},
    "unique": {"type": "array", "items": {"type": "integer", "enum": [1, 2, 3]}, "minItems": 3, "uniqueItems": True},
    "capped": {"type": "array", "items": {"type": "string"}, "maxItems": 0},
    "labels": {"type": "object", "additionalProperties": {"type": "string", "minLength": 2}, "minProperties": 2, "maxProperties": 3},
    "color": {"type": "string", "enum": ["blue", "red"]},
    "day": {"type": "string", "format": "date"},
    "when": {"type": "string", "format": "date-time"},
    "uid": {"type": "string", "format": "uuid"},
    "mail": {"type": "string", "format": "email"},
    "site": {"type": "string", "format": "uri"},
    "address": {"type": "string", "format": "ipv4"},
    "closed": {
        "type": "object",
        "additionalProperties": False,
        "maxProperties": 2,
        "required": ["a"],
        "properties": {"a": {"type": "boolean"}, "b": {"type": "string"}, "c": {"type": "string"}},
    },
    "open": {"type": "object", "minProperties": 3, "properties": {"only": {"type": "string"}}},
    "tree": {"$ref": "#/components/schemas/Node"},
}


def constrained_spec() -> str:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Constrained", "version": "1"},
        "components": {
            "schemas": {
                "Everything": {"type": "object", "properties": CONSTRAINED},
                "Node": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
                },
            }
        },
        "paths": {
            "/everything": {
                "get": {
                    "operationId": "getEverything",
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Everything"}}}}},
                }
            }
        },
    }
    return json.dumps(document)


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mock's answer for a model with one property per constraint kind, and the OpenAPI
    document the server publishes."""
    (server,) = generate_packages(tmp_path_factory.mktemp("constrained"), "mock_constrained", constrained_spec(), ("server",))
    client = TestClient(server.create_app(mock=True))
    answer = client.get("/everything")
    assert answer.status_code == 200
    return answer.json(), client.get("/openapi.json").json()


def published_validator(document: dict[str, Any], schema: dict[str, Any]) -> OAS30Validator:
    return OAS30Validator({**schema, "components": document["components"]}, format_checker=oas30_format_checker)


def test_generated_data_fills_every_property_optional_ones_too(everything: tuple[dict[str, Any], dict[str, Any]]) -> None:
    data, _ = everything
    assert set(data) == set(CONSTRAINED)


@pytest.mark.parametrize("name", sorted(CONSTRAINED))
def test_generated_data_respects_the_published_constraints(name: str, everything: tuple[dict[str, Any], dict[str, Any]]) -> None:
    data, document = everything
    schema = document["components"]["schemas"]["Everything"]["properties"][name]
    errors = [e.message for e in published_validator(document, schema).iter_errors(data[name])]
    assert not errors, (name, data[name], errors)


def test_the_published_schema_would_catch_a_broken_value(everything: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The check above can fail: the validator reads the constraints the server publishes."""
    _, document = everything
    schema = document["components"]["schemas"]["Everything"]["properties"]["code"]
    assert list(published_validator(document, schema).iter_errors("string"))


def test_a_recursive_model_is_filled_a_bounded_number_of_levels(everything: tuple[dict[str, Any], dict[str, Any]]) -> None:
    tree = everything[0]["tree"]
    assert tree["children"][0] == {"name": "string"}, "a model already being filled gets its required properties only"


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Z]{3}-\d{4}$",
        r"^(foo|bar)+x?$",
        r"[^abc]+",
        r"^\w+@\w+\.com$",
        r"^(?!bad).{5,10}$",
        r"^([a-z])\1$",
        r"^\S+\s\S+$",
        r"(?s)^a.b$",
        r"(?i)^[^a-z]x[^X]$",
        r"(?i:AB)c[^c]",
        r"(?m)^key$\n^[0-9]+$",
        r"(?m:^a$)\s?b$",
        r"(?ms)\s*^-----BEGIN (?-s:.*)PRIVATE KEY-----$.*?^-----END (?-s:.*)PRIVATE KEY-----$\s*",
    ],
)
def test_strings_are_made_to_match_a_pattern(pattern: str) -> None:
    made = pattern_strings(pattern)
    assert made and all(re.search(pattern, text) for text in made), made


def test_no_string_is_made_for_a_pattern_no_string_matches() -> None:
    """OpsWorks CM's escaped flags: a ``^`` (start of text) after literal text."""
    assert pattern_strings(r"\(\?ms\)\s*^-----BEGIN") == []


@pytest.mark.parametrize(
    ("pattern", "min_length", "max_length"),
    [("[a-f0-9]+", 40, 40), ("^arn:aws:gamesparks:", 20, 2048), (r"^\d+$", 12, 12), ("^[a-z]{3}$", 3, None)],
)
def test_a_string_matches_its_pattern_and_its_length_bounds_together(pattern: str, min_length: int, max_length: int | None) -> None:
    constraints = Constraints(pattern=pattern, min_length=min_length, max_length=max_length)
    made = MockData({}).value(TypeInfo("string", constraints=constraints))
    assert re.search(pattern, made) and min_length <= len(made) <= (max_length or len(made)), made


# -- every declared status, with its media type ------------------------------------------------

STATUSES_SPEC = """
openapi: 3.0.3
info: {title: Statuses, version: "1.0"}
paths:
  /things/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
    get:
      operationId: getThing
      responses:
        "200":
          description: ok
          headers:
            X-Expires: {schema: {type: string, format: date-time}}
            X-Tags: {schema: {type: array, items: {type: integer}}}
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}}}
        "5XX":
          description: trouble
          content:
            application/problem+json:
              schema: {type: object, properties: {title: {type: string, example: Unavailable}}}
    delete:
      operationId: deleteThing
      responses:
        "204": {description: gone}
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string, minLength: 1}}}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}}}
        default:
          description: error
          content:
            application/json:
              schema: {type: object, properties: {error: {type: string}}}
  /page:
    get:
      operationId: getPage
      responses:
        "200":
          description: a page
          content:
            text/html:
              schema: {type: string}
              example: <p>hello</p>
  /file:
    get:
      operationId: getFile
      responses:
        "200":
          description: bytes
          content:
            application/octet-stream:
              schema: {type: string, format: binary}
"""


@pytest.fixture(scope="module")
def statuses(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    (server,) = generate_packages(tmp_path_factory.mktemp("statuses"), "mock_statuses", STATUSES_SPEC, ("server",))
    return TestClient(server.create_app(mock=True))


def test_the_default_answer_is_the_success_status(statuses: TestClient) -> None:
    answer = statuses.get("/things/1")
    assert answer.status_code == 200
    assert (answer.headers["x-expires"], answer.headers["x-tags"]) == ("2024-01-31T12:00:00Z", "0"), "declared headers"
    assert statuses.post("/things", json={"name": "x"}).status_code == 201
    gone = statuses.delete("/things/1")
    assert gone.status_code == 204 and gone.content == b""


def test_prefer_code_within_a_declared_range_or_default(statuses: TestClient) -> None:
    answer = statuses.get("/things/1", headers={"Prefer": "code=503"})
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {"title": "Unavailable"}
    other = statuses.post("/things", json={"name": "x"}, headers={"Prefer": "code=409"})
    assert other.status_code == 409 and other.json() == {"error": "string"}


@pytest.mark.parametrize("code", ["404", "abc", "700"])
def test_an_undeclared_code_answers_400_listing_the_declared_statuses(statuses: TestClient, code: str) -> None:
    answer = statuses.get("/things/1", headers={"Prefer": f"code={code}"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "unknown_mock_code"
    assert answer.json()["valid"] == ["200", "5XX"]


def test_text_and_binary_answers_carry_their_media_type(statuses: TestClient) -> None:
    page = statuses.get("/page")
    assert page.headers["content-type"].startswith("text/html")
    assert page.text == "<p>hello</p>"
    file = statuses.get("/file")
    assert file.headers["content-type"] == "application/octet-stream"
    assert file.content == b"string"


def test_requests_are_validated_in_mock_mode(statuses: TestClient) -> None:
    assert statuses.get("/things/one").status_code == 422
    assert statuses.post("/things", json={}).status_code == 422, "name is required"
    assert statuses.post("/things", content=b"{", headers={"Content-Type": "application/json"}).status_code == 422
    assert statuses.get("/things/1", headers={"Prefer": "code=404"}).status_code == 400, "only after validation"
    assert statuses.get("/things/one", headers={"Prefer": "code=503"}).status_code == 422


# -- stubforge mock ---------------------------------------------------------------------------


def test_stubforge_mock_serves_the_seed_from_memory(tmp_path: Path) -> None:
    port = free_port()
    before = snapshot(ROOT / "generated")
    process = subprocess.Popen(
        [sys.executable, "-m", "stubforge", "mock", str(SEED), "--port", str(port), "--host", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/?Action=GetId&IdentityPoolId=x", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read() if process.stderr else ""
                time.sleep(0.1)
        assert answer.status_code == 200
        unknown = httpx.get(f"http://127.0.0.1:{port}/?Action=Nope", timeout=5)
        assert unknown.status_code == 400 and "Action=GetId" in unknown.json()["valid"]
        refused = httpx.get(f"http://127.0.0.1:{port}/?Action=GetId", headers={"Prefer": "code=404"}, timeout=5)
        assert refused.json()["valid"] == ["200"]
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=15)
    assert f"at http://127.0.0.1:{port} " in out.splitlines()[0]
    assert any(line.split() == ["GET", "/?Action=GetId", "(get_id)"] for line in out.splitlines())
    assert list(tmp_path.iterdir()) == [] and snapshot(ROOT / "generated") == before, "nothing written"


def test_stubforge_mock_refuses_a_bad_spec_with_located_diagnostics(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "bad.yaml", "openapi: 3.0.3\ninfo: {title: Bad, version: '1'}\npaths:\n  /a:\n    get:\n      responses: [\n")
    result = subprocess.run([sys.executable, "-m", "stubforge", "mock", str(spec), "--port", str(free_port())], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 1
    assert f"{spec}:" in result.stderr and "error" in result.stderr


# -- a real spec -------------------------------------------------------------------------------


def test_airflow_mock_answers_are_complete_and_valid() -> None:
    """Every default answer of Airflow's spec fits the schema the server publishes, and none
    holds an empty object (before: 47 of 73 did, ``[{}]`` for lists of models)."""
    require_corpus()
    from stubforge.render import mock_responses
    from stubforge.server_openapi import server_openapi

    api = build_model(CORPUS / "oas3" / "apache.org__airflow.json")
    mock, document = mock_responses(api), server_openapi(api)
    hollow = []
    for op in api.operations:
        entry = mock["operations"][op.py_name]
        answer = entry["answers"][entry["response"]]
        if answer["kind"] != "json":
            continue
        body = mock["bodies"][answer["examples"][0][1]]
        schema = op.success.type.json_schema if op.success and op.success.type else {}
        errors = [e.message for e in published_validator(document, schema).iter_errors(body)]
        assert not errors, (op.py_name, errors[:3])
        if "{}" in json.dumps(body):
            hollow.append(op.py_name)
    assert hollow == []


def test_examples_that_do_not_fit_are_named_up_to_twenty_then_counted(tmp_path: Path) -> None:
    properties = {f"p{i}": {"type": "integer", "example": "text"} for i in range(25)}
    document = {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}, "components": {"schemas": {"Many": {"type": "object", "properties": properties}}}}
    api = build_model(write_spec(tmp_path, "many.json", json.dumps(document)))
    named = [d for d in api.diagnostics if d.message.startswith("example does not fit")]
    assert len(named) == 20
    assert any(d.message == "5 more examples do not fit their schema; not used" for d in api.diagnostics)


HOSTILE_SPEC = """
openapi: 3.0.3
info: {title: Hostile, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200":
          description: ok
          headers:
            "Bad Header\\r\\nX-Injected": {schema: {type: string}}
          content:
            application/json:
              schema: {}
              examples:
                endless: {value: {a: .inf, b: .nan}}
                fine: {value: {a: 1}}
  /b:
    get:
      operationId: getB
      responses:
        "200":
          description: ok
          content:
            "text/plain\\r\\nX-Injected: 1": {schema: {type: string}}
"""


def test_examples_json_cannot_carry_are_skipped_and_spec_text_sent_as_headers_must_be_header_text(tmp_path: Path) -> None:
    (server,) = generate_packages(tmp_path, "mock_hostile", HOSTILE_SPEC, ("server",))
    answer = TestClient(server.create_app(mock=True)).get("/a")
    assert answer.json() == {"a": 1}, "YAML's .inf and .nan are no JSON"
    assert not any("injected" in name.lower() or " " in name for name in answer.headers)
    text = TestClient(server.create_app(mock=True)).get("/b")
    assert text.status_code == 200 and text.text == "string"
    assert "x-injected" not in text.headers, "a media type that is no header value is not sent"
