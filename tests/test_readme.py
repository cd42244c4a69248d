"""The README's client section is the client's manual, and its examples run as printed.

Every ```python block between "### The client" and "### The server stub" runs in a fresh
``python`` process (PYTHONPATH: the generated ``generated/petstore/client``) against the generated
Pet Store server (``generated/petstore/server`` with the in-memory ``PetStore`` of
``tests/petstore_handlers.py``), served by uvicorn on a free 127.0.0.1 port for that block alone.
The one change made before a block runs: the spec's server address, ``http://127.0.0.1:8000``,
becomes the test server's, in the block (its code and the outputs it shows) and in the client's
default ``base_url`` (the block imports a copy of the generated client whose ``client.py`` has
that one address replaced). Nothing else is rewritten.

What a block prints is checked against the outputs the README shows: each ``# -> TEXT`` comment
is one line of standard output, in order, and every line printed must be shown (``...`` in TEXT
stands for any text). A block whose first line is ``# $ NAME=value python app.py`` runs with that
environment variable, and a ```text block right after it shows lines its standard error holds
(timestamps and durations as ``...``).

The tests after them check the rows of the comparison table that no other test file checks;
the last two run the server section's handler example and its ``python -m`` command as printed
(the command on a free port instead of 8000).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import GENERATED, ROOT, free_port, stop_process

README = ROOT / "README.md"
CLIENT = GENERATED / "petstore" / "client"
SERVER = GENERATED / "petstore" / "server"
#: The spec's server (specs/petstore.yaml), the client's default base_url, as the examples name it.
SPEC_ADDRESS = "http://127.0.0.1:8000"

_BLOCK = re.compile(r"```python\n(?P<code>.*?)```\n(?:\n```text\n(?P<stderr>.*?)```\n)?", re.DOTALL)
_ENVIRONMENT = re.compile(r"# \$ (?P<name>[A-Z_]+)=(?P<value>\S+) python ")
_SHOWN = re.compile(r"# -> (?P<text>.*)$")


@dataclass(frozen=True)
class Example:
    heading: str
    code: str
    stderr: list[str] = field(default_factory=list)

    @property
    def environment(self) -> dict[str, str]:
        found = _ENVIRONMENT.match(self.code)
        return {found["name"]: found["value"]} if found else {}

    @property
    def shown_output(self) -> list[str]:
        return [found["text"] for line in self.code.splitlines() if (found := _SHOWN.search(line))]


def client_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("### The client\n") : text.index("### The server stub\n")]


def examples() -> list[Example]:
    section = client_section()
    found = []
    for match in _BLOCK.finditer(section):
        headings = re.findall(r"^#{3,4} (.+)$", section[: match.start()], re.MULTILINE)
        stderr = (match["stderr"] or "").splitlines()
        found.append(Example(headings[-1], match["code"], stderr))
    return found


def _id(example: Example) -> str:
    return re.sub(r"[^a-z0-9]+", "-", example.heading.lower()).strip("-")


def _matches(shown: str, line: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in shown.split("..."))
    return re.fullmatch(pattern, line) is not None


@pytest.fixture
def petstore(serve: Any) -> Iterator[str]:
    """A fresh Pet Store on a free loopback port; its address, to replace the spec's."""
    if str(SERVER) not in sys.path:
        sys.path.insert(0, str(SERVER))
    from petstore_handlers import PetStore
    from petstore_server import create_app

    yield serve(create_app(PetStore(), strict=True))


def client_serving(address: str, folder: Path) -> Path:
    """A copy of the generated client whose default base_url is at ``address``; its folder."""
    package = folder / "client" / "petstore_client"
    shutil.copytree(CLIENT / "petstore_client", package, ignore=shutil.ignore_patterns("__pycache__"))
    module = package / "client.py"
    text = module.read_text(encoding="utf-8")
    assert text.count(f'"{SPEC_ADDRESS}/v1"') == 2  # Client's and AsyncClient's default
    module.write_text(text.replace(SPEC_ADDRESS, address), encoding="utf-8")
    return package.parent


def run(
    code: str, tmp_path: Path, environment: dict[str, str], address: str = SPEC_ADDRESS
) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "app.py"
    script.write_text(code.replace(SPEC_ADDRESS, address), encoding="utf-8")
    client = CLIENT if address == SPEC_ADDRESS else client_serving(address, tmp_path)
    env = {name: value for name, value in os.environ.items() if not name.endswith("_LOG")}
    env.update(PYTHONPATH=str(client), PYTHONDONTWRITEBYTECODE="1", **environment)
    return subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_client_section_has_an_example_for_each_feature() -> None:
    headings = [example.heading for example in examples()]
    for feature in (
        "Quick start", "Typed values", "Errors", "Response kinds", "Raw responses and typed headers",
        "Streaming", "Server-sent events", "Pagination", "Per-call options and `with_options`",
        "Retries", "Credentials", "Logging", "Safety",
    ):
        assert feature in headings, f"no example under {feature!r}"


@pytest.mark.parametrize("example", examples(), ids=_id)
def test_the_example_runs_as_printed_and_prints_what_the_readme_shows(
    example: Example, petstore: str, tmp_path: Path
) -> None:
    done = run(example.code, tmp_path, example.environment, petstore)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    shown = [text.replace(SPEC_ADDRESS, petstore) for text in example.shown_output]
    assert len(printed) == len(shown), (printed, shown)
    for line, expected in zip(printed, shown, strict=True):
        assert _matches(expected, line), (line, expected)
    logged = done.stderr.splitlines()
    for expected in (text.replace(SPEC_ADDRESS, petstore) for text in example.stderr):
        expected = re.sub(r"^\S+ \S+ ", "... ", expected)  # the timestamp
        expected = re.sub(r" in [0-9.]+ ms ", " in ... ms ", expected)
        assert any(_matches(expected, line) for line in logged), (expected, logged)



def test_the_examples_pass_mypy_strict(tmp_path: Path) -> None:
    """A typed client's manual type-checks: every example, as printed, under ``mypy --strict``."""
    names = []
    for number, example in enumerate(examples()):
        names.append(f"example_{number:02d}.py")
        (tmp_path / names[-1]).write_text(example.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), *names],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(CLIENT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr

def test_the_logging_example_shows_no_credential(petstore: str, tmp_path: Path) -> None:
    (example,) = [example for example in examples() if example.heading == "Logging"]
    assert example.environment == {"PETSTORE_LOG": "info"} and example.stderr
    done = run(example.code, tmp_path, {"PETSTORE_LOG": "debug"}, petstore)
    assert done.returncode == 0, done.stderr
    assert "'x-api-key': '[REDACTED]'" in done.stderr  # at debug, the request headers
    assert "secret" not in done.stderr


def test_sync_and_async_clients_come_from_one_package() -> None:
    """The comparison table's row "sync and async from one package": the quick start runs both
    (its test above), and both classes have the same groups and operations."""
    if str(CLIENT) not in sys.path:
        sys.path.insert(0, str(CLIENT))
    import inspect

    from petstore_client import AsyncClient, Client

    sync_client, async_client = Client(), AsyncClient()
    for group in ("pets", "events"):
        sync_group, async_group = getattr(sync_client, group), getattr(async_client, group)
        names = {name for name in dir(sync_group) if not name.startswith("_")}
        assert names == {name for name in dir(async_group) if not name.startswith("_")}
        for name in names - {"with_raw_response", "with_streaming_response"}:
            if not name.startswith("iter_"):
                assert inspect.iscoroutinefunction(getattr(async_group, name)), name
                assert not inspect.iscoroutinefunction(getattr(sync_group, name)), name
    sync_client.close()


def _imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def test_the_client_needs_only_httpx() -> None:
    """The comparison table's row "runtime dependencies": the package declares httpx alone, and
    its modules import nothing else but the standard library and their own package."""
    project = tomllib.loads((CLIENT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert [re.split(r"[<>=!~ ]", requirement)[0] for requirement in project["dependencies"]] == ["httpx"]
    modules = {name for path in (CLIENT / "petstore_client").rglob("*.py") for name in _imported_modules(path)}
    assert "httpx" in modules
    assert modules - {"httpx"} <= set(sys.stdlib_module_names) | {"__future__"}, modules


def _tests_named_in_the_comparison_table() -> list[tuple[str, str]]:
    """(file, test) for each test the comparison table's rows name in their HTML comments;
    ``::name`` after a comma is another test of the file named before it."""
    table = client_section().split("#### Compared with other generators", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "<!--" in line]
    named = []
    for row in rows:
        comment = row.split("<!--", 1)[1].split("-->", 1)[0]
        file = ""
        for entry in comment.split(","):
            reference = entry.strip().split(" ", 1)[0]
            path, _, test = reference.rpartition("::")
            file = path or file
            named.append((file, test))
    return named


def test_every_stubforge_cell_of_the_comparison_table_names_a_test_that_exists() -> None:
    named = _tests_named_in_the_comparison_table()
    assert len({file for file, _ in named}) >= 6 and len(named) >= 14
    for file, test in named:
        source = (ROOT / "tests" / file).read_text(encoding="utf-8")
        defined = {node.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)}
        assert test in defined, f"{file}::{test}"


def server_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("### The server stub\n") : text.index("### The docs\n")]


def test_the_server_sections_handler_example_runs_as_printed() -> None:
    """The block builds its app; as the text after it says, the right API key reads the card
    (the handler sees the verifier's principal and the request), a wrong key or none answers
    401, a bearer token 501 (no verifier), and an operation not implemented 501."""
    (block,) = re.findall(r"```python\n(.*?)```", server_section(), re.DOTALL)
    probe = block + textwrap.dedent(
        """
        from fastapi.testclient import TestClient

        client = TestClient(app)
        pet = "/v1/pets/00000000-0000-0000-0000-000000000001"
        card = client.get(pet + "/card", headers={"X-API-Key": "secret"})
        print(card.status_code, card.text)
        wrong = client.get(pet + "/card", headers={"X-API-Key": "guess"})
        bearer = client.get(pet + "/card", headers={"Authorization": "Bearer t"})
        other = client.get(pet, headers={"X-API-Key": "secret"})
        print(wrong.status_code, wrong.json()["message"], client.get(pet + "/card").status_code)
        print(bearer.status_code, bearer.json()["message"], other.status_code)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(GENERATED / "petstore" / "server")}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.splitlines()[-3:] == [
        "200 00000000-0000-0000-0000-000000000001: asked by ann with testclient",
        "401 unknown API key 401",
        "501 the security scheme 'bearer' has no verifier: override Handlers.verify_bearer 501",
    ]


def test_the_server_sections_command_serves_the_mock_as_printed() -> None:
    """The command as printed, from the repository's root, on a free port instead of 8000."""
    (command,) = re.findall(r"^    (PYTHONPATH=\S+ python -m \S+ .*)$", server_section(), re.MULTILINE)
    assignment, *argv = command.split()
    name, value = assignment.split("=", 1)
    port = free_port()
    argv = [sys.executable if word == "python" else word for word in argv]
    argv[argv.index("--port") + 1] = str(port)
    process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, name: value}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        answer = None
        for _ in range(100):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/?Action=GetId", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        assert answer is not None, process.communicate(timeout=10)[0][-3000:]
        assert answer.status_code == 200, answer.text
    finally:
        stop_process(process)
