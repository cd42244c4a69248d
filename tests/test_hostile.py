"""Hostile specs: spec text is untrusted. Whatever a spec holds, generation must not run it, must
not write outside the output folder, and must produce code that compiles and imports without
running anything from the spec; docs must show spec text as text. Bombs fail fast."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, run_stubforge, without_own_scripts, write_spec

# If any of this ever runs, it leaves a file named PWNED in the working directory.
SENTINEL_OP = "x'); open('PWNED','w'); ('"
SENTINEL_DOC = '"""; open("PWNED","w"); """'
SENTINEL_SINGLE = "'''; open('PWNED','w'); '''"
INJECTION_OP = "x'); import os; os.system('id"
MARKER = "stubforgexss"

NASTY = (
    'Ends with a quote " and holds """ and \'\'\' and a backslash \\ and \\N{NO SUCH NAME} and \\x00 '
    "and \\uZZZZ and {{ 7*7 }} and {% raw %} and <script>alert('" + MARKER + "')</script>\n"
    + SENTINEL_DOC
    + "\n\nlast line ends with a quote and a backslash \\\""
)
#: Markdown whose links and HTML must never become live in the docs (descriptions are CommonMark).
LINKS = (
    "**[ok](#overview)** [a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](&#106;avascript:alert(1)) "
    "[d](data:text/html,<script>alert(1)</script>) <javascript:alert(1)> ![e](javascript:alert(1)) "
    '[f](https://example.com "t\\" onmouseover=\\"alert(1)") <img src=x onerror=alert(1)>\n\n'
    "[g][evil] <svg onload=alert(1)>\n\n[evil]: javascript:alert(1)"
)
TITLE = 'Hostile """ API {{ 7*7 }} {% raw %} 100% %(prog)s </title><script>alert(1)</script> ' + MARKER + '\nsecond """ line\\'


def hostile_document() -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": TITLE, "version": '1.0"""\n', "description": NASTY},
        "host": "api.example.com",
        "basePath": "/v1",
        "schemes": ["https"],
        "tags": [
            {"name": "../../escape", "description": NASTY},
            {"name": "/etc/passwd", "description": SENTINEL_DOC},
        ],
        "paths": {
            "/items/{class}": {
                "get": {
                    "operationId": SENTINEL_OP,
                    "summary": SENTINEL_DOC,
                    "description": NASTY,
                    "tags": ["../../escape"],
                    "parameters": [
                        {"in": "path", "name": "class", "required": True, "type": "string", "description": NASTY},
                        {"in": "query", "name": "self", "type": "string", "description": SENTINEL_DOC},
                        {"in": "query", "name": "timeout", "type": "integer", "description": "\\"},
                        {
                            "in": "query",
                            "name": "kind",
                            "type": "string",
                            "enum": ["it's", 'say "hi"', '"""', "\\", SENTINEL_SINGLE],
                            "default": SENTINEL_DOC,
                            "description": "'''",
                        },
                        {"in": "query", "name": "X-Evil\"'\\", "type": "string", "description": '"'},
                    ],
                    "responses": {"200": {"description": NASTY, "schema": {"$ref": "#/definitions/Evil"}}},
                }
            },
            "/run": {
                "post": {
                    "operationId": INJECTION_OP,
                    "summary": "\\",
                    "description": "'''" + SENTINEL_SINGLE,
                    "tags": ["/etc/passwd"],
                    "parameters": [{"in": "body", "name": "body", "required": True, "schema": {"$ref": "#/definitions/Evil"}}],
                    "responses": {"201": {"description": '"', "schema": {"$ref": "#/definitions/Evil"}}},
                }
            },
            "/numbers": {
                "get": {
                    "operationId": "numbers",
                    "description": LINKS,
                    "tags": ["/etc/passwd"],
                    "parameters": [
                        {"in": "query", "name": "ratio", "type": "number", "enum": [float("inf"), float("nan"), 1.5]},
                    ],
                    "responses": {"200": {"description": LINKS}},
                }
            },
        },
        "definitions": {
            "Evil": {
                "type": "object",
                "description": NASTY,
                "required": ["class"],
                "properties": {
                    "class": {"type": "string", "description": NASTY},
                    "from_dict": {"type": "string", "description": "'''"},
                    '"; open("PWNED","w"); "': {"type": "string", "default": "'; open('PWNED','w'); '"},
                    "mood": {"type": "string", "enum": ['"""', "'", "\\", SENTINEL_DOC]},
                },
                "example": {"class": SENTINEL_DOC, "mood": '"""'},
            },
        },
    }


PROBE = textwrap.dedent(
    '''
    import asyncio, contextlib, importlib, io, json, pkgutil, sys

    result = {"imported": [], "errors": {}, "calls": {}, "pages": {}}
    for package in ("hostile_client", "hostile_server"):
        try:
            module = importlib.import_module(package)
            found = [package] + [m.name for m in pkgutil.walk_packages(module.__path__, prefix=package + ".")]
        except BaseException as exc:
            result["errors"][package] = repr(exc)
            continue
        for name in sorted(set(found)):
            try:
                importlib.import_module(name)
                result["imported"].append(name)
            except BaseException as exc:
                result["errors"][name] = repr(exc)


    async def calls():
        import httpx
        from hostile_client import AsyncClient
        from hostile_server import Handlers, create_app

        app = create_app(Handlers(), mock=True)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as raw:
            for page in ("/docs", "/redoc"):
                response = await raw.get(page)
                result["pages"][page] = response.text if response.status_code == 200 else ""
            client = AsyncClient("http://test/v1", http_client=raw, max_retries=0)
            groups = [getattr(client, name) for name in vars(client) if not name.startswith("_")]
            methods = {name: getattr(group, name) for group in groups for name in dir(group) if not name.startswith("_")}
            item = methods.get("x_open_pwned_w")
            if item is not None:
                got = await item(class_='"""; open("PWNED","w"); """', self_="s", kind="it's", x_evil="v")
                result["calls"]["item"] = repr(got)
            response = await raw.get("/v1/numbers", params={"ratio": "1.5"})
            result["calls"]["numbers"] = response.status_code


    try:
        asyncio.run(calls())
    except BaseException as exc:
        result["errors"]["calls"] = repr(exc)

    out = io.StringIO()
    try:
        from hostile_server.__main__ import main
        with contextlib.redirect_stdout(out):
            main(["--help"])
    except SystemExit as exc:
        result["help_exit"] = exc.code
    except BaseException as exc:
        result["help_exit"] = repr(exc)
    result["help"] = out.getvalue()
    print(json.dumps(result))
    '''
)


def unescape_markdown(text: str) -> str:
    """What a Markdown renderer shows for backslash escapes and the HTML entities html.escape makes."""
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|~<>\"'])", r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")


def top_level(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


class Hostile:
    """One generation of the hostile spec, shared by the tests below."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.spec = write_spec(base / "spec", "hostile.yaml", yaml.safe_dump(hostile_document(), allow_unicode=True, sort_keys=False))
        self.out = base / "out"
        self.folder = self.out / "hostile"
        self.cwd = base / "cwd"
        self.cwd.mkdir()
        around = (base.parent, ROOT, ROOT.parent, Path("/etc"), Path("/tmp"))
        before = {folder: top_level(folder) for folder in around}
        self.run = run_stubforge("generate", self.spec, "--out", self.out)
        # Anything new beside our own folder is suspect; elsewhere (shared folders other processes
        # also write to) only names the spec could have produced.
        suspect = re.compile(r"escape|passwd|pwned|hostile", re.IGNORECASE)
        self.appeared = {
            str(folder): sorted(n for n in set(top_level(folder)) - set(names) if folder == base.parent or suspect.search(n))
            for folder, names in before.items()
        }
        self.files_after_generate = sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())
        self._probe: dict[str, Any] | None = None

    @property
    def probe(self) -> dict[str, Any]:
        """Import and exercise the generated packages in a child process run in an empty folder."""
        if self._probe is None:
            env = {"PYTHONPATH": f"{self.folder / 'client'}:{self.folder / 'server'}", "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
            done = subprocess.run([sys.executable, "-c", PROBE], cwd=self.cwd, env=env, capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, done.stderr
            self._probe = json.loads(done.stdout.splitlines()[-1])
        return self._probe

    def pwned(self) -> list[Path]:
        """Sentinel files: anywhere under our folders, or in the generator's working directory."""
        return list(self.base.rglob("PWNED")) + [p for p in (ROOT / "PWNED", Path.cwd() / "PWNED") if p.exists()]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    return Hostile(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def generated(hostile: Hostile) -> Hostile:
    assert hostile.run.returncode == 0, hostile.run.stderr
    return hostile


def test_the_hostile_spec_generates(hostile: Hostile) -> None:
    assert hostile.run.returncode == 0, hostile.run.stderr
    assert "Traceback" not in hostile.run.stderr
    assert (hostile.folder / "client" / "hostile_client" / "client.py").is_file()


def test_nothing_is_written_outside_the_output_folder(generated: Hostile) -> None:
    outside = [p for p in generated.files_after_generate if not p.startswith("out/hostile/") and p != "spec/hostile.yaml"]
    assert outside == []
    assert generated.appeared == {folder: [] for folder in generated.appeared}
    assert top_level(generated.out) == ["hostile"]


def test_tags_become_safe_module_names(generated: Hostile) -> None:
    api = generated.folder / "client" / "hostile_client" / "api"
    modules = sorted(p.name for p in api.iterdir())
    assert modules == ["__init__.py", "escape.py", "etc_passwd.py"]
    for path in generated.folder.rglob("*"):
        relative = path.relative_to(generated.folder).as_posix()
        assert re.fullmatch(r"[A-Za-z0-9_./-]+", relative), relative
        assert ".." not in relative.split("/")


def test_every_generated_python_file_compiles(generated: Hostile) -> None:
    sources = sorted(generated.folder.rglob("*.py"))
    assert len(sources) >= 10
    for path in sources:
        compile(path.read_text("utf-8"), str(path), "exec")


def test_hostile_names_become_escaped_identifiers(generated: Hostile) -> None:
    group = (generated.folder / "client" / "hostile_client" / "api" / "escape.py").read_text("utf-8")
    assert re.search(r"\bclass_: str\b", group)
    assert re.search(r"\bself_: str \| None = None\b", group)
    assert "**options: Unpack[RequestOptions]" in group, "the per-call options survive a parameter named timeout"
    assert re.search(r"\btimeout_\d*: int \| None = None", group), "the spec's timeout parameter is renamed"
    assert "Param(\"x_evil\", \"X-Evil\\\"'\\\\\"" in group, "the wire name is kept exactly, as a string literal"


def test_importing_the_generated_packages_runs_nothing_from_the_spec(generated: Hostile) -> None:
    probe = generated.probe
    assert probe["errors"] == {}
    for module in (
        "hostile_client",
        "hostile_client.api.escape",
        "hostile_client.api.etc_passwd",
        "hostile_client.models",
        "hostile_server",
        "hostile_server.app",
        "hostile_server.models",
        "hostile_server.handlers",
        "hostile_server.__main__",
    ):
        assert module in probe["imported"]
    assert generated.pwned() == []
    assert list(generated.cwd.iterdir()) == []


def test_the_hostile_operation_round_trips_through_client_and_mock_server(generated: Hostile) -> None:
    probe = generated.probe
    assert "item" in probe["calls"], probe["errors"]
    assert probe["calls"]["item"].startswith("Evil(")
    assert generated.pwned() == []


def test_hostile_text_survives_as_text_in_python(generated: Hostile) -> None:
    """The docstrings hold the spec's words (escaped), not a truncated or rewritten version."""
    import ast

    module = ast.parse((generated.folder / "client" / "hostile_client" / "api" / "escape.py").read_text("utf-8"))
    docstrings = [ast.get_docstring(node, clean=False) or "" for node in ast.walk(module) if isinstance(node, (ast.ClassDef, ast.AsyncFunctionDef, ast.FunctionDef))]
    joined = "\n".join(docstrings)
    assert "\\N{NO SUCH NAME}" in joined
    assert "{{ 7*7 }}" in joined
    assert 'open("PWNED","w")' in joined


def test_docs_markdown_shows_template_syntax_literally(generated: Hostile) -> None:
    readme = (generated.folder / "docs" / "README.md").read_text("utf-8")
    shown = unescape_markdown(readme)
    assert "{{ 7*7 }}" in shown
    assert "{% raw %}" in shown
    assert "API 49" not in shown and "{{ 49" not in shown
    assert "<script>" not in readme, "raw HTML from the spec must not reach the Markdown"


def test_docs_html_escapes_spec_markup(generated: Hostile) -> None:
    page = (generated.folder / "docs" / "index.html").read_text("utf-8")
    assert MARKER in page, "the title must be on the page (or this test proves nothing)"
    for match in re.finditer(MARKER, page):
        before = page[max(0, match.start() - 80) : match.start()]
        assert not re.search(r"<\s*script", before, re.IGNORECASE), before
    assert not re.search(r"<script>alert\(1\)", page, re.IGNORECASE)
    assert not re.search(r"</title><script", page, re.IGNORECASE)
    assert "&lt;script&gt;" in page or "&lt;script" in page
    assert "{{ 7*7 }}" in unescape_markdown(page) or "{{ 7*7 }}" in page


def test_docs_html_has_no_script_handler_or_unsafe_link(generated: Hostile) -> None:
    """Descriptions are rendered as Markdown: every tag and attribute of the page is walked."""
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Walk(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Walk(convert_charrefs=True).feed(without_own_scripts((generated.folder / "docs" / "index.html").read_text("utf-8")))
    assert ("a", [("href", "#overview")]) in found, "the spec's own safe link is rendered (or this test proves nothing)"
    for tag, attrs in found:
        assert tag not in ("script", "img", "svg", "iframe", "object", "embed"), tag
        for name, value in attrs:
            assert not name.lower().startswith("on"), (tag, name, value)
            if name in ("href", "src"):
                assert value is not None and re.match(r"(?:https?://|mailto:|#)", value, re.IGNORECASE), (tag, name, value)


def test_docs_markdown_has_no_raw_html_or_unsafe_link(generated: Hostile) -> None:
    readme = (generated.folder / "docs" / "README.md").read_text("utf-8")
    assert "**[ok](#overview)**" in readme, "the spec's Markdown is kept (or this test proves nothing)"
    assert not re.search(r"<\s*(script|img|svg)", readme, re.IGNORECASE)
    assert not re.search(r"\]\(\s*(javascript|data|&#)", readme, re.IGNORECASE)
    assert not re.search(r"^\[evil\]:", readme, re.MULTILINE)


def test_openapi_json_and_manifest_are_valid_json(generated: Hostile) -> None:
    served = json.loads((generated.folder / "server" / "hostile_server" / "openapi.json").read_text("utf-8"))
    assert served["info"]["title"] == TITLE
    json.loads((generated.folder / ".stubforge-manifest.json").read_text("utf-8"))


def test_pyproject_files_are_valid_toml(generated: Hostile) -> None:
    for part in ("client", "server"):
        project = tomllib.loads((generated.folder / part / "pyproject.toml").read_text("utf-8"))["project"]
        assert project["name"] in ("hostile-client", "hostile-server", "hostile_client", "hostile_server")
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", project["version"]), project["version"]


def test_pyproject_description_is_one_line(generated: Hostile) -> None:
    for part in ("client", "server"):
        project = tomllib.loads((generated.folder / part / "pyproject.toml").read_text("utf-8"))["project"]
        assert "\n" not in project["description"] and "\r" not in project["description"], project["description"]


def test_server_help_works_whatever_the_title(generated: Hostile) -> None:
    probe = generated.probe
    assert probe["help_exit"] == 0, probe["help_exit"]
    assert "usage:" in probe["help"]


def test_server_docs_pages_do_not_run_script_from_the_spec(generated: Hostile) -> None:
    probe = generated.probe
    for page, html in probe["pages"].items():
        assert not re.search(r"</title>\s*<script>alert\(1\)", html, re.IGNORECASE), page


def test_non_finite_enum_values_do_not_break_the_server(generated: Hostile) -> None:
    probe = generated.probe
    assert probe["calls"].get("numbers") == 200, probe
    escape = (generated.folder / "client" / "hostile_client" / "api" / "etc_passwd.py").read_text("utf-8")
    assert not re.search(r"Literal\[[^\]]*\b(inf|nan)\b", escape)


# --------------------------------------------------------------------------- bombs


def run_cli_with_timeout(seconds: float, *args: str | Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([sys.executable, "-m", "stubforge", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"stubforge {' '.join(map(str, args))} still running after {seconds} s")


def billion_laughs(levels: int = 9, fan_out: int = 9) -> str:
    lines = ['swagger: "2.0"', "info: {title: lol, version: '1'}", "paths: {}", 'x-lol0: &a0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"x-lol{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * fan_out) + "]")
    return "\n".join(lines) + "\n"


def test_a_yaml_bomb_exits_2_quickly(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "bomb.yaml", billion_laughs())
    done = run_cli_with_timeout(120, "generate", spec, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert re.search(re.escape(str(spec)) + r":\d+: .*expands", done.stderr), done.stderr
    assert not (tmp_path / "out" / "bomb").exists()


def test_deeply_nested_yaml_exits_2_quickly(tmp_path: Path) -> None:
    depth = 5_000
    spec = tmp_path / "deep.yaml"
    spec.write_text('swagger: "2.0"\ninfo: {title: deep, version: "1"}\npaths: {}\nx-deep: ' + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    done = run_cli_with_timeout(120, "generate", spec, "--out", tmp_path / "out")
    assert done.returncode == 2, done.stderr
    assert re.search(re.escape(str(spec)) + r":4: ", done.stderr), done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_deeply_nested_schemas_exit_2_quickly(tmp_path: Path) -> None:
    depth = 300
    nested = "".join("  " * i + "properties:\n" + "  " * i + "  p:\n" for i in range(0, 2 * depth, 2))
    spec = tmp_path / "deep.yaml"
    spec.write_text('swagger: "2.0"\ninfo: {title: deep, version: "1"}\npaths: {}\ndefinitions:\n  Deep:\n' + textwrap.indent(nested, "    "), encoding="utf-8")
    done = run_cli_with_timeout(120, "generate", spec, "--out", tmp_path / "out")
    assert done.returncode == 2, done.stderr
    assert re.search(re.escape(str(spec)) + r":\d+: .*(deeper|nesting)", done.stderr), done.stderr
    assert "Traceback" not in done.stderr


def test_deeply_nested_json_exits_2_quickly(tmp_path: Path) -> None:
    depth = 5_000
    spec = tmp_path / "deep.json"
    spec.write_text('{"swagger": "2.0", "info": {"title": "deep", "version": "1"}, "paths": {}, "x-deep": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    done = run_cli_with_timeout(120, "generate", spec, "--out", tmp_path / "out")
    assert "Traceback" not in done.stderr, done.stderr[-500:]
    assert done.returncode == 2
    assert re.search(re.escape(str(spec)) + r":\d+: ", done.stderr), done.stderr
