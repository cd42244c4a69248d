"""The generated client's safety (issue 9, items 10-13): credentials stay with their origin
across redirects, never appear in error messages, reprs or log lines; each parameter value is
encoded for its place so that it cannot change the request's structure; base_url is checked.

Requests go to an httpx.MockTransport that records them, or to real servers on 127.0.0.1;
the tests assert on exactly what was received, for the sync and the async client.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest

from conftest import free_port, generate_packages

SPEC = """
openapi: 3.0.3
info: {title: Safety, version: "1.0"}
security: [{headerKey: [], queryKey: [], cookieKey: []}, {bearer: []}, {basic: []}]
components:
  securitySchemes:
    headerKey: {type: apiKey, in: header, name: X-Api-Key}
    queryKey: {type: apiKey, in: query, name: api_key}
    cookieKey: {type: apiKey, in: cookie, name: sid}
    bearer: {type: http, scheme: bearer}
    basic: {type: http, scheme: basic}
paths:
  /items/{itemId}:
    get:
      operationId: getItem
      parameters:
        - {name: itemId, in: path, required: true, schema: {type: string}}
        - {name: q, in: query, schema: {type: string}}
        - {name: X-Note, in: header, schema: {type: string}}
        - {name: pref, in: cookie, schema: {type: string}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /files/{dir}/{name}.json:
    get:
      operationId: getFile
      parameters:
        - {name: dir, in: path, required: true, schema: {type: string}}
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /batch/{ids}:
    get:
      operationId: batch
      parameters:
        - {name: ids, in: path, required: true, schema: {type: array, items: {type: string}}}
        - {name: tags, in: cookie, schema: {type: array, items: {type: string}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
"""

# Every secret holds SECRET, so that a leak of any of them is easy to see.
API_KEYS = {"header_key": "hk-SECRET-1", "query_key": "qk-SECRET-2", "cookie_key": "ck-SECRET-3"}
BEARER = {"bearer": "bt-SECRET-4"}
BASIC = {"basic": ("ann", "pw-SECRET-5")}
BASIC_TOKEN = "YW5uOnB3LVNFQ1JFVC01"  # base64 of ann:pw-SECRET-5
#: The credential alternatives of the spec, with the places each one is sent in.
ALTERNATIVES = [
    pytest.param(API_KEYS, {"x-api-key", "api_key", "sid"}, id="api-keys"),
    pytest.param(BEARER, {"authorization"}, id="bearer"),
    pytest.param(BASIC, {"authorization"}, id="basic"),
]
MODES = ["sync", "async"]


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Any:
    (safety_client,) = generate_packages(tmp_path_factory.mktemp("safety"), "safety", SPEC, ("client",))
    return safety_client


class Recorder:
    """A MockTransport handler: records every request; redirects the URLs (without query) of
    ``redirects`` to their Location and answers every other request with ``status``."""

    def __init__(self, redirects: dict[str, str] | None = None, status: int = 200) -> None:
        self.redirects = redirects or {}
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        location = self.redirects.get(str(request.url.copy_with(query=None)))
        if location is not None:
            return httpx.Response(302, headers={"Location": location})
        return httpx.Response(self.status, json={})


def call(
    pkg: Any,
    mode: str,
    handler: Callable[[httpx.Request], httpx.Response] | None,
    operation: str,
    arguments: dict[str, Any],
    base_url: str = "http://api.test",
    http_settings: dict[str, Any] | None = None,
    **settings: Any,
) -> Any:
    """Call ``operation`` with a client of ``mode`` (sync or async) whose requests go to
    ``handler`` (None: to the network). The HTTP client follows redirects unless
    ``http_settings`` says otherwise.
    """
    transport = {"transport": httpx.MockTransport(handler)} if handler is not None else {}
    http_settings = {"follow_redirects": True, **transport, **(http_settings or {})}
    if mode == "sync":
        with httpx.Client(**http_settings) as http:
            client = pkg.Client(base_url, http_client=http, max_retries=0, **settings)
            return getattr(client.default, operation)(**arguments)

    async def scenario() -> Any:
        async with httpx.AsyncClient(**http_settings) as http:
            client = pkg.AsyncClient(base_url, http_client=http, max_retries=0, **settings)
            return await getattr(client.default, operation)(**arguments)

    return asyncio.run(scenario())


def places(request: httpx.Request) -> set[str]:
    """The places of ``request`` that carry a credential of the spec."""
    found = {name for name in ("authorization", "x-api-key") if name in request.headers}
    found |= {"api_key"} & set(request.url.params.keys())
    cookies = [pair.split("=", 1)[0].strip() for pair in request.headers.get("cookie", "").split(";")]
    return found | ({"sid"} & set(cookies))


def leaked(texts: list[str]) -> list[str]:
    return [text for text in texts if "SECRET" in text or BASIC_TOKEN in text]


# Item 10: credentials and redirects


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("credentials", "sent_in"), ALTERNATIVES)
@pytest.mark.parametrize(
    ("base_url", "location"),
    [
        pytest.param("http://api.test", "http://elsewhere.test/landing?page=2", id="another-host"),
        pytest.param("http://api.test", "http://api.test:8080/landing?page=2", id="another-port"),
        pytest.param("https://api.test", "http://api.test/landing?page=2", id="https-to-http-downgrade"),
        pytest.param("https://api.test", "https://api.test.evil.test/landing?page=2", id="host-with-the-origin-as-prefix"),
    ],
)
def test_a_redirect_that_leaves_the_origin_carries_no_credential(
    pkg: Any, mode: str, credentials: dict[str, Any], sent_in: set[str], base_url: str, location: str
) -> None:
    recorder = Recorder({f"{base_url}/items/1": location})
    assert call(pkg, mode, recorder, "get_item", {"item_id": "1"}, base_url=base_url, **credentials) == {}
    first, second = recorder.requests
    assert places(first) == sent_in
    assert str(second.url.copy_with(query=None)) == location.split("?")[0]
    assert places(second) == set()
    assert second.url.params.get("page") == "2", "the Location's own parameters are kept"
    assert leaked([str(second.url), repr(second.headers.raw)]) == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("credentials", "sent_in"), ALTERNATIVES)
@pytest.mark.parametrize(
    ("base_url", "location"),
    [
        pytest.param("http://api.test", "/moved", id="relative"),
        pytest.param("https://api.test", "https://API.test:443/moved", id="same-origin-spelled-otherwise"),
        pytest.param("http://api.test", "https://api.test/moved", id="http-to-https-upgrade"),
    ],
)
def test_a_redirect_within_the_origin_keeps_every_credential(
    pkg: Any, mode: str, credentials: dict[str, Any], sent_in: set[str], base_url: str, location: str
) -> None:
    recorder = Recorder({f"{base_url}/items/1": location})
    call(pkg, mode, recorder, "get_item", {"item_id": "1", "pref": "p"}, base_url=base_url, **credentials)
    first, second = recorder.requests
    assert second.url.path == "/moved"
    assert places(second) == places(first) == sent_in
    assert [second.headers.get(name) for name in ("authorization", "x-api-key")] == [
        first.headers.get(name) for name in ("authorization", "x-api-key")
    ]
    assert second.url.params.get("api_key") == first.url.params.get("api_key")
    assert ("sid=ck-SECRET-3" in second.headers.get("cookie", "")) == ("sid" in sent_in)


@pytest.mark.parametrize("mode", MODES)
def test_a_key_the_server_copies_into_another_origins_location_is_removed(pkg: Any, mode: str) -> None:
    recorder = Recorder({"http://api.test/items/1": "http://elsewhere.test/landing?api_key=qk-SECRET-2&page=2"})
    call(pkg, mode, recorder, "get_item", {"item_id": "1"}, **API_KEYS)
    assert str(recorder.requests[1].url) == "http://elsewhere.test/landing?page=2"


@pytest.mark.parametrize("mode", MODES)
def test_credentials_once_stripped_never_come_back_in_the_chain(pkg: Any, mode: str) -> None:
    """api.test -> elsewhere.test -> elsewhere.test -> api.test: only the first request has them."""
    recorder = Recorder(
        {
            "http://api.test/items/1": "http://elsewhere.test/a",
            "http://elsewhere.test/a": "http://elsewhere.test/b",
            "http://elsewhere.test/b": "http://api.test/back",
        }
    )
    call(pkg, mode, recorder, "get_item", {"item_id": "1"}, **API_KEYS)
    assert [places(r) for r in recorder.requests] == [{"x-api-key", "api_key", "sid"}, set(), set(), set()]
    assert recorder.requests[-1].url.path == "/back"


@pytest.mark.parametrize("mode", MODES)
def test_redirects_follow_the_http_clients_settings(pkg: Any, mode: str) -> None:
    loop = Recorder({"http://api.test/items/1": "/items/1"})
    with pytest.raises(pkg.ApiStatusError) as caught:
        call(pkg, mode, loop, "get_item", {"item_id": "1"}, http_settings={"max_redirects": 2}, **API_KEYS)
    assert caught.value.status == 302 and len(loop.requests) == 3
    not_followed = Recorder({"http://api.test/items/1": "http://elsewhere.test/"})
    with pytest.raises(pkg.ApiStatusError):
        call(pkg, mode, not_followed, "get_item", {"item_id": "1"}, http_settings={"follow_redirects": False}, **API_KEYS)
    assert [r.url.host for r in not_followed.requests] == ["api.test"]


class RecordingServer(ThreadingHTTPServer):
    """A real HTTP server on 127.0.0.1: records each request's raw target and headers; answers
    with a redirect to ``location`` when it has one, else 200 and ``{}``."""

    def __init__(self, location: str | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.location = location
        self.received: list[tuple[str, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RecordingHandler(BaseHTTPRequestHandler):
    server: RecordingServer

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.server.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        if self.server.location is not None:
            self.send_response(302)
            self.send_header("Location", self.server.location)
            self.send_header("Content-Length", "0")
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
        self.end_headers()
        if self.server.location is None:
            self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def servers() -> Iterator[Callable[..., RecordingServer]]:
    """Start RecordingServers in threads; each one is shut down when the test ends."""
    started: list[tuple[RecordingServer, threading.Thread]] = []

    def start(location: str | None = None) -> RecordingServer:
        server = RecordingServer(location)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append((server, thread))
        return server

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("mode", MODES)
def test_over_loopback_the_other_port_receives_no_credential(pkg: Any, servers: Any, mode: str) -> None:
    other = servers()
    origin = servers(location=f"{other.url}/landing?page=2")
    for credentials in (API_KEYS, BEARER, BASIC):
        assert call(pkg, mode, None, "get_item", {"item_id": "1"}, base_url=origin.url, **credentials) == {}
    assert [path for path, _ in other.received] == ["/landing?page=2"] * 3
    for _, headers in other.received:
        assert {"authorization", "x-api-key", "cookie"} & set(headers) == set()
        assert leaked(list(headers.values())) == []
    assert origin.received[0][1]["x-api-key"] == "hk-SECRET-1" and "api_key=qk-SECRET-2" in origin.received[0][0]
    assert origin.received[1][1]["authorization"] == "Bearer bt-SECRET-4"


# Item 11: credentials in messages, reprs and log lines


def error_texts(error: Any) -> list[str]:
    request = error.request
    return [str(error), repr(error), error.message, str(request.url), repr(request), repr(request.headers.raw)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("credentials", "_"), ALTERNATIVES)
def test_status_errors_show_no_credential(pkg: Any, mode: str, credentials: dict[str, Any], _: Any) -> None:
    with pytest.raises(pkg.AuthenticationError) as caught:
        call(pkg, mode, Recorder(status=401), "get_item", {"item_id": "1"}, **credentials)
    assert leaked(error_texts(caught.value)) == []
    assert str(caught.value).startswith("GET http://api.test/items/1")
    if "query_key" in credentials:
        assert "api_key=[REDACTED]" in str(caught.value)
    shown = caught.value.request.headers
    assert {shown.get("authorization"), shown.get("x-api-key")} <= {None, "[REDACTED]"}


@pytest.mark.parametrize("mode", MODES)
def test_connection_errors_show_no_credential(pkg: Any, mode: str) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        headers = {name: request.headers.get(name) for name in ("x-api-key", "cookie", "authorization")}
        raise httpx.ConnectError(f"cannot reach {request.url} with {headers}", request=request)

    secret = "qk SECRET/+&=;é"  # a key whose encodings differ from its text
    with pytest.raises(pkg.ApiConnectionError) as caught:
        call(pkg, mode, refuse, "get_item", {"item_id": "1"}, **{**API_KEYS, "query_key": secret})
    texts = error_texts(caught.value)
    assert leaked(texts) == []
    assert not any(form in text for text in texts for form in (secret, quote(secret, safe=""), quote_plus(secret)))
    assert "cannot reach http://api.test/items/1?api_key=[REDACTED]" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_loopback_connection_shows_no_credential(pkg: Any, mode: str) -> None:
    base_url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(pkg.ApiConnectionError) as caught:
        call(pkg, mode, None, "get_item", {"item_id": "1"}, base_url=base_url, **API_KEYS)
    assert caught.value.never_sent
    assert leaked(error_texts(caught.value)) == []


@pytest.mark.parametrize("mode", MODES)
def test_httpx_log_lines_show_no_credential(pkg: Any, mode: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    call(pkg, mode, Recorder(), "get_item", {"item_id": "1"}, **API_KEYS)
    lines = [record.getMessage() for record in caplog.records if record.name == "httpx"]
    assert any("HTTP Request: GET http://api.test/items/1?api_key=[REDACTED]" in line for line in lines), lines
    assert leaked(lines) == []


def test_credentials_and_headers_given_to_the_client_have_no_secret_repr(pkg: Any) -> None:
    from safety_client._runtime import Credential

    assert "SECRET" not in repr(Credential("apiKey", "query", "api_key", "qk-SECRET-2"))
    with pytest.raises(pkg.AuthenticationError) as caught:
        call(pkg, "sync", Recorder(status=401), "get_item", {"item_id": "1"}, headers={"Authorization": "Token SECRET-6"})
    assert leaked(error_texts(caught.value)) == []


# Item 12: each value stays in its place


PATH_VALUES = [
    ("..", "%2E%2E"),
    (".", "%2E"),
    ("a/b", "a%2Fb"),
    ("../admin", "..%2Fadmin"),
    ("a?b=c", "a%3Fb%3Dc"),
    ("a#b", "a%23b"),
    ("100%", "100%25"),
    ("%2e%2e", "%252e%252e"),
    ("a;b,c", "a%3Bb%2Cc"),
    ("é ü", "%C3%A9%20%C3%BC"),
    ("plain-1.2_~x", "plain-1.2_~x"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("value", "encoded"), PATH_VALUES)
def test_a_path_value_is_one_segment(pkg: Any, mode: str, value: str, encoded: str) -> None:
    recorder = Recorder()
    call(pkg, mode, recorder, "get_item", {"item_id": value})
    call(pkg, mode, recorder, "get_file", {"dir_": value, "name": "n"})
    assert [r.url.raw_path for r in recorder.requests] == [
        f"/items/{encoded}".encode(),
        f"/files/{encoded}/n.json".encode(),
    ]


@pytest.mark.parametrize("mode", MODES)
def test_array_items_cannot_pass_for_delimiters(pkg: Any, mode: str) -> None:
    recorder = Recorder()
    call(pkg, mode, recorder, "batch", {"ids": ["a,b", "c/d"], "tags": ["x;y", "z"]})
    (request,) = recorder.requests
    assert request.url.raw_path == b"/batch/a%2Cb,c%2Fd"
    assert request.headers["cookie"] == "tags=x%3By,z"


@pytest.mark.parametrize("mode", MODES)
def test_an_empty_path_value_is_refused_naming_the_parameter(pkg: Any, mode: str) -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="item_id: the path parameter 'itemId' is empty"):
        call(pkg, mode, recorder, "get_item", {"item_id": ""})
    with pytest.raises(ValueError, match="ids"):
        call(pkg, mode, recorder, "batch", {"ids": []})
    assert recorder.requests == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a; sid=forged", "a%3B%20sid=forged"),
        ("a,b", "a%2Cb"),
        ('say "hi"', "say%20%22hi%22"),
        ("back\\slash", "back%5Cslash"),
        ("é", "%C3%A9"),
        ("line\r\nSet-Cookie: x=1", "line%0D%0ASet-Cookie:%20x=1"),
        ("50%", "50%25"),
    ],
)
def test_a_cookie_value_is_one_cookie(pkg: Any, mode: str, value: str, encoded: str) -> None:
    recorder = Recorder()
    call(pkg, mode, recorder, "get_item", {"item_id": "1", "pref": value}, **{**API_KEYS, "cookie_key": "ck ; x=1"})
    (request,) = recorder.requests
    cookies = [pair.strip() for pair in request.headers["cookie"].split(";")]
    assert sorted(cookies) == sorted([f"pref={encoded}", "sid=ck%20%3B%20x=1"])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "nul\x00", "é"])
def test_a_header_value_that_would_break_the_header_is_refused(pkg: Any, mode: str, value: str) -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="x_note \\(header 'X-Note'\\)"):
        call(pkg, mode, recorder, "get_item", {"item_id": "1", "x_note": value})
    assert recorder.requests == []


@pytest.mark.parametrize("client_class", ["Client", "AsyncClient"])
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"header_key": "k-SECRET\r\nX-Injected: 1"}, "the header_key credential"),
        ({"bearer": "SECRET\nX: 1"}, "the bearer credential"),
        ({"headers": {"X-Trace": "a\r\nX-Injected: 1"}}, "headers\\['X-Trace'\\]"),
        ({"headers": {"Bad Name": "x"}}, "not a valid header name"),
    ],
)
def test_header_credentials_and_headers_are_checked_in_the_constructor(
    pkg: Any, client_class: str, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        getattr(pkg, client_class)("http://api.test", **settings)
    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_a_query_value_cannot_add_parameters(pkg: Any, mode: str) -> None:
    recorder = Recorder()
    value = "a&api_key=forged#frag b+c"
    call(pkg, mode, recorder, "get_item", {"item_id": "1", "q": value}, **API_KEYS)
    (request,) = recorder.requests
    assert request.url.params.get_list("q") == [value]
    assert request.url.params.get_list("api_key") == ["qk-SECRET-2"]
    assert request.url.fragment == ""


def test_over_loopback_the_server_receives_each_value_in_its_place(pkg: Any, servers: Any) -> None:
    server = servers()
    http = httpx.Client()
    with pkg.Client(server.url, http_client=http, **{**API_KEYS, "cookie_key": "c"}) as client:
        assert client.default.get_item(item_id="../..", q="x&y", pref="p; sid=forged") == {}
        assert client.default.get_file(dir_=".", name="a/b") == {}
    http.close()
    assert [path for path, _ in server.received] == [
        "/items/..%2F..?q=x%26y&api_key=qk-SECRET-2",
        "/files/%2E/a%2Fb.json?api_key=qk-SECRET-2",
    ]
    assert sorted(server.received[0][1]["cookie"].split("; ")) == ["pref=p%3B%20sid=forged", "sid=c"]


# Item 13: base_url


@pytest.mark.parametrize("client_class", ["Client", "AsyncClient"])
@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("http://api.test/v1?key=1", "has a query"),
        ("http://api.test/v1?", "has a query"),
        ("http://api.test/v1#top", "has a fragment"),
        ("http://api.test/v\n1", "character 17 \\(U\\+000A\\)"),
        ("http://api.test/\x00", "U\\+0000"),
        (" http://api.test", "character 0 \\(U\\+0020\\) is whitespace"),
        ("http://api.test/a b", "whitespace"),
        ("http://api.test\\@evil.test/", "backslash"),
        ("ftp://api.test/", "has the scheme 'ftp'"),
        ("javascript:alert(1)", "has the scheme 'javascript'"),
        ("api.test/v1", "has no scheme"),
        ("/v1", "has no scheme"),
        ("http://", "has no host"),
        ("http:///v1", "has no host"),
        ("https://:443/v1", "has no host"),
        ("http://user:pw-SECRET@api.test/", "user information"),
        ("http://api.test:99999/", "not a valid URL"),
        ("http://api.test:port/", "not a valid URL"),
        ("http://[::1/", "not a valid URL"),
        ("http://api.test:0/", "port 0"),
    ],
)
def test_a_bad_base_url_is_refused_saying_what_is_wrong(pkg: Any, client_class: str, base_url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        getattr(pkg, client_class)(base_url)
    assert str(caught.value).startswith("base_url")
    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize("base_url", ["http://api.test", "https://API.test:8443/v1/", "http://[::1]:8080/x", "http://bücher.test/"])
def test_good_base_urls_are_accepted(pkg: Any, base_url: str) -> None:
    recorder = Recorder()
    call(pkg, "sync", recorder, "get_item", {"item_id": "1"}, base_url=base_url)
    assert recorder.requests[0].url.path.endswith("/items/1")


def test_a_failed_constructor_creates_no_http_client(pkg: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    created: list[Any] = []
    monkeypatch.setattr(httpx.Client, "__init__", lambda self, *a, **k: created.append(self))
    with pytest.raises(ValueError):
        pkg.Client("http://api.test?x=1")
    assert created == []

