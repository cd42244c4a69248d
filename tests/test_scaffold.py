"""The generation gap: ``scaffold`` writes the user's implementation once, ``create_app(strict=True)``
refuses handlers that leave operations out, and after a spec change mypy points at the user's
methods that no longer match the regenerated interface."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import write_spec

from stubforge.pipeline import generate
from stubforge.scaffold import CLASS_NAME, ScaffoldError, scaffold

PETS_V1 = """
openapi: 3.0.3
info: {title: Pets, version: "1.0.0"}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer}
        name: {type: string}
        kind: {type: string, enum: [cat, dog]}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      parameters:
        - {name: kind, in: query, schema: {type: string, enum: [cat, dog]}}
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
              example: [{id: 1, name: Tom, kind: cat}]
    post:
      operationId: createPet
      tags: [pets]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
              example: {id: 2, name: Rex, kind: dog}
  /pets/{petId}:
    get:
      operationId: getPet
      tags: [pets]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
              example: {id: 7, name: Rex, kind: dog}
  /pets/{petId}/photo:
    delete:
      operationId: deletePhoto
      tags: [photos]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "204": {description: gone}
"""

# v2: getPet gained a required header, deletePhoto is gone, listPets' limit became a string,
# feedPet is new; createPet did not change.
PETS_V2 = (
    PETS_V1.replace(
        "        - {name: petId, in: path, required: true, schema: {type: integer}}\n      responses:\n        \"200\"",
        "        - {name: petId, in: path, required: true, schema: {type: integer}}\n"
        "        - {name: X-Tenant, in: header, required: true, schema: {type: string}}\n"
        "      responses:\n        \"200\"",
        1,
    )
    .replace("{name: limit, in: query, schema: {type: integer}}", "{name: limit, in: query, schema: {type: string}}")
    .split("  /pets/{petId}/photo:")[0]
    + """
  /pets/{petId}/food:
    post:
      operationId: feedPet
      tags: [pets]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "204": {description: fed}
"""
)

OPERATIONS = ["list_pets", "create_pet", "get_pet", "delete_photo"]


def import_file(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pets(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, Path]:
    """The v1 server generated and importable, and the user's scaffolded file beside it."""
    folder = tmp_path_factory.mktemp("scaffold")
    spec = write_spec(folder, "scaffold_pets.yaml", PETS_V1)
    generate(spec, folder / "out")
    sys.path.insert(0, str(folder / "out" / "scaffold_pets" / "server"))
    import scaffold_pets_server

    return scaffold_pets_server, scaffold(spec, folder / "app" / "pets_impl.py")


def test_the_scaffold_serves_every_operation_its_example(pets: tuple[ModuleType, Path]) -> None:
    """Each method answers what mock mode answers: the operation's schema-valid example."""
    from fastapi.testclient import TestClient

    server, written = pets
    user = import_file(written, "scaffold_pets_impl")
    http, mock = TestClient(user.app), TestClient(server.create_app(mock=True))
    requests = [
        ("GET", "/pets/7", {}),
        ("GET", "/pets", {"params": {"kind": "cat", "limit": 3}}),
        ("POST", "/pets", {"json": {"id": 2, "name": "Rex"}}),
        ("DELETE", "/pets/7/photo", {}),
    ]
    for method, path, extra in requests:
        answer, expected = http.request(method, path, **extra), mock.request(method, path, **extra)
        assert answer.status_code == expected.status_code, (method, path)
        assert (answer.json() if answer.content else None) == (expected.json() if expected.content else None)
    assert http.get("/pets/7").json() == {"id": 7, "name": "Rex", "kind": "dog"}, "the spec's example"
    assert http.post("/pets", json={"id": 2, "name": "Rex"}).status_code == 201
    assert http.delete("/pets/7/photo").status_code == 204
    assert http.get("/pets/seven").status_code == 422, "the generated server still validates"


def test_the_scaffold_overrides_every_operation_with_the_interface_signature(pets: tuple[ModuleType, Path]) -> None:
    server, written = pets
    user = import_file(written, "scaffold_pets_impl_signatures")
    implementation = getattr(user, CLASS_NAME)
    assert issubclass(implementation, server.Handlers)
    for name in OPERATIONS:
        method = getattr(implementation, name)
        assert method is not getattr(server.Handlers, name)
        assert getattr(method, "__override__", False), f"{name} is marked @override"
        assert inspect.signature(method) == inspect.signature(getattr(server.Handlers, name)), name
    assert server.unimplemented_operations(implementation()) == []


def test_scaffold_never_overwrites_a_file(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "overwrite.yaml", PETS_V1)
    target = tmp_path / "mine.py"
    target.write_bytes(b"# my code\r\nimport this\n")
    before = target.stat()
    with pytest.raises(FileExistsError, match="mine.py"):
        scaffold(spec, target)
    assert target.read_bytes() == b"# my code\r\nimport this\n"
    assert target.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.py", "overwrite.yaml"], "no temporary file left"


def test_a_file_that_appears_while_scaffolding_is_not_clobbered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The final step links the finished file into place, which fails if the name was taken."""
    import stubforge.scaffold as module

    spec = write_spec(tmp_path, "race.yaml", PETS_V1)
    target = tmp_path / "race_impl.py"
    render = module.render_scaffold

    def render_then_race(*args: Any) -> str:
        text = render(*args)
        target.write_text("# written meanwhile\n")
        return text

    monkeypatch.setattr(module, "render_scaffold", render_then_race)
    with pytest.raises(FileExistsError):
        scaffold(spec, target)
    assert target.read_text() == "# written meanwhile\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.yaml", "race_impl.py"]


def test_scaffold_refuses_a_target_that_regeneration_would_delete(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "inside.yaml", PETS_V1)
    generate(spec, tmp_path / "out")
    with pytest.raises(ScaffoldError, match="inside generated output"):
        scaffold(spec, tmp_path / "out" / "inside" / "server" / "impl.py")
    with pytest.raises(ScaffoldError, match=r"\.py"):
        scaffold(spec, tmp_path / "impl.txt")
    assert not (tmp_path / "impl.txt").exists()


def test_scaffold_writes_a_new_folder_and_follows_user_templates(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "custom.yaml", PETS_V1)
    templates = tmp_path / "templates"
    write_spec(templates, "scaffold/handlers.py.jinja", "# {{ api.title | comment }}: {{ class_name }}\n")
    from stubforge.pipeline import Options

    written = scaffold(spec, tmp_path / "new" / "deeper" / "impl.py", Options(templates=templates))
    assert written.read_text() == "# Pets: Implementation\n"


def test_spec_text_reaches_the_scaffold_only_through_filters(tmp_path: Path) -> None:
    hostile = '""" + __import__("os").system("echo pwned") + """\\'
    document = {
        "swagger": "2.0",
        "info": {"title": hostile, "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "getThings",
                    "summary": hostile + "\nimport os\n# \'\'\' \"\"\"",
                    "parameters": [{"name": hostile, "in": "query", "type": "string", "enum": [hostile]}],
                    "responses": {
                        "200": {
                            "description": hostile,
                            "schema": {
                                "type": "object",
                                "required": ["a", 'b"""'],
                                "properties": {"a": {"type": "string", "enum": [hostile]}, 'b"""': {"type": "integer"}},
                            },
                        }
                    },
                }
            }
        },
    }
    spec = write_spec(tmp_path, "hostile.json", json.dumps(document))
    text = scaffold(spec, tmp_path / "hostile_impl.py").read_text()
    tree = ast.parse(text)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert [ast.unparse(c.func) for c in calls] == ["create_app", CLASS_NAME], "no call from spec text"
    imports = [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert imports == [
        "from __future__ import annotations",
        "from typing import Any, Literal",
        "from typing_extensions import override",
        "from hostile_server import Handlers, create_app",
    ]
    returned = next(node for node in ast.walk(tree) if isinstance(node, ast.Return))
    assert ast.literal_eval(returned.value) == {"a": hostile, 'b"""': 0}
    method = next(node for node in ast.walk(tree) if isinstance(node, ast.AsyncFunctionDef))
    assert [ast.unparse(a.annotation) for a in method.args.kwonlyargs if a.annotation] == [f"Literal[{hostile!r}] | None"]
    assert ast.get_docstring(method, clean=False).startswith(hostile)


def test_strict_create_app_names_every_operation_not_overridden(pets: tuple[ModuleType, Path]) -> None:
    server, _ = pets
    with pytest.raises(server.UnimplementedOperations) as raised:
        server.create_app(server.Handlers(), strict=True)
    assert isinstance(raised.value, TypeError)
    assert raised.value.operations == tuple(OPERATIONS)
    assert str(raised.value) == "Handlers does not implement 4 operation(s): " + ", ".join(OPERATIONS)

    class Partial(server.Handlers):  # type: ignore[misc]
        async def get_pet(self, *, pet_id: int) -> Any:
            return {"id": pet_id, "name": "Rex"}

    with pytest.raises(server.UnimplementedOperations, match=r"Partial does not implement 3 .*: list_pets, create_pet, delete_photo$"):
        server.create_app(Partial(), strict=True)
    assert server.create_app(Partial()) is not None, "not strict: the rest answer 501"
    assert server.create_app(None, mock=True, strict=True) is not None, "mock mode calls no handler"

    async def answer(self: Any, **kw: Any) -> Any:
        return None

    complete = type("Complete", (Partial,), {name: answer for name in OPERATIONS if name != "get_pet"})
    assert server.create_app(complete(), strict=True) is not None


def test_python_m_server_strict_refuses_to_start(pets: tuple[ModuleType, Path]) -> None:
    server, _ = pets
    env = {**os.environ, "PYTHONPATH": str(Path(server.__file__).parent.parent)}
    result = subprocess.run(
        [sys.executable, "-m", "scaffold_pets_server", "--strict", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Handlers does not implement 4 operation(s): list_pets, create_pet, get_pet, delete_photo" in result.stderr


def mypy(user_file: Path, server_folder: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-color-output", "--cache-dir", str(cache), str(user_file)],
        env={**os.environ, "MYPYPATH": str(server_folder)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_mypy_on_the_users_file_names_what_a_spec_change_changed(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "mypy_pets.yaml", PETS_V1)
    server_folder = tmp_path / "out" / "mypy_pets" / "server"
    generate(spec, tmp_path / "out")
    user_file = scaffold(spec, tmp_path / "mine" / "pets_impl.py")
    mine = user_file.read_bytes()
    first = mypy(user_file, server_folder, tmp_path / "cache")
    assert first.returncode == 0, first.stdout + first.stderr

    write_spec(tmp_path, "mypy_pets.yaml", PETS_V2)
    generate(spec, tmp_path / "out")
    second = mypy(user_file, server_folder, tmp_path / "cache")
    assert second.returncode == 1, second.stdout + second.stderr
    errors = [line for line in second.stdout.splitlines() if ": error:" in line]
    by_operation = {name: [e for e in errors if f'"{name}"' in e] for name in OPERATIONS}
    assert any("incompatible with supertype" in e for e in by_operation["get_pet"]), second.stdout
    assert any("no base method was found" in e for e in by_operation["delete_photo"]), second.stdout
    assert any("incompatible with supertype" in e for e in by_operation["list_pets"]), second.stdout
    assert by_operation["create_pet"] == [], second.stdout
    assert all(e.startswith(str(user_file)) for e in errors), "errors are in the user's file only"
    assert user_file.read_bytes() == mine, "regeneration never touches the user's file"

    # A new operation is no type error (the interface answers 501 for it), so the strict app
    # refuses to start instead, naming it.
    started = subprocess.run(
        [sys.executable, "-c", "import pets_impl"],
        cwd=user_file.parent,
        env={**os.environ, "PYTHONPATH": str(server_folder)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    assert "UnimplementedOperations: Implementation does not implement 1 operation(s): feed_pet" in started.stderr


def test_operations_named_like_create_apps_own_names_shadow_nothing(tmp_path: Path) -> None:
    """``create_app`` defines a constant and an endpoint per operation; an operation called ``app``,
    ``models``, ``basePath`` or ``handlers`` must not replace the names it uses itself."""
    from fastapi.testclient import TestClient

    operations = ["app", "models", "basePath", "strict", "handlers", "TypeAdapter"]
    query = {"name": "q", "in": "query", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/M"}}}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Shadowing", "version": "1"},
        "components": {"schemas": {"M": {"type": "object", "properties": {"x": {"type": "string"}}}}},
        "paths": {
            f"/{name}": {"get": {"operationId": name, "parameters": [query], "responses": {"200": {"description": "ok"}}}}
            for name in operations
        },
    }
    spec = write_spec(tmp_path, "shadowing.json", json.dumps(document))
    generate(spec, tmp_path / "out")
    sys.path.insert(0, str(tmp_path / "out" / "shadowing" / "server"))
    import shadowing_server

    http = TestClient(shadowing_server.create_app())
    assert [http.get(f"/{name}", params={"q": '{"x": "1"}'}).status_code for name in operations] == [501] * 6
    with pytest.raises(shadowing_server.UnimplementedOperations, match="app, models, base_path, strict, handlers, type_adapter$"):
        shadowing_server.create_app(strict=True)
