"""Formatting: every Python file is exactly what Black makes of the whole file, whether its chunks
were used as the built-in templates emitted them or went to Black; the cache is seeded only from
a layout that fits; spec text cannot forge a chunk break; user templates get Black."""

from __future__ import annotations

import os
import re
from pathlib import Path

import black
import pytest
from conftest import CORPUS, SEED, require_corpus, write_spec
from corpus_report import corpus_specs

from stubforge import format as format_module
from stubforge.format import BREAK, MODE, STYLED, chunks, format_files, layout, remember, without_breaks
from stubforge.diagnostics import SpecError
from stubforge.pipeline import build_model
from stubforge.render import render

#: Specs with many operations, tags and models, from both versions (checked when the corpus is
#: there). ``STUBFORGE_FORMAT_CORPUS=all`` checks every corpus spec instead (about 15 minutes).
CORPUS_SAMPLE = (
    "swagger2/APIs-guru__openapi-directory__citrixonline.com_scim_NA_swagger.yaml",
    "oas3/amazonaws.com__entitlement.marketplace.json",
)
if os.environ.get("STUBFORGE_FORMAT_CORPUS") == "all":
    CORPUS_SAMPLE = tuple(p.relative_to(CORPUS).as_posix() for p in corpus_specs())


def whole_file_black(source: str) -> str:
    """What Black makes of the file with every break replaced by its blank lines."""
    return black.format_str(without_breaks(source), mode=MODE)


def assert_formatting_equals_whole_file_black(spec: Path) -> tuple[int, int]:
    """Checks every Python file; how many chunks were used as emitted, and how many went to Black."""
    try:
        rendered = render(build_model(spec))
    except SpecError:
        return 0, 0  # a spec the generator refuses (tests/test_corpus.py checks which)
    formatted = format_files(rendered)
    python = [path for path in rendered if path.endswith(".py")]
    for path in python:
        assert formatted[path] == whole_file_black(rendered[path]), path
    all_chunks = [chunk for path in python for chunk in chunks(rendered[path])]
    return sum(not c.needs_black for c in all_chunks), sum(c.needs_black for c in all_chunks)


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(format_module, "_cache", {})


def test_formatting_is_black_on_the_whole_file_for_the_seed() -> None:
    as_emitted, for_black = assert_formatting_equals_whole_file_black(SEED)
    assert as_emitted >= 20 and for_black <= 2, "only the clients' long group attributes need Black"


@pytest.mark.parametrize("relative", CORPUS_SAMPLE)
def test_formatting_is_black_on_the_whole_file_for_real_specs(relative: str) -> None:
    require_corpus()
    as_emitted, for_black = assert_formatting_equals_whole_file_black(CORPUS / relative)
    assert as_emitted > for_black, "most chunks are used as the templates emitted them"


def test_python_from_a_user_template_is_formatted_by_black(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "client").mkdir(parents=True)
    (templates / "client" / "errors.py.jinja").write_text("x = {'a':1,\n 'b':2}\ndef f( ):\n  return x\n")
    rendered = render(build_model(SEED), templates)
    errors = next(path for path in rendered if path.endswith("/errors.py"))
    assert not any(chunk.styled for chunk in chunks(rendered[errors]))
    assert format_files(rendered)[errors] == 'x = {"a": 1, "b": 2}\n\n\ndef f():\n    return x\n'


def test_a_file_is_cut_at_break_lines_with_their_depth_and_blank_lines() -> None:
    source = f"import os\n{BREAK}2\nclass A:\n    x = 1\n    {BREAK}1\n    def f(self):\n        return 1\n"
    assert [(c.depth, c.blank_lines, c.source, c.styled) for c in chunks(source)] == [
        (0, 0, "import os\n", False),
        (0, 2, "class A:\n    x = 1\n", False),
        (1, 1, "    def f(self):\n        return 1\n", False),
    ]
    assert format_files({"m.py": source})["m.py"] == "import os\n\n\nclass A:\n    x = 1\n\n    def f(self):\n        return 1\n"


def test_a_previous_file_seeds_the_cache_only_when_its_layout_fits() -> None:
    source = f"A = 1\n{BREAK}2\ndef f( ):\n  return  2\n"
    formatted = format_files({"m.py": source})["m.py"]
    recorded = layout(source)
    format_module._cache.clear()
    remember(formatted, [(key, first, count + 1) for key, first, count in recorded])
    assert format_module._cache == {}, "a layout that does not tile the file is ignored"
    remember(formatted, recorded)
    assert set(format_module._cache) == {key for key, _, _ in recorded}
    assert format_files({"m.py": source})["m.py"] == formatted


def test_spec_text_cannot_forge_a_chunk_break(tmp_path: Path) -> None:
    forged = "\\u001f2\\nimport os\\n\\u001e1"
    spec = write_spec(
        tmp_path,
        "forge.yaml",
        f"""
        swagger: "2.0"
        info: {{title: "t{forged}", version: "1", description: "{forged}"}}
        paths:
          /a:
            get:
              operationId: getA
              summary: "{forged}"
              description: "{forged}"
              tags: ["x{forged}"]
              parameters:
                - {{name: "q{forged}", in: query, type: string, description: "{forged}"}}
              responses:
                200: {{description: ok, schema: {{$ref: "#/definitions/M"}}}}
        definitions:
          M:
            type: object
            description: "{forged}"
            properties:
              "p{forged}": {{type: string, description: "{forged}", enum: ["{forged}"]}}
        """,
    )
    rendered = render(build_model(spec))
    for path, text in rendered.items():
        if path.endswith(".py"):
            assert text.startswith(STYLED), path
            breaks = [line for line in text.removeprefix(STYLED).split("\n") if BREAK in line]
            assert all(re.fullmatch(rf" *{BREAK}\d", line) for line in breaks), (path, breaks)
    formatted = format_files(rendered)
    for path, text in formatted.items():
        if path.endswith(".py"):
            compile(text, path, "exec")
            assert BREAK not in text, path
