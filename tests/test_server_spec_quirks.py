"""The generated server on what real specs do that schemathesis' corpus sweep
(``tests/corpus_schemathesis.py``) found it answering wrongly: each answer must be one the
published OpenAPI document allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import generate_packages

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
