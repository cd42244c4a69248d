"""The generated server on what real specs do that schemathesis' corpus sweep
(``tests/corpus_schemathesis.py``) found it answering wrongly: each answer must be one the
published OpenAPI document allows."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import generate_packages, run_stubforge

AUTHORIZATION_PARAMETER = """
swagger: "2.0"
info: {title: Authz, version: "1.0"}
parameters:
  Authorization: {in: header, name: Authorization, required: true, type: string}
paths:
  /groups:
    get:
      operationId: getGroups
      parameters:
        - $ref: "#/parameters/Authorization"
        - {in: query, name: count, required: true, type: integer}
      responses:
        "200": {description: ok, schema: {type: object}}
  /public:
    get:
      operationId: getPublic
      parameters:
        - {in: header, name: Authorization, type: string}
      responses:
        "200": {description: ok, schema: {type: object}}
"""


@pytest.fixture
def authz(tmp_path: Path) -> Any:
    (server,) = generate_packages(tmp_path, "authz", AUTHORIZATION_PARAMETER, parts=("server",))
    return TestClient(server.create_app(mock=True))


def test_a_missing_required_authorization_header_parameter_answers_401_documented(authz: TestClient) -> None:
    for url in ("/groups?count=1", "/groups"):  # whatever else is wrong: no credentials comes first
        response = authz.get(url)
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "unauthenticated"
    responses = authz.get("/openapi.json").json()["paths"]["/groups"]["get"]["responses"]
    assert "401" in responses


def test_other_problems_with_the_authorization_header_present_answer_422(authz: TestClient) -> None:
    response = authz.get("/groups", headers={"Authorization": "Bearer x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "count"]
    assert authz.get("/groups?count=1", headers={"Authorization": "Bearer x"}).status_code == 200


def test_an_optional_authorization_header_parameter_needs_no_401(authz: TestClient) -> None:
    assert authz.get("/public").status_code == 200
    assert "401" not in authz.get("/openapi.json").json()["paths"]["/public"]["get"]["responses"]


OVERLAPPING_PATHS = """
openapi: 3.0.3
info: {title: Overlap, version: "1.0"}
paths:
  /filter/favourite:
    get:
      operationId: getFavourite
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string, enum: [favourite]}}}}}
  /filter/{id}:
    parameters: [{in: path, name: id, required: true, schema: {type: integer}}]
    get:
      operationId: getFilter
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string, enum: [filter]}}}}}
    put:
      operationId: putFilter
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string, enum: [filter]}}}}}
  /groups/{group}/errors/latest:
    parameters: [{in: path, name: group, required: true, schema: {type: string}}]
    get:
      operationId: getLatest
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string, enum: [latest]}}}}}
  /groups/{group}/errors/{error}:
    parameters:
      - {in: path, name: group, required: true, schema: {type: string}}
      - {in: path, name: error, required: true, schema: {type: string}}
    delete:
      operationId: deleteError
      responses: {"204": {description: gone}}
  /docs:
    get:
      operationId: searchDocs
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string, enum: [found]}}}}}
  /{page}:
    get:
      operationId: getPage
      parameters: [{in: path, name: page, required: true, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string, enum: [page]}}}}}
"""


@pytest.fixture
def overlap(tmp_path: Path) -> Any:
    (server,) = generate_packages(tmp_path, "overlap", OVERLAPPING_PATHS, parts=("server",))
    return TestClient(server.create_app(mock=True))


def test_the_specs_own_docs_and_redoc_paths_are_served_before_fastapis_pages(overlap: TestClient) -> None:
    assert overlap.get("/docs").json() == "found"
    assert overlap.get("/redoc").json() == "page"
    assert overlap.get("/openapi.json").json()["paths"]["/docs"]["get"]["operationId"] == "search_docs"


def test_a_concrete_path_is_matched_before_a_template_that_matches_it_too(overlap: TestClient) -> None:
    assert overlap.get("/filter/favourite").json() == "favourite"
    assert overlap.get("/filter/7").json() == "filter"
    assert overlap.put("/filter/7").status_code == 200


def test_a_method_the_concrete_path_lacks_answers_405_naming_only_its_methods(overlap: TestClient) -> None:
    response = overlap.put("/filter/favourite")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, OPTIONS"
    assert overlap.options("/filter/favourite").headers["allow"] == "GET, OPTIONS"
    assert overlap.options("/filter/7").headers["allow"] == "GET, OPTIONS, PUT"


def test_a_template_with_a_literal_segment_is_matched_before_one_with_a_placeholder_there(overlap: TestClient) -> None:
    assert overlap.get("/groups/g/errors/latest").json() == "latest"
    assert overlap.delete("/groups/g/errors/latest").status_code == 405
    assert overlap.options("/groups/g/errors/latest").headers["allow"] == "GET, OPTIONS"
    assert overlap.delete("/groups/g/errors/e1").status_code == 204


ENCODINGS = """
openapi: 3.0.3
info: {title: Encodings, version: "1.0"}
paths:
  /stops:
    get:
      operationId: getStops
      parameters:
        - {in: query, name: radius, required: true, schema: {type: integer, enum: [500, 1000]}}
        - {in: query, name: variations, schema: {type: boolean, enum: [false, true]}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /avatar:
    post:
      operationId: postAvatar
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {size: {type: integer}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /login:
    post:
      operationId: login
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, required: [user], properties: {user: {type: string}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /attachments:
    post:
      operationId: attach
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: {type: object, properties: {file: {type: string, format: binary}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /schemes/{id}:
    delete:
      operationId: deleteScheme
      parameters: [{in: path, name: id, required: true, schema: {type: integer}}]
      responses:
        "204": {description: gone, content: {application/json: {schema: {}}}}
"""


@pytest.fixture
def encodings(tmp_path: Path) -> Any:
    (server,) = generate_packages(tmp_path, "encodings", ENCODINGS, parts=("server",))
    return TestClient(server.create_app(mock=True))


def test_enums_of_numbers_and_booleans_are_read_from_query_text(encodings: TestClient) -> None:
    assert encodings.get("/stops?radius=500&variations=false").status_code == 200
    assert encodings.get("/stops?radius=1000&variations=true").status_code == 200
    for bad in ("radius=501", "radius=500&variations=maybe", "radius=x"):
        response = encodings.get("/stops?" + bad)
        assert response.status_code == 422, bad


def test_an_empty_body_is_an_empty_form(encodings: TestClient) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert encodings.post("/avatar", headers=form).status_code == 200
    response = encodings.post("/login", headers=form)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "user"]


def test_a_multipart_body_with_an_empty_part_is_read_as_no_fields(encodings: TestClient) -> None:
    headers = {"Content-Type": "multipart/form-data; boundary=b0undary"}
    response = encodings.post("/attachments", headers=headers, content=b"--b0undary\r\n--b0undary--\r\n")
    assert response.status_code == 200, response.text


def test_a_no_content_status_is_published_without_content_whatever_the_spec_says(encodings: TestClient) -> None:
    responses = encodings.get("/openapi.json").json()["paths"]["/schemes/{id}"]["delete"]["responses"]
    assert "content" not in responses["204"]
    response = encodings.delete("/schemes/3")
    assert response.status_code == 204
    assert response.content == b""


ARRAY_FIELDS = """
openapi: 3.0.3
info: {title: Arrays, version: "1.0"}
paths:
  /reports:
    post:
      operationId: upload
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: array, items: {type: string, format: binary}}
                name: {type: string}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /stickers:
    post:
      operationId: addSticker
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                emojis: {type: string}
                mask_position: {type: object, required: [x], properties: {x: {type: number}, point: {type: string}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /hooks:
    put:
      operationId: putHook
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {actions: {type: array, items: {type: string}}, status: {type: string}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
"""


@pytest.fixture(scope="module")
def arrays_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    (server,) = generate_packages(tmp_path_factory.mktemp("arrays"), "arrays", ARRAY_FIELDS, parts=("server",))
    return server


def test_an_array_field_sent_once_is_a_list_of_one(arrays_server: Any) -> None:
    server = arrays_server
    received: list[Any] = []

    class Recording(server.Handlers):  # type: ignore[misc, name-defined]
        async def upload(self, *, body: Any) -> dict[str, Any]:
            received.append(body)
            return {}

        async def put_hook(self, *, body: Any) -> dict[str, Any]:
            received.append(body)
            return {}

    client = TestClient(server.create_app(Recording()))
    response = client.post("/reports", files={"file": ("a.pdf", b"%PDF")}, data={"name": "one"})
    assert response.status_code == 200, response.text
    response = client.put("/hooks", data={"actions": "all", "status": "on"})
    assert response.status_code == 200, response.text
    response = client.post("/reports", files=[("file", ("a", b"A")), ("file", ("b", b"B"))])
    assert response.status_code == 200, response.text
    upload, hook, two = received
    assert upload.file == [b"%PDF"] and upload.name == "one"
    assert hook.actions == ["all"] and hook.status == "on"
    assert two.file == [b"A", b"B"]


WILDCARD_MEDIA = """
swagger: "2.0"
info: {title: Wildcard, version: "1.0"}
produces: ["*/*"]
paths:
  /proxy:
    get:
      operationId: proxy
      responses: {"200": {description: ok, schema: {type: string}}}
  /download:
    get:
      operationId: download
      responses: {"200": {description: ok, schema: {type: string, format: binary}}}
"""


def test_a_wildcard_media_type_is_answered_with_a_concrete_one_it_covers(tmp_path: Path) -> None:
    (server,) = generate_packages(tmp_path, "wildcard", WILDCARD_MEDIA, parts=("server",))
    client = TestClient(server.create_app(mock=True))
    text = client.get("/proxy")
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("text/plain")
    binary = client.get("/download")
    assert binary.status_code == 200
    assert binary.headers["content-type"] == "application/octet-stream"
    published = client.get("/openapi.json").json()["paths"]["/proxy"]["get"]["responses"]["200"]["content"]
    assert list(published) == ["*/*"]


def multipart(*parts: tuple[str, str, bytes]) -> tuple[dict[str, str], bytes]:
    """Headers and body of a multipart request of (name, Content-Type, data) parts."""
    body = b"".join(
        b"--b0undary\r\nContent-Disposition: form-data; name=\"" + name.encode() + b"\"\r\n"
        + (b"Content-Type: " + part_type.encode() + b"\r\n" if part_type else b"")
        + b"\r\n" + data + b"\r\n"
        for name, part_type, data in parts
    )
    return {"Content-Type": "multipart/form-data; boundary=b0undary"}, body + b"--b0undary--\r\n"


def test_a_json_part_of_a_multipart_body_is_its_json_value(arrays_server: Any) -> None:
    server = arrays_server
    received: list[Any] = []

    class Recording(server.Handlers):  # type: ignore[misc, name-defined]
        async def add_sticker(self, *, body: Any) -> dict[str, Any]:
            received.append(body)
            return {}

    client = TestClient(server.create_app(Recording()))
    headers, body = multipart(("emojis", "", b"ok"), ("mask_position", "application/json", b'{"x": 1.5, "point": "eyes"}'))
    response = client.post("/stickers", headers=headers, content=body)
    assert response.status_code == 200, response.text
    assert received[0].emojis == "ok" and received[0].mask_position.x == 1.5
    for broken, where in ((b'{"x": 1.5', ["body"]), (b'{"point": "eyes"}', ["body", "mask_position", "x"])):
        headers, body = multipart(("mask_position", "application/json", broken))
        response = client.post("/stickers", headers=headers, content=body)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"] == where


DISPATCHED_BODIES = """
openapi: 3.0.0
info: {title: Streams, version: "1.0"}
paths:
  /#X-Amz-Target=Streams.DescribeStream:
    post:
      operationId: DescribeStream
      parameters: [{in: header, name: X-Amz-Target, required: true, schema: {type: string, enum: [Streams.DescribeStream]}}]
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, required: [StreamArn], properties: {StreamArn: {type: string}}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /#X-Amz-Target=Streams.ListStreams:
    post:
      operationId: ListStreams
      parameters: [{in: header, name: X-Amz-Target, required: true, schema: {type: string, enum: [Streams.ListStreams]}}]
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, properties: {Limit: {type: integer}}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
"""


def test_operations_dispatched_on_a_header_publish_their_request_bodies(tmp_path: Path) -> None:
    (server,) = generate_packages(tmp_path, "streams", DISPATCHED_BODIES, parts=("server",))
    client = TestClient(server.create_app(mock=True))
    (operation,) = client.get("/openapi.json").json()["paths"]["/"].values()
    body = operation["requestBody"]
    assert body["required"] is True
    (media,) = body["content"].values()
    assert media["schema"] == {"anyOf": [{"$ref": "#/components/schemas/DescribeStreamBody"}, {"$ref": "#/components/schemas/ListStreamsBody"}]}
    target = {"X-Amz-Target": "Streams.DescribeStream"}
    assert client.post("/", headers=target, json={"StreamArn": "a"}).status_code == 200
    assert client.post("/", headers=target).status_code == 422


IGNORED_HEADERS = """
openapi: 3.0.3
info: {title: Ignored headers, version: "1"}
paths:
  /fees:
    get:
      operationId: get_fees
      parameters:
        - {in: header, name: Accept, required: true, schema: {type: string, enum: [application/xml]}}
        - {in: header, name: content-type, required: true, schema: {type: string}}
        - {in: header, name: Authorization, required: true, schema: {type: string}}
        - {in: header, name: X-Trace, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: object, properties: {fee: {type: integer}}}}}
"""


def test_accept_content_type_and_authorization_header_parameters_are_ignored_as_openapi_3_says(tmp_path: Path) -> None:
    client, server = generate_packages(tmp_path, "ignored", IGNORED_HEADERS)
    app = TestClient(server.create_app(mock=True))
    assert app.get("/fees", headers={"X-Trace": "t"}).status_code == 200
    assert app.get("/fees").json()["detail"][0]["loc"] == ["header", "X-Trace"]
    published = app.get("/openapi.json").json()["paths"]["/fees"]["get"]["parameters"]
    assert [p["name"] for p in published] == ["X-Trace"]
    with client.Client("http://testserver", http_client=app) as api:
        assert list(inspect.signature(api.default.get_fees).parameters) == ["x_trace", "options"]
        assert api.default.get_fees(x_trace="t").fee == 0
    result = run_stubforge("generate", tmp_path / "ignored.yaml", "--out", tmp_path / "again")
    for index, name in enumerate(("Accept", "content-type", "Authorization")):
        assert f"/paths/~1fees/get/parameters/{index}/name: warning: header parameter {name!r} is ignored, as OpenAPI 3 says" in result.stderr


UNTYPED_QUERY = """
swagger: "2.0"
info: {title: Metrics, version: "1"}
paths:
  /metrics:
    get:
      operationId: get_metrics
      parameters:
        - {in: query, name: to, type: time, description: a type no spec knows}
      responses:
        "200": {description: ok, schema: {type: object, properties: {to: {type: string}}}}
"""


def test_an_untyped_parameter_is_text_and_published_as_a_string(tmp_path: Path) -> None:
    (server,) = generate_packages(tmp_path, "metrics", UNTYPED_QUERY, parts=("server",))
    app = TestClient(server.create_app(mock=True))
    (published,) = app.get("/openapi.json").json()["paths"]["/metrics"]["get"]["parameters"]
    assert published["schema"]["type"] == "string"
    assert app.get("/metrics?to=2024-01-31").status_code == 200
    assert app.get("/metrics?to=1&to=2").status_code == 422
