"""The loader: bytes in, a plain document and a source map out; sloppy specs repaired with a
located warning; bad input and unsafe ``$ref``s refused with a located error, before anything
follows them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import CORPUS, ROOT, SEED, require_corpus, write_spec

from stubforge import swagger2
from stubforge.diagnostics import Diagnostic, Level, SpecError, escape_pointer_token
from stubforge.load import (
    JsonLines,
    LoadedSpec,
    _yaml_lines,
    LoadOptions,
    load_spec,
    parse_document,
    resolve_pointer,
)

MINIMAL = """\
    swagger: "2.0"
    info:
      title: Pets
      version: "1.0"
    paths: {}
"""

LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+): ")


def warnings_of(spec: LoadedSpec) -> list[Diagnostic]:
    return [d for d in spec.diagnostics if d.level is Level.WARNING]


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line of ``path`` that contains ``needle``."""
    hits = [n for n, line in enumerate(path.read_text("utf-8-sig").splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def refused(path: Path, options: LoadOptions | None = None) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load_spec(path, options or LoadOptions())
    return caught.value


def assert_located(error: SpecError, path: Path | str, line: int | None) -> Diagnostic:
    """The error's first diagnostic names ``path`` (and ``line`` when given), as ``path:LINE: ...``."""
    assert error.diagnostics, "a SpecError must carry at least one diagnostic"
    first = error.diagnostics[0]
    assert first.level is Level.ERROR
    assert first.file == str(path)
    text = str(first)
    if line is None:
        assert text.startswith(f"{path}: "), text
    else:
        assert first.line == line, text
        assert text.startswith(f"{path}:{line}: "), text
    assert str(path) in str(error)
    return first


def all_keys(node: Any) -> list[Any]:
    found: list[Any] = []
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed() -> LoadedSpec:
    return load_spec(SEED)


def test_seed_loads_as_published(seed: LoadedSpec) -> None:
    text = SEED.read_text("utf-8")
    assert text.startswith("---\n") and text.rstrip().endswith("---"), "the seed must stay byte for byte as published"
    assert seed.raw == SEED.read_bytes()
    assert seed.version == "swagger2"
    assert seed.document["swagger"] == "2.0"
    assert seed.document["info"]["title"] == "AWS Cognito API Get Open Id Token For Developer Identity"
    assert "/?Action=DeleteIdentities" in seed.document["paths"]
    assert not [d for d in seed.diagnostics if d.level is Level.ERROR]


def test_seed_stream_framing_is_a_warning_on_line_1(seed: LoadedSpec) -> None:
    framing = [d for d in warnings_of(seed) if "---" in d.message]
    assert len(framing) == 1
    assert framing[0].line == 1
    assert str(framing[0]).startswith(f"{SEED}:1: ")


def test_seed_integer_status_keys_become_strings_with_a_located_warning(seed: LoadedSpec) -> None:
    responses = seed.document["paths"]["/?Action=DeleteIdentities"]["get"]["responses"]
    assert list(responses) == ["200"]
    assert responses["200"]["description"] == "OK"
    assert all(isinstance(key, str) for key in all_keys(seed.document))
    [repair] = [d for d in warnings_of(seed) if "int mapping key" in d.message]
    assert repair.line == line_of(SEED, "200:") == 30
    assert repair.pointer == "/paths/~1?Action=DeleteIdentities/get/responses/200"
    assert str(repair).startswith(f"{SEED}:30: /paths/~1?Action=DeleteIdentities/get/responses/200: warning: ")


# --------------------------------------------------------------------------- format by content


def test_yaml_in_a_txt_file_loads_by_content(tmp_path: Path) -> None:
    spec = load_spec(write_spec(tmp_path, "aws-cognito.txt", MINIMAL))
    assert spec.document == {"swagger": "2.0", "info": {"title": "Pets", "version": "1.0"}, "paths": {}}
    assert spec.diagnostics == []


@pytest.mark.parametrize("name", ["spec.json", "spec.yaml", "spec.txt", "spec"])
def test_json_loads_by_content_whatever_the_name(tmp_path: Path, name: str) -> None:
    document = {"swagger": "2.0", "info": {"title": "Pets", "version": "1.0"}, "paths": {"/pets": {}}}
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    spec = load_spec(path)
    assert spec.document == document
    assert spec.diagnostics == []


def test_yaml_in_a_json_named_file_loads_by_content(tmp_path: Path) -> None:
    spec = load_spec(write_spec(tmp_path, "spec.json", MINIMAL))
    assert spec.document["info"]["title"] == "Pets"


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_a_utf8_bom_is_accepted(tmp_path: Path, kind: str) -> None:
    body = textwrap.dedent(MINIMAL) if kind == "yaml" else json.dumps({"swagger": "2.0", "info": {"title": "Pets", "version": "1.0"}, "paths": {}})
    path = tmp_path / f"spec.{kind}"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    spec = load_spec(path)
    assert "swagger" in spec.document, "the BOM must not end up inside the first key"
    assert spec.document["info"]["title"] == "Pets"


def test_json_source_map_has_real_lines(tmp_path: Path) -> None:
    document = {"swagger": "2.0", "info": {"title": "Pets", "version": "1.0"}, "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    spec = load_spec(path)
    assert spec.source_map.line("/paths/~1pets/get/responses/200/description") == line_of(path, '"description"')
    assert spec.source_map.line("/info/title") == line_of(path, '"title"')


# --------------------------------------------------------------------------- repairs


def test_duplicate_keys_warn_and_the_last_wins(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "spec.yaml",
        """\
        swagger: "2.0"
        info:
          title: First
          version: "1.0"
          title: Second
        paths: {}
        """,
    )
    spec = load_spec(path)
    assert spec.document["info"] == {"title": "Second", "version": "1.0"}
    [duplicate] = [d for d in warnings_of(spec) if "duplicate" in d.message]
    assert duplicate.line == 5
    assert duplicate.pointer == "/info/title"
    assert str(duplicate).startswith(f"{path}:5: /info/title: warning: ")


def test_definitions_as_an_empty_list_is_a_warning(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "spec.yaml", textwrap.dedent(MINIMAL) + "definitions: []\n")
    spec = load_spec(path)
    api = swagger2.normalize(spec, "spec")
    assert api.models == ()
    [finding] = [d for d in api.diagnostics if d.pointer == "/definitions"]
    assert finding.level is Level.WARNING
    assert "empty list" in finding.message
    assert finding.line == line_of(path, "definitions: []")
    assert str(finding).startswith(f"{path}:{finding.line}: /definitions: warning: ")


def test_source_map_lines_match_the_file(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "spec.yaml",
        """\
        swagger: "2.0"
        info:
          title: Pets
          version: "1.0"
        paths:
          /pets:
            get:
              operationId: listPets
              parameters:
                - in: query
                  name: limit
                  type: integer
                - in: header
                  name: X-Trace
                  type: string
              responses:
                "200":
                  description: ok
        """,
    )
    spec = load_spec(path)
    lines = spec.source_map
    assert lines.line("/paths/~1pets/get/parameters/0") == line_of(path, "- in: query") == 10
    assert lines.line("/paths/~1pets/get/parameters/1") == line_of(path, "- in: header") == 13
    assert lines.line("/paths/~1pets/get/parameters/1/name") == line_of(path, "name: X-Trace") == 14
    assert lines.line("/paths/~1pets/get/operationId") == 8
    assert lines.line("/paths/~1pets/get/responses/200/description") == 18
    # an unknown pointer falls back to its nearest located ancestor
    assert lines.line("/paths/~1pets/get/parameters/1/no/such/thing") == 13


# --------------------------------------------------------------------------- hostile YAML


def _billion_laughs(levels: int = 9, fan_out: int = 9) -> str:
    lines = ['swagger: "2.0"', "info: {title: lol, version: '1'}", "paths: {}", 'a0: &a0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * fan_out) + "]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    """A small bomb is enough to prove the refusal and its location."""
    path = write_spec(tmp_path, "bomb.yaml", _billion_laughs())
    error = refused(path)
    assert "expands" in str(error)
    assert_located(error, path, error.diagnostics[0].line)
    assert error.diagnostics[0].line >= 4


def test_a_yaml_alias_bomb_fails_fast_and_small(tmp_path: Path) -> None:
    """Refused in a child process that stays under 200 MB: the bomb is measured, never built.

    Memory, not time, is the assertion (the machine is shared); the timeout only stops a hang."""
    path = write_spec(tmp_path, "bomb.yaml", _billion_laughs())
    probe = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from stubforge.diagnostics import SpecError
        from stubforge.load import load_spec
        try:
            load_spec(Path({str(path)!r}))
        except SpecError as exc:
            print("refused:", exc)
        # VmHWM belongs to this process image; ru_maxrss would carry the forking parent's peak.
        peak_kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
        print("rss_mb:", peak_kb // 1024)
        """
    )
    try:
        done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("the alias bomb was still being expanded after 120 s")
    assert "refused:" in done.stdout and "expands" in done.stdout, done.stdout + done.stderr
    rss_mb = int(done.stdout.rsplit("rss_mb:", 1)[1])
    assert rss_mb < 200, f"refusing the bomb took {rss_mb} MB"


@pytest.mark.parametrize(
    "body",
    [
        'swagger: "2.0"\nloop: &loop\n  - *loop\n',
        'swagger: "2.0"\nloop: &loop {again: *loop}\n',
    ],
    ids=["list", "mapping"],
)
def test_a_self_referential_alias_is_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(body, encoding="utf-8")
    error = refused(path)
    assert "refers to itself" in str(error)
    assert_located(error, path, 2)


@pytest.mark.parametrize("depth", [300, 100_000])
def test_very_deep_yaml_nesting_is_refused(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text('swagger: "2.0"\ndeep: ' + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    error = refused(path)
    assert re.search(r"deeper|nesting", str(error)), str(error)
    assert_located(error, path, 2)


def test_very_deep_block_yaml_schema_is_refused(tmp_path: Path) -> None:
    nested = "".join("  " * i + "p:\n" for i in range(400)) + "  " * 400 + "type: string\n"
    path = tmp_path / "deep.yaml"
    path.write_text('swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\nx-deep:\n' + textwrap.indent(nested, "  "), encoding="utf-8")
    error = refused(path)
    assert "deeper" in str(error)
    assert error.diagnostics[0].line > 4


def test_very_deep_json_nesting_is_refused(tmp_path: Path) -> None:
    depth = 5_000
    path = tmp_path / "deep.json"
    path.write_text('{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}, "x-deep": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    error = refused(path)
    assert "deeper" in str(error)
    assert str(error.diagnostics[0]).startswith(f"{path}:")


# --------------------------------------------------------------------------- bad input


def test_a_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    error = refused(path)
    assert_located(error, path, None)
    assert "no such file" in str(error)


def test_a_directory_is_a_spec_error(tmp_path: Path) -> None:
    folder = tmp_path / "spec.yaml"
    folder.mkdir()
    error = refused(folder)
    assert_located(error, folder, None)
    assert "directory" in str(error)


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (b": : :\n\t- [", 1, "not valid YAML or JSON"),
        (b'swagger: "2.0"\ninfo:\n  title: [unclosed\n', 4, "not valid YAML or JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", 1, "UTF-8"),
        (b"swagger: 2.0\x00\x00\x00", 1, "binary"),
        (b"- swagger\n- '2.0'\n", 1, "not a mapping"),
        (b"just a string\n", 1, "not a mapping"),
        (b"[1, 2, 3]", 1, "not a mapping"),
        (b"foo: bar\n", 1, "not a Swagger 2.0 or OpenAPI 3 document"),
        (b'swagger: "1.2"\ninfo: {title: t, version: "1"}\n', 1, "unsupported Swagger version"),
        (b'swagger: "2.0"\ninfo: {title: a, version: "1"}\npaths: {}\n---\nswagger: "2.0"\ninfo: {title: b, version: "1"}\npaths: {}\n', 5, "2 YAML documents"),
        (b"", 1, "no document"),
    ],
    ids=["garbage", "unclosed", "png", "nul-bytes", "yaml-list", "scalar", "json-list", "not-swagger", "swagger-1.2", "two-documents", "empty"],
)
def test_bad_input_is_a_located_spec_error(tmp_path: Path, content: bytes, line: int, words: str) -> None:
    path = tmp_path / "aws-cognito.yaml"
    path.write_bytes(content)
    error = refused(path)
    assert_located(error, path, line)
    assert words in str(error)


def test_parse_document_names_the_given_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        parse_document(b"a: 1\nb: [\n", "specs/broken.yaml")
    assert str(caught.value.diagnostics[0]).startswith("specs/broken.yaml:")


# --------------------------------------------------------------------------- $ref rules


def pets_spec(ref: str, more_definitions: str = "", more_top_level: str = "") -> str:
    """A small spec whose one response schema is ``$ref: ref``; extra YAML blocks are dedented."""
    text = textwrap.dedent(
        f"""\
        swagger: "2.0"
        info:
          title: Pets
          version: "1.0"
        paths:
          /pets:
            get:
              responses:
                "200":
                  description: ok
                  schema:
                    $ref: "{ref}"
        definitions:
          Pet:
            type: object
            properties:
              name:
                type: string
        """
    )
    return text + textwrap.indent(textwrap.dedent(more_definitions), "  ") + textwrap.dedent(more_top_level)


REF_POINTER = "/paths/~1pets/get/responses/200/schema/$ref"
REF_LINE = 12


def test_an_internal_ref_is_fine_and_keeps_its_name(tmp_path: Path) -> None:
    spec = load_spec(write_spec(tmp_path, "api.yaml", pets_spec("#/definitions/Pet")))
    assert spec.diagnostics == []
    assert spec.broken_refs == frozenset()
    assert spec.document["paths"]["/pets"]["get"]["responses"]["200"]["schema"] == {"$ref": "#/definitions/Pet"}


def test_a_broken_local_ref_is_a_located_warning(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "api.yaml", pets_spec("#/definitions/Nope"))
    spec = load_spec(path)
    [broken] = spec.diagnostics
    assert broken.level is Level.WARNING
    assert broken.pointer == REF_POINTER
    assert broken.line == REF_LINE == line_of(path, "$ref")
    assert "#/definitions/Nope" in broken.message
    assert str(broken).startswith(f"{path}:{REF_LINE}: {REF_POINTER}: warning: ")
    assert spec.broken_refs == frozenset({"#/definitions/Nope"})


def test_a_broken_local_ref_is_an_error_when_strict(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "api.yaml", pets_spec("#/definitions/Nope"))
    spec = load_spec(path, LoadOptions(strict=True))
    [broken] = spec.diagnostics
    assert broken.level is Level.ERROR
    assert (broken.line, broken.pointer) == (REF_LINE, REF_POINTER)
    assert str(broken).startswith(f"{path}:{REF_LINE}: {REF_POINTER}: error: ")


@pytest.mark.parametrize(
    "ref",
    [
        "http://example.com/x.yaml#/Y",
        "https://example.com/pet.yaml",
        "file:///etc/passwd",
        "/etc/passwd",
        "../outside.yaml",
        "../outside.yaml#/Pet",
        "sub/../../outside.yaml",
        "//example.com/pet.yaml",
    ],
)
def test_unsafe_refs_are_refused_before_anything_follows_them(tmp_path: Path, ref: str) -> None:
    folder = tmp_path / "spec"
    (tmp_path / "outside.yaml").write_text("Pet:\n  type: string\n", encoding="utf-8")
    (folder / "sub").mkdir(parents=True)
    path = write_spec(folder, "api.yaml", pets_spec(ref))
    error = refused(path)
    first = assert_located(error, path, REF_LINE)
    assert first.pointer == REF_POINTER
    assert "refused" in first.message
    assert ref in first.message


def test_remote_refs_stay_refused_for_file_urls_even_with_allow_remote_refs(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "api.yaml", pets_spec("file:///etc/passwd"))
    error = refused(path, LoadOptions(allow_remote_refs=True))
    assert "refused" in str(error)


def test_a_relative_ref_to_a_sibling_file_is_inlined(tmp_path: Path) -> None:
    write_spec(
        tmp_path,
        "common.yaml",
        """\
        Cat:
          type: object
          description: from the sibling file
          properties:
            meow:
              type: string
        """,
    )
    spec = load_spec(write_spec(tmp_path, "api.yaml", pets_spec("common.yaml#/Cat")))
    schema = spec.document["paths"]["/pets"]["get"]["responses"]["200"]["schema"]
    assert schema == {"type": "object", "description": "from the sibling file", "properties": {"meow": {"type": "string"}}}
    assert spec.document["definitions"]["Pet"]["properties"]["name"] == {"type": "string"}
    assert not [d for d in spec.diagnostics if d.level is Level.ERROR]


def test_inlining_a_sibling_keeps_internal_refs_as_names(tmp_path: Path) -> None:
    write_spec(tmp_path, "common.yaml", "Cat:\n  type: object\n  properties:\n    owner:\n      type: string\n")
    text = pets_spec("common.yaml#/Cat", more_top_level='x-other:\n  $ref: "#/definitions/Pet"\n')
    spec = load_spec(write_spec(tmp_path, "api.yaml", text))
    assert spec.document["x-other"] == {"$ref": "#/definitions/Pet"}


def test_a_sibling_files_own_internal_refs_still_resolve(tmp_path: Path) -> None:
    write_spec(
        tmp_path,
        "common.yaml",
        """\
        Cat:
          type: object
          properties:
            dog:
              $ref: "#/Dog"
        Dog:
          type: object
          properties:
            woof:
              type: string
        """,
    )
    spec = load_spec(write_spec(tmp_path, "api.yaml", pets_spec("common.yaml#/Cat")))
    dog = spec.document["paths"]["/pets"]["get"]["responses"]["200"]["schema"]["properties"]["dog"]
    if isinstance(dog, dict) and "$ref" in dog:
        ref = dog["$ref"]
        found, dog = resolve_pointer(spec.document, ref.partition("#")[2])
        assert found, f"the inlined ref {ref!r} does not resolve in the loaded document"
    assert dog == {"type": "object", "properties": {"woof": {"type": "string"}}}


@pytest.mark.parametrize("escape", ["../escape.yaml", "/etc/passwd", "sub/../../escape.yaml"])
def test_a_sibling_that_escapes_the_folder_is_refused(tmp_path: Path, escape: str) -> None:
    (tmp_path / "escape.yaml").write_text("type: string\ndescription: SECRET\n", encoding="utf-8")
    folder = tmp_path / "spec"
    (folder / "sub").mkdir(parents=True)
    sibling = write_spec(folder, "common.yaml", f'Cat:\n  type: object\n  properties:\n    x:\n      $ref: "{escape}"\n')
    error = refused(write_spec(folder, "api.yaml", pets_spec("common.yaml#/Cat")))
    assert "refused" in str(error)
    assert "SECRET" not in str(error)
    assert_located(error, sibling, 5)


@pytest.mark.parametrize("kind", ["file-url", "http"])
def test_a_sibling_with_a_remote_ref_is_refused(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("type: object\ndescription: SECRET\n", encoding="utf-8")
    target = secret.as_uri() if kind == "file-url" else "http://127.0.0.1:9/pet.yaml"
    folder = tmp_path / "spec"
    write_spec(folder, "common.yaml", f'Cat:\n  $ref: "{target}"\n')
    path = write_spec(folder, "api.yaml", pets_spec("common.yaml#/Cat"))
    try:
        spec = load_spec(path)
    except SpecError as error:
        assert "refused" in str(error)
        assert "SECRET" not in str(error)
        return
    pytest.fail(f"loaded; the schema is now {spec.document['paths']['/pets']['get']['responses']['200']['schema']!r}")


def test_a_property_named_ref_is_not_a_ref(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "api.yaml",
        pets_spec(
            "#/definitions/Pet",
            more_definitions="""\
            JSONSchemaProps:
              type: object
              properties:
                $ref:
                  type: string
                $schema:
                  type: string
                http://example.com/x.yaml:
                  type: string
            """,
        ),
    )
    spec = load_spec(path)
    assert spec.diagnostics == []
    assert spec.broken_refs == frozenset()
    properties = spec.document["definitions"]["JSONSchemaProps"]["properties"]
    assert properties["$ref"] == {"type": "string"}
    assert properties["$schema"] == {"type": "string"}


def test_refs_in_examples_and_extensions_are_data(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "api.yaml",
        pets_spec(
            "#/definitions/Pet",
            more_definitions="""\
            Thing:
              type: object
              x-vendor:
                $ref: "http://example.com/x.yaml"
              example:
                $ref: "/etc/passwd"
            """,
        ),
    )
    spec = load_spec(path)
    assert [d for d in spec.diagnostics if d.level is Level.ERROR] == []
    assert spec.document["definitions"]["Thing"]["example"] == {"$ref": "/etc/passwd"}


# --------------------------------------------------------------------------- JSON line numbers

JSON_SHAPES = """{
  "a~b/c": {"x": [1, {"y": null},
     [true, "s\\"t"]], "\\u00e9\\/k": {}},
  "empty": [],
  "n": -1.5e3, "list": [
    {},
    []
  ]
}
"""


def test_yaml_aliases_share_their_value_and_are_located_where_they_stand(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "spec.yaml",
        """\
        swagger: "2.0"
        info: {title: Pets, version: "1.0"}
        x-shared: &page
          description: ok
          schema: {type: string}
        paths:
          /a:
            get:
              responses:
                "200": *page
          /b:
            get:
              responses:
                "200":
                  <<: *page
                  description: merged
        """,
    )
    spec = load_spec(path)
    responses = spec.document["paths"]["/a"]["get"]["responses"]
    assert responses["200"] == {"description": "ok", "schema": {"type": "string"}}
    assert spec.document["paths"]["/b"]["get"]["responses"]["200"] == {"description": "merged", "schema": {"type": "string"}}
    assert spec.source_map.line("/paths/~1a/get/responses/200") == 10
    assert spec.source_map.line("/paths/~1a/get/responses/200/schema/type") == 10
    assert spec.source_map.line("/paths/~1b/get/responses/200/description") == 16


def full_pass_lines(text: str) -> dict[str, int]:
    """The line of every pointer of a JSON text, by one Python step per token: how JSON lines were
    found before ``JsonLines``, kept as its oracle (a repeated key keeps its first line here)."""
    lines = {"": 1}
    frames: list[list[Any]] = []  # per open bracket: [its pointer, "{" or "[", the next item index]
    line, key_expected = 1, False
    for match in re.finditer(r'"(?:[^"\\\n]|\\.)*"|[{}\[\],:\n]|[^\s{}\[\],:"]+', text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token == ",":
            key_expected = frames[-1][1] == "{"
        elif token == ":":
            key_expected = False
        elif token in "}]":
            frames.pop()
            key_expected = False
        elif key_expected:
            key = json.loads(token) if "\\" in token else token[1:-1]
            frames[-1][2] = f"{frames[-1][0]}/{escape_pointer_token(key)}"
            lines.setdefault(frames[-1][2], line)
        else:
            pointer = ""
            if frames and frames[-1][1] == "{":
                pointer = frames[-1][2]
            elif frames:
                pointer = f"{frames[-1][0]}/{frames[-1][2]}"
                frames[-1][2] += 1
                lines.setdefault(pointer, line)
            if token in "{[":
                frames.append([pointer, token, 0 if token == "[" else ""])
                key_expected = token == "{"
    return lines


def every_pointer(node: Any, pointer: str = "") -> list[str]:
    pointers = [pointer]
    members = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in members:
        pointers += every_pointer(child, f"{pointer}/{escape_pointer_token(key)}")
    return pointers


def json_lines_of(tmp_path: Path, text: str) -> Any:
    """The source map of the JSON spec ``text`` (dedented), loaded as a spec file is."""
    spec = load_spec(write_spec(tmp_path, "spec.json", text))
    return spec.source_map


PETS_JSON = """\
    {
      "openapi": "3.0.3",
      "info": {"title": "Pets", "version": "1.0"},
      "paths": {
        "/pets/{id}": {
          "get": {
            "parameters": [
              {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
              {
                "name": "verbose",
                "in": "query"
              }
            ],
            "responses": {"200": {"description": "ok"}}
          }
        },
        "/a~b": {}
      }
    }
"""


def test_json_lines_of_pointers_at_every_depth(tmp_path: Path) -> None:
    lines = json_lines_of(tmp_path, PETS_JSON)
    get = "/paths/~1pets~1{id}/get"
    assert lines.line("") == 1
    assert lines.line("/openapi") == 2
    assert lines.line("/info/title") == lines.line("/info/version") == 3
    assert lines.line("/paths/~1pets~1{id}") == 5
    assert lines.line(f"{get}/parameters") == 7
    assert lines.line(f"{get}/parameters/0") == lines.line(f"{get}/parameters/0/schema/type") == 8
    assert lines.line(f"{get}/parameters/1") == 9, "an array item is on the line where it starts"
    assert lines.line(f"{get}/parameters/1/in") == 11
    assert lines.line(f"{get}/responses/200/description") == 14
    assert lines.line("/paths/~1a~0b") == 17


def test_a_json_pointer_not_in_the_document_is_located_at_its_nearest_ancestor(tmp_path: Path) -> None:
    lines = json_lines_of(tmp_path, PETS_JSON)
    get = "/paths/~1pets~1{id}/get"
    assert lines.line(f"{get}/parameters/1/no/such/thing") == 9
    assert lines.line(f"{get}/parameters/2") == 7, "past the last item"
    assert lines.line(f"{get}/parameters/01") == 7, "not an array index as JSON pointers write them"
    assert lines.line(f"{get}/parameters/-") == 7
    assert lines.line("/info/title/0") == 3, "a string has no members"
    assert lines.line("/paths/~1pets~1{id}/post") == 5
    assert lines.line("/paths//pets/{id}") == 4, "an unescaped slash is two tokens"
    assert lines.line("/nothing") == 1


def test_a_repeated_json_key_is_located_at_the_member_json_loads_keeps(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "spec.json",
        """\
        {
          "openapi": "3.0.3",
          "info": {"title": "First", "version": "1.0", "title": "Second"},
          "paths": {},
          "info": {
            "version": "2.0",
            "title": "Third"
          }
        }
        """,
    )
    spec = load_spec(path)
    assert spec.document["info"] == {"version": "2.0", "title": "Third"}
    assert spec.source_map.line("/info") == 5
    assert spec.source_map.line("/info/title") == 7
    assert spec.source_map.line("/info/version") == 6


def test_json_strings_holding_brackets_quotes_and_escapes_do_not_mislead_the_lines(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "spec.json",
        r"""
        {
          "openapi": "3.0.3",
          "info": {"title": "{[\"\\", "version": "}]", "x-a": "\"{"},
          "paths": {},
          "x-tricky": {
            "{\"[": "\u00e9\ud83d\ude00 \\\" }",
            "k\\\"]": ["[", "{", "\"", "\\", "\\u0022"],
            "\u00e9~/": {"\/": 1}
          },
          "x-after": true
        }
        """,
    )
    spec = load_spec(path)
    assert list(spec.document["x-tricky"]) == ['{"[', 'k\\"]', "é~/"]
    lines = spec.source_map
    assert lines.line('/x-tricky/{"[') == 6
    assert lines.line('/x-tricky/k\\"]/4') == 7
    assert lines.line("/x-tricky/é~0~1//") == 8, "the key written with a unicode escape, and a key '/' under it"
    assert lines.line("/x-after") == 10


def test_json_whitespace_between_tokens_does_not_move_a_member_off_its_key_line() -> None:
    text = '{\n\t"openapi" :\n\t\t"3.0.3" ,\r\n  "info"\n  :\n  {\n    "title": "Pets", "version": "1.0"\n  },\r\n  "paths":\n{}\r\n}\n'
    _, lines, _ = parse_document(text.encode(), "spec.json")
    assert [lines.line(p) for p in ("/openapi", "/info", "/info/version", "/paths")] == [2, 4, 7, 9]
    assert {p: lines.line(p) for p in every_pointer(json.loads(text))} == full_pass_lines(text)


def test_minified_json_is_all_on_line_1() -> None:
    document = json.loads(PETS_JSON)
    _, lines, _ = parse_document(json.dumps(document).encode(), "spec.json")
    assert {lines.line(p) for p in every_pointer(document)} == {1}
    assert lines.line("/paths/~1pets~1{id}/get/parameters/9/nothing") == 1


def test_json_line_numbers_are_those_the_yaml_builder_finds() -> None:
    """The JSON locator gives every pointer the line the YAML composer gives it."""
    yaml_lines = _yaml_lines(JSON_SHAPES)
    assert sorted(yaml_lines) == sorted(every_pointer(json.loads(JSON_SHAPES)))
    locator = JsonLines(JSON_SHAPES)
    assert {pointer: locator.line(pointer) for pointer in yaml_lines} == yaml_lines
    assert locator.line("/a~0b~1c/x/1/y") == 2 and locator.line("/a~0b~1c/x/2/1") == 3 and locator.line("/list/1") == 7


JSON_KEYS = st.text(alphabet=st.sampled_from(list('ab~/{}[]"\\:, é\n')), max_size=4)
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | JSON_KEYS
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_KEYS, inner, max_size=4), max_leaves=30)
JSON_SPACES = ["", "", " ", "\n", "\t", "\r\n", "\n  \n"]


def spread_out(value: Any, rng: Any) -> str:
    """``value`` as JSON text with random whitespace between its tokens and random escaping."""

    def space() -> str:
        return str(rng.choice(JSON_SPACES))

    if isinstance(value, dict):
        members = [f"{space()}{json.dumps(key, ensure_ascii=rng.random() < 0.5)}{space()}:{space()}{spread_out(item, rng)}{space()}" for key, item in value.items()]
        return "{" + (",".join(members) or space()) + "}"
    if isinstance(value, list):
        return "[" + (",".join(f"{space()}{spread_out(item, rng)}{space()}" for item in value) or space()) + "]"
    return json.dumps(value, ensure_ascii=rng.random() < 0.5)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(JSON_KEYS, JSON_VALUES, max_size=5), st.randoms(use_true_random=False))
def test_json_lines_are_those_of_a_full_pass_whatever_the_layout(document: dict[str, Any], rng: Any) -> None:
    text = spread_out(document, rng)
    assert json.loads(text) == document
    lines, locator = full_pass_lines(text), JsonLines(text)
    assert {pointer: locator.line(pointer) for pointer in every_pointer(document)} == {pointer: lines[pointer] for pointer in every_pointer(document)}


@pytest.mark.parametrize(
    "relative",
    [
        "swagger2/npm__kubernetes-client__swagger-1.13.json",
        "swagger2/go-swagger__go-swagger__canary_kubernetes_swagger.json",
        "swagger2/go-swagger__go-swagger__codegen_swagger-gsma.json",
        "oas3/atlassian.com__jira.json",
    ],
)
def test_json_line_numbers_of_real_specs(relative: str) -> None:
    """Every pointer of the spec, as it is and indented (most corpus JSON is on one line)."""
    require_corpus()
    text = (CORPUS / relative).read_text("utf-8-sig")
    document = json.loads(text)
    for layout in (text, json.dumps(document, indent=1, ensure_ascii=False)):
        lines, locator = full_pass_lines(layout), JsonLines(layout)
        mismatches = [pointer for pointer in every_pointer(document) if locator.line(pointer) != lines[pointer]]
        assert mismatches == [], f"{len(mismatches)} pointers on another line, the first: {mismatches[0]}"
