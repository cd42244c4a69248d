"""Malformed specs: a keyword of the wrong JSON type, parameters that cannot become Python
arguments or route names, chains thousands of schemas long.

Each case must end in one of two ways: generation succeeds with a located warning
(``file:line: /pointer: message``) and the packages it writes import, and the server app builds;
or generation refuses with a located error (exit 2). Never a traceback.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_stubforge, write_spec

from stubforge.diagnostics import Diagnostic, SpecError
from stubforge.pipeline import Options, generate_files

PETS = "/paths/~1pets~1{id}"


def swagger2() -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "Pets", "version": "1.0"},
        "host": "api.example.com",
        "paths": {
            "/pets/{id}": {
                "parameters": [{"in": "query", "name": "q", "type": "string"}],
                "get": {
                    "operationId": "getPet",
                    "parameters": [{"in": "path", "name": "id", "required": True, "type": "string"}],
                    "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}},
                },
                "post": {
                    "operationId": "putPet",
                    "parameters": [
                        {"in": "path", "name": "id", "required": True, "type": "string"},
                        {"in": "body", "name": "body", "schema": {"$ref": "#/definitions/Pet"}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                },
            }
        },
        "definitions": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "kind": {"type": "string", "enum": ["cat", "dog"]},
                    "scores": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "base": {"allOf": [{"$ref": "#/definitions/Base"}]},
                },
            },
            "Base": {"type": "object", "properties": {"id": {"type": "integer"}}},
        },
    }


def openapi3() -> dict[str, Any]:
    schema_ref = {"$ref": "#/components/schemas/Pet"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1.0"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/pets/{id}": {
                "parameters": [{"in": "query", "name": "q", "schema": {"type": "string"}}],
                "get": {
                    "operationId": "getPet",
                    "parameters": [{"in": "path", "name": "id", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema_ref}}}},
                },
                "post": {
                    "operationId": "putPet",
                    "parameters": [{"in": "path", "name": "id", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/json": {"schema": schema_ref}}},
                    "responses": {"200": {"description": "ok"}},
                },
            }
        },
        "components": {
            "schemas": {
                "Pet": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "kind": {"type": "string", "enum": ["cat", "dog"]},
                        "scores": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "base": {"allOf": [{"$ref": "#/components/schemas/Base"}]},
                    },
                },
                "Base": {"type": "object", "properties": {"id": {"type": "integer"}}},
            }
        },
    }


def set_at(document: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    """A copy of ``document`` with the value at ``pointer`` replaced (or added)."""
    changed = copy.deepcopy(document)
    *parents, last = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    node: Any = changed
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[token]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return changed


PET = {"swagger2": "/definitions/Pet", "openapi3": "/components/schemas/Pet"}
SCHEMA_A_TYPE = {"type": "string", "enum": ["a", "b"]}

# (version, where the bad value goes, the bad value). {pet} is the Pet schema's pointer.
CASES: list[tuple[str, str, Any]] = [
    # type
    ("swagger2", "{pet}/properties/kind/type", SCHEMA_A_TYPE),
    ("openapi3", "{pet}/properties/kind/type", SCHEMA_A_TYPE),
    ("openapi3", "{pet}/type", {"type": "object"}),
    ("swagger2", "{pet}/properties/name/type", ["string", 3, {"a": 1}]),
    ("openapi3", "{pet}/properties/name/type", 3),
    ("swagger2", "{pet}/properties/name/type", "strnig"),
    ("openapi3", "{pet}/properties/name/type", None),
    ("swagger2", PETS + "/get/parameters/0/type", SCHEMA_A_TYPE),
    # properties
    ("swagger2", "{pet}/properties", ["name", "tags"]),
    ("openapi3", "{pet}/properties", "name"),
    ("openapi3", "{pet}/properties/name", "string"),
    ("swagger2", "{pet}/properties/name", None),
    # items
    ("openapi3", "{pet}/properties/tags/items", [{"type": "string"}]),
    ("swagger2", "{pet}/properties/tags/items", [{"type": "string"}, {"type": "integer"}]),
    ("openapi3", "{pet}/properties/tags/items", "string"),
    # required
    ("swagger2", "{pet}/required", "name"),
    ("openapi3", "{pet}/required", {"name": True}),
    ("swagger2", "{pet}/required", ["name", 3, None, ["x"]]),
    ("openapi3", "{pet}/properties/name/required", True),
    # enum
    ("swagger2", "{pet}/properties/kind/enum", {"cat": 1}),
    ("openapi3", "{pet}/properties/kind/enum", "cat"),
    ("swagger2", "{pet}/properties/kind/enum", [{"a": 1}, ["b"], "c"]),
    # allOf / oneOf / anyOf
    ("openapi3", "{pet}/properties/base/allOf", {"$ref": "#/components/schemas/Base"}),
    ("swagger2", "{pet}/properties/base/allOf", ["Base", None, 3]),
    ("openapi3", "{pet}/properties/base/oneOf", {"type": "string"}),
    ("openapi3", "{pet}/properties/base/anyOf", [1, "x"]),
    # additionalProperties, discriminator, format, nullable, default, $ref, x-
    ("swagger2", "{pet}/properties/scores/additionalProperties", "integer"),
    ("openapi3", "{pet}/discriminator", ["kind"]),
    ("openapi3", "{pet}/properties/name/format", {"date": True}),
    ("openapi3", "{pet}/properties/name/nullable", "yes"),
    ("swagger2", "{pet}/properties/name/x-nullable", 1),
    ("openapi3", "{pet}/properties/tags/default", {"not": "a list"}),
    ("swagger2", "{pet}/properties/base/allOf/0/$ref", {"a": 1}),
    # parameters
    ("swagger2", PETS + "/get/parameters", {"in": "path", "name": "id"}),
    ("openapi3", PETS + "/parameters", "q"),
    ("openapi3", PETS + "/get/parameters/0", None),
    ("swagger2", PETS + "/get/parameters/0", "id"),
    ("openapi3", PETS + "/get/parameters/0/schema", "string"),
    ("swagger2", PETS + "/get/parameters/0/name", {"id": 1}),
    # responses
    ("swagger2", PETS + "/get/responses", [{"200": {"description": "ok"}}]),
    ("openapi3", PETS + "/get/responses", "200"),
    ("openapi3", PETS + "/get/responses/abc", {"description": "not a status"}),
    ("swagger2", PETS + "/get/responses/200", None),
    ("openapi3", PETS + "/get/responses/200/content", ["application/json"]),
    # paths, path items, operations
    ("swagger2", "/paths", ["/pets"]),
    ("openapi3", PETS, None),
    ("swagger2", PETS + "/get", ["not", "an", "operation"]),
    ("openapi3", PETS + "/post/requestBody", "body"),
    ("swagger2", "/schemes", "https"),
]


class Case:
    def __init__(self, index: int, version: str, where: str, value: Any, folder: Path):
        self.pointer = where.replace("{pet}", PET[version])
        self.name = f"case{index}"
        base = swagger2() if version == "swagger2" else openapi3()
        self.spec = write_spec(folder, f"{self.name}.yaml", yaml.safe_dump(set_at(base, self.pointer, value), sort_keys=False))
        self.label = f"{version} {self.pointer} = {json.dumps(value)}"
        self.error: SpecError | None = None
        self.diagnostics: tuple[Diagnostic, ...] = ()
        try:
            generated = generate_files(self.spec, Options(artefacts=("client", "server")))
        except SpecError as exc:
            self.error = exc
            return
        self.diagnostics = generated.diagnostics
        for relative, text in generated.files.items():
            target = folder / "out" / self.name / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


LOCATED = re.compile(r"^.+\.yaml:\d+: /\S*: (warning|error): .+")

IMPORT_PROBE = textwrap.dedent(
    """
    import importlib, json, sys
    sys.dont_write_bytecode = True
    out, names = sys.argv[1], json.loads(sys.argv[2])
    failed = {}
    for name in names:
        sys.path[:0] = [f"{out}/{name}/client", f"{out}/{name}/server"]
        try:
            for module in ("_client", "_client.client", "_client.models", "_server", "_server.app", "_server.handlers"):
                importlib.import_module(name + module)
            app = importlib.import_module(name + "_server.app").create_app(mock=True)
            app.openapi()
            client = importlib.import_module(name + "_client").Client("http://127.0.0.1:1")
            client.close()
        except BaseException as exc:
            failed[name] = repr(exc)
    print(json.dumps(failed))
    """
)


def import_all(out: Path, package_names: list[str]) -> dict[str, str]:
    """Import every generated client and server in a child process; what failed, by name."""
    done = subprocess.run([sys.executable, "-c", IMPORT_PROBE, str(out), json.dumps(package_names)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.splitlines()[-1]))


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    folder = tmp_path_factory.mktemp("malformed")
    return [Case(index, version, where, value, folder) for index, (version, where, value) in enumerate(CASES)]


def test_every_malformed_keyword_is_a_located_warning_or_error(cases: list[Case]) -> None:
    unlocated = []
    for case in cases:
        findings = case.error.diagnostics if case.error else case.diagnostics
        at_the_keyword = [d for d in findings if d.line > 0 and _near(d.pointer, case.pointer)]
        if not at_the_keyword or not all(LOCATED.match(str(d)) for d in at_the_keyword):
            unlocated.append(f"{case.label}: {[str(d) for d in findings]}")
    assert unlocated == []


def _near(found: str, bad: str) -> bool:
    """A finding about the bad value: at it, inside it, or at one of the two objects that hold it."""
    if found == bad or found.startswith(bad + "/"):
        return True
    return bad.startswith(found + "/") and bad.count("/") - found.count("/") <= 2


def test_packages_generated_from_malformed_specs_import(cases: list[Case]) -> None:
    made = [case for case in cases if case.error is None]
    assert len(made) >= len(cases) - 5, "most malformed keywords are repaired, not refused"
    failed = import_all(made[0].spec.parent / "out", [case.name for case in made])
    assert failed == {}


def test_a_schema_in_place_of_a_type_name_is_used_as_the_type(tmp_path: Path) -> None:
    """Seen in a real public spec: ``type: {type: string, enum: [...]}``."""
    document = set_at(swagger2(), "/definitions/Pet/properties/kind/type", SCHEMA_A_TYPE)
    spec = write_spec(tmp_path, "kind.yaml", yaml.safe_dump(document, sort_keys=False))
    done = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert re.search(re.escape(str(spec)) + r":\d+: /definitions/Pet/properties/kind/type: warning: 'type' holds a schema", done.stderr), done.stderr
    models = (tmp_path / "out" / "kind" / "client" / "kind_client" / "models.py").read_text("utf-8")
    assert "kind: PetKind | None = None" in models
    assert re.search(r'PetKind = Literal\[\s*"a",\s*"b",?\s*\]', models), models


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("/definitions/Pet/properties/name/type", "strnig", "'type' is 'strnig'"),
        ("/definitions/Pet/required", "name", "read as ['name']"),
        ("/definitions/Pet/properties/kind/enum", "cat", "'enum' is 'cat', not a list"),
        (PETS + "/get/parameters", {"in": "query"}, "'parameters' is not a list"),
        (PETS + "/get/responses", ["200"], "'responses' is not a mapping"),
    ],
)
def test_the_cli_names_the_repair(tmp_path: Path, where: str, value: Any, message: str) -> None:
    spec = write_spec(tmp_path, "bad.yaml", yaml.safe_dump(set_at(swagger2(), where, value), sort_keys=False))
    done = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    line = next((line for line in done.stderr.splitlines() if message in line), "")
    assert re.match(re.escape(str(spec)) + r":\d+: " + re.escape(where) + r"\S*: warning: ", line), done.stderr


def test_extension_values_are_data_whatever_they_hold(tmp_path: Path) -> None:
    document = openapi3()
    odd = {"$ref": 3, "type": {"type": "string"}, "properties": ["x"], "required": "x", "enum": {"a": 1}}
    for pointer in ("/x-odd", PETS + "/x-odd", PETS + "/get/x-odd", PETS + "/get/parameters/0/x-odd", "/components/schemas/Pet/x-odd", "/components/schemas/Pet/properties/name/x-odd"):
        document = set_at(document, pointer, odd)
    spec = write_spec(tmp_path, "extended.yaml", yaml.safe_dump(document, sort_keys=False))
    generated = generate_files(spec, Options(artefacts=("client", "server")))
    assert [str(d) for d in generated.diagnostics if "x-odd" in d.pointer] == []
    assert "name: str" in generated.files["client/extended_client/models.py"]


# --------------------------------------------------------------------------- item 9: packages that import


def versioned(info: Any) -> str:
    document: dict[str, Any] = {"openapi": "3.0.3", "paths": {"/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}}}
    if info is not ...:
        document["info"] = info
    return yaml.safe_dump(document, sort_keys=False)


@pytest.mark.parametrize(
    ("info", "warned"),
    [
        (..., ""),
        ({"title": "No version"}, "/info"),
        ({"title": "Null version", "version": None}, "/info/version"),
        ({"title": "Blank version", "version": "  "}, "/info/version"),
        ({"title": "List version", "version": [1, 2]}, "/info/version"),
        ("not a mapping", "/info"),
    ],
)
def test_a_spec_without_a_version_generates_a_server_that_starts(tmp_path: Path, info: Any, warned: str) -> None:
    spec = write_spec(tmp_path, "unversioned.yaml", versioned(info))
    done = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert re.search(re.escape(str(spec)) + r":\d+:" + (f" {warned}:" if warned else "") + r" warning: .*version 0\.0\.0 is used", done.stderr), done.stderr
    assert import_all(tmp_path / "out", ["unversioned"]) == {}


def test_a_numeric_version_is_read_as_text(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "numbered.yaml", versioned({"title": "Numbered", "version": 2.5}))
    generated = generate_files(spec, Options(artefacts=("server",)))
    assert generated.api.version == "2.5"
    assert not [d for d in generated.diagnostics if "version" in d.message]


AWKWARD = """
swagger: "2.0"
info: {title: Awkward, version: "1"}
host: api.example.com
paths:
  /a/{id}/b/{id}:
    get:
      operationId: twice
      parameters:
        - {in: path, name: id, required: true, type: string}
      responses: {"200": {description: ok, schema: {type: object, properties: {ok: {type: string}}}}}
  /declared/{here}:
    get:
      operationId: declaredNotInTemplate
      parameters:
        - {in: path, name: here, required: true, type: string}
        - {in: path, name: gone, required: true, type: string}
      responses: {"200": {description: ok}}
  /undeclared/{a-b}/{class}:
    get:
      operationId: templateNotDeclared
      responses: {"200": {description: ok}}
  /same-names:
    post:
      operationId: sameNames
      parameters:
        - {in: query, name: pet-id, type: string}
        - {in: query, name: pet_id, type: string}
        - {in: query, name: petId, type: string}
        - {in: header, name: Pet-Id, type: string}
        - {in: query, name: self, type: string}
        - {in: query, name: client, type: string}
        - {in: query, name: body, type: string}
        - {in: query, name: timeout, type: string}
        - {in: query, name: headers, type: string}
        - {in: query, name: request, type: string}
        - {in: query, name: cast, type: string}
        - {in: query, name: models, type: string}
        - {in: query, name: None, type: string}
        - {in: query, name: class, type: string}
        - {in: query, name: lambda, type: string}
        - {in: query, name: "", type: string}
        - {in: body, name: body, schema: {type: object, properties: {x: {type: string}}}}
      responses: {"200": {description: ok}}
  /collide/1:
    get:
      operationId: collide
      responses: {"200": {description: ok}}
  /collide/2:
    get:
      operationId: collide
      responses: {"200": {description: ok}}
  /collide/3:
    get:
      operationId: Collide!
      responses: {"200": {description: ok}}
"""

CALL_EVERY_OPERATION = textwrap.dedent(
    """
    import asyncio, inspect, json, sys
    import httpx
    from awkward_client import AsyncClient
    from awkward_server import create_app

    async def main():
        transport = httpx.ASGITransport(app=create_app(mock=True), raise_app_exceptions=False)
        results = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as raw:
            client = AsyncClient("http://test", http_client=raw, max_retries=0)
            group = client.default
            operations = (n for n in dir(group) if not n.startswith("_") and inspect.iscoroutinefunction(getattr(group, n)))
            for name in sorted(operations):
                method = getattr(group, name)
                arguments = {p: "v" for p, spec in inspect.signature(method).parameters.items() if spec.kind is not spec.VAR_KEYWORD}
                if "body_2" in arguments:
                    arguments["body_2"] = {"x": "y"}
                try:
                    await method(**arguments)
                    results[name] = "ok"
                except Exception as exc:
                    results[name] = repr(exc)
        print(json.dumps(results))

    asyncio.run(main())
    """
)


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("awkward")
    spec = write_spec(folder, "awkward.yaml", AWKWARD)
    return folder, run_stubforge("generate", spec, "--out", folder / "out")


def test_awkward_parameters_are_repaired_with_located_warnings(awkward: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    folder, done = awkward
    assert done.returncode == 0, done.stderr
    spec = re.escape(str(folder / "awkward.yaml"))
    for pointer, message in [
        ("/paths/~1a~1{id}~1b~1{id}/get", "path parameter 'id' stands 2 times in the path"),
        ("/paths/~1declared~1{here}/get", "path parameter 'gone' is not in the path"),
        ("/paths/~1undeclared~1{a-b}~1{class}/get", "path parameter 'a-b' is not declared"),
        ("/paths/~1undeclared~1{a-b}~1{class}/get", "path parameter 'class' is not declared"),
    ]:
        assert re.search(spec + r":\d+: " + re.escape(pointer) + ": warning: " + re.escape(message), done.stderr), (message, done.stderr)


def test_awkward_packages_import_and_every_operation_round_trips(awkward: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    folder, done = awkward
    assert done.returncode == 0, done.stderr
    assert import_all(folder / "out", ["awkward"]) == {}
    env_path = f"{folder / 'out' / 'awkward' / 'client'}:{folder / 'out' / 'awkward' / 'server'}"
    called = subprocess.run([sys.executable, "-c", CALL_EVERY_OPERATION], capture_output=True, text=True, timeout=120, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})
    assert called.returncode == 0, called.stderr[-3000:]
    results = json.loads(called.stdout.splitlines()[-1])
    assert len(results) == 7, results
    assert results == {name: "ok" for name in results}


def test_colliding_names_become_distinct_python_names(awkward: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    folder, done = awkward
    group = (folder / "out" / "awkward" / "client" / "awkward_client" / "api" / "default.py").read_text("utf-8")
    assert re.findall(r"async def (collide\w*)\(", group) == ["collide", "collide_2", "collide_3"]
    same = group[group.index("async def same_names(") :].split(") ->", 1)[0]
    arguments = re.findall(r"^\s+(\w+):", same, re.MULTILINE)
    assert len(arguments) == len(set(arguments)) == 17, arguments
    assert "timeout_" in arguments and "timeout" not in arguments and "self" not in arguments
    assert "**options: Unpack[RequestOptions]" in same, "the per-call options follow the spec's arguments"


# --------------------------------------------------------------------------- item 4: long chains

CHAIN = 10_000


def chain(kind: str, length: int = CHAIN) -> str:
    """``length`` definitions, each referring to the next (JSON: YAML would take long to read)."""
    definitions: dict[str, Any] = {}
    for index in range(length):
        following = {"$ref": f"#/definitions/S{index + 1}"}
        definitions[f"S{index}"] = {
            "alias": following,
            "array": {"type": "array", "items": following},
            "allOf": {"allOf": [following], "properties": {f"p{index}": {"type": "string"}}},
            "models": {"type": "object", "properties": {"next": {"properties": {"inner": following}}}},
        }[kind]
    definitions[f"S{length}"] = {"type": "object", "properties": {"end": {"type": "string"}}}
    response = {"200": {"description": "ok", "schema": {"$ref": "#/definitions/S0"}}}
    document = {"swagger": "2.0", "info": {"title": "Chain", "version": "1"}, "paths": {"/x": {"get": {"responses": response}}}, "definitions": definitions}
    return json.dumps(document, indent=1)


@pytest.mark.parametrize("kind", ["alias", "array", "allOf"])
def test_a_chain_of_ten_thousand_schemas_is_refused_at_a_documented_depth(tmp_path: Path, kind: str) -> None:
    spec = write_spec(tmp_path, "chain.json", chain(kind))
    started = time.monotonic()
    done = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert time.monotonic() - started < 60
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    assert re.search(re.escape(str(spec)) + r":\d+: /definitions/S\d+\S*: error: schema nested deeper than 100 levels", done.stderr), done.stderr
    assert not (tmp_path / "out").exists()


def test_a_chain_just_under_the_depth_generates(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "chain.json", chain("alias", 90))
    done = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert import_all(tmp_path / "out", ["chain"]) == {}


def test_ten_thousand_models_each_holding_the_next_render(tmp_path: Path) -> None:
    """Refs to models are names, not nesting: a chain of them is as long as the spec wants."""
    from stubforge.pipeline import build_model
    from stubforge.render import render

    spec = write_spec(tmp_path, "chain.json", chain("models"))
    api = build_model(spec)
    assert len(api.models) == 2 * CHAIN + 1
    files = render(api, None, ("client", "server", "docs"))
    assert "class S9999(" in files["client/chain_client/models.py"]


@pytest.mark.parametrize("extra", [{}, {"required": "a"}])
def test_a_type_list_with_a_default_is_read_and_checked_as_its_types(tmp_path: Path, extra: dict[str, Any]) -> None:
    """Seen in a real public spec (OpenAPI 3.1): ``type: [string, "null"]`` beside a ``default``."""
    spec = write_spec(tmp_path, "types.yaml", f"""
        openapi: 3.1.0
        info: {{title: Types, version: "1"}}
        paths:
          /things:
            get:
              parameters:
                - {{name: mode, in: query, schema: {{type: [string, "null"], default: fast}}}}
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {json.dumps({"type": ["object", "null"], "default": {}, "properties": {"a": {"type": "string"}}, **extra})}
    """)
    done = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    models = (tmp_path / "out" / "types" / "client" / "types_client" / "api" / "default.py").read_text("utf-8")
    assert "mode: str | None = None" in models
