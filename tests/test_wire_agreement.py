"""The generated client and the generated server agree on the wire for every parameter and body
shape: what a client call is given is what the server's handler receives, sync and async, in
process and over a loopback socket; and the mock answers what the client can read."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from conftest import generate_packages, recording, run_stubforge, write_spec

WIRE = """
openapi: 3.0.3
info: {title: Wire, version: "1.0"}
components:
  schemas:
    Meta:
      type: object
      properties:
        a: {type: string}
        n: {type: integer}
paths:
  /enums:
    get:
      operationId: enums
      parameters:
        - {name: level, in: query, required: true, schema: {type: integer, enum: [1, 2, 3]}}
        - {name: flag, in: query, schema: {type: boolean, enum: [true]}}
        - {name: ratio, in: query, schema: {type: number, enum: [0.5, 1.5]}}
        - {name: levels, in: query, schema: {type: array, items: {type: integer, enum: [1, 2]}}}
        - {name: X-Level, in: header, schema: {type: integer, enum: [7, 8]}}
      responses: {"204": {description: done}}
  /unions:
    get:
      operationId: unions
      parameters:
        - name: ids
          in: query
          required: true
          schema: {oneOf: [{type: array, items: {type: string}}, {type: string}]}
        - name: counts
          in: query
          schema: {anyOf: [{type: integer}, {type: array, items: {type: integer}}]}
        - name: sizes
          in: query
          explode: false
          schema: {anyOf: [{type: integer}, {type: array, items: {type: integer}}]}
        - name: tags
          in: query
          explode: false
          schema: {oneOf: [{type: array, items: {type: string}}, {type: string}]}
        - name: X-Ids
          in: header
          schema: {oneOf: [{type: integer}, {type: array, items: {type: integer}}]}
      responses: {"204": {description: done}}
  /filters:
    get:
      operationId: filters
      parameters:
        - {name: filters, in: query, schema: {type: array, items: {$ref: "#/components/schemas/Meta"}}}
        - name: where
          in: query
          content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Meta"}}}}
        - {name: deep, in: query, style: deepObject, schema: {$ref: "#/components/schemas/Meta"}}
        - {name: spread, in: query, schema: {$ref: "#/components/schemas/Meta"}}
      responses: {"204": {description: done}}
  /form:
    post:
      operationId: postForm
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [tags]
              properties:
                tags: {type: array, items: {type: string}}
                ids: {type: array, items: {type: integer}}
                level: {type: integer, enum: [1, 2]}
      responses: {"204": {description: done}}
  /multipart:
    post:
      operationId: postMultipart
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [meta]
              properties:
                meta: {$ref: "#/components/schemas/Meta"}
                tags: {type: array, items: {type: string}}
      responses: {"204": {description: done}}
  /headers:
    get:
      operationId: headers
      parameters:
        - {name: Accept, in: header, required: true, schema: {type: string, enum: [application/xml]}}
        - {name: Content-Type, in: header, required: true, schema: {type: string}}
        - {name: Authorization, in: header, required: true, schema: {type: string}}
        - {name: X-Trace, in: header, required: true, schema: {type: string}}
      responses: {"204": {description: done}}
  /items#search:
    get:
      operationId: searchItems
      parameters:
        - {name: q, in: query, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
      responses: {"204": {description: done}}
  /items#byTag:
    get:
      operationId: itemsByTag
      parameters:
        - {name: tag, in: query, required: true, schema: {type: string}}
        - {name: q, in: query, required: true, schema: {type: string}}
      responses: {"204": {description: done}}
  /items#all:
    get:
      operationId: listItems
      parameters:
        - {name: page, in: query, schema: {type: integer}}
      responses: {"204": {description: done}}
"""

WIRE2 = """
swagger: "2.0"
info: {title: Wire two, version: "1.0"}
paths:
  /enums:
    get:
      operationId: enums
      parameters:
        - {name: level, in: query, required: true, type: integer, enum: [1, 2]}
        - {name: flag, in: query, type: boolean, enum: [true]}
        - {name: ids, in: query, type: array, collectionFormat: multi, items: {type: integer}}
        - {name: csv, in: query, type: array, items: {type: integer, enum: [4, 5]}}
        - {name: Accept, in: header, type: string, enum: [application/json]}
        - {name: Content-Type, in: header, required: true, type: string, enum: [application/json]}
      responses: {"204": {description: done}}
  /form:
    post:
      operationId: postForm
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: tags, in: formData, required: true, type: array, collectionFormat: multi, items: {type: string}}
        - {name: level, in: formData, type: integer, enum: [1, 2]}
      responses: {"204": {description: done}}
  /{scope}/providers/Compliances/{name}:
    get:
      operationId: getCompliance
      parameters:
        - {name: scope, in: path, required: true, type: string, x-ms-skip-url-encoding: true}
        - {name: name, in: path, required: true, type: string}
      responses: {"204": {description: done}}
  /apps/{app}:
    get:
      operationId: getApp
      parameters:
        - {name: app, in: path, required: true, type: string, x-ms-skip-url-encoding: true}
      responses: {"204": {description: done}}
  /apps/{app}/services/{service}:
    get:
      operationId: getService
      parameters:
        - {name: app, in: path, required: true, type: string, x-ms-skip-url-encoding: true}
        - {name: service, in: path, required: true, type: string}
      responses: {"204": {description: done}}
  /items#one:
    get:
      operationId: oneItem
      parameters:
        - {name: item, in: query, required: true, type: integer}
      responses: {"204": {description: done}}
  /items#all:
    get:
      operationId: allItems
      responses: {"204": {description: done}}
"""


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return generate_packages(tmp_path_factory.mktemp("wire"), "wire", WIRE)


@pytest.fixture(scope="module")
def wire2(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return generate_packages(tmp_path_factory.mktemp("wire2"), "wire_two", WIRE2)


Call = Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]


def _caller(packages: tuple[Any, Any], mode: str, serve: Any) -> Call:
    """``call(operation, arguments)``: the client call made (``mode``: sync or async, in process
    or over a loopback socket), then the operation and arguments the server's handler got."""
    client_package, server = packages
    seen: list[tuple[str, dict[str, Any]]] = []
    app = server.create_app(recording(server, seen))
    base_url = serve(app) if mode.endswith("loopback") else "http://testserver"

    def sync_call(operation: str, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        http = None if base_url != "http://testserver" else TestClient(app)
        with client_package.Client(base_url, http_client=http) as client:
            getattr(client.default, operation)(**arguments)
        return seen.pop()

    def async_call(operation: str, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        async def scenario() -> None:
            transport = httpx.ASGITransport(app=app) if base_url == "http://testserver" else None
            http = httpx.AsyncClient(transport=transport) if transport else None
            async with client_package.AsyncClient(base_url, http_client=http) as client:
                await getattr(client.default, operation)(**arguments)
            if http is not None:
                await http.aclose()

        asyncio.run(scenario())
        return seen.pop()

    return async_call if mode.startswith("async") else sync_call


MODES = ["sync", "async", "sync-loopback", "async-loopback"]


@pytest.fixture(params=MODES)
def call(request: pytest.FixtureRequest, wire: tuple[Any, Any], serve: Any) -> Call:
    return _caller(wire, request.param, serve)


@pytest.fixture(params=MODES[:2])
def call2(request: pytest.FixtureRequest, wire2: tuple[Any, Any], serve: Any) -> Call:
    return _caller(wire2, request.param, serve)


def _received(call: Call, operation: str, **arguments: Any) -> dict[str, Any]:
    name, got = call(operation, arguments)
    assert name == operation
    return {k: v for k, v in got.items() if v is not None}


def test_integer_number_and_boolean_enums_in_query_and_header(call: Call) -> None:
    given = {"level": 2, "flag": True, "ratio": 1.5, "levels": [1, 2], "x_level": 8}
    assert _received(call, "enums", **given) == given
    assert _received(call, "enums", level=3, levels=[2]) == {"level": 3, "levels": [2]}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"ids": ["a", "b"]}, {"ids": ["a", "b"]}),
        ({"ids": "a,b"}, {"ids": "a,b"}),
        ({"ids": "x", "counts": [1, 2], "sizes": [3, 4]}, {"ids": "x", "counts": [1, 2], "sizes": [3, 4]}),
        ({"ids": "x", "counts": 7, "sizes": 8}, {"ids": "x", "counts": 7, "sizes": 8}),
        ({"ids": "x", "tags": ["p", "q"]}, {"ids": "x", "tags": ["p", "q"]}),
        ({"ids": "x", "tags": "p,q"}, {"ids": "x", "tags": "p,q"}),
        ({"ids": "x", "x_ids": [5, 6]}, {"ids": "x", "x_ids": [5, 6]}),
        ({"ids": "x", "x_ids": 5}, {"ids": "x", "x_ids": 5}),
    ],
)
def test_a_union_of_an_array_and_a_scalar_arrives_as_sent(call: Call, given: dict[str, Any], expected: dict[str, Any]) -> None:
    assert _received(call, "unions", **given) == expected


def test_a_one_item_array_in_a_union_arrives_as_its_item_since_the_form_style_writes_both_alike(call: Call) -> None:
    assert _received(call, "unions", ids=["a"], counts=[1]) == {"ids": "a", "counts": 1}


def test_query_arrays_and_objects_of_objects_go_as_their_style_or_as_json(call: Call, wire: tuple[Any, Any]) -> None:
    meta = wire[0].models.Meta
    given = {
        "filters": [meta(a="x", n=1), meta(a="y")],
        "where": [meta(n=2)],
        "deep": meta(a="d", n=3),
        "spread": meta(a="s", n=4),
    }
    expected = {
        "filters": [{"a": "x", "n": 1}, {"a": "y"}],
        "where": [{"n": 2}],
        "deep": {"a": "d", "n": 3},
        "spread": {"a": "s", "n": 4},
    }
    assert _received(call, "filters", **given) == expected


@pytest.mark.parametrize("tags", [["one"], ["one", "two"], []])
def test_form_arrays_of_any_length_and_number_enums(call: Call, tags: list[str]) -> None:
    got = _received(call, "post_form", body={"tags": tags, "ids": [9], "level": 2})
    assert got == {"body": {"tags": tags, "ids": [9], "level": 2}}


def test_a_multipart_object_field_and_a_one_item_array(call: Call, wire: tuple[Any, Any]) -> None:
    body = {"meta": wire[0].models.Meta(a="z", n=5), "tags": ["only"]}
    assert _received(call, "post_multipart", body=body) == {"body": {"meta": {"a": "z", "n": 5}, "tags": ["only"]}}


def test_accept_content_type_and_authorization_header_parameters_are_ignored(call: Call) -> None:
    assert _received(call, "headers", x_trace="t-1") == {"x_trace": "t-1"}


def test_operations_told_apart_by_a_fragment_only_are_served_by_their_parameters(call: Call) -> None:
    assert _received(call, "search_items", q="cat", limit=3) == {"q": "cat", "limit": 3}
    assert _received(call, "items_by_tag", tag="pets", q="cat") == {"tag": "pets", "q": "cat"}
    assert _received(call, "list_items", page=2) == {"page": 2}
    assert _received(call, "list_items") == {}


def test_a_fragment_that_names_no_header_sends_nothing_of_it(wire: tuple[Any, Any]) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with wire[0].Client("http://api.test", http_client=http) as client:
        client.default.search_items(q="cat")
        client.default.list_items()
    assert [str(r.url) for r in sent] == ["http://api.test/items?q=cat", "http://api.test/items"]
    assert all(not {"search", "all"} & set(r.headers) for r in sent)


def test_swagger2_enums_multi_arrays_forms_and_fragments(call2: Call) -> None:
    """Also: Accept and Content-Type header parameters are ignored, as in OpenAPI 3 (the
    client sends ``*/*``, which a declared ``Accept: application/json`` refused)."""
    given = {"level": 1, "flag": True, "ids": [3], "csv": [4, 5]}
    assert _received(call2, "enums", **given) == given
    assert _received(call2, "post_form", body={"tags": ["solo"], "level": 2}) == {"body": {"tags": ["solo"], "level": 2}}
    assert _received(call2, "one_item", item=4) == {"item": 4}
    assert _received(call2, "all_items") == {}


def test_ambiguous_styles_and_fragments_are_warned_of_with_their_location(tmp_path: Path) -> None:
    twins = WIRE + """
  /items#again:
    get:
      operationId: searchAgain
      parameters:
        - {name: q, in: query, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
      responses: {"204": {description: done}}
"""
    spec = write_spec(tmp_path, "wire.yaml", twins)
    result = run_stubforge("validate", spec)
    lines = result.stdout.splitlines() + result.stderr.splitlines()

    def warning(pointer: str) -> str:
        found = [line for line in lines if f": {pointer}" in line]
        assert len(found) == 1, (pointer, lines)
        return found[0]

    assert "union of an array and a string" in warning("/paths/~1unions/get/parameters/3")
    assert "not plain values" in warning("/paths/~1filters/get/parameters/0")
    assert "cannot be told apart from 'searchItems'" in warning("/paths/~1items#again/get")
    assert "ignored, as OpenAPI 3 says" in warning("/paths/~1headers/get/parameters/0/name")
    assert not any("/paths/~1unions/get/parameters/1" in line for line in lines)


MOCKED = """
openapi: 3.0.3
info: {title: Mocked, version: "1.0"}
components:
  schemas:
    Node:
      type: object
      required: [name, kids]
      properties:
        name: {type: string}
        kids: {type: array, items: {$ref: "#/components/schemas/Node"}}
paths:
  /deep:
    get:
      operationId: getDeep
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [a, tree]
                properties:
                  tree: {$ref: "#/components/schemas/Node"}
                  a:
                    type: object
                    required: [b]
                    properties:
                      b:
                        type: object
                        required: [c]
                        properties:
                          c:
                            type: array
                            items:
                              type: object
                              required: [d]
                              properties:
                                d:
                                  type: object
                                  required: [e, f]
                                  properties:
                                    e: {type: object, required: [g], properties: {g: {type: integer}}}
                                    f: {type: string}
  /thing:
    delete:
      operationId: deleteThing
      responses:
        "204":
          description: gone
          content: {application/json: {schema: {type: object}}}
"""


@pytest.fixture(scope="module")
def mocked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return generate_packages(tmp_path_factory.mktemp("mocked"), "mocked", MOCKED)


@pytest.mark.parametrize("mode", ["sync-loopback", "async-loopback", "sync"])
def test_the_mock_fills_required_fields_at_any_depth_and_a_204_carries_no_body(mocked: tuple[Any, Any], serve: Any, mode: str) -> None:
    client_package, server = mocked
    app = server.create_app(mock=True)
    base_url = serve(app) if mode.endswith("loopback") else "http://testserver"

    def check(deep: Any) -> None:
        d = deep.a.b.c[0].d
        assert isinstance(d.e.g, int) and isinstance(d.f, str)
        assert isinstance(deep.tree.name, str) and isinstance(deep.tree.kids, list)

    if mode.startswith("async"):

        async def scenario() -> None:
            async with client_package.AsyncClient(base_url) as client:
                assert await client.default.delete_thing() is None
                assert await client.default.delete_thing() is None
                check(await client.default.get_deep())

        asyncio.run(scenario())
        return
    http = TestClient(app) if base_url == "http://testserver" else None
    with client_package.Client(base_url, http_client=http) as client:
        assert client.default.delete_thing() is None
        assert client.default.delete_thing() is None
        check(client.default.get_deep())


def test_a_path_value_marked_x_ms_skip_url_encoding_keeps_its_slashes_and_spans_segments(call2: Call, wire2: tuple[Any, Any]) -> None:
    scope = "subscriptions/s-1/resourceGroups/my group"
    got = _received(call2, "get_compliance", scope=scope, name="c/1")
    assert got == {"scope": scope, "name": "c/1"}
    assert _received(call2, "get_app", app="g/a") == {"app": "g/a"}
    assert _received(call2, "get_service", app="g/a", service="s") == {"app": "g/a", "service": "s"}
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.host + " " + request.url.raw_path.decode("ascii"))
        return httpx.Response(204)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with wire2[0].Client("http://api.test", http_client=http) as client:
        client.default.get_compliance(scope=scope, name="c/1")
        client.default.get_compliance(scope="a/../../b?x#y", name="n")
        client.default.get_compliance(scope="//evil.test", name="n")
    assert sent == [
        "api.test /subscriptions/s-1/resourceGroups/my%20group/providers/Compliances/c%2F1",
        "api.test /a/%2E%2E/%2E%2E/b%3Fx%23y/providers/Compliances/n",
        "api.test ///evil.test/providers/Compliances/n",
    ]


PATTERNS = """
openapi: 3.0.3
info: {title: Patterns, version: "1.0"}
paths:
  /codes:
    get:
      operationId: getCodes
      parameters:
        - {name: zip, in: query, required: true, schema: {type: string, pattern: "/^[0-9]{5}$/"}}
        - {name: name, in: query, schema: {type: string, pattern: "/^[a-z]+$/i"}}
        - {name: path, in: query, schema: {type: string, pattern: "/api/"}}
      responses: {"204": {description: done}}
"""


def test_a_javascript_regex_literal_pattern_is_read_as_the_pattern_it_means(tmp_path: Path, serve: Any) -> None:
    spec = write_spec(tmp_path, "patterns.yaml", PATTERNS)
    result = run_stubforge("validate", spec)
    warned = [line for line in result.stdout.splitlines() + result.stderr.splitlines() if "JavaScript" in line]
    assert [line.split(": ")[1] for line in warned] == [
        "/paths/~1codes/get/parameters/0/schema/pattern",
        "/paths/~1codes/get/parameters/1/schema/pattern",
    ], warned
    assert "read as '(?i)^[a-z]+$'" in warned[1]
    client_package, server = generate_packages(tmp_path / "gen", "patterns", PATTERNS)
    call = _caller((client_package, server), "sync", serve)
    given = {"zip_": "12345", "name": "AbC", "path": "/v1/api/x"}
    assert _received(call, "get_codes", **given) == given
    http = TestClient(server.create_app(mock=True))
    assert http.get("/codes", params={"zip": "1234"}).status_code == 422
    assert http.get("/codes", params={"zip": "12345", "name": "a1"}).status_code == 422
    assert http.get("/codes", params={"zip": "12345", "path": "api"}).status_code == 422
