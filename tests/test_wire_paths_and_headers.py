"""The generated client and server agree on the wire where the corpus found them apart: a path
value holding ``/`` or ``%`` reaches the handler as it was given, a header the operation declares
carries the caller's value or none (never the HTTP client's own default), and a model with
``minProperties``/``maxProperties`` still reads base64 bytes from its JSON strings. A path
parameter no request can fill (Jellyfin's all-readOnly ``Version``) is warned of instead."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import generate_packages, run_stubforge, write_spec

SPEC = """
openapi: 3.0.3
info: {title: Wire, version: "1.0"}
components:
  schemas:
    Labels:
      type: object
      maxProperties: 2
      properties: {}
    Node:
      type: object
      additionalProperties: false
      minProperties: 1
      maxProperties: 2
      properties:
        blobs: {type: array, items: {type: string, format: byte}}
        name: {type: string}
        size: {type: integer}
  responses:
    Echo:
      description: what the handler received
      content: {application/json: {schema: {type: object}}}
paths:
  /files/{name}:
    get:
      operationId: getFile
      parameters:
        - {in: path, name: name, required: true, schema: {type: string}}
      responses: {"200": {$ref: "#/components/responses/Echo"}}
  /files/{name}/parts/{part}:
    get:
      operationId: getPart
      parameters:
        - {in: path, name: name, required: true, schema: {type: string}}
        - {in: path, name: part, required: true, schema: {type: integer}}
      responses: {"200": {$ref: "#/components/responses/Echo"}}
  /query:
    post:
      operationId: postQuery
      parameters:
        - in: header
          name: Accept-Encoding
          schema: {type: string, enum: [gzip, identity], default: identity}
      responses: {"200": {$ref: "#/components/responses/Echo"}}
  /nodes:
    post:
      operationId: setNodes
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                nodes: {type: object, additionalProperties: {$ref: "#/components/schemas/Node"}}
                labels: {$ref: "#/components/schemas/Labels"}
      responses: {"200": {$ref: "#/components/responses/Echo"}}
"""

#: Path values that must arrive as they were given: an encoded ``/`` is no segment boundary, and
#: text that looks percent-encoded already (Shutterstock's livefeed ids) is not decoded twice.
PATH_VALUES = [
    "a/b",
    "100%",
    "2018%2F10%2F15%2FWomen%20of%20the%20Year%20Lunch%20%26%20Awards%2C%20London",
    "a b&c,d;e=f?g#h",
    "..",
    "ünï/cöde%",
]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    client, server = generate_packages(tmp_path_factory.mktemp("wire"), "wire_agreement", SPEC)
    return client, server


def echoing_app(server: Any, log: list[tuple[str, dict[str, Any]]]) -> Any:
    """The server with every operation implemented: it records its arguments and answers them."""

    def make(name: str) -> Any:
        async def handler(self: Any, **arguments: Any) -> dict[str, Any]:
            log.append((name, arguments))
            return {"operation": name}

        return handler

    names = [n for n, _ in inspect.getmembers(server.Handlers, inspect.iscoroutinefunction) if not n.startswith(("_", "verify"))]
    return server.create_app(type("Echo", (server.Handlers,), {n: make(n) for n in names})())


def call(client_package: Any, base_url: str, mode: str, app: Any, operation: str, **arguments: Any) -> Any:
    """``operation`` called with ``arguments`` through the sync or the async client."""
    if mode == "sync":
        with client_package.Client(base_url) as client:
            return getattr(client.default, operation)(**arguments)

    async def scenario() -> Any:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) if mode == "async-in-process" else None
        async with client_package.AsyncClient(base_url, http_client=http) as client:
            return await getattr(client.default, operation)(**arguments)

    return asyncio.run(scenario())


MODES = ["sync", "async", "async-in-process"]


def base_for(mode: str, serve: Any, app: Any) -> str:
    return "http://testserver" if mode == "async-in-process" else serve(app)


@pytest.mark.parametrize("mode", MODES)
def test_a_path_value_holding_slashes_and_percents_reaches_the_handler_as_given(packages: tuple[Any, Any], serve: Any, mode: str) -> None:
    client_package, server = packages
    log: list[tuple[str, dict[str, Any]]] = []
    app = echoing_app(server, log)
    base_url = base_for(mode, serve, app)
    for value in PATH_VALUES:
        call(client_package, base_url, mode, app, "get_file", name=value)
        call(client_package, base_url, mode, app, "get_part", name=value, part=3)
    assert log == [entry for value in PATH_VALUES for entry in (("get_file", {"name": value}), ("get_part", {"name": value, "part": 3}))]


def test_an_unencoded_slash_is_still_a_segment_boundary(packages: tuple[Any, Any], serve: Any) -> None:
    _, server = packages
    log: list[tuple[str, dict[str, Any]]] = []
    base_url = serve(echoing_app(server, log))
    assert httpx.get(base_url + "/files/a/b").status_code == 404
    assert httpx.get(base_url + "/files/a%2Fb/parts/x").status_code == 422  # the part is checked, not the name
    assert httpx.get(base_url + "/files/a%2Fb/parts/2").status_code == 200
    assert log == [("get_part", {"name": "a/b", "part": 2})]


@pytest.mark.parametrize("mode", MODES)
def test_a_declared_header_left_out_is_not_sent_with_the_http_clients_default(packages: tuple[Any, Any], serve: Any, mode: str) -> None:
    client_package, server = packages
    log: list[tuple[str, dict[str, Any]]] = []
    app = echoing_app(server, log)
    base_url = base_for(mode, serve, app)
    call(client_package, base_url, mode, app, "post_query")  # httpx alone would send "gzip, deflate"
    call(client_package, base_url, mode, app, "post_query", accept_encoding="gzip")
    assert log == [("post_query", {"accept_encoding": None}), ("post_query", {"accept_encoding": "gzip"})]


def test_a_header_the_caller_sets_for_every_request_is_kept(packages: tuple[Any, Any], serve: Any) -> None:
    client_package, server = packages
    log: list[tuple[str, dict[str, Any]]] = []
    with client_package.Client(serve(echoing_app(server, log)), headers={"Accept-Encoding": "identity"}) as client:
        client.default.post_query()
    assert log == [("post_query", {"accept_encoding": "identity"})]


@pytest.mark.parametrize("mode", MODES)
def test_bytes_inside_a_model_that_counts_its_properties_are_read_from_base64(packages: tuple[Any, Any], serve: Any, mode: str) -> None:
    client_package, server = packages
    log: list[tuple[str, dict[str, Any]]] = []
    app = echoing_app(server, log)
    base_url = base_for(mode, serve, app)
    nodes = {"a": {"blobs": [b"\x00\xffbytes"], "name": "first"}, "b": {"size": 1}}
    call(client_package, base_url, mode, app, "set_nodes", body={"nodes": nodes, "labels": {"x": "1", "y": "2"}})
    [(name, arguments)] = log
    received = arguments["body"].nodes
    assert (received["a"].blobs, received["a"].name, received["b"].size) == ([b"\x00\xffbytes"], "first", 1)
    assert arguments["body"].labels.model_extra == {"x": "1", "y": "2"}  # properties no schema lists count once


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"nodes": {"a": {}}}, "at least 1 properties"),
        ({"nodes": {"a": {"blobs": [], "name": "x", "size": 1}}}, "at most 2 properties"),
        ({"labels": {"x": "1", "y": "2", "z": "3"}}, "at most 2 properties"),
    ],
)
def test_a_model_still_refuses_too_few_or_too_many_properties(packages: tuple[Any, Any], serve: Any, body: dict[str, Any], message: str) -> None:
    _, server = packages
    log: list[tuple[str, dict[str, Any]]] = []
    answer = httpx.post(serve(echoing_app(server, log)) + "/nodes", json=body)
    assert answer.status_code == 422 and message in answer.text
    assert log == []


def test_a_blob_that_is_no_base64_is_refused(packages: tuple[Any, Any], serve: Any) -> None:
    _, server = packages
    log: list[tuple[str, dict[str, Any]]] = []
    base_url = serve(echoing_app(server, log))
    answer = httpx.post(base_url + "/nodes", json={"nodes": {"a": {"blobs": ["not base64!"]}}})
    assert answer.status_code == 422 and "blobs" in answer.text
    assert log == []


UNSENDABLE = """
openapi: 3.0.3
info: {title: Plugins, version: "1.0"}
components:
  schemas:
    Version:
      type: object
      additionalProperties: false
      properties:
        Major: {type: integer, readOnly: true}
        Minor: {type: integer, readOnly: true}
paths:
  /plugins/{version}:
    delete:
      operationId: uninstallPlugin
      parameters:
        - {in: path, name: version, required: true, schema: {$ref: "#/components/schemas/Version"}}
      responses: {"204": {description: gone}}
"""


def test_a_path_parameter_no_request_can_fill_is_warned_of_and_refused_by_the_client(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "unsendable_version.yaml", UNSENDABLE)
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (
        "/paths/~1plugins~1{version}/delete: warning: path parameter 'version': a request can send no property of Version"
        " (each is readOnly, no other is allowed), so its value is an empty segment; the client refuses every call"
    ) in result.stderr
    sys.path.insert(0, str(tmp_path / "out" / "unsendable_version" / "client"))
    client_package = importlib.import_module("unsendable_version_client")
    with client_package.Client("http://127.0.0.1:9") as client, pytest.raises(ValueError, match="the path parameter 'version' is empty"):
        client.default.uninstall_plugin(version=client_package.models.Version(major=10, minor=8))
