"""The generated server reads scalar values (path, query and header parameters, form fields, JSON
fields) as their schema writes them, and refuses what the schema does not allow: dates and
date-times are RFC 3339 text (never a Unix time), string formats are checked, a scalar query
parameter is given once, ``null`` is no boolean or number, ``0`` is not ``false``, and a decimal
string matches both its own pattern and a decimal's. The published ``/openapi.json`` states what
the server enforces, no more."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import generate_packages
from stubforge.model import DECIMAL_TEXT, Constraints

SPEC = r"""
openapi: 3.0.3
info: {title: Scalars, version: "1"}
paths:
  /events/{day}:
    post:
      operationId: postEvent
      parameters:
        - {name: day, in: path, required: true, schema: {type: string, format: date}}
        - {name: since, in: query, schema: {type: string, format: date-time}}
        - {name: X-When, in: header, schema: {type: string, format: date-time}}
        - {name: safe_mode, in: query, schema: {type: integer, enum: [0, 1]}}
        - {name: limit, in: query, schema: {type: integer}}
        - {name: ids, in: query, schema: {type: array, items: {type: integer}}}
        - name: with_cids
          in: query
          content: {application/json: {schema: {type: boolean}}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Event'}
      responses:
        '200':
          description: The event.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Event'}
  /forms:
    post:
      operationId: postForm
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                due: {type: string, format: date}
      responses:
        '204': {description: Done.}
  /accounts/{accountId}:
    get:
      operationId: getAccount
      parameters:
        - name: accountId
          in: path
          required: true
          schema: {type: string, pattern: '^(msisdn|iban)(@.+?\\$(msisdn|iban))*@(?!.*?\\$(msisdn|iban).*).+?$'}
        - {name: code, in: query, schema: {type: string, pattern: '^(?!x)[a-z]+$'}}
      responses:
        '204': {description: Done.}
components:
  schemas:
    Event:
      type: object
      properties:
        start: {type: string, format: date-time}
        day: {type: string, format: date}
        at: {type: string, format: time}
        Hostname: {type: string, format: hostname}
        v4: {type: string, format: ipv4}
        v6: {type: string, format: ipv6}
        draft: {type: boolean, enum: [true, false]}
        level: {type: integer, enum: [0, 1]}
        factor: {type: string, format: decimal, pattern: '^-?\d{0,1}(?:\.\d{0,2})?$'}
        price: {type: string, format: decimal}
"""

EVENT = "/events/2024-01-31"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    (scalars_server,) = generate_packages(tmp_path_factory.mktemp("scalars"), "scalars", SPEC, ("server",))
    return scalars_server


@pytest.fixture(scope="module")
def client(server: Any) -> TestClient:
    """No handlers: a valid request reaches the (missing) handler, 501; an invalid one is 422."""
    return TestClient(server.create_app(), raise_server_exceptions=False)


def refused_at(response: Any) -> list[Any]:
    assert response.status_code == 422, response.text
    return response.json()["detail"][0]["loc"]


@pytest.mark.parametrize("text", ["0", "0.5", "1700000000", "2024-01-31T12:00:00", "2024-01-31 12:00:00Z", "2024-01-31T12:00Z", "2024-01-31T25:00:00Z", "2024-01-31"])
def test_a_date_time_parameter_is_rfc_3339_text_with_an_offset(client: TestClient, text: str) -> None:
    assert refused_at(client.post(EVENT, params={"since": text})) == ["query", "since"]
    assert refused_at(client.post(EVENT, headers={"X-When": text})) == ["header", "X-When"]


@pytest.mark.parametrize("text", ["0", "0.5", "20240131", "2024-1-31", "2024-02-30", "2024-01-31T00:00:00Z"])
def test_a_date_parameter_or_form_field_is_rfc_3339_full_date_text(client: TestClient, text: str) -> None:
    assert refused_at(client.post(f"/events/{text}")) == ["path", "day"]
    assert refused_at(client.post("/forms", data={"due": text})) == ["body", "due"]


@pytest.mark.parametrize("body", [{"start": "0"}, {"start": 0}, {"start": 1.5}, {"start": "2024-01-31T12:00:00"}, {"day": "0"}, {"day": 0}])
def test_a_date_in_json_is_text_never_a_unix_time(client: TestClient, body: dict[str, Any]) -> None:
    assert refused_at(client.post(EVENT, json=body)) == ["body", next(iter(body))]


def test_rfc_3339_text_is_read_with_its_offset(server: Any) -> None:
    seen: dict[str, Any] = {}

    class Recorder(server.Handlers):  # type: ignore[misc, name-defined]
        async def post_event(self, **arguments: Any) -> Any:
            seen.update(arguments)
            return {}

    client = TestClient(server.create_app(Recorder()), raise_server_exceptions=False)
    response = client.post(
        "/events/2024-02-29",
        params={"since": "2024-01-31t12:00:00.25+01:00"},
        headers={"X-When": "2024-01-31T12:00:00Z"},
        json={"start": "2024-01-31T23:59:59.123456789-05:30"},
    )
    assert response.status_code == 200, response.text
    assert seen["day"] == datetime.date(2024, 2, 29)
    assert seen["since"] == datetime.datetime(2024, 1, 31, 11, 0, 0, 250000, tzinfo=datetime.timezone.utc)
    assert seen["x_when"].utcoffset() == datetime.timedelta(0)
    assert seen["body"].start.utcoffset() == -datetime.timedelta(hours=5, minutes=30)


@pytest.mark.parametrize(
    "field, good, bad",
    [
        ("at", ["12:00:00Z", "23:59:59.5+01:00", "00:00:00z"], ["12:00:00", "12:00", "25:00:00Z", "noon"]),
        ("Hostname", ["example.com", "a", "x" * 63, "a-b.c1"], ["", "-a", "a-", "a_b", "a..b", "a.", "x" * 64, "\u00d7\u00f8", "a b"]),
        ("v4", ["192.0.2.1", "0.0.0.0"], ["01.2.3.4", "256.1.1.1", "1.2.3", "::1"]),
        ("v6", ["::1", "2001:db8::1", "::ffff:1.2.3.4"], ["1::2::3", "fe80::1%eth0", "1.2.3.4"]),
    ],
)
def test_string_formats_are_checked(client: TestClient, field: str, good: list[str], bad: list[str]) -> None:
    for value in good:
        assert client.post(EVENT, json={field: value}).status_code == 501, value
    for value in bad:
        assert refused_at(client.post(EVENT, json={field: value})) == ["body", field], value


@pytest.mark.parametrize("query", ["safe_mode=1&safe_mode=1", "limit=1&limit=2", "since=2024-01-31T12:00:00Z&since=2024-01-31T12:00:00Z", "with_cids=true&with_cids=true"])
def test_a_scalar_query_parameter_given_twice_is_refused_naming_it(client: TestClient, query: str) -> None:
    name = query.partition("=")[0]
    assert refused_at(client.post(f"{EVENT}?{query}")) == ["query", name]


def test_an_exploded_array_parameter_may_be_repeated(client: TestClient) -> None:
    assert client.post(f"{EVENT}?ids=1&ids=2&limit=3").status_code == 501


@pytest.mark.parametrize("query, name", [("safe_mode=null", "safe_mode"), ("with_cids=null", "with_cids")])
def test_null_is_no_value_of_a_parameter_read_as_json(client: TestClient, query: str, name: str) -> None:
    """An integer enum and a ``content`` parameter are read as JSON: ``null`` is JSON, but no
    integer or boolean (the parameter left out is what None means)."""
    assert name in refused_at(client.post(f"{EVENT}?{query}"))
    assert client.post(f"{EVENT}?{name}={'1' if name == 'safe_mode' else 'true'}").status_code == 501
    assert client.post(EVENT).status_code == 501


@pytest.mark.parametrize("body", [{"draft": 0}, {"draft": 1}, {"draft": 0.0}, {"level": True}, {"level": False}])
def test_an_enum_of_booleans_or_numbers_keeps_them_apart(client: TestClient, body: dict[str, Any]) -> None:
    assert refused_at(client.post(EVENT, json=body)) == ["body", next(iter(body))]


@pytest.mark.parametrize("body", [{"draft": False}, {"draft": True}, {"level": 0}, {"level": 1}])
def test_an_enum_value_of_the_right_kind_is_accepted(client: TestClient, body: dict[str, Any]) -> None:
    assert client.post(EVENT, json=body).status_code == 501


@pytest.mark.parametrize("value, valid", [("1.5", True), ("-0.25", True), ("7", True), ("12.5", False), ("1.255", False), ("-", False), (".", False), ("-.", False), ("", False)])
def test_a_decimal_string_matches_its_pattern_and_is_a_decimal(client: TestClient, value: str, valid: bool) -> None:
    """The spec's pattern allows ``-`` and ``.``, which are no numbers: both rules apply."""
    response = client.post(EVENT, json={"factor": value})
    assert response.status_code == (501 if valid else 422), response.text


def test_the_published_decimal_schema_states_both_rules(client: TestClient) -> None:
    properties = client.get("/openapi.json").json()["components"]["schemas"]["Event"]["properties"]
    factor = properties["factor"]
    assert factor["pattern"] == r"^-?\d{0,1}(?:\.\d{0,2})?$"
    assert factor["allOf"] == [{"pattern": DECIMAL_TEXT}]
    assert properties["price"]["pattern"] == DECIMAL_TEXT and "allOf" not in properties["price"]
    for value, valid in [("1.5", True), ("12.5", False), ("-", False)]:
        assert all(re.search(p, value) for p in (factor["pattern"], DECIMAL_TEXT)) is valid


def test_a_pattern_the_server_cannot_check_safely_is_not_published(client: TestClient) -> None:
    """A look-ahead inside nested repetition runs on no linear engine and is unsafe on
    backtracking ``re``: the server does not check it, so its document does not claim it."""
    parameters = client.get("/openapi.json").json()["paths"]["/accounts/{accountId}"]["get"]["parameters"]
    schemas = {p["name"]: p["schema"] for p in parameters}
    assert schemas["accountId"] == {"type": "string"}
    assert schemas["code"] == {"type": "string", "pattern": "^(?!x)[a-z]+$"}
    assert client.get("/accounts/null,null").status_code == 501
    assert refused_at(client.get("/accounts/msisdn@1", params={"code": "xa"})) == ["query", "code"]


@pytest.mark.parametrize(
    "pattern, checked",
    [("^[a-z]+$", True), ("^(?!x)[a-z]+$", True), (r"^(a+)+\1$", False), ("^(a|b)(@.+?(a|b))*@(?!.*?(a|b)).+?$", False), (r"^(\d+\.)+\d+$", True)],
)
def test_constraints_know_which_patterns_the_server_checks(pattern: str, checked: bool) -> None:
    constraints = Constraints(pattern=pattern)
    assert constraints.pattern_checked is checked
    assert ("pattern" in constraints.json_schema) is checked


def test_the_mock_answers_values_that_pass_the_servers_own_checks(server: Any) -> None:
    response = TestClient(server.create_app(mock=True), raise_server_exceptions=False).post(EVENT)
    assert response.status_code == 200, response.text
    event = response.json()
    assert re.fullmatch(r"\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", event["at"]), event
    assert event["start"].endswith("Z") and event["draft"] in (True, False) and event["level"] in (0, 1)


FORMS = """
openapi: 3.0.3
info: {title: Forms, version: "1"}
paths:
  /podcasts:
    post:
      operationId: addPodcasts
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                show_latest: {type: integer, enum: [0, 1]}
                public: {type: boolean, enum: [true]}
                mixed: {enum: [a, 2]}
      responses:
        '204': {description: Done.}
"""


@pytest.fixture(scope="module")
def forms_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    (forms_server,) = generate_packages(tmp_path_factory.mktemp("forms"), "forms", FORMS, ("server",))
    return TestClient(forms_server.create_app(), raise_server_exceptions=False)


@pytest.mark.parametrize("field, text, valid", [("show_latest", "1", True), ("show_latest", "0", True), ("show_latest", "true", False), ("show_latest", "2", False), ("public", "true", True), ("public", "1", False), ("mixed", "a", True), ("mixed", "2", True), ("mixed", '"a"', False)])
def test_a_form_field_of_an_enum_of_numbers_or_booleans_reads_its_text_as_json_values(forms_client: TestClient, field: str, text: str, valid: bool) -> None:
    response = forms_client.post("/podcasts", data={field: text})
    assert response.status_code == (501 if valid else 422), response.text
