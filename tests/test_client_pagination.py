"""Pagination in the generated client: ``iter_<operation>`` walks every page, sync and async.

Each convention the spec makes unambiguous gets an iterator: a next cursor matched to a query
parameter, a token in a JSON body (AWS), a next link in the response, an RFC 8288 ``Link``
header. The generated client runs against the generated server in process, whose handlers
serve three pages; specs that leave the convention in doubt get no iterator.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest

from conftest import generate_packages, write_spec

SPEC = """
openapi: 3.0.3
info: {title: Pages, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
        - {name: species, in: query, schema: {type: string}}
      responses:
        "200":
          description: a page of pets and the cursor of the next one
          content:
            application/json:
              schema:
                type: object
                properties:
                  pets: {type: array, items: {$ref: "#/components/schemas/Pet"}}
                  next_cursor: {type: string, nullable: true}
  /toys:
    get:
      operationId: listToys
      parameters:
        - {name: page, in: query, schema: {type: integer}}
        - {name: X-Shop, in: header, schema: {type: string}}
      responses:
        "200":
          description: a page of toys and the next page's link
          content:
            application/json:
              schema:
                type: object
                properties:
                  count: {type: integer}
                  results: {type: array, items: {$ref: "#/components/schemas/Toy"}}
                  links:
                    type: object
                    properties:
                      next: {type: string, format: uri-reference, nullable: true}
  /repos:
    get:
      operationId: listRepos
      parameters:
        - {name: page, in: query, schema: {type: integer}}
      responses:
        "200":
          description: a page of repositories; the Link header names the next
          headers:
            Link: {schema: {type: string}}
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Repo"}}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties: {name: {type: string}}
    Toy:
      type: object
      required: [id]
      properties: {id: {type: integer}}
    Repo:
      type: object
      required: [full_name]
      properties: {full_name: {type: string}}
"""

# The AWS JSON protocol, as Cognito's ListIdentityPools is served: the token travels in the body.
AWS_SPEC = """
swagger: "2.0"
info: {title: Cognito Identity, version: "2014-06-30"}
consumes: [application/x-amz-json-1.1]
produces: [application/json]
paths:
  /#X-Amz-Target=AWSCognitoIdentityService.ListIdentityPools:
    post:
      operationId: ListIdentityPools
      tags: [Identity Pool]
      parameters:
        - in: body
          name: body
          required: true
          schema: {$ref: "#/definitions/ListIdentityPoolsInput"}
      responses:
        200:
          description: Success
          schema: {$ref: "#/definitions/ListIdentityPoolsResponse"}
definitions:
  ListIdentityPoolsInput:
    type: object
    required: [MaxResults]
    properties:
      MaxResults: {type: integer}
      NextToken: {type: string}
  ListIdentityPoolsResponse:
    type: object
    properties:
      IdentityPools:
        type: array
        items: {$ref: "#/definitions/IdentityPoolShortDescription"}
      NextToken: {type: string}
  IdentityPoolShortDescription:
    type: object
    properties:
      IdentityPoolId: {type: string}
      IdentityPoolName: {type: string}
"""

MODES = ["sync", "async"]
BASE_URL = "http://testserver"
#: Three pages of names; each page's cursor is the index of the page.
PAGES = [["a", "b"], ["c", "d"], ["e"]]
ALL = [name for page in PAGES for name in page]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return generate_packages(tmp_path_factory.mktemp("pages"), "pages", SPEC)


@pytest.fixture(scope="module")
def cognito(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return generate_packages(tmp_path_factory.mktemp("cognito"), "cognito", AWS_SPEC)


def page_index(value: Any) -> int:
    return int(value) if value is not None else 0


class Shop:
    """Handlers serving ``PAGES`` in each convention; every call is recorded."""

    def __init__(self, server: Any, repeat_cursor: bool = False, next_link: str = "") -> None:
        from fastapi.responses import JSONResponse

        self.calls: list[tuple[str, dict[str, Any]]] = []
        shop = self

        def cursor_after(index: int) -> str | None:
            if repeat_cursor:
                return "1"
            return str(index + 1) if index + 1 < len(PAGES) else None

        class Handlers(server.Handlers):
            async def list_pets(self, **kw: Any) -> Any:
                shop.calls.append(("list_pets", kw))
                index = page_index(kw["cursor"])
                return {"pets": [{"name": n} for n in PAGES[index]], "next_cursor": cursor_after(index)}

            async def list_toys(self, **kw: Any) -> Any:
                shop.calls.append(("list_toys", kw))
                index = page_index(kw["page"])
                later = index + 1 < len(PAGES)
                link = next_link or (f"{BASE_URL}/toys?page={index + 1}" if index == 0 else f"/toys?page={index + 1}")
                toys = [{"id": ALL.index(n)} for n in PAGES[index]]
                return {"count": len(ALL), "results": toys, "links": {"next": link if later else None}}

            async def list_repos(self, **kw: Any) -> Any:
                shop.calls.append(("list_repos", kw))
                index = page_index(kw["page"])
                links = [f'<{BASE_URL}/repos?page=0>; rel="first"']
                if index + 1 < len(PAGES):
                    links.append(f'</repos?page={index + 1}>; rel="next"')
                body = [{"full_name": n} for n in PAGES[index]]
                return JSONResponse(body, headers={"Link": ", ".join(links)})

            async def list_identity_pools(self, **kw: Any) -> Any:
                shop.calls.append(("list_identity_pools", kw))
                index = page_index(kw["body"].next_token)
                pools = [{"IdentityPoolId": f"us-east-1:{n}", "IdentityPoolName": n} for n in PAGES[index]]
                token = cursor_after(index)
                return {"IdentityPools": pools, **({"NextToken": token} if token else {})}

        self.handlers = Handlers()


#: More items than any test serves: a walk that does not stop ends here, and its test fails.
LIMIT = 3 * len(ALL)


def collect(package: Any, server: Any, mode: str, shop: Shop, walk: Callable[[Any], Any]) -> list[Any]:
    """The items ``walk(client)`` yields (at most ``LIMIT``), with a client of ``mode`` served by
    ``shop`` in process."""
    app = server.create_app(shop.handlers)
    if mode == "sync":
        from fastapi.testclient import TestClient

        with package.Client(BASE_URL, http_client=TestClient(app)) as client:
            return list(itertools.islice(walk(client), LIMIT))

    async def scenario() -> list[Any]:
        items: list[Any] = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
            async for item in walk(package.AsyncClient(BASE_URL, http_client=http)):
                items.append(item)
                if len(items) == LIMIT:
                    break
        return items

    return asyncio.run(scenario())


@pytest.mark.parametrize("mode", MODES)
def test_a_next_cursor_goes_back_in_the_query_until_it_is_null(pages: Any, mode: str) -> None:
    client_pkg, server_pkg = pages
    shop = Shop(server_pkg)
    items = collect(client_pkg, server_pkg, mode, shop, lambda c: c.default.iter_list_pets(species="cat"))
    assert [pet.name for pet in items] == ALL
    assert all(isinstance(pet, client_pkg.models.Pet) for pet in items)
    assert [(kw["cursor"], kw["species"]) for _, kw in shop.calls] == [(None, "cat"), ("1", "cat"), ("2", "cat")]


@pytest.mark.parametrize("mode", MODES)
def test_a_next_link_in_the_response_is_followed_with_the_operations_headers(pages: Any, mode: str) -> None:
    client_pkg, server_pkg = pages
    shop = Shop(server_pkg)
    items = collect(client_pkg, server_pkg, mode, shop, lambda c: c.default.iter_list_toys(x_shop="north"))
    assert [toy.id for toy in items] == list(range(len(ALL)))
    # The first link is absolute, the second relative to the page it came in.
    assert [(kw["page"], kw["x_shop"]) for _, kw in shop.calls] == [(None, "north"), (1, "north"), (2, "north")]


@pytest.mark.parametrize("mode", MODES)
def test_a_link_header_rel_next_is_followed_until_there_is_none(pages: Any, mode: str) -> None:
    client_pkg, server_pkg = pages
    shop = Shop(server_pkg)
    items = collect(client_pkg, server_pkg, mode, shop, lambda c: c.default.iter_list_repos())
    assert [repo.full_name for repo in items] == ALL
    assert [kw["page"] for _, kw in shop.calls] == [None, 1, 2]


@pytest.mark.parametrize("mode", MODES)
def test_an_aws_token_goes_back_in_the_json_body(cognito: Any, mode: str) -> None:
    client_pkg, server_pkg = cognito
    shop = Shop(server_pkg)
    body = client_pkg.models.ListIdentityPoolsInput(max_results=2)
    items = collect(client_pkg, server_pkg, mode, shop, lambda c: c.identity_pool.iter_list_identity_pools(body=body))
    assert [pool.identity_pool_name for pool in items] == ALL
    assert [(kw["body"].max_results, kw["body"].next_token) for _, kw in shop.calls] == [(2, None), (2, "1"), (2, "2")]
    assert body.next_token is None  # the caller's body is not changed


@pytest.mark.parametrize("mode", MODES)
def test_a_server_that_repeats_its_cursor_is_not_asked_forever(pages: Any, mode: str) -> None:
    client_pkg, server_pkg = pages
    shop = Shop(server_pkg, repeat_cursor=True)
    items = collect(client_pkg, server_pkg, mode, shop, lambda c: c.default.iter_list_pets())
    assert [pet.name for pet in items] == PAGES[0] + PAGES[1]
    assert [kw["cursor"] for _, kw in shop.calls] == [None, "1"]


@pytest.mark.parametrize("mode", MODES)
def test_pages_are_fetched_only_as_items_are_consumed(pages: Any, mode: str) -> None:
    client_pkg, server_pkg = pages
    shop = Shop(server_pkg)

    if mode == "sync":
        from fastapi.testclient import TestClient

        with client_pkg.Client(BASE_URL, http_client=TestClient(server_pkg.create_app(shop.handlers))) as client:
            iterator = client.default.iter_list_pets()
            assert shop.calls == []
            first = [next(iterator) for _ in PAGES[0]]
    else:

        async def scenario() -> list[Any]:
            app = server_pkg.create_app(shop.handlers)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
                iterator = client_pkg.AsyncClient(BASE_URL, http_client=http).default.iter_list_pets()
                assert shop.calls == []
                return [await anext(iterator) for _ in PAGES[0]]

        first = asyncio.run(scenario())
    assert [pet.name for pet in first] == PAGES[0]
    assert len(shop.calls) == 1


@pytest.mark.parametrize("mode", MODES)
def test_whole_pages_are_the_operations_responses(pages: Any, mode: str) -> None:
    client_pkg, server_pkg = pages
    shop = Shop(server_pkg)
    responses = collect(client_pkg, server_pkg, mode, shop, lambda c: c.default.iter_list_pets(species="dog").pages())
    assert all(isinstance(page, client_pkg.models.ListPetsResponse) for page in responses)
    assert [([pet.name for pet in page.pets], page.next_cursor) for page in responses] == [(PAGES[0], "1"), (PAGES[1], "2"), (PAGES[2], None)]


@pytest.mark.parametrize("mode", MODES)
def test_a_next_link_to_another_origin_is_refused_and_not_requested(pages: Any, mode: str) -> None:
    client_pkg, _ = pages
    requested: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requested.append(request.url)
        page = {"results": [{"id": 1}], "links": {"next": "https://elsewhere.test/toys?page=1"}}
        return httpx.Response(200, json=page)

    transport = httpx.MockTransport(answer)
    with pytest.raises(ValueError, match="another origin"):
        if mode == "sync":
            with httpx.Client(transport=transport) as http:
                list(client_pkg.Client("https://api.test", http_client=http, headers={"Authorization": "Bearer s3cret"}).default.iter_list_toys())
        else:

            async def scenario() -> None:
                async with httpx.AsyncClient(transport=transport) as http:
                    client = client_pkg.AsyncClient("https://api.test", http_client=http, headers={"Authorization": "Bearer s3cret"})
                    [item async for item in client.default.iter_list_toys()]

            asyncio.run(scenario())
    assert [url.host for url in requested] == ["api.test"]


def paged_answer(requested: list[httpx.Request]) -> httpx.MockTransport:
    """Serves ``PAGES`` by cursor (``/pets``) and by next link (``/toys``), recording each request."""

    def answer(request: httpx.Request) -> httpx.Response:
        requested.append(request)
        if request.url.path == "/pets":
            index = page_index(request.url.params.get("cursor"))
            later = str(index + 1) if index + 1 < len(PAGES) else None
            return httpx.Response(200, json={"pets": [{"name": n} for n in PAGES[index]], "next_cursor": later})
        index = page_index(request.url.params.get("page"))
        link = f"/toys?page={index + 1}" if index + 1 < len(PAGES) else None
        return httpx.Response(200, json={"results": [{"id": ALL.index(n)} for n in PAGES[index]], "links": {"next": link}})

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("operation", ["iter_list_pets", "iter_list_toys"])
def test_the_calls_options_reach_every_pages_request(pages: Any, mode: str, operation: str) -> None:
    """extra_headers, extra_query and timeout go with each page's request, by cursor or by link."""
    client_pkg, _ = pages
    requested: list[httpx.Request] = []
    options = {"extra_headers": {"X-Trace": "abc"}, "extra_query": {"debug": 1}, "timeout": 3.5}
    transport = paged_answer(requested)
    if mode == "sync":
        with client_pkg.Client("https://api.test", http_client=httpx.Client(transport=transport)) as client:
            items = list(getattr(client.default, operation)(**options))
    else:

        async def scenario() -> list[Any]:
            async with client_pkg.AsyncClient("https://api.test", http_client=httpx.AsyncClient(transport=transport)) as client:
                return [item async for item in getattr(client.default, operation)(**options)]

        items = asyncio.run(scenario())
    assert len(items) == len(ALL) and len(requested) == len(PAGES)
    assert [r.headers.get("x-trace") for r in requested] == ["abc"] * len(PAGES)
    assert [r.url.params.get("debug") for r in requested] == ["1"] * len(PAGES)
    assert [r.extensions["timeout"] for r in requested] == [httpx.Timeout(3.5).as_dict()] * len(PAGES)
    walked = "cursor" if operation == "iter_list_pets" else "page"
    assert [r.url.params.get(walked) for r in requested] == [None, "1", "2"]


def test_the_iterator_takes_the_operations_arguments_but_the_cursor(pages: Any) -> None:
    import inspect

    client_pkg, _ = pages
    api = client_pkg.Client(BASE_URL).default
    assert list(inspect.signature(api.iter_list_pets).parameters) == ["species", "options"]
    assert list(inspect.signature(api.iter_list_toys).parameters) == ["page", "x_shop", "options"]
    assert list(inspect.signature(api.iter_list_repos).parameters) == ["page", "options"]


# -- which specs get an iterator ------------------------------------------------------------

LIST_OPERATION = """
openapi: 3.0.3
info: {{title: T, version: "1"}}
paths:
  /things:
    {method}:
      operationId: listThings
      parameters: {parameters}
      responses:
        "200":
          description: ok
          {headers}
          content:
            application/json:
              schema: {schema}
"""
CURSOR_PARAMETER = "[{name: cursor, in: query, schema: {type: string}}]"
NEXT_CURSOR_PAGE = "{type: object, properties: {things: {type: array, items: {type: string}}, next_cursor: {type: string}}}"


def pagination_of(tmp_path: Path, method: str = "get", parameters: str = CURSOR_PARAMETER, schema: str = NEXT_CURSOR_PAGE, headers: str = "") -> Any:
    from stubforge.pipeline import build_model

    text = LIST_OPERATION.format(method=method, parameters=parameters, schema=schema, headers=headers)
    (operation,) = build_model(write_spec(tmp_path, "t.yaml", text)).operations
    return operation.pagination


@pytest.mark.parametrize(
    ("response_field", "parameter", "location"),
    [
        ("next_cursor", "cursor", "query"),
        ("nextPageToken", "pageToken", "query"),
        ("next_page_token", "page_token", "query"),
        ("NextToken", "NextToken", "query"),
        ("NextMarker", "Marker", "query"),
        ("next_cursor", "start_cursor", "query"),
        ("next", "cursor", "query"),
        ("continue", "continue", "query"),
        ("continuationToken", "continuationToken", "query"),
    ],
)
def test_cursor_names_that_match(tmp_path: Path, response_field: str, parameter: str, location: str) -> None:
    schema = f"{{type: object, properties: {{things: {{type: array, items: {{type: string}}}}, {response_field}: {{type: string}}}}}}"
    found = pagination_of(tmp_path, parameters=f"[{{name: {parameter}, in: {location}, schema: {{type: string}}}}]", schema=schema)
    assert found is not None and found.kind == "cursor"
    assert [wire for _, wire in found.next] == [response_field]
    assert found.arguments == ()


@pytest.mark.parametrize(
    ("properties", "path"),
    [
        ("next: {type: string}", ["next"]),
        ("nextLink: {type: string}", ["nextLink"]),
        ("next_url: {type: string, format: uri}", ["next_url"]),
        ("'@odata.nextLink': {type: string}", ["@odata.nextLink"]),
        ("links: {type: object, properties: {next: {type: string}, self: {type: string}}}", ["links", "next"]),
        ("paging: {type: object, properties: {next: {type: string}}}", ["paging", "next"]),
    ],
)
def test_next_link_names(tmp_path: Path, properties: str, path: list[str]) -> None:
    schema = f"{{type: object, properties: {{value: {{type: array, items: {{type: string}}}}, {properties}}}}}"
    found = pagination_of(tmp_path, parameters="[{name: top, in: query, schema: {type: integer}}]", schema=schema)
    assert found is not None and found.kind == "next_link"
    assert [wire for _, wire in found.next] == path and [wire for _, wire in found.items] == ["value"]


def test_a_cursor_one_object_down_in_the_response(tmp_path: Path) -> None:
    schema = "{type: object, properties: {members: {type: array, items: {}}, response_metadata: {type: object, properties: {next_cursor: {type: string}}}}}"
    found = pagination_of(tmp_path, schema=schema)
    assert found is not None and found.kind == "cursor"
    assert [wire for _, wire in found.next] == ["response_metadata", "next_cursor"]


@pytest.mark.parametrize(
    ("why", "changes"),
    [
        ("two arrays in the response", {"schema": "{type: object, properties: {a: {type: array, items: {}}, b: {type: array, items: {}}, next_cursor: {type: string}}}"}),
        ("no array in the response", {"schema": "{type: object, properties: {next_cursor: {type: string}}}"}),
        ("no parameter takes the cursor", {"parameters": "[{name: limit, in: query, schema: {type: integer}}]"}),
        ("the cursor's stem differs", {"parameters": "[{name: page_token, in: query, schema: {type: string}}]"}),
        ("the cursor parameter is required", {"parameters": "[{name: cursor, in: query, required: true, schema: {type: string}}]"}),
        ("two parameters take the cursor", {"parameters": "[{name: cursor, in: query, schema: {type: string}}, {name: next_cursor, in: query, schema: {type: string}}]"}),
        ("a cursor field that may be the current page's", {"schema": "{type: object, properties: {things: {type: array, items: {}}, cursor: {type: string}}}"}),
        ("a next link beside a cursor parameter", {"schema": "{type: object, properties: {things: {type: array, items: {}}, next: {type: string, format: uri}}}"}),
        ("page numbers only", {"parameters": "[{name: page, in: query, schema: {type: integer}}]", "schema": "{type: object, properties: {things: {type: array, items: {}}, total: {type: integer}, page: {type: integer}}}"}),
        ("a plain array", {"parameters": "[]", "schema": "{type: array, items: {}}"}),
        ("a next link of a POST", {"method": "post", "parameters": "[]", "schema": "{type: object, properties: {things: {type: array, items: {}}, next: {type: string}}}"}),
        ("a Link header on a POST", {"method": "post", "parameters": "[]", "schema": "{type: array, items: {}}", "headers": "headers: {Link: {schema: {type: string}}}"}),
        ("a bare next beside an unmatched cursor", {"parameters": "[{name: cursor, in: query, schema: {type: string}}, {name: page_token, in: query, schema: {type: string}}]", "schema": "{type: object, properties: {things: {type: array, items: {}}, next: {type: string}}}"}),
    ],
)
def test_specs_that_leave_the_convention_in_doubt_get_no_iterator(tmp_path: Path, why: str, changes: dict[str, str]) -> None:
    assert pagination_of(tmp_path, **changes) is None, why


def test_an_iterator_name_never_takes_an_operations_name(tmp_path: Path) -> None:
    from stubforge.pipeline import build_model

    text = LIST_OPERATION.format(method="get", parameters=CURSOR_PARAMETER, schema=NEXT_CURSOR_PAGE, headers="")
    text += "  /iterate:\n    get:\n      operationId: iterListThings\n      responses: {'204': {description: none}}\n"
    operations = {op.py_name: op for op in build_model(write_spec(tmp_path, "t.yaml", text)).operations}
    assert set(operations) == {"list_things", "iter_list_things"}
    assert operations["list_things"].pagination.method_name == "iter_list_things_2"


def test_the_seed_declares_no_list_operation_and_gets_no_iterator(seed_output: Path) -> None:
    """The seed's operations return undescribed bodies: nothing says where items or cursors are."""
    from stubforge.pipeline import build_model

    from conftest import SEED

    assert [op.py_name for op in build_model(SEED).operations if op.pagination] == []
    assert "PageIterator" not in (seed_output / "client" / "aws_cognito_client" / "api" / "identities.py").read_text()


# -- the generated client is clean -----------------------------------------------------------

#: What pagination adds to an operations module.
PAGINATION_NAMES = ("AsyncPageIterator", "PageIterator", "Pages")


@pytest.mark.parametrize("fixture", ["pages", "cognito"])
def test_generated_clients_pass_mypy_strict_and_ruff(fixture: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    client_pkg, _ = request.getfixturevalue(fixture)
    folder = str(Path(client_pkg.__file__).parent)
    mypy = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), folder], capture_output=True, text=True, timeout=600)
    assert mypy.returncode == 0, mypy.stdout
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "json", "--no-cache", folder], capture_output=True, text=True, timeout=600)
    findings = json.loads(ruff.stdout)
    # Unused imports of the operations modules' fixed import list are not pagination's.
    ours = [f for f in findings if f["code"] != "F401" or any(f"`{name}`" in f["message"] or f".{name}`" in f["message"] for name in PAGINATION_NAMES)]
    assert ours == []


CALLER = """
from typing import assert_type

from pages_client import AsyncClient, Client, models


def walk(client: Client) -> None:
    for pet in client.default.iter_list_pets(species="cat"):
        assert_type(pet, models.Pet)
    for page in client.default.iter_list_pets().pages():
        assert_type(page, models.ListPetsResponse)


async def walk_async(client: AsyncClient) -> None:
    async for repo in client.default.iter_list_repos():
        assert_type(repo, models.Repo)
    async for page in client.default.iter_list_repos().pages():
        assert_type(page, list[models.Repo])
"""


def test_items_and_pages_are_typed_for_the_caller(pages: Any, tmp_path: Path) -> None:
    client_pkg, _ = pages
    caller = write_spec(tmp_path, "caller.py", CALLER)
    env = {**os.environ, "MYPYPATH": str(Path(client_pkg.__file__).parent.parent)}
    mypy = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(caller)], capture_output=True, text=True, timeout=600, env=env)
    assert mypy.returncode == 0, mypy.stdout
