"""Server authentication: every security scheme is verified by a ``Handlers`` method the user
writes, before the handler runs; handlers read the request and the verified principals.

One spec declares each kind of scheme (API key in a header, the query and a cookie, HTTP basic,
HTTP bearer, OAuth2 with scopes, and one scheme nobody verifies), and operations that need one,
all of two (AND), either of two (OR), or none (``security: []``). The implementation is a user's
module (``USER_MODULE``), written to a file, type-checked with ``mypy --strict`` together with
the generated server, and served in process.
"""

from __future__ import annotations

import base64
import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import generate_packages

SPEC = """
openapi: 3.0.3
info: {title: Vault, version: "1.0.0"}
components:
  securitySchemes:
    headerKey: {type: apiKey, in: header, name: X-Key}
    queryKey: {type: apiKey, in: query, name: key}
    cookieKey: {type: apiKey, in: cookie, name: session}
    basic: {type: http, scheme: basic}
    bearer: {type: http, scheme: bearer}
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://auth.example.com/token
          scopes: {read: read the vault, write: change the vault}
    unverified: {type: apiKey, in: header, name: X-Other}
    unused: {type: apiKey, in: header, name: X-Unused}
paths:
  /header:
    get: {operationId: byHeader, security: [{headerKey: []}], responses: {"200": {description: ok}}}
  /query:
    get: {operationId: byQuery, security: [{queryKey: []}], responses: {"200": {description: ok}}}
  /cookie:
    get: {operationId: byCookie, security: [{cookieKey: []}], responses: {"200": {description: ok}}}
  /basic:
    get: {operationId: byBasic, security: [{basic: []}], responses: {"200": {description: ok}}}
  /bearer:
    get: {operationId: byBearer, security: [{bearer: []}], responses: {"200": {description: ok}}}
  /oauth:
    get: {operationId: readVault, security: [{oauth: [read]}], responses: {"200": {description: ok}}}
    post: {operationId: writeVault, security: [{oauth: [read, write]}], responses: {"200": {description: ok}}}
  /both:
    get: {operationId: both, security: [{headerKey: [], queryKey: []}], responses: {"200": {description: ok}}}
  /either:
    get: {operationId: either, security: [{headerKey: []}, {bearer: []}], responses: {"200": {description: ok}}}
  /unverified:
    get: {operationId: byUnverified, security: [{unverified: []}], responses: {"200": {description: ok}}}
  /unverified-or-header:
    get:
      operationId: unverifiedOrHeader
      security: [{unverified: []}, {headerKey: []}]
      responses: {"200": {description: ok}}
  /twice:
    get:
      operationId: twice
      security: [{headerKey: [], queryKey: []}, {headerKey: [], cookieKey: []}]
      responses: {"200": {description: ok}}
  /owned:
    get: {operationId: owned, security: [{bearer: []}], responses: {"200": {description: ok}}}
  /no-auth:
    get: {operationId: noAuth, security: [], responses: {"200": {description: ok}}}
  /verify:
    get: {operationId: verifyHeaderKey, security: [], responses: {"200": {description: ok}}}
"""

#: The user's implementation: every operation answers what it sees of the request; every
#: scheme but ``unverified`` has a verifier.
USER_MODULE = '''
from __future__ import annotations

from typing import Any

from fastapi import Request
from typing_extensions import override

from vault_server import BasicCredentials, Forbidden, Handlers, Unauthorized, request_context


#: The credentials ``verify_header_key_2`` was given, in order.
HEADER_KEYS_VERIFIED: list[str] = []


def seen() -> dict[str, Any]:
    context = request_context()
    client = context.request.client
    return {
        "principals": dict(context.principals),
        "agent": context.request.headers.get("user-agent"),
        "client": client.host if client else None,
    }


class Vault(Handlers):
    @override
    async def verify_header_key_2(self, credential: str, request: Request) -> object:
        HEADER_KEYS_VERIFIED.append(credential)
        if credential == "read-only-key":
            raise Forbidden("this key may only read")
        return "alice" if credential == "header-key" else None

    @override
    async def verify_query_key(self, credential: str, request: Request) -> object:
        if credential != "query-key":
            raise Unauthorized("unknown query key")
        return "bob"

    @override
    async def verify_cookie_key(self, credential: str, request: Request) -> object:
        return "carol" if credential == "cookie-key" else None

    @override
    async def verify_basic(self, credential: BasicCredentials, request: Request) -> object:
        right = (credential.username, credential.password) == ("dan", "pass:word")
        return credential.username if right else None

    @override
    async def verify_bearer(self, credential: str, request: Request) -> object:
        return "erin" if credential == "bearer-token" else None

    @override
    async def verify_oauth(
        self, credential: str, scopes: tuple[str, ...], request: Request
    ) -> object:
        if credential != "oauth-token":
            return None
        if "write" in scopes:
            raise Forbidden("the token may not write")
        return "frank with " + ",".join(scopes)

    @override
    async def by_header(self) -> Any:
        return seen()

    @override
    async def by_query(self) -> Any:
        return seen()

    @override
    async def by_cookie(self) -> Any:
        return seen()

    @override
    async def by_basic(self) -> Any:
        return seen()

    @override
    async def by_bearer(self) -> Any:
        return seen()

    @override
    async def read_vault(self) -> Any:
        return seen()

    @override
    async def write_vault(self) -> Any:
        return seen()

    @override
    async def both(self) -> Any:
        return seen()

    @override
    async def either(self) -> Any:
        return {**seen(), "who": request_context().principal("bearer", str)}

    @override
    async def by_unverified(self) -> Any:
        return seen()

    @override
    async def unverified_or_header(self) -> Any:
        return seen()

    @override
    async def twice(self) -> Any:
        return seen()

    @override
    async def owned(self) -> Any:
        if request_context().request.headers.get("X-Expired"):
            raise Unauthorized("the token has expired")
        raise Forbidden("only the owner may open it")

    @override
    async def no_auth(self) -> Any:
        return seen()

    @override
    async def verify_header_key(self) -> Any:
        return seen()
'''


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The generated server package and the folder holding the user's module."""
    folder = tmp_path_factory.mktemp("vault")
    (server,) = generate_packages(folder, "vault", SPEC, ("server",))
    (folder / "vault_impl.py").write_text(USER_MODULE, encoding="utf-8")
    return server, folder


@pytest.fixture(scope="module")
def implementation(vault: tuple[Any, Path]) -> Any:
    """The user's module, imported."""
    _, folder = vault
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module("vault_impl")
    finally:
        sys.path.remove(str(folder))


@pytest.fixture(scope="module")
def http(vault: tuple[Any, Path], implementation: Any) -> TestClient:
    return TestClient(vault[0].create_app(implementation.Vault()))


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.mark.parametrize(
    "path, credentials, principals",
    [
        ("/header", {"headers": {"X-Key": "header-key"}}, {"headerKey": "alice"}),
        ("/query", {"params": {"key": "query-key"}}, {"queryKey": "bob"}),
        ("/cookie", {"cookies": {"session": "cookie-key"}}, {"cookieKey": "carol"}),
        ("/basic", {"headers": basic("dan", "pass:word")}, {"basic": "dan"}),
        ("/bearer", {"headers": {"Authorization": "Bearer bearer-token"}}, {"bearer": "erin"}),
        ("/oauth", {"headers": {"Authorization": "Bearer oauth-token"}}, {"oauth": "frank with read"}),
    ],
    ids=["api-key-header", "api-key-query", "api-key-cookie", "basic", "bearer", "oauth2-scopes"],
)
def test_the_right_credential_reaches_the_handler_with_its_principal_and_the_request(
    http: TestClient, path: str, credentials: dict[str, Any], principals: dict[str, str]
) -> None:
    http.cookies = credentials.pop("cookies", {})
    try:
        answer = http.get(path, **credentials)
    finally:
        http.cookies = {}
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"principals": principals, "agent": "testclient", "client": "testclient"}


@pytest.mark.parametrize(
    "path, credentials, message, challenge",
    [
        ("/header", {"headers": {"X-Key": "guess"}}, "the credentials were refused", None),
        ("/query", {"params": {"key": "guess"}}, "unknown query key", None),
        ("/cookie", {"cookies": {"session": "guess"}}, "the credentials were refused", None),
        ("/basic", {"headers": basic("dan", "guess")}, "the credentials were refused", 'Basic realm="api"'),
        ("/basic", {"headers": {"Authorization": "Basic !!notbase64"}}, "the basic credentials are malformed", 'Basic realm="api"'),
        ("/basic", {"headers": {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}}, "the basic credentials are malformed", 'Basic realm="api"'),
        ("/bearer", {"headers": {"Authorization": "Bearer guess"}}, "the credentials were refused", "Bearer"),
        ("/oauth", {"headers": {"Authorization": "Bearer guess"}}, "the credentials were refused", "Bearer"),
    ],
    ids=["api-key-header", "api-key-query", "api-key-cookie", "basic", "basic-not-base64", "basic-without-colon", "bearer", "oauth2"],
)
def test_a_wrong_credential_answers_401(
    http: TestClient, path: str, credentials: dict[str, Any], message: str, challenge: str | None
) -> None:
    http.cookies = credentials.pop("cookies", {})
    try:
        answer = http.get(path, **credentials)
    finally:
        http.cookies = {}
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthenticated" and answer.json()["message"] == message
    assert answer.headers.get("www-authenticate") == challenge


@pytest.mark.parametrize(
    "path, challenge",
    [("/header", None), ("/query", None), ("/cookie", None), ("/basic", 'Basic realm="api"'), ("/bearer", "Bearer"), ("/oauth", "Bearer")],
)
def test_a_missing_credential_answers_401(http: TestClient, path: str, challenge: str | None) -> None:
    answer = http.get(path, headers={"Authorization": "Basic"} if path == "/bearer" else {})
    assert answer.status_code == 401
    assert answer.json()["message"] == "this operation needs credentials"
    assert answer.headers.get("www-authenticate") == challenge


def test_a_verifier_that_forbids_answers_403(http: TestClient) -> None:
    answer = http.get("/header", headers={"X-Key": "read-only-key"})
    assert answer.status_code == 403
    assert answer.json()["error"] == "forbidden" and answer.json()["message"] == "this key may only read"


def test_oauth2_verifiers_are_given_the_scopes_the_operation_requires(http: TestClient) -> None:
    token = {"Authorization": "Bearer oauth-token"}
    assert http.get("/oauth", headers=token).json()["principals"] == {"oauth": "frank with read"}
    refused = http.post("/oauth", headers=token)
    assert refused.status_code == 403 and refused.json()["message"] == "the token may not write"


def test_an_alternative_of_two_schemes_needs_both_verified(http: TestClient) -> None:
    key, query = {"X-Key": "header-key"}, {"key": "query-key"}
    answer = http.get("/both", headers=key, params=query)
    assert answer.status_code == 200 and answer.json()["principals"] == {"headerKey": "alice", "queryKey": "bob"}
    assert http.get("/both", headers=key).json()["message"] == "this operation needs credentials"
    assert http.get("/both", headers={"X-Key": "guess"}, params=query).status_code == 401
    wrong_query = http.get("/both", headers=key, params={"key": "guess"})
    assert wrong_query.status_code == 401 and wrong_query.json()["message"] == "unknown query key"


def test_alternatives_accept_the_first_one_verified(http: TestClient) -> None:
    token = {"Authorization": "Bearer bearer-token"}
    for key in ("guess", "read-only-key"):
        answer = http.get("/either", headers={"X-Key": key, **token})
        assert answer.status_code == 200 and answer.json()["principals"] == {"bearer": "erin"}
        assert answer.json()["who"] == "erin"
    assert http.get("/either", headers={"X-Key": "guess"}).status_code == 401
    assert http.get("/either", headers={"X-Key": "read-only-key"}).status_code == 403
    assert http.get("/either", headers={"X-Key": "read-only-key", "Authorization": "Bearer guess"}).status_code == 403
    assert http.get("/either", headers={"X-Key": "guess", "Authorization": "Bearer guess"}).status_code == 401
    assert http.get("/either").headers["www-authenticate"] == "Bearer"


def test_each_verifier_is_called_once_per_request(http: TestClient, implementation: Any) -> None:
    """``headerKey`` stands in both alternatives: the second reuses the first's verdict."""
    implementation.HEADER_KEYS_VERIFIED.clear()
    http.cookies = {"session": "cookie-key"}
    try:
        answer = http.get("/twice", headers={"X-Key": "header-key"}, params={"key": "guess"})
    finally:
        http.cookies = {}
    assert answer.status_code == 200 and answer.json()["principals"] == {"headerKey": "alice", "cookieKey": "carol"}
    assert implementation.HEADER_KEYS_VERIFIED == ["header-key"]


def test_a_handler_may_refuse_too(http: TestClient) -> None:
    token = {"Authorization": "Bearer bearer-token"}
    forbidden = http.get("/owned", headers=token)
    assert forbidden.status_code == 403 and forbidden.json()["message"] == "only the owner may open it"
    expired = http.get("/owned", headers={**token, "X-Expired": "1"})
    assert expired.status_code == 401 and expired.json()["message"] == "the token has expired"
    assert expired.headers["www-authenticate"] == "Bearer"


def test_a_scheme_without_a_verifier_accepts_nothing(http: TestClient) -> None:
    """Not overriding ``verify_unverified`` never lets a credential through: 501 names the
    scheme and the method to write; a refusal by another alternative's verifier says 401."""
    answer = http.get("/unverified", headers={"X-Other": "anything"})
    assert answer.status_code == 501
    assert answer.json()["message"] == "the security scheme 'unverified' has no verifier: override Handlers.verify_unverified"
    assert http.get("/unverified").status_code == 401
    assert http.get("/unverified-or-header", headers={"X-Other": "anything"}).status_code == 501
    assert http.get("/unverified-or-header", headers={"X-Other": "anything", "X-Key": "guess"}).status_code == 401
    verified = http.get("/unverified-or-header", headers={"X-Other": "anything", "X-Key": "header-key"})
    assert verified.status_code == 200 and verified.json()["principals"] == {"headerKey": "alice"}


def test_no_requirement_needs_no_credentials(http: TestClient) -> None:
    answer = http.get("/no-auth")
    assert answer.status_code == 200 and answer.json()["principals"] == {}


def test_a_verifier_is_never_named_like_an_operation(vault: tuple[Any, Path], http: TestClient) -> None:
    server, _ = vault
    app = importlib.import_module("vault_server.app")
    assert app.SCHEMES["headerKey"].verifier == "verify_header_key_2"
    assert http.get("/verify").json()["principals"] == {}
    assert set(app.SCHEMES) == {"headerKey", "queryKey", "cookieKey", "basic", "bearer", "oauth", "unverified"}


def test_strict_create_app_names_the_verifiers_not_overridden(vault: tuple[Any, Path]) -> None:
    server, _ = vault
    operations = importlib.import_module("vault_server.app").OPERATIONS

    async def answer(self: Any, **arguments: Any) -> None:
        return None

    every_operation = type("EveryOperation", (server.Handlers,), dict.fromkeys(operations, answer))
    with pytest.raises(server.UnimplementedOperations) as refused:
        server.create_app(every_operation(), strict=True)
    expected = ("verify_header_key_2", "verify_query_key", "verify_cookie_key", "verify_basic", "verify_bearer", "verify_oauth", "verify_unverified")
    assert refused.value.operations == () and refused.value.verifiers == expected
    assert str(refused.value) == "EveryOperation does not implement 7 verifier(s): " + ", ".join(expected)
    assert server.unimplemented_verifiers(every_operation()) == list(expected)
    assert server.create_app(every_operation(), mock=True, strict=True) is not None


def test_mock_mode_checks_only_that_credentials_are_present(vault: tuple[Any, Path]) -> None:
    server, _ = vault
    mock = TestClient(server.create_app(mock=True))
    assert mock.get("/header", headers={"X-Key": "guess"}).status_code == 200
    assert mock.get("/unverified", headers={"X-Other": "anything"}).status_code == 200
    assert mock.get("/header").status_code == 401
    assert mock.get("/both", headers={"X-Key": "guess"}).status_code == 401


def test_request_context_outside_a_request_raises_lookup_error(vault: tuple[Any, Path]) -> None:
    server, _ = vault
    with pytest.raises(LookupError):
        server.request_context()


def test_a_principal_of_another_type_is_not_handed_out(vault: tuple[Any, Path]) -> None:
    server, _ = vault
    context = server.RequestContext(request=None, principals={"bearer": "erin"})
    assert context.principal("bearer", str) == "erin"
    with pytest.raises(LookupError):
        context.principal("bearer", int)
    with pytest.raises(LookupError):
        context.principal("basic", str)


WRONG_VERIFIER = """
from fastapi import Request
from typing_extensions import override

from vault_server import Handlers


class Vault(Handlers):
    @override
    async def verify_basic(self, credential: str, request: Request) -> object:
        return credential
"""


def test_the_generated_server_and_the_users_module_pass_mypy_strict(vault: tuple[Any, Path]) -> None:
    """...and a verifier that takes the wrong credential type is the one error mypy reports."""
    server, folder = vault
    server_folder = Path(server.__file__).parent.parent
    (folder / "vault_wrong.py").write_text(WRONG_VERIFIER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(folder / "mypy-cache"), str(server_folder / "vault_server"), "vault_impl.py", "vault_wrong.py"],
        cwd=folder,
        env={**os.environ, "MYPYPATH": str(server_folder)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = [line for line in done.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 1, done.stdout + done.stderr
    assert errors[0].startswith("vault_wrong.py:") and '"BasicCredentials"' in errors[0], errors


def test_the_scaffold_has_a_verifier_per_scheme_that_refuses_until_written(tmp_path: Path, vault: tuple[Any, Path]) -> None:
    """The starter overrides every verifier (so its strict app builds), each refusing every
    credential, and passes ``mypy --strict`` against the generated server."""
    from stubforge.scaffold import scaffold

    server, _ = vault
    spec = tmp_path / "vault.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    scaffold(spec, tmp_path / "starter.py")
    sys.path.insert(0, str(tmp_path))
    try:
        starter = importlib.import_module("starter")
    finally:
        sys.path.remove(str(tmp_path))
    http = TestClient(starter.app)
    assert server.unimplemented_verifiers(starter.Implementation()) == []
    assert http.get("/header", headers={"X-Key": "header-key"}).status_code == 401
    assert http.get("/basic", headers=basic("dan", "pass:word")).status_code == 401
    assert http.get("/oauth", headers={"Authorization": "Bearer oauth-token"}).status_code == 401
    assert http.get("/no-auth").status_code == 200
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), "starter.py"],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(Path(server.__file__).parent.parent)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


SWAGGER_2 = """
swagger: "2.0"
info: {title: Old vault, version: "1"}
securityDefinitions:
  basic: {type: basic}
  oauth: {type: oauth2, flow: application, tokenUrl: https://auth.example.com/token, scopes: {read: r, write: w}}
security: [{oauth: [read, write, read]}, {basic: [], oauth: [read]}]
paths:
  /items:
    get: {operationId: listItems, responses: {"200": {description: ok}}}
"""


def test_the_model_keeps_each_alternatives_scopes_and_names_a_verifier_per_used_scheme(tmp_path: Path) -> None:
    from stubforge.pipeline import build_model

    spec = tmp_path / "old_vault.yaml"
    spec.write_text(SWAGGER_2, encoding="utf-8")
    api = build_model(spec)
    (op,) = api.operations
    assert op.requirements == ({"oauth": ["read", "write"]}, {"basic": [], "oauth": ["read"]})
    assert [(v.scheme.name, v.method, v.credential_annotation, v.scheme.scoped) for v in api.verifiers] == [
        ("basic", "verify_basic", "BasicCredentials", False),
        ("oauth", "verify_oauth", "str", True),
    ]
    vault = tmp_path / "vault.yaml"
    vault.write_text(SPEC, encoding="utf-8")
    assert "unused" not in [v.scheme.name for v in build_model(vault).verifiers]


def test_verifier_names_never_take_an_operations_name() -> None:
    from stubforge import names

    assert names.verifier_names(["api key", "apiKey", "class"], ["verify_api_key", "list"]) == [
        "verify_api_key_2",
        "verify_api_key_3",
        "verify_class",
    ]
