"""Mock answers conform to the server's published /openapi.json: every body validates against its
response schema (formats, writeOnly properties, patterns), every answer carries a Content-Type of
a documented media type (HEAD too), and ``Allow`` names the methods of one documented resource.
Answers are checked with schemathesis' own response validation, as the corpus sweep does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient

from conftest import generate_packages, run_stubforge, write_spec

SPEC = """
openapi: 3.0.3
info: {title: Files, version: "1.0"}
components:
  schemas:
    Owner:
      type: object
      required: [name, links, password, id]
      properties:
        id: {type: string, readOnly: true}
        name: {type: string}
        password: {type: string, writeOnly: true, minLength: 6}
        secret: {allOf: [{$ref: "#/components/schemas/Secret"}], writeOnly: true}
        opens: {type: string, format: time}
        links:
          type: object
          properties:
            self: {type: string, format: uri, example: /api/v2/users/1}
            docs: {type: string, format: uri-reference, example: "12:00:00"}
    Secret:
      type: object
      properties:
        code: {type: string}
    Tensor:
      type: object
      required: [content]
      properties:
        content: {type: string, format: byte, pattern: ".* maxLength: 2097152"}
paths:
  /owners:
    post:
      operationId: addOwner
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Owner"}
      responses:
        "201":
          description: made
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Owner"}
  /owners/{id}:
    get:
      operationId: getOwner
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Owner"}
  /tensors:
    get:
      operationId: getTensor
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Tensor"}
  /images/{name}:
    get:
      operationId: getImage
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            image/*:
              schema: {type: string, format: binary}
    head:
      operationId: headImage
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            image/*:
              schema: {type: string, format: binary}
  /proxy/{path}:
    head:
      operationId: headProxy
      parameters:
        - {name: path, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            "*/*":
              schema: {type: string}
  /reports/{id}/pdf:
    get:
      operationId: getPdf
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: the PDF
          content:
            PDF: {}
  /integrations/{integrationId}:
    put:
      operationId: putIntegration
      parameters:
        - {name: integrationId, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: done}
  /integrations/{type}:
    get:
      operationId: listIntegrations
      parameters:
        - {name: type, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {type: {type: string}}}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, dict[str, Any]]:
    (server,) = generate_packages(tmp_path_factory.mktemp("files"), "files", SPEC, parts=("server",))
    client = TestClient(server.create_app(mock=True))
    return client, client.get("/openapi.json").json()


def _conforms(document: dict[str, Any], path: str, method: str, response: Any) -> None:
    """Raises schemathesis' failures when ``response`` breaks the documented answer of the
    operation at ``path`` (as published)."""
    schema = schemathesis.openapi.from_dict(document)
    schema[path][method].validate_response(response)


def test_examples_that_break_their_format_are_not_answered(files: tuple[TestClient, dict[str, Any]]) -> None:
    client, document = files
    answer = client.get("/owners/1")
    assert answer.status_code == 200
    links = answer.json()["links"]
    assert links["self"] != "/api/v2/users/1" and links["self"].startswith("https:")
    assert links["docs"] != "12:00:00"
    assert answer.json()["opens"].endswith("Z")  # an RFC 3339 time has an offset
    _conforms(document, "/owners/{id}", "GET", answer)


def test_required_write_only_properties_are_left_out_of_answers_as_the_document_says(
    files: tuple[TestClient, dict[str, Any]],
) -> None:
    client, document = files
    owner = document["components"]["schemas"]["Owner"]["properties"]
    assert owner["password"]["writeOnly"] is True and owner["id"]["readOnly"] is True
    assert owner["secret"] == {"allOf": [{"$ref": "#/components/schemas/Secret"}], "writeOnly": True}
    answer = client.post("/owners", json={"name": "Ann", "links": {}, "password": "secret1"})
    assert answer.status_code == 201
    assert "password" not in answer.json() and "secret" not in answer.json()
    _conforms(document, "/owners", "POST", answer)


def test_a_pattern_no_string_of_the_format_matches_is_answered_by_the_pattern_with_a_warning(
    files: tuple[TestClient, dict[str, Any]], tmp_path: Path
) -> None:
    client, document = files
    answer = client.get("/tensors")
    assert answer.json()["content"].endswith(" maxLength: 2097152")
    _conforms(document, "/tensors", "GET", answer)
    result = run_stubforge("generate", write_spec(tmp_path, "files.yaml", SPEC), "--out", tmp_path / "out")
    assert "/components/schemas/Tensor/properties/content: warning: no value fits the schema" in result.stderr


def test_head_answers_carry_the_content_type_get_would(files: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = files
    got, head = client.get("/images/cat"), client.head("/images/cat")
    assert head.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"] == "image/*"
    assert head.headers["content-length"] == got.headers["content-length"]
    assert client.head("/proxy/x").headers["content-type"].startswith("text/plain")  # a concrete type for */*


def test_a_media_type_key_that_is_no_media_type_is_answered_and_published_as_octet_stream(
    files: tuple[TestClient, dict[str, Any]], tmp_path: Path
) -> None:
    client, document = files
    answer = client.get("/reports/1/pdf")
    assert answer.headers["content-type"] == "application/octet-stream"
    assert list(document["paths"]["/reports/{id}/pdf"]["get"]["responses"]["200"]["content"]) == ["application/octet-stream"]
    _conforms(document, "/reports/{id}/pdf", "GET", answer)
    result = run_stubforge("generate", write_spec(tmp_path, "files.yaml", SPEC), "--out", tmp_path / "out")
    assert "/paths/~1reports~1{id}~1pdf/get/responses/200/content/PDF: warning: media type 'PDF' is not type/subtype" in result.stderr


def test_paths_that_differ_only_in_placeholder_names_are_published_as_one_resource(
    files: tuple[TestClient, dict[str, Any]],
) -> None:
    client, document = files
    assert "/integrations/{type}" not in document["paths"]
    item = document["paths"]["/integrations/{integrationId}"]
    assert sorted(item) == ["get", "put"]
    assert [p["name"] for p in item["get"]["parameters"]] == ["integrationId"]
    allowed = client.options("/integrations/slack").headers["allow"]
    assert sorted(allowed.split(", ")) == ["GET", "OPTIONS", "PUT"]
    assert client.get("/integrations/slack").status_code == 200
    assert client.put("/integrations/slack").status_code == 204


RECORDED_HEADERS_SPEC = """
openapi: 3.0.3
info: {title: Recorded, version: "1.0"}
paths:
  /pages:
    get:
      operationId: getPage
      responses:
        "200":
          description: ok, with the headers of a recorded answer
          headers:
            Transfer-Encoding: {schema: {type: string, example: chunked}}
            Content-Length: {schema: {type: string, example: "4096"}}
            Content-Encoding: {schema: {type: string, example: gzip}}
            Connection: {schema: {type: string, example: close}}
            X-Rate-Limit: {schema: {type: integer, example: 5}}
          content:
            application/json:
              schema: {type: object, properties: {title: {type: string, example: Home}}}
    head:
      operationId: headPage
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {title: {type: string, example: Home}}}
"""


def test_recorded_framing_headers_are_left_to_the_http_server(tmp_path: Path, serve: Any) -> None:
    (server,) = generate_packages(tmp_path, "recorded", RECORDED_HEADERS_SPEC, parts=("server",))
    base = serve(server.create_app(mock=True))
    with httpx.Client(base_url=base) as client:
        answer = client.get("/pages")
        assert answer.status_code == 200 and answer.json() == {"title": "Home"}
        assert answer.headers["x-rate-limit"].isdigit()
        assert answer.headers["content-length"] == str(len(answer.content))
        assert "transfer-encoding" not in answer.headers and "content-encoding" not in answer.headers
        head = client.head("/pages")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == "application/json"
        assert head.headers["content-length"] == str(len(answer.content))


MADE_UP_FORM_SPEC = """
openapi: 3.0.3
info: {title: Uploads, version: "1.0"}
paths:
  /tracks:
    post:
      operationId: addTrack
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {title: {type: string}}}
          multipart/x-www-form-urlencoded:
            schema: {type: object, properties: {title: {type: string}}}
      responses:
        "201": {description: made}
"""


def test_a_made_up_form_media_type_gives_way_to_a_real_one(tmp_path: Path) -> None:
    (server,) = generate_packages(tmp_path, "uploads", MADE_UP_FORM_SPEC, parts=("server",))
    client = TestClient(server.create_app(mock=True))
    body = client.get("/openapi.json").json()["paths"]["/tracks"]["post"]["requestBody"]
    assert list(body["content"]) == ["multipart/form-data"]
    assert client.post("/tracks", files={"title": (None, "Song")}).status_code == 201


def test_paths_that_differ_only_in_placeholder_names_are_warned_of(tmp_path: Path) -> None:
    result = run_stubforge("generate", write_spec(tmp_path, "files.yaml", SPEC), "--out", tmp_path / "out")
    assert (
        "/paths/~1integrations~1{type}/get: warning: path /integrations/{type} differs from /integrations/{integrationId} "
        "only in its placeholders' names" in result.stderr
    )


NAMELESS_HEADER_SPEC = """
openapi: 3.0.3
info: {title: Pages, version: "1.0"}
paths:
  /pages/{id}:
    get:
      operationId: getPage
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: Notion-Version, in: header, schema: {type: string}}
        - {name: "", in: header, schema: {type: string}}
        - {name: "Bad Name", in: header, schema: {type: string}}
      responses:
        "200": {description: ok}
"""


def test_header_parameters_whose_name_is_no_token_are_skipped_with_a_warning(tmp_path: Path) -> None:
    (server,) = generate_packages(tmp_path, "notion_pages", NAMELESS_HEADER_SPEC, parts=("server",))
    document = TestClient(server.create_app(mock=True)).get("/openapi.json").json()
    parameters = document["paths"]["/pages/{id}"]["get"]["parameters"]
    assert [p["name"] for p in parameters] == ["id", "Notion-Version"]
    schemathesis.openapi.from_dict(document)["/pages/{id}"]["GET"]  # a document schemathesis can read
    result = run_stubforge("generate", tmp_path / "notion_pages.yaml", "--out", tmp_path / "again")
    assert "/paths/~1pages~1{id}/get/parameters/2/name: warning: header parameter name '' cannot be sent" in result.stderr
    assert "/parameters/3/name: warning: header parameter name 'Bad Name' cannot be sent" in result.stderr


DECLARED_401_SPEC = """
openapi: 3.0.3
info: {title: Music, version: "1.0"}
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
  schemas:
    ErrorObject:
      type: object
      required: [status, message]
      properties:
        status: {type: integer, minimum: 400, maximum: 599}
        message: {type: string}
security: [{token: []}]
paths:
  /queue:
    post:
      operationId: addToQueue
      responses:
        "204": {description: queued}
        "401":
          description: bad token
          content:
            application/json:
              schema:
                type: object
                required: [error]
                properties:
                  error: {$ref: "#/components/schemas/ErrorObject"}
"""


def test_an_error_status_the_server_also_answers_itself_is_published_both_ways(tmp_path: Path) -> None:
    (server,) = generate_packages(tmp_path, "music", DECLARED_401_SPEC, parts=("server",))
    client = TestClient(server.create_app(mock=True))
    document = client.get("/openapi.json").json()
    own = client.post("/queue")
    declared = client.post("/queue", headers={"Authorization": "Bearer t", "Prefer": "code=401"})
    assert own.status_code == declared.status_code == 401
    assert "error" in own.json() and isinstance(declared.json()["error"], dict)
    _conforms(document, "/queue", "POST", own)
    _conforms(document, "/queue", "POST", declared)
