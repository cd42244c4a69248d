"""Installing the generated packages as the README says: into a virtual environment of the
user's, the client as a package and the server editable. Nothing an install or a tool leaves in
generated/ counts as a hand edit, and mypy finds the installed server for the user's handlers
(no MYPYPATH), so it names the operation a spec change altered.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, run_stubforge, virtual_env, write_spec

SHOP = """
openapi: 3.0.3
info: {title: Shop, version: "1.0"}
paths:
  /items/{item_id}:
    get:
      operationId: getItem
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      responses:
        "200": {description: the item, content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}}
components:
  schemas:
    Item:
      type: object
      required: [id]
      properties: {id: {type: integer}, name: {type: string}}
"""

HANDLERS = """
from typing import Any

from typing_extensions import override

from shop_client import Client
from shop_client.models import Item
from shop_server.handlers import Handlers


class Shop(Handlers):
    @override
    async def get_item(self, *, item_id: int) -> Any:
        return Item(id=item_id).to_dict()


def client() -> Client:
    return Client(base_url="http://127.0.0.1:8000")
"""


def pip_install(python: Path, *args: str | Path) -> None:
    done = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", *map(str, args)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def mypy(python: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` as the user runs it from their project, no MYPYPATH."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable", str(python), *map(str, files)],
        capture_output=True,
        text=True,
        cwd=files[0].parent,
    )


@pytest.mark.parametrize("client_mode, server_mode", [((), ("-e",)), (("-e",), ())], ids=["server-editable", "client-editable"])
def test_installed_packages_leave_generated_current_and_mypy_names_a_changed_operation(
    tmp_path: Path, client_mode: tuple[str, ...], server_mode: tuple[str, ...]
) -> None:
    project = tmp_path / "project"
    spec = write_spec(project / "specs", "shop.yaml", SHOP)
    assert run_stubforge("generate", spec, "--out", project / "generated").returncode == 0
    python = virtual_env(tmp_path / "venv")
    pip_install(python, *client_mode, project / "generated/shop/client")
    pip_install(python, *server_mode, project / "generated/shop/server")

    leftovers = sorted(p.name for p in (project / "generated").rglob("*") if p.name == "build" or p.name.endswith(".egg-info"))
    assert leftovers == [], "the packages build out of tree"
    check = run_stubforge("check", spec, "--out", project / "generated")
    assert check.returncode == 0, check.stdout + check.stderr

    handlers = project / "app.py"
    handlers.write_text(textwrap.dedent(HANDLERS), encoding="utf-8")
    first = mypy(python, handlers)
    assert first.returncode == 0, first.stdout

    write_spec(project / "specs", "shop.yaml", SHOP.replace("type: integer}}\n      responses", "type: string}}\n      responses"))
    regenerated = run_stubforge("generate", spec, "--out", project / "generated")
    assert regenerated.returncode == 0, regenerated.stderr
    if not server_mode:  # an installed copy is a snapshot: installed again, as the README says
        pip_install(python, project / "generated/shop/server")
    second = mypy(python, handlers)
    assert second.returncode == 1
    assert 'app.py:13: error: Argument 1 of "get_item" is incompatible with supertype' in second.stdout


def test_build_artefacts_and_caches_are_not_hand_edits(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "specs", "shop.yaml", SHOP)
    out = tmp_path / "generated"
    assert run_stubforge("generate", spec, "--out", out).returncode == 0
    package = out / "shop" / "server"
    artefacts = [
        package / "build" / "lib" / "shop_server" / "app.py",
        package / "dist" / "shop_server-1.0-py3-none-any.whl",
        package / "shop_server.egg-info" / "PKG-INFO",
        package / "shop_server" / "__pycache__" / "app.cpython-311.pyc",
        package / ".mypy_cache" / "3.11" / "cache.db",
        package / ".pytest_cache" / "README.md",
        out / "shop" / "client" / ".ruff_cache" / "CACHEDIR.TAG",
    ]
    for artefact in artefacts:
        artefact.parent.mkdir(parents=True, exist_ok=True)
        artefact.write_text("left by a tool\n", encoding="utf-8")

    check = run_stubforge("check", spec, "--out", out)
    assert check.returncode == 0, check.stdout + check.stderr
    changed = spec.read_text(encoding="utf-8").replace("title: Shop", "title: Shop2")
    spec.write_text(changed, encoding="utf-8")
    regenerated = run_stubforge("generate", spec, "--out", out)
    assert regenerated.returncode == 0, regenerated.stderr
    assert "edited" not in regenerated.stderr


def test_no_generated_path_lies_in_a_folder_taken_for_an_artefact() -> None:
    from stubforge.manifest import is_artefact_folder, read_manifest

    for folder in sorted(Path(__file__).resolve().parent.parent.joinpath("generated").iterdir()):
        manifest = read_manifest(folder)
        assert manifest is not None
        assert [p for p in manifest.files if any(is_artefact_folder(part) for part in Path(p).parts[:-1])] == []


def test_stubforge_installs_as_the_package_stubforge_and_runs_from_any_folder(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(tmp_path / "wheels"), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (tmp_path / "wheels").glob("stubforge-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted({name.split("/")[0] for name in names}) == ["stubforge", f"{wheel.name.split('-py3')[0]}.dist-info"]
    assert "stubforge/templates/docs/index.html.jinja" in names

    python = virtual_env(tmp_path / "venv")
    pip_install(python, wheel)
    project = tmp_path / "project"
    write_spec(project / "specs", "shop.yaml", SHOP)
    for command in ([python, "-m", "stubforge"], [tmp_path / "venv" / "bin" / "stubforge"]):
        done = subprocess.run([*map(str, command), "generate", "-q"], cwd=project, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert (project / "generated/shop/docs/index.html").is_file()
    unknown = subprocess.run([python, "-c", "import generator"], cwd=project, capture_output=True, text=True)
    assert "No module named 'generator'" in unknown.stderr
