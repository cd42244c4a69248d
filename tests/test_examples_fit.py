"""The docs' example values fit what the server accepts: strings made for patterns with inline
flags match them, an optional property no value fits is left out, a path parameter's example
is never an empty segment; the docs' example call, run by the generated client against the
generated mock, succeeds. And the server splits one segment of two placeholders
(``{id}{.format}``) where the first is an integer."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import generate_packages, write_spec
from stubforge.model import Api, Operation
from stubforge.pipeline import build_model

#: A PEM private key, as AWS OpsWorks CM writes it (Java's inline flags, ``^``/``$`` at lines).
PRIVATE_KEY = r"(?ms)\s*^-----BEGIN (?-s:.*)PRIVATE KEY-----$.*?^-----END (?-s:.*)PRIVATE KEY-----$\s*"
#: The same pattern as OpsWorks CM's OpenAPI copy has it: the flags escaped into literal text,
#: which puts a ``^`` (start of text, no MULTILINE) after text. No string matches it.
ESCAPED_KEY = r"\(\?ms\)\s*^-----BEGIN \(\?-s:.*\)PRIVATE KEY-----$"

SPEC = """
openapi: 3.0.3
info: {title: Keys, version: "1.0"}
components:
  schemas:
    Key:
      type: object
      required: [engine, privateKey]
      properties:
        engine: {type: string, pattern: '(?i)^chef|puppet$'}
        privateKey: {type: string, pattern: '%(private)s'}
        customKey: {type: string, pattern: '%(escaped)s'}
        label: {type: string, pattern: '(?m)^[a-z]+$\\n^[0-9]+$'}
paths:
  /keys/{kind}/{name}/{page}:
    put:
      operationId: putKey
      parameters:
        - {name: kind, in: path, required: true, schema: {type: string, enum: ["", pem, der]}}
        - {name: name, in: path, required: true, schema: {type: string}, example: ""}
        - {name: page, in: path, required: true, schema: {type: integer}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Key"}
      responses:
        "200":
          description: stored
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Key"}
""" % {"private": PRIVATE_KEY.replace("'", "''"), "escaped": ESCAPED_KEY}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Api:
    return build_model(write_spec(tmp_path_factory.mktemp("keys"), "keys.yaml", SPEC))


def put_key(api: Api) -> Operation:
    return next(op for op in api.operations if op.py_name == "put_key")


def test_request_examples_match_patterns_with_inline_flags(api: Api) -> None:
    body = put_key(api).body
    assert body is not None
    assert re.search(PRIVATE_KEY, body.example["privateKey"]), body.example
    assert re.search(r"(?i)^chef|puppet$", body.example["engine"])
    assert re.search(r"(?m)^[a-z]+$\n^[0-9]+$", body.example["label"]), "a MULTILINE $ and ^ need a line break"


def test_an_optional_property_no_string_matches_is_left_out_with_a_warning(api: Api) -> None:
    body = put_key(api).body
    assert body is not None
    assert "customKey" not in body.example
    assert not re.search(ESCAPED_KEY, "(?ms)\n-----BEGIN (?-s:a)PRIVATE KEY-----"), "no string matches it indeed"
    messages = {d.pointer: d.message for d in api.diagnostics}
    assert "made values leave it out" in messages["/components/schemas/Key/properties/customKey"]


def test_a_path_parameters_example_is_not_an_empty_segment(api: Api) -> None:
    op = put_key(api)
    examples = {p.wire_name: p.example for p in op.parameters}
    assert examples["kind"] == "pem", "the first enum value that is not empty"
    assert isinstance(examples["name"], str) and examples["name"], "a string example that is empty is passed over"
    assert "/keys/pem/" in op.example.curl and "//" not in op.example.curl.split("://", 1)[1]


def test_an_empty_enum_value_stays_the_example_of_a_query_parameter(tmp_path: Path) -> None:
    spec = SPEC.replace("in: path, required: true, schema: {type: string, enum", "in: query, required: true, schema: {type: string, enum")
    spec = spec.replace("/keys/{kind}/", "/keys/")
    op = put_key(build_model(write_spec(tmp_path, "keys.yaml", spec)))
    assert {p.wire_name: p.example for p in op.parameters}["kind"] == "", "only a path segment may not be empty"


def test_the_docs_example_call_runs_against_the_mock(tmp_path: Path, api: Api) -> None:
    client_package, server_package = generate_packages(tmp_path, "keys_calls", SPEC)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        http = TestClient(server_package.create_app(mock=True))
    scope: dict[str, Any] = {"client": client_package.Client("http://testserver", http_client=http)}
    answer = eval(put_key(api).example.python, scope)  # the docs' call, as a reader would run it
    assert re.search(PRIVATE_KEY, answer.private_key)
    assert answer.custom_key is None


FORMATS = """
openapi: 3.0.3
info: {title: Projects, version: "1.0"}
paths:
  /projects/{id}{.format}:
    get:
      operationId: getProject
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, format: int64}}
        - {name: .format, in: path, required: true, schema: {type: string}}
      responses: {"204": {description: found}}
"""


def test_an_integer_placeholder_beside_another_in_one_segment_is_split_off_by_its_digits(tmp_path: Path) -> None:
    """``{id}{.format}``: the server reads the integer's digits, the rest is the next value
    (Starlette's default would read ``12.jso`` and leave ``n``). A value after it that starts
    with a digit cannot be told apart: the spec's own ambiguity."""
    client_package, server_package = generate_packages(tmp_path, "projects_calls", FORMATS)
    op = next(iter(build_model(write_spec(tmp_path, "projects.yaml", FORMATS)).operations))
    names = [p.py_name for p in op.parameters]
    seen: list[dict[str, Any]] = []

    async def get_project(self: Any, **arguments: Any) -> None:
        seen.append(arguments)

    handlers = type("Recording", (server_package.Handlers,), {"get_project": get_project})()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        http = TestClient(server_package.create_app(handlers))
    client = client_package.Client("http://testserver", http_client=http)
    client.default.get_project(**dict(zip(names, (12, ".json"), strict=True)))
    client.default.get_project(**dict(zip(names, (0, "string"), strict=True)))
    assert seen == [dict(zip(names, (12, ".json"), strict=True)), dict(zip(names, (0, "string"), strict=True))]
