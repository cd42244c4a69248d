"""Request bodies on the generated server: it reads a body only as the media type it publishes
(any other answers 415), reads a wildcard (``*/*``) body with a structured schema as JSON, reads
form and multipart fields as their schema says (objects as JSON text, enums of numbers from their
text, arrays from repeated fields), validates values sent as JSON strictly, and reads text and
binary bodies as what their schema is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import generate_packages

SPEC = """
swagger: "2.0"
info: {title: Bodies, version: "1.0"}
consumes: ["*/*"]
produces: [application/json]
definitions:
  DeleteOptions:
    type: object
    properties:
      gracePeriodSeconds: {type: integer}
      propagationPolicy: {type: string}
paths:
  /namespaces/{name}:
    delete:
      operationId: deleteNamespace
      parameters:
        - {in: path, name: name, required: true, type: string}
        - {in: body, name: body, schema: {$ref: "#/definitions/DeleteOptions"}}
      responses: {"200": {description: ok, schema: {type: object}}}
  /podcasts:
    post:
      operationId: addPodcasts
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {in: formData, name: show_latest_episodes, type: integer, enum: [0, 1]}
        - {in: formData, name: ids, type: array, items: {type: string}, required: true}
        - {in: formData, name: title, type: string}
      responses: {"200": {description: ok, schema: {type: object}}}
"""

OAS3 = """
openapi: 3.0.3
info: {title: Parts, version: "1.0"}
components:
  schemas:
    MaskPosition:
      type: object
      required: [point, y_shift]
      properties: {point: {type: string}, y_shift: {type: number}}
    InlineKeyboard:
      type: object
      required: [inline_keyboard]
      properties: {inline_keyboard: {type: array, items: {type: string}}}
    ForceReply:
      type: object
      required: [force_reply]
      properties: {force_reply: {type: boolean}}
paths:
  /stickers:
    post:
      operationId: addSticker
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
                mask_position: {$ref: "#/components/schemas/MaskPosition"}
                reply_markup:
                  anyOf: [{$ref: "#/components/schemas/InlineKeyboard"}, {$ref: "#/components/schemas/ForceReply"}]
                files: {type: array, items: {type: string, format: binary}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /videos:
    post:
      operationId: sendVideo
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [video, chat]
              properties:
                video: {anyOf: [{description: a file}, {type: string}]}
                chat: {type: string}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /attachments:
    post:
      operationId: addAttachment
      requestBody:
        content:
          multipart/form-data:
            schema: {type: string, format: binary}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /releases:
    patch:
      operationId: updateRelease
      requestBody:
        required: true
        content:
          text/plain:
            schema: {type: object, required: [notes], properties: {notes: {type: string, maxLength: 5}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  /write:
    post:
      operationId: write
      requestBody:
        required: true
        content:
          text/plain:
            schema: {type: string, maxLength: 5}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
"""

FORM = "application/x-www-form-urlencoded"


def recording_handlers(server: Any, received: list[Any]) -> Any:
    """Handlers recording the body each operation received and answering ``{}``."""

    async def record(self: Any, **arguments: Any) -> dict[str, Any]:
        received.append(arguments.get("body"))
        return {}

    names = [name for name in dir(server.Handlers) if not name.startswith(("_", "verify"))]
    return type("Recording", (server.Handlers,), {name: record for name in names})()


@pytest.fixture(scope="module")
def bodies(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, list[Any]]:
    (server,) = generate_packages(tmp_path_factory.mktemp("bodies"), "bodies", SPEC, parts=("server",))
    received: list[Any] = []
    return TestClient(server.create_app(recording_handlers(server, received))), received


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, list[Any]]:
    (server,) = generate_packages(tmp_path_factory.mktemp("parts"), "parts", OAS3, parts=("server",))
    received: list[Any] = []
    return TestClient(server.create_app(recording_handlers(server, received))), received


def multipart(*parts: tuple[str, str, bytes]) -> tuple[dict[str, str], bytes]:
    """Headers and body of a multipart request of (name, Content-Type, data) parts."""
    body = b"".join(
        b'--b0undary\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n'
        + (b"Content-Type: " + part_type.encode() + b"\r\n" if part_type else b"")
        + b"\r\n" + data + b"\r\n"
        for name, part_type, data in parts
    )
    return {"Content-Type": "multipart/form-data; boundary=b0undary"}, body + b"--b0undary--\r\n"


def test_a_wildcard_body_with_an_object_schema_is_json_and_published_as_json(bodies: tuple[TestClient, list[Any]]) -> None:
    client, received = bodies
    published = client.get("/openapi.json").json()["paths"]["/namespaces/{name}"]["delete"]
    assert list(published["requestBody"]["content"]) == ["application/json"]
    assert "415" in published["responses"]
    response = client.request("DELETE", "/namespaces/a", json={"gracePeriodSeconds": 3})
    assert response.status_code == 200, response.text
    assert received[-1].grace_period_seconds == 3
    invalid = client.request("DELETE", "/namespaces/a", json={"propagationPolicy": {}})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "propagationPolicy"]


@pytest.mark.parametrize("content_type", ["image/jpeg", "text/yaml", "text/xml", FORM, "multipart/form-data; boundary=b", None])
def test_a_body_of_a_media_type_the_operation_does_not_read_answers_415(bodies: tuple[TestClient, list[Any]], content_type: str | None) -> None:
    client, _ = bodies
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.request("DELETE", "/namespaces/a", content=b'{"gracePeriodSeconds": "x"}', headers=headers)
    assert response.status_code == 415, response.text
    assert response.json()["error"] == "unsupported_media_type"
    assert "application/json" in response.json()["message"]


def test_a_form_operation_refuses_json_with_415(bodies: tuple[TestClient, list[Any]]) -> None:
    client, _ = bodies
    assert client.post("/podcasts", json={"ids": ["a"]}).status_code == 415
    assert client.post("/podcasts", content=b"ids=a", headers={"Content-Type": FORM + "; charset=utf-8"}).status_code == 200


def test_form_enums_of_numbers_are_read_from_their_text(bodies: tuple[TestClient, list[Any]]) -> None:
    client, received = bodies
    response = client.post("/podcasts", content=b"ids=a&show_latest_episodes=1", headers={"Content-Type": FORM})
    assert response.status_code == 200, response.text
    assert received[-1].show_latest_episodes == 1
    for bad in (b"ids=a&show_latest_episodes=2", b"ids=a&show_latest_episodes=one", b"ids=a&show_latest_episodes=true"):
        assert client.post("/podcasts", content=bad, headers={"Content-Type": FORM}).status_code == 422, bad


def test_a_required_array_field_not_sent_is_empty_since_no_form_can_say_so_otherwise(bodies: tuple[TestClient, list[Any]]) -> None:
    client, received = bodies
    response = client.post("/podcasts", content=b"title=x", headers={"Content-Type": FORM})
    assert response.status_code == 200, response.text
    assert received[-1].ids == [] and received[-1].title == "x"


def test_a_required_untyped_field_not_sent_is_missing_not_an_empty_array(parts: tuple[TestClient, list[Any]]) -> None:
    """Only an array field is read as [] when absent: an untyped one is more likely forgotten."""
    client, received = parts
    headers, body = multipart(("chat", "", b"c"))
    response = client.post("/videos", headers=headers, content=body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "video"]
    headers, body = multipart(("video", "", b"v"))
    response = client.post("/videos", headers=headers, content=body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "chat"]


def test_a_json_part_is_validated_strictly(parts: tuple[TestClient, list[Any]]) -> None:
    client, received = parts
    headers, body = multipart(("name", "", b"n"), ("mask_position", "application/json", b'{"point": "eyes", "y_shift": 1.5}'))
    assert client.post("/stickers", headers=headers, content=body).status_code == 200
    assert received[-1].mask_position.y_shift == 1.5
    for wrong in (b'{"point": "eyes", "y_shift": true}', b'{"point": "eyes", "y_shift": "1.5"}'):
        headers, body = multipart(("name", "", b"n"), ("mask_position", "application/json", wrong))
        response = client.post("/stickers", headers=headers, content=body)
        assert response.status_code == 422, wrong
        assert response.json()["detail"][0]["loc"] == ["body", "mask_position", "y_shift"]


def test_an_object_part_sent_without_a_content_type_is_read_as_json(parts: tuple[TestClient, list[Any]]) -> None:
    """OpenAPI's default Content-Type of an object property is application/json, and it is how
    the generated client sends one; a union of objects too."""
    client, received = parts
    headers, body = multipart(("name", "", b"n"), ("reply_markup", "", b'{"inline_keyboard": []}'), ("mask_position", "", b'{"point": "p", "y_shift": 0}'))
    response = client.post("/stickers", headers=headers, content=body)
    assert response.status_code == 200, response.text
    assert received[-1].reply_markup.inline_keyboard == [] and received[-1].mask_position.point == "p"
    headers, body = multipart(("name", "", b"n"), ("reply_markup", "", b'{"force_reply": 1}'))
    assert client.post("/stickers", headers=headers, content=body).status_code == 422
    headers, body = multipart(("name", "", b"n"), ("reply_markup", "", b"{not json"))
    response = client.post("/stickers", headers=headers, content=body)
    assert response.status_code == 422 and "reply_markup" in response.json()["message"]


def test_a_multipart_body_whose_schema_is_binary_is_the_raw_body(parts: tuple[TestClient, list[Any]]) -> None:
    client, received = parts
    headers, body = multipart()
    response = client.post("/attachments", headers=headers, content=body)
    assert response.status_code == 200, response.text
    assert received[-1] == body


def test_a_text_body_with_an_object_schema_is_json_text_validated_strictly(parts: tuple[TestClient, list[Any]]) -> None:
    client, received = parts
    text = {"Content-Type": "text/plain"}
    assert client.patch("/releases", content=b'{"notes": "new"}', headers=text).status_code == 200
    assert received[-1].notes == "new"
    for bad in (b'{"notes": 5}', b'{"notes": "too long"}', b"notes"):
        assert client.patch("/releases", content=bad, headers=text).status_code == 422, bad


def test_a_text_body_is_validated_as_text(parts: tuple[TestClient, list[Any]]) -> None:
    client, received = parts
    text = {"Content-Type": "text/plain; charset=utf-8"}
    assert client.post("/write", content=b"abc", headers=text).status_code == 200
    assert received[-1] == "abc"
    assert client.post("/write", content=b"abcdefgh", headers=text).status_code == 422
    assert client.post("/write", content=b"abc", headers={"Content-Type": "application/json"}).status_code == 415


def test_the_published_media_types_are_the_ones_the_server_reads(parts: tuple[TestClient, list[Any]]) -> None:
    client, _ = parts
    paths = client.get("/openapi.json").json()["paths"]
    assert list(paths["/stickers"]["post"]["requestBody"]["content"]) == ["multipart/form-data"]
    assert list(paths["/releases"]["patch"]["requestBody"]["content"]) == ["text/plain"]
    assert all("415" in operation["responses"] for path in paths.values() for operation in path.values())


def test_the_client_and_the_server_agree_on_wildcard_json_bodies(tmp_path: Path) -> None:
    """The client sends a ``*/*`` body with an object schema as JSON, which the server reads."""
    client_package, server = generate_packages(tmp_path, "wild", SPEC)
    received: list[Any] = []
    app = server.create_app(recording_handlers(server, received))
    http = TestClient(app)
    with client_package.Client(base_url="http://testserver", http_client=http) as client:
        client.default.delete_namespace(name="a", body=client_package.models.DeleteOptions(grace_period_seconds=4))
    assert received[-1].grace_period_seconds == 4
