"""OpenAPI 3 features end to end: the generated client against the generated server, in process.

One small spec exercises path, query (form, pipe-delimited, deepObject), header and cookie
parameters, JSON, form, multipart and binary bodies, API key and bearer auth, allOf models,
oneOf unions, enums and nullable fields. Each test reads what the handler received and what
went over the wire.
"""

from __future__ import annotations

import sys
import typing
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import generate_packages

SPEC = """
openapi: 3.0.3
info: {title: Features, version: "1.2.0"}
servers: [{url: "https://{region}.example.com/api", variables: {region: {default: eu}}}]
security: [{apiKey: []}, {bearer: []}]
components:
  securitySchemes:
    apiKey: {type: apiKey, in: header, name: X-Api-Key}
    bearer: {type: http, scheme: bearer}
  schemas:
    Named:
      type: object
      required: [name]
      properties:
        name: {type: string}
    Pet:
      allOf:
        - $ref: "#/components/schemas/Named"
        - type: object
          required: [kind]
          properties:
            kind: {type: string, enum: [cat, dog]}
            age: {type: integer, nullable: true}
            tags: {type: array, items: {type: string}}
    Error:
      type: object
      properties:
        code: {type: integer}
    PetOrError:
      oneOf:
        - $ref: "#/components/schemas/Pet"
        - $ref: "#/components/schemas/Error"
    Shelter:
      type: object
      required: [petList]
      properties:
        petList: {type: array, items: {$ref: "#/components/schemas/Pet"}}
        byName: {type: object, additionalProperties: {$ref: "#/components/schemas/Pet"}}
        bestFriend: {$ref: "#/components/schemas/PetOrError"}
        size: {type: string, enum: [small, large]}
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      tags: [pets]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
        - {name: fields, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: string}}}
        - {name: ids, in: query, schema: {type: array, items: {type: integer}}}
        - {name: filter, in: query, style: deepObject, explode: true, schema: {type: object, additionalProperties: {type: string}}}
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
      responses:
        "200":
          description: the pet
          content: {application/json: {schema: {$ref: "#/components/schemas/PetOrError"}}}
  /pets:
    post:
      operationId: createPet
      tags: [pets]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
      responses:
        "201":
          description: created
          content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
  /login:
    post:
      operationId: login
      security: []
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [user]
              properties:
                user: {type: string}
                remember: {type: boolean}
      responses:
        "204": {description: ok}
  /upload:
    post:
      operationId: upload
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                note: {type: string}
                file: {type: string, format: binary}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /raw:
    put:
      operationId: putRaw
      requestBody:
        content: {application/octet-stream: {schema: {type: string, format: binary}}}
      responses:
        "200": {description: ok, content: {text/plain: {schema: {type: string}}}}
"""


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return generate_packages(tmp_path_factory.mktemp("features"), "features", SPEC)


class Recorder:
    def __init__(self, server: Any) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        outer = self

        class Handlers(server.Handlers):
            async def get_pet(self, **kw: Any) -> Any:
                outer.calls.append(("get_pet", kw))
                return {"name": "Rex", "kind": "dog", "age": None, "tags": kw["fields"] or []}

            async def create_pet(self, **kw: Any) -> Any:
                outer.calls.append(("create_pet", kw))
                return kw["body"]

            async def login(self, **kw: Any) -> Any:
                outer.calls.append(("login", kw))
                return None

            async def upload(self, **kw: Any) -> Any:
                outer.calls.append(("upload", kw))
                return {"size": len(kw["body"].file or b""), "note": kw["body"].note}

            async def put_raw(self, **kw: Any) -> Any:
                outer.calls.append(("put_raw", kw))
                from fastapi.responses import PlainTextResponse

                return PlainTextResponse(kw["body"].decode()[::-1])

            async def verify_api_key(self, credential: str, request: Any) -> str:
                return "key:" + credential

            async def verify_bearer(self, credential: str, request: Any) -> str:
                return "token:" + credential

        self.handlers = Handlers()


@pytest.fixture
def wired(features: Any) -> tuple[Any, Recorder, list[httpx.Request]]:
    """A client whose requests are recorded, then served by the generated app in process."""
    from fastapi.testclient import TestClient

    client_pkg, server_pkg = features
    recorder = Recorder(server_pkg)
    app_client = TestClient(server_pkg.create_app(recorder.handlers))
    sent: list[httpx.Request] = []
    app_client.event_hooks["request"].append(sent.append)
    client = client_pkg.Client("http://testserver/api", http_client=app_client, api_key="k-123")
    return client, recorder, sent


def test_server_url_variables_give_the_default_base_url(features: Any) -> None:
    client_pkg, _ = features
    assert client_pkg.Client.__init__.__defaults__[0] == "https://eu.example.com/api"


def test_parameters_in_every_place_and_style(wired: Any) -> None:
    client, recorder, sent = wired
    pet = client.pets.get_pet(pet_id=7, fields=["name", "kind"], ids=[1, 2], filter_={"color": "red"}, x_trace="t-1", session="s-9")
    request = sent[-1]
    assert request.url.path == "/api/pets/7"
    assert request.url.query.decode() == "fields=name%7Ckind&ids=1&ids=2&filter%5Bcolor%5D=red"
    assert request.headers["x-trace"] == "t-1" and request.headers["x-api-key"] == "k-123"
    assert request.headers["cookie"] == "session=s-9"
    assert recorder.calls[-1] == (
        "get_pet",
        {"pet_id": 7, "fields": ["name", "kind"], "ids": [1, 2], "filter_": {"color": "red"}, "x_trace": "t-1", "session": "s-9"},
    )
    assert type(pet).__name__ == "Pet" and (pet.name, pet.kind, pet.age, pet.tags) == ("Rex", "dog", None, ["name", "kind"])


def test_json_body_with_an_all_of_model(wired: Any, features: Any) -> None:
    client, recorder, sent = wired
    models = features[0].models
    created = client.pets.create_pet(body=models.Pet(name="Tom", kind="cat", tags=["a"], additional_properties={"x": 1}))
    assert sent[-1].headers["content-type"] == "application/json"
    received = recorder.calls[-1][1]["body"]
    assert (received.name, received.kind, received.tags, received.model_extra) == ("Tom", "cat", ["a"], {"x": 1})
    assert isinstance(created, models.Pet) and created.additional_properties == {"x": 1}


def test_form_body_and_no_auth_needed(wired: Any) -> None:
    client, recorder, sent = wired
    client.default.login(body={"user": "ann", "remember": True})
    assert sent[-1].headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent[-1].content == b"user=ann&remember=true"
    body = recorder.calls[-1][1]["body"]
    assert (body.user, body.remember) == ("ann", True)


def test_multipart_body_with_a_file(wired: Any, features: Any) -> None:
    client, recorder, sent = wired
    models = features[0].models
    result = client.default.upload(body=models.UploadBody(note="hi", file=b"\x00\x01binary"))
    assert sent[-1].headers["content-type"].startswith("multipart/form-data; boundary=")
    assert result == {"size": 8, "note": "hi"}


def test_binary_body_and_text_response(wired: Any) -> None:
    client, recorder, sent = wired
    assert client.default.put_raw(body=b"abc") == "cba"
    assert sent[-1].headers["content-type"] == "application/octet-stream"


def test_missing_credentials_answer_401_and_bearer_works(features: Any) -> None:
    from fastapi.testclient import TestClient

    client_pkg, server_pkg = features
    recorder = Recorder(server_pkg)
    http = TestClient(server_pkg.create_app(recorder.handlers))
    with pytest.raises(client_pkg.AuthenticationError):
        client_pkg.Client("http://testserver/api", http_client=http).pets.get_pet(pet_id=1)
    bearer = client_pkg.Client("http://testserver/api", http_client=http, bearer="tok")
    assert bearer.pets.get_pet(pet_id=1).name == "Rex"
    assert recorder.calls[-1][0] == "get_pet"


def test_invalid_input_is_rejected_with_422(features: Any) -> None:
    from fastapi.testclient import TestClient

    _, server_pkg = features
    http = TestClient(server_pkg.create_app(Recorder(server_pkg).handlers))
    headers = {"X-Api-Key": "k"}
    assert http.get("/api/pets/notanumber", headers=headers).status_code == 422
    assert http.get("/api/pets/1?ids=x", headers=headers).status_code == 422
    assert http.post("/api/pets", json={"name": "x", "kind": "cow"}, headers=headers).status_code == 422
    assert http.post("/api/login", content=b"remember=true", headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 422


def test_client_models_decode_nested_data_from_their_annotations(features: Any) -> None:
    """Lists and maps of models, unions, renamed fields, unknown fields kept, named enums."""
    models = features[0].models
    data = {
        "petList": [{"name": "Rex", "kind": "dog", "tags": ["a"]}],
        "byName": {"Tom": {"name": "Tom", "kind": "cat", "age": None}},
        "bestFriend": {"code": 7},
        "size": "small",
        "extra": 1,
    }
    shelter = models.Shelter.from_dict(data)
    assert shelter.pet_list == [models.Pet(name="Rex", kind="dog", tags=["a"])]
    assert shelter.by_name == {"Tom": models.Pet(name="Tom", kind="cat")}
    assert shelter.best_friend == models.Error(code=7), "a Pet needs a name: the union's next member reads it"
    assert shelter.additional_properties == {"extra": 1}
    assert shelter.to_dict() == {**data, "byName": {"Tom": {"name": "Tom", "kind": "cat"}}}
    assert typing.get_args(models.ShelterSize) == ("small", "large")
    with pytest.raises(KeyError, match="petList"):
        models.Shelter.from_dict({})


def test_generated_feature_packages_pass_mypy_strict(features: Any, tmp_path: Path) -> None:
    import subprocess

    client_pkg, server_pkg = features
    folders = [str(Path(client_pkg.__file__).parent), str(Path(server_pkg.__file__).parent)]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), *folders], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout
