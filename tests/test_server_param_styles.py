"""The generated server reads path, query, header and cookie parameters by their OpenAPI
serialization (style, explode, ``content``), as its published /openapi.json describes them,
and tells apart templated paths that match one request by their path parameters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import generate_packages, recording, run_stubforge, write_spec

STYLES = """
openapi: 3.0.3
info: {title: Styles, version: "1.0"}
components:
  securitySchemes:
    key: {type: apiKey, in: query, name: api_key}
  schemas:
    Version:
      type: object
      additionalProperties: false
      properties:
        Major: {type: integer}
        Minor: {type: integer}
paths:
  /simple/{version}:
    get:
      operationId: simpleObject
      parameters:
        - {in: path, name: version, required: true, schema: {$ref: "#/components/schemas/Version"}}
      responses: {"200": {description: ok}}
  /exploded/{version}:
    get:
      operationId: explodedObject
      parameters:
        - {in: path, name: version, required: true, explode: true, schema: {$ref: "#/components/schemas/Version"}}
      responses: {"200": {description: ok}}
  /label/{ids}/{one}:
    get:
      operationId: labelArray
      parameters:
        - {in: path, name: ids, required: true, style: label, explode: true, schema: {type: array, items: {type: integer}}}
        - {in: path, name: one, required: true, style: label, schema: {type: integer, maximum: 9}}
      responses: {"200": {description: ok}}
  /matrix/{ids}/{version}:
    get:
      operationId: matrixArray
      parameters:
        - {in: path, name: ids, required: true, style: matrix, explode: true, schema: {type: array, items: {type: integer}}}
        - {in: path, name: version, required: true, style: matrix, schema: {$ref: "#/components/schemas/Version"}}
      responses: {"200": {description: ok}}
  /stream:
    get:
      operationId: stream
      security: [{key: []}]
      parameters:
        - {in: query, name: limit, schema: {type: integer}}
        - {in: query, name: streamOptions, schema: {type: object, additionalProperties: {type: integer}}}
      responses: {"200": {description: ok}}
  /query:
    get:
      operationId: queryStyles
      parameters:
        - {in: query, name: version, explode: false, schema: {$ref: "#/components/schemas/Version"}}
        - {in: query, name: pipes, style: pipeDelimited, explode: false, schema: {type: array, items: {type: integer}}}
        - {in: query, name: headers, style: deepObject, explode: true, schema: {type: object, additionalProperties: {type: string}}}
      responses: {"200": {description: ok}}
  /spread:
    get:
      operationId: spread
      parameters:
        - {in: query, name: version, schema: {$ref: "#/components/schemas/Version"}}
      responses: {"200": {description: ok}}
  /dots/{prices}:
    get:
      operationId: dots
      parameters:
        - {in: path, name: prices, required: true, style: label, explode: true, schema: {type: array, items: {type: number}}}
      responses: {"200": {description: ok}}
  /other:
    get:
      operationId: other
      parameters:
        - {in: header, name: X-Version, explode: true, schema: {$ref: "#/components/schemas/Version"}}
        - {in: cookie, name: ids, schema: {type: array, items: {type: integer}}}
        - {in: path, name: nested, required: true, schema: {type: array, items: {type: array, items: {type: integer}}}}
        - {in: query, name: dotted, style: deepObject, schema: {type: array, items: {type: integer}}}
      responses: {"200": {description: ok}}
    parameters: []
"""


@pytest.fixture(scope="module")
def styles(tmp_path_factory: pytest.TempPathFactory) -> Any:
    (server,) = generate_packages(tmp_path_factory.mktemp("styles"), "styles", STYLES.replace("/other:", "/other/{nested}:"), parts=("server",))
    return server


@pytest.fixture
def call(styles: Any) -> Any:
    """``call(url, **options)``: the arguments the operation was called with, or the 422 answer."""
    seen: list[tuple[str, dict[str, Any]]] = []
    client = TestClient(styles.create_app(recording(styles, seen)), raise_server_exceptions=False)

    def run(url: str, **options: Any) -> Any:
        response = client.get(url, **options)
        if response.status_code == 422:
            return response.json()["message"]
        assert response.status_code == 200, response.text
        return seen.pop()[1]

    return run


def test_a_path_object_of_style_simple_is_names_and_values_in_turn(call: Any) -> None:
    assert call("/simple/Major,1,Minor,-2")["version"] == {"Major": 1, "Minor": -2}
    assert call("/exploded/Major=1,Minor=2")["version"] == {"Major": 1, "Minor": 2}
    assert "names and values in turn" in call("/simple/Major,1,Minor")
    assert "name=value" in call("/exploded/Major,1")
    assert "Extra inputs" in call("/simple/Patch,1")  # additionalProperties: false


def test_label_and_matrix_path_values_carry_their_prefix(call: Any) -> None:
    assert call("/label/.3.4.5/.7") == {"ids": [3, 4, 5], "one": 7}
    assert "start with '.'" in call("/label/3.4/.7")
    assert "less than or equal to 9" in call("/label/.3/.10")
    assert call("/matrix/;ids=3;ids=4/;version=Major,1")== {"ids": [3, 4], "version": {"Major": 1}}
    assert "start with ';version='" in call("/matrix/;ids=3/Major,1")


def test_a_form_exploded_query_object_is_the_keys_no_other_parameter_names(call: Any) -> None:
    assert call("/stream?api_key=k&limit=2&a=1&b=2") == {"limit": 2, "stream_options": {"a": 1, "b": 2}}
    assert call("/stream?api_key=k&limit=2") == {"limit": 2, "stream_options": None}
    assert call("/stream?api_key=k&streamOptions=5")["stream_options"] == {"streamOptions": 5}
    assert "valid integer" in call("/stream?api_key=k&a=x")


def test_a_form_exploded_model_takes_its_own_properties_from_the_query(call: Any) -> None:
    assert call("/spread?Major=1&unrelated=x") == {"version": {"Major": 1}}


def test_query_objects_and_arrays_by_style(call: Any) -> None:
    assert call("/query?version=Major,1,Minor,2")["version"] == {"Major": 1, "Minor": 2}
    assert call("/query?pipes=1|2|3")["pipes"] == [1, 2, 3]
    assert call("/query?headers[One]=a&headers[Two]=b")["headers"] == {"One": "a", "Two": "b"}


def test_a_deep_object_key_that_is_no_single_property_is_refused(call: Any) -> None:
    for key in ("headers[]", "headers[a][b]", "headers[a"):
        assert "no property of the deepObject" in call(f"/query?{key}=1"), key


def test_header_and_cookie_objects_and_arrays(call: Any) -> None:
    arguments = call("/other/[]", headers={"X-Version": "Major=1,Minor=2"}, cookies={"ids": "1,2"})
    assert arguments["x_version"] == {"Major": 1, "Minor": 2}
    assert arguments["ids"] == [1, 2]


def test_the_published_document_states_each_parameters_serialization(styles: Any) -> None:
    document = TestClient(styles.create_app(mock=True)).get("/openapi.json").json()
    label = document["paths"]["/label/{ids}/{one}"]["get"]["parameters"]
    assert [(p["style"], p["explode"]) for p in label] == [("label", True), ("label", False)]
    query = {p["name"]: p for p in document["paths"]["/query"]["get"]["parameters"]}
    assert (query["headers"]["style"], query["headers"]["explode"]) == ("deepObject", True)
    names = query["headers"]["schema"]["allOf"][1]["propertyNames"]["pattern"]  # no [] (see the deepObject test)
    assert re.match(names, "One") and not re.match(names, "") and not re.match(names, "a][b")
    stream = {p["name"]: p for p in document["paths"]["/stream"]["get"]["parameters"]}
    assert stream["streamOptions"]["schema"]["allOf"][1] == {"propertyNames": {"not": {"enum": ["api_key", "limit"]}}}
    nested = document["paths"]["/other/{nested}"]["get"]["parameters"]
    assert [p for p in nested if p["name"] == "nested"][0]["content"]["application/json"]["schema"]["type"] == "array"


def test_an_unrepresentable_style_is_refused_with_a_located_warning_and_read_as_json(tmp_path: Path, call: Any) -> None:
    spec = write_spec(tmp_path, "styles.yaml", STYLES.replace("/other:", "/other/{nested}:"))
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert "/paths/~1other~1{nested}/get/parameters/2" in result.stderr + result.stdout
    warnings = result.stderr + result.stdout
    assert "cannot carry an array whose items are not plain values" in warnings
    assert "/paths/~1other~1{nested}/get/parameters/3: warning: parameter 'dotted': the deepObject style cannot carry an array unambiguously" in warnings
    assert "/paths/~1dots~1{prices}/get/parameters/0: warning: parameter 'prices': the exploded label style cannot carry values that may hold its separator '.'" in warnings
    assert call("/dots/[1.5,2]")["prices"] == [1.5, 2]
    assert call("/other/[[1,2],[3]]")["nested"] == [[1, 2], [3]]


RIVALS = """
openapi: 3.0.3
info: {title: Rivals, version: "1.0"}
paths:
  /sites/{site_id}/zones/{zone_id}:
    get:
      operationId: getZone
      parameters:
        - {in: path, name: site_id, required: true, schema: {type: integer}}
        - {in: path, name: zone_id, required: true, schema: {type: string, format: uuid}}
      responses: {"200": {description: ok}}
    put:
      operationId: putZone
      parameters:
        - {in: path, name: site_id, required: true, schema: {type: integer}}
        - {in: path, name: zone_id, required: true, schema: {type: string, format: uuid}}
      responses: {"200": {description: ok}}
  /sites/{site_id}/{zone_type}/count:
    get:
      operationId: countZones
      parameters:
        - {in: path, name: site_id, required: true, schema: {type: integer}}
        - {in: path, name: zone_type, required: true, schema: {type: string, enum: [zones, rssizones]}}
      responses: {"200": {description: ok}}
    delete:
      operationId: deleteCount
      parameters:
        - {in: path, name: site_id, required: true, schema: {type: integer}}
        - {in: path, name: zone_type, required: true, schema: {type: string, enum: [zones, rssizones]}}
      responses: {"200": {description: ok}}
  /icon/{id}:
    get:
      operationId: getIcon
      parameters:
        - {in: path, name: id, required: true, schema: {type: integer}}
      responses: {"200": {description: ok}}
  /icon/{term}:
    get:
      operationId: getIconByTerm
      parameters:
        - {in: path, name: term, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
  /jobs/{jobName}:
    get:
      operationId: getJob
      parameters:
        - {in: path, name: jobName, required: true, schema: {type: string}}
        - {in: query, name: projectId, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
    delete:
      operationId: deleteJob
      parameters:
        - {in: path, name: jobName, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
  /jobs/{name}:
    get:
      operationId: listOperations
      parameters:
        - {in: path, name: name, required: true, schema: {type: string}}
        - {in: query, name: filter, required: true, schema: {type: string}}
        - {in: header, name: X-Tenant, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
"""


@pytest.fixture(scope="module")
def rivals(tmp_path_factory: pytest.TempPathFactory) -> Any:
    (server,) = generate_packages(tmp_path_factory.mktemp("rivals"), "rivals", RIVALS, parts=("server",))
    seen: list[tuple[str, dict[str, Any]]] = []
    return TestClient(server.create_app(recording(server, seen)), raise_server_exceptions=False), seen


def test_of_two_templates_matching_a_path_the_one_whose_parameters_are_valid_serves_it(rivals: Any) -> None:
    client, seen = rivals
    zone = "e3e70682-c209-1cac-a29f-6fbed82c07cd"
    assert client.get("/sites/1/zones/count").status_code == 200
    assert seen.pop() == ("count_zones", {"site_id": 1, "zone_type": "zones"})
    assert client.get(f"/sites/1/zones/{zone}").status_code == 200
    assert seen.pop()[0] == "get_zone"
    assert client.delete("/sites/1/zones/count").status_code == 200
    assert seen.pop()[0] == "delete_count"
    refused = client.put("/sites/1/zones/count")  # the count path's, which takes no PUT
    assert refused.status_code == 405 and refused.headers["allow"] == "DELETE, GET, OPTIONS", refused.text
    answer = client.get("/sites/1/zones/nothing")  # valid for neither: the first template's error
    assert answer.status_code == 422 and "zone_id" in answer.text


def test_of_two_templates_differing_only_in_their_names_the_one_whose_parameters_are_valid_serves_it(rivals: Any) -> None:
    client, seen = rivals
    assert client.get("/icon/7").status_code == 200
    assert seen.pop() == ("get_icon", {"id_": 7})
    assert client.get("/icon/cat").status_code == 200
    assert seen.pop() == ("get_icon_by_term", {"term": "cat"})
    published = client.get("/openapi.json").json()["paths"]
    assert "/icon/{term}" not in published
    icon = published["/icon/{id}"]["get"]
    assert icon["operationId"] == "get_icon_or_get_icon_by_term"
    assert icon["parameters"][0]["schema"] == {"anyOf": [{"type": "integer"}, {"type": "string"}]}


def test_of_two_such_templates_of_one_method_the_one_whose_required_query_and_headers_are_there_serves_it(rivals: Any) -> None:
    client, seen = rivals
    assert client.get("/jobs/j1?projectId=p").status_code == 200
    assert seen.pop() == ("get_job", {"job_name": "j1", "project_id": "p"})
    assert client.get("/jobs/j1?filter=f", headers={"X-Tenant": "t"}).status_code == 200
    assert seen.pop() == ("list_operations", {"name": "j1", "filter_": "f", "x_tenant": "t"})
    missing = client.get("/jobs/j1?filter=f")  # the second's header is missing: the first's error
    assert missing.status_code == 422 and "projectId" in missing.text, missing.text
    assert client.delete("/jobs/j1").status_code == 200
    assert seen.pop()[0] == "delete_job"
