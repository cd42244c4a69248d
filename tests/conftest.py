"""Shared helpers: the repo's paths, running the CLI, and importing generated packages."""

from __future__ import annotations

import importlib
import json
import os
import re
import socket
import subprocess
import sys
import sysconfig
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "specs" / "aws-cognito.yaml"
GENERATED = ROOT / "generated"
CORPUS = Path(os.environ.get("STUBFORGE_CORPUS", ROOT.parent / "shared" / "corpus"))


def run_stubforge(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m stubforge ARGS`` the way a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "stubforge", *map(str, args)],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def write_spec(folder: Path, name: str, text: str) -> Path:
    """A spec file from an indented literal in a test."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def generate_packages(folder: Path, name: str, spec_text: str, parts: tuple[str, ...] = ("client", "server")) -> tuple[Any, ...]:
    """Generate the spec ``spec_text`` (file ``name.yaml``) into ``folder/out`` with the CLI and
    import its packages (``name_client``, ``name_server``), one per part, in the order given."""
    spec = write_spec(folder, f"{name}.yaml", spec_text)
    result = run_stubforge("generate", spec, "--out", folder / "out")
    assert result.returncode == 0, result.stderr
    for part in parts:
        sys.path.insert(0, str(folder / "out" / name / part))
    return tuple(importlib.import_module(f"{name}_{part}") for part in parts)


def virtual_env(folder: Path) -> Path:
    """A new virtual environment that also sees this one's packages (FastAPI, hatchling, ...)
    through a ``.pth`` file, so installing into it needs no network; its Python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True)
    Path(site.stdout.strip(), "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Stop a process this test run started, by its PID: terminate, then kill when it does not go."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


DOCS_SCRIPT = (ROOT / "templates" / "docs" / "page.js").read_text(encoding="utf-8")
_SEARCH_INDEX = re.compile(r'<script type="application/json" id="search-index">([^<]*)</script>')


def without_own_scripts(page: str) -> str:
    """The docs page with its own two scripts cut out, after checking each is there once and is
    ours: the search index (JSON with no ``<`` in it, so no spec text ends it early) and
    ``templates/docs/page.js`` as it is. What is left must hold no script at all."""
    index = _SEARCH_INDEX.findall(page)
    assert len(index) == 1, "the page has one search index"
    json.loads(index[0])
    own = "<script>" + DOCS_SCRIPT + "</script>"
    assert page.count(own) == 1, "the page runs templates/docs/page.js, once"
    return _SEARCH_INDEX.sub("", page).replace(own, "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and mtime, to prove a run changed nothing."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def seed_output() -> Path:
    """The committed output for the seed, importable: the golden test proves it is current."""
    folder = GENERATED / "aws_cognito"
    for part in ("client", "server"):
        path = str(folder / part)
        if path not in sys.path:
            sys.path.insert(0, path)
    return folder


@pytest.fixture
def serve() -> Iterator[Callable[[Any], str]]:
    """Start ASGI apps with uvicorn in threads on 127.0.0.1; every one is stopped after the test.

    The test binds the socket itself and hands it to uvicorn, so no other process can take the
    port between choosing and listening.
    """
    import uvicorn

    running: list[tuple[Any, threading.Thread, socket.socket]] = []

    def start(app: Any) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        running.append((server, thread, sock))
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread, sock in running:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def require_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the spec corpus is not at {CORPUS} (set STUBFORGE_CORPUS)")


def generate_into(spec: Path, folder: Path) -> Any:
    """Generate ``spec`` into ``folder``; the model (Api) of what was generated."""
    from stubforge.pipeline import Options, generate_files

    generated = generate_files(spec, Options())
    for relative, text in generated.files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return generated.api


def plain_argument(value: Any) -> Any:
    """A handler's argument as plain data: models as their JSON, lists item by item."""
    if isinstance(value, list):
        return [plain_argument(v) for v in value]
    return value.model_dump(by_alias=True, exclude_none=True) if hasattr(value, "model_dump") else value


def recording(server: Any, seen: list[tuple[str, dict[str, Any]]]) -> Any:
    """Handlers of the generated ``server`` that record each call's operation and arguments
    (``plain_argument``) in ``seen``; every credential is taken as it comes."""

    def method(name: str) -> Any:
        async def handler(self: Any, **arguments: Any) -> None:
            seen.append((name, {k: plain_argument(v) for k, v in arguments.items()}))

        return handler

    async def verify(self: Any, credential: str, request: Any) -> str:
        return credential

    methods = {name: method(name) for name in server.unimplemented_operations(server.Handlers())}
    methods.update({name: verify for name in server.unimplemented_verifiers(server.Handlers())})
    return type("Recording", (server.Handlers,), methods)()
