"""The docs show authentication: an Authentication section with every security scheme, each
operation's security requirement linked to it, and examples that send the operation's first
alternative's credentials, read from environment variables, so they run as printed against
the generated server (mock mode checks that the credentials are present)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import generate_packages

SPEC = """
openapi: 3.0.3
info: {title: Gate, version: "1.0.0"}
components:
  securitySchemes:
    headerKey: {type: apiKey, in: header, name: X-API-Key, description: Issued on the *account* page.}
    queryKey: {type: apiKey, in: query, name: key}
    cookieKey: {type: apiKey, in: cookie, name: session}
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
    basic: {type: http, scheme: basic}
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://auth.example.com/authorize
          tokenUrl: https://auth.example.com/token
          scopes: {read: read the gate, write: change the gate}
    oidc: {type: openIdConnect, openIdConnectUrl: https://auth.example.com/.well-known/openid-configuration}
  schemas:
    Ok:
      type: object
      required: [ok]
      properties: {ok: {type: boolean}}
paths:
  /header:
    get:
      operationId: byHeader
      security: [{headerKey: []}]
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Ok'}}}}}
  /query:
    get:
      operationId: byQuery
      security: [{queryKey: []}]
      parameters: [{name: limit, in: query, schema: {type: integer}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Ok'}}}}}
  /cookie:
    get:
      operationId: byCookie
      security: [{cookieKey: []}]
      responses: {"204": {description: done}}
  /bearer:
    get:
      operationId: byBearer
      security: [{bearer: []}]
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Ok'}}}}}
  /basic:
    post:
      operationId: byBasic
      security: [{basic: []}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Ok'}}}
      responses: {"201": {description: made, content: {application/json: {schema: {$ref: '#/components/schemas/Ok'}}}}}
  /both:
    get:
      operationId: both
      security: [{headerKey: [], queryKey: []}, {bearer: []}]
      responses: {"204": {description: done}}
  /scoped:
    get:
      operationId: scoped
      security: [{oauth: [read, write]}, {oidc: []}]
      responses: {"204": {description: done}}
  /open:
    get:
      operationId: openDoor
      security: []
      responses: {"204": {description: done}}
"""

#: What the reader exports before running an example.
VALUES = {"HEADER_KEY": "k-1", "QUERY_KEY": "q-2", "TOKEN": "t-3", "USERNAME": "ann", "PASSWORD": "p:4 $x", "OAUTH_TOKEN": "o-5", "COOKIE_KEY": "c-6"}

#: The operations whose examples send credentials, and the group they are in.
SECURED = ("by_header", "by_query", "by_cookie", "by_bearer", "by_basic", "both", "scoped")


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Path]:
    folder = tmp_path_factory.mktemp("gate")
    client, server = generate_packages(folder, "gate", SPEC)
    return client, server, folder / "out" / "gate" / "docs"


def examples(docs: Path) -> dict[str, tuple[str, str]]:
    """Each operation's (curl line, Python snippet), by operation anchor, from the Markdown docs."""
    markdown = (docs / "README.md").read_text(encoding="utf-8")
    found = {}
    for anchor, body in re.findall(r'<a id="(operation-[^"]+)"></a>(.*?)(?=<a id="|\Z)', markdown, re.S):
        curl = re.search(r"```sh\n(.*?)\n```", body, re.S)
        python = re.search(r"```python\n(.*?)\n```", body, re.S)
        assert curl and python, anchor
        found[anchor.removeprefix("operation-").replace("-", "_")] = (curl.group(1), python.group(1))
    return found


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_the_authentication_section_describes_every_scheme_in_both_docs(gate: tuple[Any, Any, Path]) -> None:
    markdown = (gate[2] / "README.md").read_text(encoding="utf-8")
    html = (gate[2] / "index.html").read_text(encoding="utf-8")
    auth_md = section(markdown, '<a id="authentication"></a>', '<a id="group-')
    auth_html = section(html, '<section class="group" id="authentication">', "</section>")
    for anchor in ("auth-header-key", "auth-query-key", "auth-bearer", "auth-basic", "auth-oauth", "auth-oidc"):
        assert f'<a id="{anchor}"></a>' in auth_md
        assert f'id="{anchor}"' in auth_html
    for expected in (
        "- **In:** <code>header</code>\n- **Name:** <code>X-API-Key</code>",
        "- **In:** <code>query</code>\n- **Name:** <code>key</code>",
        "- **Scheme:** <code>bearer</code>\n- **Bearer format:** <code>JWT</code>",
        "- **Scheme:** <code>basic</code>",
        "Issued on the *account* page.",  # the spec's Markdown, kept
        "**Flow <code>authorizationCode</code>:** Authorization URL <code>https://auth.example.com/authorize</code>; Token URL <code>https://auth.example.com/token</code>",
        "  - <code>read</code>: read the gate",
        "- **Discovery URL:** <code>https://auth.example.com/.well-known/openid-configuration</code>",
        "<code>$USERNAME</code>, <code>$PASSWORD</code>",
    ):
        assert expected in auth_md, expected
    for expected in (
        "<dt>In</dt><dd><code>query</code></dd>",
        "<dt>Bearer format</dt><dd><code>JWT</code></dd>",
        "<dt>Flow <code>authorizationCode</code></dt><dd>Authorization URL <code>https://auth.example.com/authorize</code>",
        "<li><code>write</code>: change the gate</li>",
        "<dt>Discovery URL</dt><dd><code>https://auth.example.com/.well-known/openid-configuration</code></dd>",
        "Issued on the <em>account</em> page.",  # rendered
    ):
        assert expected in auth_html, expected


@pytest.mark.parametrize(
    ("operation", "markdown", "html"),
    [
        ("by-header", "[headerKey](#auth-header-key)", '<a href="#auth-header-key">headerKey</a>'),
        (
            "both",
            "[headerKey](#auth-header-key) and [queryKey](#auth-query-key) or [bearer](#auth-bearer)",
            '<a href="#auth-header-key">headerKey</a> and <a href="#auth-query-key">queryKey</a> or <a href="#auth-bearer">bearer</a>',
        ),
        (
            "scoped",
            "[oauth](#auth-oauth) (scopes <code>read</code>, <code>write</code>) or [oidc](#auth-oidc)",
            '<a href="#auth-oauth">oauth</a> (scopes <code>read</code>, <code>write</code>) or <a href="#auth-oidc">oidc</a>',
        ),
        ("open-door", "none", "none"),
    ],
)
def test_each_operation_names_its_security_linked_to_the_schemes(gate: tuple[Any, Any, Path], operation: str, markdown: str, html: str) -> None:
    md_text = (gate[2] / "README.md").read_text(encoding="utf-8")
    html_text = (gate[2] / "index.html").read_text(encoding="utf-8")
    md_op = section(md_text, f'<a id="operation-{operation}"></a>', "#### Parameters")
    html_op = section(html_text, f'id="operation-{operation}"', "<h4>Parameters</h4>")
    assert f"- **Security:** {markdown}\n" in md_op
    assert f"<dt>Security</dt><dd>{html}</dd>" in html_op


def test_the_examples_send_the_first_alternatives_credentials_from_variables(gate: tuple[Any, Any, Path]) -> None:
    found = examples(gate[2])
    assert found["by_header"][0] == "curl -X GET http://127.0.0.1:8000/header -H \"X-API-Key: $HEADER_KEY\""
    assert found["by_query"][0] == "curl -X GET \"http://127.0.0.1:8000/query?limit=0&key=$QUERY_KEY\""
    assert found["by_cookie"][0] == "curl -X GET http://127.0.0.1:8000/cookie -b \"session=$COOKIE_KEY\""
    assert found["by_bearer"][0] == "curl -X GET http://127.0.0.1:8000/bearer -H \"Authorization: Bearer $TOKEN\""
    assert found["by_basic"][0].startswith("curl -X POST http://127.0.0.1:8000/basic -u \"$USERNAME:$PASSWORD\" ")
    assert 'Client(base_url="http://127.0.0.1:8000", basic=(os.environ["USERNAME"], os.environ["PASSWORD"]))' in found["by_basic"][1]
    assert 'header_key=os.environ["HEADER_KEY"], query_key=os.environ["QUERY_KEY"])' in found["both"][1]
    assert found["open_door"] == ("curl -X GET http://127.0.0.1:8000/open", 'from gate_client import Client\n\nclient = Client(base_url="http://127.0.0.1:8000")\nclient.default.open_door()')


def run_curl(command: str, url: str, environment: dict[str, str]) -> int:
    """Runs a printed curl line in bash (pointed at ``url``); the HTTP status it got."""
    line = command.replace("http://127.0.0.1:8000", url) + " -s -o /dev/null -w '%{http_code}'"
    done = subprocess.run(["bash", "-c", line], env={"PATH": os.environ["PATH"], **environment}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def without_credentials(command: str) -> str:
    """The curl line with every word that reads a variable left out, and the query key too."""
    words = shlex.split(command.replace("$", "\0"))
    kept: list[str] = []
    for word in words:
        if "\0" in word and kept and kept[-1] in ("-H", "-u", "-b"):
            kept.pop()
        elif "\0" in word:
            kept.append(re.sub(r"[?&][^?&=]*=\0\w+", "", word))
        else:
            kept.append(word)
    assert "\0" not in "".join(kept)
    return shlex.join(kept)


@pytest.mark.skipif(subprocess.run(["which", "curl"], capture_output=True).returncode != 0, reason="needs curl")
@pytest.mark.parametrize("operation", SECURED)
def test_the_curl_example_runs_as_printed_and_is_refused_without_its_credentials(
    gate: tuple[Any, Any, Path], serve: Callable[[Any], str], operation: str
) -> None:
    url = serve(gate[1].create_app(mock=True))
    curl = examples(gate[2])[operation][0]
    assert 200 <= run_curl(curl, url, VALUES) < 300
    assert run_curl(without_credentials(curl), url, VALUES) == 401


def run_python(snippet: str, app: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Execs a printed Python example with the client's HTTP client sending to ``app``; the
    statuses of the responses it got."""
    for name, value in VALUES.items():
        monkeypatch.setenv(name, value)
    statuses: list[int] = []
    http = TestClient(app)
    http.event_hooks["response"] = [lambda response: statuses.append(response.status_code)]
    assert snippet.count("client = Client(") == 1
    exec(snippet.replace("client = Client(", "client = Client(http_client=_http, "), {"_http": http})
    return statuses


@pytest.mark.parametrize("operation", SECURED)
def test_the_python_example_runs_as_printed_and_is_refused_without_its_credentials(
    gate: tuple[Any, Any, Path], monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    app = gate[1].create_app(mock=True)
    snippet = examples(gate[2])[operation][1]
    statuses = run_python(snippet, app, monkeypatch)
    assert len(statuses) == 1 and 200 <= statuses[0] < 300
    bare = re.sub(r", \w+=(os\.environ\[\"\w+\"\]|\(os\.environ\[\"\w+\"\], os\.environ\[\"\w+\"\]\))", "", snippet)
    assert "os.environ" not in bare
    with pytest.raises(gate[0].AuthenticationError):
        run_python(bare, app, monkeypatch)


HOSTILE = """
swagger: "2.0"
info: {title: Hostile, version: "1"}
securityDefinitions:
  "$(touch pwned)'\\"": {type: apiKey, in: header, name: "X-$(touch pwned)`id`'\\"!"}
  "token": {type: apiKey, in: query, name: "a&b=$HOME"}
  "oauth": {type: oauth2, flow: password, tokenUrl: "https://x/t", scopes: {"r'$(id)": "<script>x</script>"}}
paths:
  /thing:
    get:
      operationId: thing
      security: [{"$(touch pwned)'\\"": [], token: []}]
      responses: {"200": {description: ok}}
"""


def test_placeholders_are_shell_and_python_safe_whatever_the_spec_names(tmp_path: Path) -> None:
    (client,) = generate_packages(tmp_path, "hostile", HOSTILE, ("client",))
    docs = tmp_path / "out" / "hostile" / "docs"
    curl, python = examples(docs)["thing"]
    # A shell that prints curl's arguments instead of running it: nothing the spec wrote runs.
    line = "curl() { printf '%s\\n' \"$@\"; }; " + curl
    environment = {"PATH": os.environ["PATH"], "TOUCH_PWNED": "s3cret", "TOKEN": "t 1"}
    done = subprocess.run(["bash", "-c", line], env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "pwned").exists()
    assert done.stdout.splitlines() == ["-X", "GET", "http://127.0.0.1:8000/thing?a%26b%3D%24HOME=t 1", "-H", "X-$(touch pwned)`id`'\"!: s3cret"]
    compile(python, "example", "exec")
    assert 'client = Client(base_url="http://127.0.0.1:8000", touch_pwned=os.environ["TOUCH_PWNED"], token=os.environ["TOKEN"])' in python
    assert hasattr(client, "Client")
    html = (docs / "index.html").read_text(encoding="utf-8")
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
