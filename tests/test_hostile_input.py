"""Hostile input to the loader: every case ends with exit 0 and a generated package, or exit 2, a
located ``file:line: /pointer: error: message``, no traceback and the previous output folder as
it was. No file outside the spec's folder is opened (proved with an audit hook), a file that is
not a regular file is never opened, nothing is read past the size limit, and long chains of
files end in a located error, not a RecursionError."""

from __future__ import annotations

import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
import pytest
from conftest import ROOT, snapshot, write_spec

#: The address space a run may use: a hostile spec must be refused within it.
MEMORY_LIMIT = 2 * 1024**3

GOOD_SPEC = """\
    swagger: "2.0"
    info: {title: Pets, version: "1.0"}
    paths:
      /pets:
        get:
          operationId: listPets
          responses:
            "200":
              description: ok
              schema: {$ref: "#/definitions/Pet"}
    definitions:
      Pet:
        type: object
        properties:
          name: {type: string}
"""


def spec_with(schema: str, *, definitions: str = "", top: str = "") -> str:
    """A Swagger 2.0 spec named by the tests ``api.yaml``: the one response schema is ``schema``
    (a YAML flow mapping); ``definitions`` and ``top`` are extra YAML blocks."""
    text = textwrap.dedent(
        f"""\
        swagger: "2.0"
        info: {{title: Pets, version: "1.0"}}
        paths:
          /pets:
            get:
              operationId: listPets
              responses:
                "200":
                  description: ok
                  schema: {schema}
        definitions:
          Pet:
            type: object
            properties:
              name: {{type: string}}
        """
    )
    return text + textwrap.indent(textwrap.dedent(definitions), "  ") + textwrap.dedent(top)


SCHEMA_POINTER = "/paths/~1pets/get/responses/200/schema/$ref"
SCHEMA_LINE = 10  # the line of ``schema:`` in spec_with's text


def run(*args: str | Path, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, within MEMORY_LIMIT of address space and ``timeout`` seconds
    (a run that blocks on a FIFO or reads /dev/zero fails the test instead of hanging it)."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "stubforge", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit_memory,
    )


@pytest.fixture(scope="module")
def previous_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder ``api/`` generated from a good ``api.yaml``, to copy next to each case."""
    folder = tmp_path_factory.mktemp("previous")
    spec = write_spec(folder / "spec", "api.yaml", GOOD_SPEC)
    done = run("generate", spec, "--out", folder / "out")
    assert done.returncode == 0, done.stderr
    return folder / "out"


class Case:
    """A spec folder and an output folder that already holds a previous generation."""

    def __init__(self, tmp_path: Path, previous_output: Path):
        self.root = tmp_path
        self.folder = tmp_path / "spec"
        self.folder.mkdir()
        self.out = tmp_path / "out"
        shutil.copytree(previous_output, self.out, symlinks=True)
        self.before = snapshot(self.out)

    def write(self, name: str, text: str) -> Path:
        return write_spec(self.folder, name, text)

    def generate(self, spec: Path | str | None = None, *options: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return run("generate", spec or self.folder / "api.yaml", "--out", self.out, *options, timeout=timeout)

    def assert_refused(self, done: subprocess.CompletedProcess[str], where: str, *words: str) -> str:
        """Exit 2, the first error starts with ``where`` (``file:line: /pointer: error: ``),
        it holds ``words``; no traceback; the previous output is untouched. The error line."""
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        assert done.returncode == 2, done.stderr
        errors = [line for line in done.stderr.splitlines() if ": error: " in line]
        assert errors, done.stderr
        assert errors[0].startswith(where), f"{errors[0]!r} does not start with {where!r}"
        for word in words:
            assert word in errors[0], errors[0]
        assert snapshot(self.out) == self.before, "a refused spec changed the output folder"
        return errors[0]


@pytest.fixture
def case(tmp_path: Path, previous_output: Path) -> Case:
    return Case(tmp_path, previous_output)


def located(path: Path, line: int, pointer: str) -> str:
    return f"{path}:{line}: {pointer}: error: "


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line)


# --------------------------------------------------------------------------- 1. data refs are data

AUDIT = """
import json, os, sys
opened = []
def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes)):
        opened.append(os.path.realpath(os.fsdecode(args[0])))
sys.addaudithook(hook)
from stubforge.cli import main
sys.argv = ["stubforge", *sys.argv[2:]]
try:
    main()
    code = 0
except SystemExit as exit:
    code = exit.code
report = opened[:]
with open(os.environ["AUDIT_REPORT"], "w") as file:
    json.dump({"code": code, "opened": report}, file)
"""


def audited(case: Case, *args: str | Path) -> tuple[int, list[str], str]:
    """Run the CLI under an audit hook (in a subprocess: hooks cannot be removed): its exit
    code, every file it opened (real paths), and its stderr."""
    report = case.root / "audit.json"
    done = subprocess.run(
        [sys.executable, "-c", AUDIT, "-", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "AUDIT_REPORT": str(report)},
    )
    data = json.loads(report.read_text("utf-8"))
    return int(data["code"] or 0), data["opened"], done.stderr


def assert_opened_only_inside(case: Case, opened: list[str], secrets: list[Path]) -> None:
    root = os.path.realpath(case.root)
    allowed = [os.path.realpath(case.folder), os.path.realpath(case.out), os.path.realpath(case.root / "audit.json")]
    outside = [p for p in opened if p.startswith(root + os.sep) and not any(p == a or p.startswith(a + os.sep) for a in allowed)]
    assert outside == [], f"opened outside the spec's folder: {outside}"
    for secret in secrets:
        assert os.path.realpath(secret) not in opened


def plant_secrets(case: Case) -> list[Path]:
    """Files outside the spec's folder that no run may open."""
    secret = case.root / "secret.yaml"
    secret.write_text("Secret:\n  type: string\n  description: SECRET\n", encoding="utf-8")
    return [secret]


#: A shape: the sibling files by name, and the spec.
DATA_REF_SHAPES: dict[str, tuple[dict[str, str], str]] = {
    "example in the root": (
        {"common.yaml": "Cat:\n  type: object\n"},
        spec_with('{$ref: "common.yaml#/Cat"}', definitions='Thing:\n  type: object\n  example: {$ref: "../secret.yaml#/Secret"}\n'),
    ),
    "examples of a 3.x media type": (
        {"common.yaml": "Cat:\n  type: object\n"},
        """\
        openapi: 3.0.3
        info: {title: Pets, version: "1.0"}
        paths:
          /pets:
            get:
              operationId: listPets
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: "common.yaml#/Cat"}
                      examples:
                        one:
                          value: {$ref: "../secret.yaml"}
                      example: {$ref: "SECRET_ABSOLUTE"}
        """,
    ),
    "extension in the root": (
        {"common.yaml": "Cat:\n  type: object\n"},
        spec_with('{$ref: "common.yaml#/Cat"}', top='x-tool:\n  config: {$ref: "SECRET_ABSOLUTE"}\n'),
    ),
    "extension, default and enum in a sibling": (
        {
            "common.yaml": """\
            Cat:
              type: object
              x-ext: {$ref: "../secret.yaml"}
              properties:
                mood:
                  type: object
                  default: {$ref: "SECRET_ABSOLUTE"}
                kind:
                  enum: [{$ref: "../secret.yaml"}]
            """
        },
        spec_with('{$ref: "common.yaml#/Cat"}'),
    ),
    "3.1 dialect, $schema and $id, a whole file as a schema": (
        {"cat.yaml": 'type: object\nx-ext: {$ref: "../secret.yaml"}\nexamples: [{$ref: "../secret.yaml"}]\n'},
        """\
        openapi: 3.1.0
        jsonSchemaDialect: "file://SECRET_ABSOLUTE"
        info: {title: Pets, version: "1.0"}
        paths:
          /pets:
            get:
              operationId: listPets
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: "cat.yaml"}
        components:
          schemas:
            Pet:
              $schema: "file://SECRET_ABSOLUTE"
              $id: "file://SECRET_ABSOLUTE"
              type: object
        """,
    ),
    "a chain of siblings": (
        {
            "a.yaml": 'A:\n  type: object\n  properties:\n    b: {$ref: "sub/b.yaml#/B"}\n',
            "sub/b.yaml": 'B:\n  type: object\n  properties:\n    c: {$ref: "c.yaml#/C"}\n',
            "sub/c.yaml": 'C:\n  type: object\n  example: {$ref: "../../secret.yaml"}\n  x-more: {$ref: "SECRET_ABSOLUTE"}\n  properties:\n    n: {type: string}\n',
        },
        spec_with('{$ref: "a.yaml#/A"}'),
    ),
}


@pytest.mark.parametrize("shape", DATA_REF_SHAPES, ids=list(DATA_REF_SHAPES))
def test_refs_in_data_are_never_followed(case: Case, shape: str) -> None:
    secrets = plant_secrets(case)
    fill = {"SECRET_ABSOLUTE": str(secrets[0])}
    files, spec_text = DATA_REF_SHAPES[shape]
    for name, text in files.items():
        case.write(name, _filled(text, fill))
    spec = case.write("api.yaml", _filled(spec_text, fill))
    code, opened, stderr = audited(case, "generate", spec, "--out", case.out)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert_opened_only_inside(case, opened, secrets)
    siblings = {p for p in opened if p.startswith(os.path.realpath(case.folder) + os.sep)} - {os.path.realpath(spec)}
    assert siblings, "the file refs were not resolved: the case proves nothing"


def _filled(text: str, fill: dict[str, str]) -> str:
    for key, value in fill.items():
        text = text.replace(key, value)
    return textwrap.dedent(text)


def test_data_refs_stay_data_in_the_loaded_document(tmp_path: Path) -> None:
    from stubforge.load import load_spec

    write_spec(tmp_path, "common.yaml", 'Cat:\n  type: object\n  x-ext: {$ref: "../secret.yaml"}\n  example: {$ref: "nope.yaml"}\n')
    spec = load_spec(write_spec(tmp_path, "api.yaml", spec_with('{$ref: "common.yaml#/Cat"}', top='x-top: {$ref: "/etc/passwd"}\n')))
    cat = spec.document["paths"]["/pets"]["get"]["responses"]["200"]["schema"]
    assert cat == {"type": "object", "x-ext": {"$ref": "../secret.yaml"}, "example": {"$ref": "nope.yaml"}}
    assert spec.document["x-top"] == {"$ref": "/etc/passwd"}


def test_a_sibling_property_named_ref_survives_resolution(tmp_path: Path) -> None:
    from stubforge.load import load_spec

    write_spec(tmp_path, "common.yaml", "Schema:\n  type: object\n  properties:\n    $ref: {type: string}\n    size: {type: integer}\n")
    spec = load_spec(write_spec(tmp_path, "api.yaml", spec_with('{$ref: "common.yaml#/Schema"}')))
    schema = spec.document["paths"]["/pets"]["get"]["responses"]["200"]["schema"]
    assert schema["properties"] == {"$ref": {"type": "string"}, "size": {"type": "integer"}}


def test_example_objects_are_refs_and_their_values_data(tmp_path: Path) -> None:
    from stubforge.load import load_spec

    write_spec(tmp_path, "common.yaml", "Cat:\n  type: object\n")
    path = write_spec(
        tmp_path,
        "api.yaml",
        """\
        openapi: 3.0.3
        info: {title: Pets, version: "1.0"}
        paths:
          /pets:
            get:
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: "common.yaml#/Cat"}
                      examples:
                        one: {$ref: "#/components/examples/Nope"}
                        two: {$ref: "#/components/examples/Cat"}
        components:
          examples:
            Cat:
              value: {$ref: "../../etc/passwd"}
        """,
    )
    spec = load_spec(path)
    assert spec.document["components"]["examples"]["Cat"] == {"value": {"$ref": "../../etc/passwd"}}
    assert spec.broken_refs == frozenset({"#/components/examples/Nope"})
    assert [d.pointer for d in spec.diagnostics] == ["/paths/~1pets/get/responses/200/content/application~1json/examples/one/$ref"]


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        ('Thing:\n  type: object\n  properties:\n    x-id: {$ref: "../secret.yaml#/Secret"}\n', "/definitions/Thing/properties/x-id/$ref"),
        ('example: {$ref: "../secret.yaml#/Secret"}\n', "/definitions/example/$ref"),
        ('default:\n  $ref: "../secret.yaml#/Secret"\n', "/definitions/default/$ref"),
    ],
    ids=["property-named-x-id", "definition-named-example", "definition-named-default"],
)
def test_refs_under_names_that_look_like_data_are_refs_and_checked(case: Case, block: str, pointer: str) -> None:
    """A key is data only where the spec's structure puts data: a property or definition named
    ``x-id`` or ``example`` is a schema, and its ``$ref`` is followed, so it is checked."""
    plant_secrets(case)
    spec = case.write("api.yaml", spec_with('{$ref: "#/definitions/Pet"}', definitions=block))
    done = case.generate(spec)
    case.assert_refused(done, located(spec, line_of(spec, "../secret.yaml"), pointer), "refused", "outside the spec's folder")


# --------------------------------------------------------------------------- 2. refs to files that are not regular files, or too big


@pytest.mark.parametrize("kind", ["a FIFO", "a character device"])
def test_a_ref_to_a_special_file_is_refused_without_opening_it(case: Case, kind: str) -> None:
    special = case.folder / "special.yaml"
    if kind == "a FIFO":
        os.mkfifo(special)
    else:
        try:
            os.mknod(special, 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # what /dev/zero is
        except PermissionError:
            pytest.skip("cannot make a device node here")
    spec = case.write("api.yaml", spec_with('{$ref: "special.yaml#/Cat"}'))
    done = case.generate(spec, timeout=60)
    case.assert_refused(done, located(spec, SCHEMA_LINE, SCHEMA_POINTER), f"not a regular file but {kind}")


def test_a_ref_through_a_symlink_to_a_device_is_refused(case: Case) -> None:
    (case.folder / "zero.yaml").symlink_to("/dev/zero")
    spec = case.write("api.yaml", spec_with('{$ref: "zero.yaml"}'))
    case.assert_refused(case.generate(spec, timeout=60), located(spec, SCHEMA_LINE, SCHEMA_POINTER), "refused")


def test_a_ref_to_a_device_in_a_sibling_names_the_sibling(case: Case) -> None:
    os.mkfifo(case.folder / "pipe.json")
    sibling = case.write("common.yaml", 'Cat:\n  type: object\n  properties:\n    pipe: {$ref: "pipe.json"}\n')
    spec = case.write("api.yaml", spec_with('{$ref: "common.yaml#/Cat"}'))
    case.assert_refused(case.generate(spec, timeout=60), located(sibling, 4, "/Cat/properties/pipe/$ref"), "FIFO")


def test_a_ref_to_a_folder_or_a_symlink_loop_is_refused(case: Case) -> None:
    (case.folder / "models.yaml").mkdir()
    (case.folder / "loop.yaml").symlink_to(case.folder / "loop.yaml")
    spec = case.write("api.yaml", spec_with('{$ref: "models.yaml#/Cat"}', definitions='Loop: {$ref: "loop.yaml"}\n'))
    done = case.generate(spec, timeout=60)
    error = case.assert_refused(done, located(spec, SCHEMA_LINE, SCHEMA_POINTER), "directory")
    assert error
    assert f"{spec}:{line_of(spec, 'loop.yaml')}: /definitions/Loop/$ref: error: " in done.stderr, done.stderr


def test_schema_line_is_the_line_of_the_schema(tmp_path: Path) -> None:
    assert line_of(write_spec(tmp_path, "api.yaml", spec_with("{}")), "schema:") == SCHEMA_LINE


def test_a_huge_referenced_file_is_refused_before_it_is_read(case: Case) -> None:
    huge = case.folder / "huge.yaml"
    with huge.open("wb") as file:
        file.truncate(5 * 1024**3)  # sparse: costs no disk; reading it would cost 5 GB
    spec = case.write("api.yaml", spec_with('{$ref: "huge.yaml#/Cat"}'))
    case.assert_refused(case.generate(spec, timeout=60), located(spec, SCHEMA_LINE, SCHEMA_POINTER), "5120 MB is over the 100 MB limit", "max_spec_mb")


def test_the_size_limit_is_an_option(case: Case) -> None:
    (case.folder / "big.yaml").write_text("Cat:\n  type: object\n  description: '" + "x" * (2 * 1024 * 1024) + "'\n", encoding="utf-8")
    spec = case.write("api.yaml", spec_with('{$ref: "big.yaml#/Cat"}'))
    case.assert_refused(case.generate(spec, "--max-spec-mb", "1"), located(spec, SCHEMA_LINE, SCHEMA_POINTER), "over the 1 MB limit")
    done = case.generate(spec, "--max-spec-mb", "3")
    assert done.returncode == 0, done.stderr


def test_the_size_limit_is_a_setting_and_counts_all_files_together(case: Case) -> None:
    for name in ("a.yaml", "b.yaml"):
        case.write(name, "Cat:\n  type: object\n  description: '" + "x" * (600 * 1024) + "'\n")
    spec = case.write("api.yaml", spec_with('{$ref: "a.yaml#/Cat"}', definitions='B: {$ref: "b.yaml#/Cat"}\n'))
    config = case.root / "pyproject.toml"
    config.write_text("[tool.stubforge]\nmax_spec_mb = 1\n", encoding="utf-8")
    done = run("generate", spec, "--out", case.out, "--config", config)
    case.assert_refused(done, located(spec, line_of(spec, "b.yaml"), "/definitions/B/$ref"), "limit", "files read before it")


def test_a_bad_size_setting_is_a_located_config_error(case: Case) -> None:
    config = case.root / "pyproject.toml"
    config.write_text('[tool.stubforge]\nstrict = false\nmax_spec_mb = "big"\n', encoding="utf-8")
    spec = case.write("api.yaml", GOOD_SPEC)
    done = run("generate", spec, "--out", case.out, "--config", config)
    case.assert_refused(done, f"{config}:3: /tool/stubforge/max_spec_mb: error: ", "whole number")


# --------------------------------------------------------------------------- 3. the spec itself


def _special_spec(case: Case, kind: str) -> Path:
    """``api.yaml`` in the spec folder as something that is not a readable spec file."""
    path = case.folder / "api.yaml"
    if kind == "device by symlink":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink loop":
        path.symlink_to(case.folder / "other.yaml")
        (case.folder / "other.yaml").symlink_to(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "200 MB":
        with path.open("wb") as file:
            file.truncate(200 * 1024 * 1024)
    elif kind == "unreadable":
        path.write_text(GOOD_SPEC, encoding="utf-8")
        path.chmod(0)
    return path


SPECIAL_SPECS = {
    "device by symlink": "not a regular file but a character device",
    "fifo": "not a regular file but a FIFO",
    "symlink loop": "symbolic links",
    "directory": "is a directory",
    "200 MB": "200 MB is over the 100 MB limit",
    "unreadable": "Permission denied",
}


@pytest.mark.parametrize("kind", SPECIAL_SPECS)
def test_a_spec_that_is_not_a_readable_file_is_refused_fast_and_small(case: Case, kind: str) -> None:
    if kind == "unreadable" and os.geteuid() == 0:
        pytest.skip("root reads any file")
    spec = _special_spec(case, kind)
    case.assert_refused(case.generate(spec, timeout=60), f"{spec}: error: ", SPECIAL_SPECS[kind])


def test_dev_zero_named_directly_is_refused(case: Case) -> None:
    case.assert_refused(case.generate("/dev/zero", timeout=60), "/dev/zero: error: ", "character device")


@pytest.mark.parametrize("kind", ["device by symlink", "fifo", "200 MB"])
def test_a_spec_replaced_by_a_special_file_after_generation_is_refused(case: Case, kind: str) -> None:
    """The previous output's manifest records the spec's bytes; checking whether they changed
    reads the spec as the loader does, not blindly."""
    spec = case.folder / "api.yaml"
    write_spec(case.folder, "api.yaml", GOOD_SPEC)
    assert case.generate(spec).returncode == 0
    case.before = snapshot(case.out)
    spec.unlink()
    _special_spec(case, kind)
    case.assert_refused(case.generate(spec, timeout=60), f"{spec}: error: ", SPECIAL_SPECS[kind])


def test_validate_and_check_refuse_a_special_spec_too(case: Case) -> None:
    spec = _special_spec(case, "fifo")
    for command in ("validate", "check"):
        extra = ["--out", str(case.out)] if command == "check" else []
        done = run(command, spec, *extra, timeout=60)
        case.assert_refused(done, f"{spec}: error: ", "FIFO")


# --------------------------------------------------------------------------- 4. long chains


def test_a_chain_of_10000_files_nesting_each_other_is_a_located_error(case: Case) -> None:
    count = 10_000
    for index in range(count):
        following = f'\nproperties:\n  next: {{$ref: "f{index + 1}.yaml"}}' if index + 1 < count else ""
        (case.folder / f"f{index}.yaml").write_text(f"type: object{following}\n", encoding="utf-8")
    spec = case.write("api.yaml", spec_with('{$ref: "f0.yaml"}'))
    case.assert_refused(case.generate(spec, timeout=240), located(spec, SCHEMA_LINE, SCHEMA_POINTER), "deeper than 200")


def test_a_chain_of_10000_files_each_only_a_ref_to_the_next_loads(tmp_path: Path) -> None:
    from stubforge.load import load_spec

    count = 10_000
    for index in range(count):
        text = f'{{"$ref": "f{index + 1}.json"}}' if index + 1 < count else '{"type": "object", "description": "the end"}'
        (tmp_path / f"f{index}.json").write_text(text, encoding="utf-8")
    spec = load_spec(write_spec(tmp_path, "api.yaml", spec_with('{$ref: "f0.json"}')))
    assert spec.document["paths"]["/pets"]["get"]["responses"]["200"]["schema"] == {"type": "object", "description": "the end"}
    assert len(spec.referenced_files) == count


def test_files_that_refer_to_each_other_many_times_are_refused_not_expanded(case: Case) -> None:
    """Each file refers to the next ten times: inlined, 10**7 copies of the last one."""
    levels = 7
    for level in range(levels):
        refs = "".join(f'\n    p{n}: {{$ref: "l{level + 1}.yaml"}}' for n in range(10)) if level + 1 < levels else ""
        case.write(f"l{level}.yaml", "type: object\nproperties:\n  here: {type: string}" + (f"\n  more:\n    type: object\n    properties:{refs}" if refs else "") + "\n")
    spec = case.write("api.yaml", spec_with('{$ref: "l0.yaml"}'))
    case.assert_refused(case.generate(spec, timeout=120), located(spec, SCHEMA_LINE, SCHEMA_POINTER), "more than")


@pytest.mark.parametrize("shape", ["object", "ref"])
def test_10000_local_schemas_chained_by_ref_load_and_validate(tmp_path: Path, shape: str) -> None:
    from stubforge.load import load_spec
    from stubforge.validate import validation_findings

    count = 10_000
    definitions = {}
    for index in range(count):
        target = {"$ref": f"#/definitions/S{index + 1}"} if index + 1 < count else {"type": "string"}
        definitions[f"S{index}"] = target if shape == "ref" else {"type": "object", "properties": {"next": target}}
    document = {"swagger": "2.0", "info": {"title": "chain", "version": "1"}, "paths": {}, "definitions": definitions}
    path = tmp_path / "api.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    spec = load_spec(path)
    assert spec.broken_refs == frozenset()
    assert [d for d in validation_findings(spec) if "stopped early" in d.message] == []


# --------------------------------------------------------------------------- 6. NUL and lone surrogates


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("api.json", json.dumps({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}, "definitions": {"A": {"$ref": "a\u0000.yaml"}}}, indent=1)),
        ("api.yaml", 'swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\ndefinitions:\n  A: {$ref: "common.yaml\\0#/A"}\n'),
        ("api.yaml", 'swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\ndefinitions:\n  A: {$ref: "line\\nbreak.yaml"}\n'),
    ],
    ids=["json-nul", "yaml-nul", "yaml-newline"],
)
def test_a_control_character_in_a_file_ref_is_a_located_error(case: Case, name: str, text: str) -> None:
    case.write("common.yaml", "A:\n  type: string\n")
    spec = case.folder / name
    spec.write_text(text, encoding="utf-8")
    case.assert_refused(case.generate(spec), located(spec, line_of(spec, "$ref"), "/definitions/A/$ref"), "control character")


def test_a_lone_surrogate_in_json_text_is_replaced_with_a_located_warning(case: Case) -> None:
    document = json.loads(json.dumps({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}))
    document["definitions"] = {"Pet": {"type": "object", "description": "SURROGATE", "properties": {"nameSURROGATE": {"type": "string"}}}}
    text = json.dumps(document, indent=1).replace("SURROGATE", "\\udc00")
    spec = case.folder / "api.json"
    spec.write_text(text, encoding="ascii")
    done = case.generate(spec)
    assert done.returncode == 0, done.stderr
    line = line_of(spec, "\\udc00")
    assert f"{spec}:{line}: /definitions/Pet/description: warning: a lone UTF-16 surrogate" in done.stderr, done.stderr
    assert "(2 places, the first here)" in done.stderr
    models = next((case.out / "api" / "client").rglob("models.py")).read_text("utf-8")
    assert "\ufffd" in models


def test_a_lone_surrogate_in_a_file_ref_is_a_located_error(case: Case) -> None:
    spec = case.folder / "api.json"
    document = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}, "definitions": {"A": {"$ref": "SURROGATE.yaml"}}}
    spec.write_text(json.dumps(document, indent=1).replace("SURROGATE", "\\udc00"), encoding="ascii")
    case.assert_refused(case.generate(spec), located(spec, line_of(spec, "$ref"), "/definitions/A/$ref"), "no such file")


def test_a_lone_surrogate_in_yaml_is_a_located_error(case: Case) -> None:
    spec = case.write("api.yaml", 'swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\ndefinitions:\n  A: {type: string, description: "\\udc00"}\n')
    done = case.generate(spec)
    if done.returncode == 0:  # a YAML library that reads the escape: then it is repaired like JSON's
        assert f"{spec}:5: /definitions/A/description: warning: a lone UTF-16 surrogate" in done.stderr
        return
    case.assert_refused(done, f"{spec}:5: error: ", "not valid YAML")


def test_invalid_utf8_is_a_located_error(case: Case) -> None:
    spec = case.folder / "api.yaml"
    spec.write_bytes(b'swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\nx-bad: "\xff\xfe"\n')
    case.assert_refused(case.generate(spec), f"{spec}:4: error: ", "not UTF-8")

