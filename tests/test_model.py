"""The intermediate model the Swagger 2.0 normalizer builds: every decision made before rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SEED, write_spec
from stubforge.pipeline import build_model


@pytest.fixture(scope="module")
def seed_api():
    return build_model(SEED)


def test_seed_operations_share_path_and_differ_by_fixed_query(seed_api) -> None:
    ops = {op.operation_id: op for op in seed_api.operations}
    assert set(ops) == {"deleteIdentities", "describeIdentity", "getCredentialsForIdentity", "getId", "getOpenIdTokenForDeveloperIdentity"}
    get_id = ops["getId"]
    assert (get_id.method, get_id.path, get_id.fixed_query) == ("GET", "/", (("Action", "GetId"),))
    assert get_id.display_path == "/?Action=GetId"
    assert get_id.py_name == "get_id" and get_id.retry_safe
    assert [(p.wire_name, p.py_name, p.location, p.required) for p in get_id.parameters] == [
        ("AccountId", "account_id", "query", False),
        ("IdentityPoolId", "identity_pool_id", "query", False),
        ("Logins", "logins", "query", False),
    ]
    [route] = seed_api.routes
    assert route.path == "/" and route.dispatch_keys == ("Action",) and route.fallback is None
    assert len(route.operations) == 5


def test_seed_groups_come_from_tags(seed_api) -> None:
    assert [(g.name, g.attr, g.class_stem, len(g.operations)) for g in seed_api.groups] == [
        ("Identities", "identities", "Identities", 4),
        ("Open ID Token for Developer Identities", "open_id_token_for_developer_identities", "OpenIdTokenForDeveloperIdentities", 1),
    ]


def test_seed_names_and_packages(seed_api) -> None:
    assert (seed_api.spec_name, seed_api.client_package, seed_api.server_package) == ("aws_cognito", "aws_cognito_client", "aws_cognito_server")
    assert seed_api.base_url == "" and seed_api.package_version == "1.0.0"
    delete = next(op for op in seed_api.operations if op.py_name == "delete_identities")
    assert delete.parameters[0].py_name == "identity_ids_to_delete"


def test_seed_quirks_are_located_warnings(seed_api) -> None:
    messages = [str(d) for d in seed_api.diagnostics]
    assert any("specs/aws-cognito.yaml:1:" in m and "'---'" in m for m in messages)
    assert any(":30: /paths/~1?Action=DeleteIdentities/get/responses/200:" in m and "int mapping key" in m for m in messages)


SPEC = """
swagger: "2.0"
info: {title: Pets, version: "2"}
host: pets.example.com
basePath: /v1
schemes: [https]
paths:
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, type: integer}
    get:
      operationId: pets.get
      tags: [pets]
      parameters:
        - {name: class, in: query, type: string}
        - {name: timeout, in: query, type: string}
        - {name: Filter.N, in: query, type: array, items: {type: string}, collectionFormat: pipes}
      responses:
        200: {description: ok, schema: {$ref: "#/definitions/Pet"}}
  /pets:
    post:
      tags: [pets]
      parameters:
        - {name: body, in: body, required: true, schema: {$ref: "#/definitions/Pet"}}
      responses:
        201: {description: created}
definitions:
  Pet:
    type: object
    required: [id]
    properties:
      id: {type: integer}
      name: {type: string}
      tags: {type: array, items: {type: string}}
      owner: {$ref: "#/definitions/Pet"}
"""


def test_names_types_and_defaults_for_a_small_spec(tmp_path: Path) -> None:
    api = build_model(write_spec(tmp_path, "pets.yaml", SPEC))
    assert api.base_url == "https://pets.example.com/v1" and api.base_path == "/v1"
    get, post = api.operations
    assert get.py_name == "pets_get" and get.server_path == "/pets/{pet_id}"
    params = {p.wire_name: p for p in get.parameters}
    assert params["petId"].required and params["petId"].py_name == "pet_id" and params["petId"].type.annotation == "int"
    assert params["class"].py_name == "class_"
    assert params["timeout"].py_name == "timeout_"
    assert (params["Filter.N"].py_name, params["Filter.N"].style, params["Filter.N"].type.annotation) == ("filter_n", "pipeDelimited", "list[str]")
    assert get.return_annotation == "models.Pet"
    assert post.py_name == "post_pets" and not post.retry_safe
    assert post.body is not None and post.body.required and post.body.type.qualified == "models.Pet"
    [pet] = api.models
    assert [(f.py_name, f.type.annotation, f.required) for f in pet.fields] == [
        ("id", "int", True),
        ("name", "str", False),
        ("tags", "list[str]", False),
        ("owner", "Pet", False),
    ]


CONSTRAINED = """
openapi: 3.0.3
info: {title: Constrained, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100, exclusiveMaximum: true}}
        - {name: code, in: query, schema: {type: string, pattern: "^[A-Z]{3}$", minLength: 3, maxLength: "3"}}
        - {name: bad, in: query, schema: {type: string, pattern: "(unclosed"}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: array
                minItems: 1
                maxItems: 5
                uniqueItems: true
                items: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing:
      type: object
      additionalProperties: false
      minProperties: 1
      properties:
        price: {type: number, exclusiveMinimum: 0, multipleOf: 0.01}
"""


def test_constraints_are_read_once_into_the_model_and_published(tmp_path: Path) -> None:
    from stubforge.model import Constraints

    api = build_model(write_spec(tmp_path, "things.yaml", CONSTRAINED))
    [op] = api.operations
    limit, code, bad = (p.type.constraints for p in op.parameters)
    assert limit == Constraints(minimum=1, maximum=100, exclusive_maximum=True)
    assert code == Constraints(pattern="^[A-Z]{3}$", min_length=3)  # maxLength "3" is not a count
    assert not bad  # the pattern does not compile
    assert op.success.type.constraints == Constraints(min_items=1, max_items=5, unique_items=True)
    [thing] = api.models
    assert thing.closed and thing.constraints == Constraints(min_properties=1)
    # OpenAPI 3.1's numeric exclusiveMinimum becomes a bound that is not allowed itself.
    assert thing.fields[0].type.constraints == Constraints(minimum=0, exclusive_minimum=True, multiple_of=0.01)
    assert op.parameters[0].type.json_schema == {"type": "integer", "minimum": 1, "maximum": 100, "exclusiveMaximum": True}
    messages = [str(d) for d in api.diagnostics]
    assert any("/parameters/1/schema/maxLength: warning: 'maxLength' is '3', not a count; ignored" in m for m in messages), messages
    assert any("/parameters/2/schema/pattern: warning: pattern '(unclosed' is not a regular expression" in m for m in messages), messages


def test_the_docs_print_each_constraint_as_a_rule(tmp_path: Path) -> None:
    from stubforge.pipeline import generate_files

    files = generate_files(write_spec(tmp_path, "things.yaml", CONSTRAINED)).files
    markdown, html = files["docs/README.md"], files["docs/index.html"]
    assert "| no | Rules: <code>≥ 1</code>, <code>&lt; 100</code> |" in markdown
    assert "| no | Rules: <code>length ≥ 3</code>, <code>matches /^\\[A-Z\\]\\{3\\}$/</code> |" in markdown
    assert "<td><div class=\"rules\">Rules: <code>length ≥ 3</code>, <code>matches /^[A-Z]{3}$/</code></div></td>" in html
    assert "Rules: <code>no other properties</code>, <code>≥ 1 properties</code>." in markdown
    assert '<div class="rules">Rules: <code>&gt; 0</code>, <code>multiple of 0.01</code></div>' in html
