"""Regeneration as a daily tool: the config, hand edits, check, the API change summary, custom
templates, and a fast loop (no work for an unchanged spec, Black only on files a change touched)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import run_stubforge, snapshot, write_spec

from stubforge import format as format_module
from stubforge import pipeline
from stubforge.cli import TerminalProgress, progress_line
from stubforge.config import Options

PETS = """
swagger: "2.0"
info: {title: Pets, version: "1.0"}
paths:
  /pets:
    get:
      tags: [pets]
      operationId: listPets
      parameters:
        - {name: limit, in: query, type: integer}
      responses:
        200: {description: ok, schema: {type: array, items: {$ref: "#/definitions/Pet"}}}
  /pets/{petId}:
    delete:
      tags: [pets]
      operationId: deletePet
      parameters:
        - {name: petId, in: path, required: true, type: string}
      responses:
        204: {description: gone}
  /orders:
    post:
      tags: [store]
      operationId: placeOrder
      parameters:
        - {name: quantity, in: query, type: integer}
      responses:
        200: {description: ok}
definitions:
  Pet:
    type: object
    required: [name]
    properties:
      name: {type: string}
      tag: {type: string}
"""


def edited(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's project: one spec in specs/, no config."""
    write_spec(tmp_path / "specs", "pets.yaml", PETS)
    return tmp_path


def generate_ok(*args: str | Path, cwd: Path) -> str:
    done = run_stubforge("generate", *args, cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


# --------------------------------------------------------------------------- config


def test_with_no_config_every_spec_in_specs_is_generated_into_generated(project: Path) -> None:
    write_spec(project / "specs", "shop.json", json.dumps({"swagger": "2.0", "info": {"title": "Shop", "version": "1"}, "paths": {}}))
    generate_ok(cwd=project)
    assert sorted(p.name for p in (project / "generated").iterdir()) == ["pets", "shop"]
    assert (project / "generated/pets/client/pets_client/api/store.py").is_file()


def test_the_config_names_specs_output_folder_packages_and_artefacts(project: Path) -> None:
    write_spec(project / "api", "pets-v2.yaml", PETS)
    write_spec(
        project,
        "pyproject.toml",
        """
        [project]
        name = "my-service"

        [tool.stubforge]
        output = "vendor/apis"

        [[tool.stubforge.specs]]
        path = "api/pets-v2.yaml"
        name = "petstore"
        client_package = "pets_sdk"
        server_package = "pets_api"
        artefacts = ["client", "docs"]
        """,
    )
    generate_ok(cwd=project)
    folder = project / "vendor/apis/petstore"
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == ["client", "docs"]
    assert (folder / "client/pets_sdk/api/pets.py").is_file()
    assert 'packages = ["pets_sdk"]' in (folder / "client/pyproject.toml").read_text()
    assert not (project / "generated").exists(), "specs/ is not generated when the config lists specs"


def test_a_spec_named_on_the_command_line_keeps_its_configured_settings(project: Path) -> None:
    write_spec(project, "pyproject.toml", '[[tool.stubforge.specs]]\npath = "specs/pets.yaml"\nname = "zoo"\nartefacts = ["docs"]\n')
    generate_ok("specs/pets.yaml", cwd=project)
    assert [p.name for p in (project / "generated/zoo").iterdir() if p.is_dir()] == ["docs"]


def test_a_bad_config_is_a_located_error_and_nothing_is_generated(project: Path) -> None:
    write_spec(
        project,
        "pyproject.toml",
        """
        [tool.stubforge]
        outptu = "x"

        [[tool.stubforge.specs]]
        path = "specs/pets.yaml"
        client_package = "my-client"
        artefacts = ["client", "tests"]
        templates = "nowhere"
        """,
    )
    done = run_stubforge("generate", cwd=project)
    assert done.returncode == 2
    config = "pyproject.toml"
    assert f"{config}:2: /tool/stubforge/outptu: error: unknown setting 'outptu'" in done.stderr
    assert f"{config}:6: /tool/stubforge/specs/0/client_package: error: 'my-client' must be a lower-case Python identifier" in done.stderr
    assert f"{config}:7: /tool/stubforge/specs/0/artefacts: error:" in done.stderr
    assert f"{config}:8: /tool/stubforge/specs/0/templates: error: 'nowhere' is not a folder" in done.stderr
    assert not (project / "generated").exists()


def test_make_generate_is_stubforge_generate_with_no_arguments() -> None:
    from conftest import ROOT

    makefile = (ROOT / "Makefile").read_text()
    assert "\t$(BIN)/stubforge generate\n" in makefile


# --------------------------------------------------------------------------- hand edits


def test_a_hand_edited_file_stops_generation_and_nothing_changes(project: Path) -> None:
    generate_ok(cwd=project)
    models = project / "generated/pets/client/pets_client/models.py"
    models.write_text(models.read_text() + "\nPATCHED = True\n")
    spec = project / "specs/pets.yaml"
    spec.write_text(edited(spec.read_text(), "operationId: placeOrder", "operationId: submitOrder"))
    before = snapshot(project / "generated")
    done = run_stubforge("generate", cwd=project)
    assert done.returncode == 1
    assert "generated/pets/client/pets_client/models.py: edited by hand" in done.stderr
    assert "--force" in done.stderr
    assert snapshot(project / "generated") == before

    generate_ok("--force", cwd=project)
    assert "PATCHED" not in models.read_text()
    assert "def submit_order" in (project / "generated/pets/client/pets_client/api/store.py").read_text()


def test_a_file_added_by_hand_in_the_output_stops_generation(project: Path) -> None:
    generate_ok(cwd=project)
    notes = project / "generated/pets/server/pets_server/my_handlers.py"
    notes.write_text("# my code\n")
    before = snapshot(project / "generated")
    done = run_stubforge("generate", "-q", cwd=project)
    assert done.returncode == 1
    assert "my_handlers.py: not written by stubforge" in done.stderr
    assert snapshot(project / "generated") == before


def test_files_the_new_run_no_longer_produces_are_removed_and_the_rest_keep_their_mtime(project: Path) -> None:
    generate_ok(cwd=project)
    store = project / "generated/pets/client/pets_client/api/store.py"
    runtime = project / "generated/pets/client/pets_client/_runtime.py"
    runtime_mtime = runtime.stat().st_mtime_ns
    spec = project / "specs/pets.yaml"
    spec.write_text(edited(spec.read_text(), "tags: [store]", "tags: [pets]"))
    generate_ok(cwd=project)
    assert not store.exists()
    assert runtime.stat().st_mtime_ns == runtime_mtime


def test_the_output_of_a_removed_spec_is_reported_by_check_and_removed_by_generate(project: Path) -> None:
    write_spec(project / "specs", "shop.yaml", PETS)
    generate_ok(cwd=project)
    (project / "specs/shop.yaml").rename(project / "specs/store.yaml")
    mine = project / "generated/unrelated"
    mine.mkdir()
    (mine / "keep.txt").write_text("not stubforge's\n")
    done = run_stubforge("check", cwd=project)
    assert done.returncode == 1
    assert "generated/shop: no spec produces it any more" in done.stdout
    out = generate_ok(cwd=project)
    assert "generated/shop: removed (no spec produces it any more)" in out
    assert sorted(p.name for p in (project / "generated").iterdir()) == ["pets", "store", "unrelated"]
    assert run_stubforge("check", cwd=project).returncode == 0


def test_a_removed_specs_output_with_hand_edits_is_kept_unless_forced(project: Path) -> None:
    write_spec(project / "specs", "shop.yaml", PETS)
    generate_ok(cwd=project)
    (project / "specs/shop.yaml").unlink()
    readme = project / "generated/shop/docs/README.md"
    readme.write_text("# my notes\n")
    done = run_stubforge("generate", cwd=project)
    assert done.returncode == 1 and "generated/shop/docs/README.md: edited by hand" in done.stderr
    assert readme.read_text() == "# my notes\n"
    generate_ok("--force", cwd=project)
    assert not (project / "generated/shop").exists()


# --------------------------------------------------------------------------- check


def test_check_names_stale_edited_missing_and_extra_files_with_a_diff(project: Path) -> None:
    generate_ok(cwd=project)
    folder = project / "generated/pets"
    spec = project / "specs/pets.yaml"
    spec.write_text(edited(spec.read_text(), "operationId: placeOrder", "operationId: submitOrder"))
    errors = folder / "client/pets_client/errors.py"
    errors.write_text(errors.read_text() + "# local fix\n")
    (folder / "docs/index.html").unlink()
    (folder / "docs/notes.md").write_text("mine\n")
    before = snapshot(folder)
    done = run_stubforge("check", cwd=project)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    for expected in ("stale: client/pets_client/api/store.py", "edited: client/pets_client/errors.py", "missing: docs/index.html", "extra: docs/notes.md"):
        assert f"  {expected}" in lines, done.stdout
    assert "+    def submit_order(" in done.stdout
    assert "-# local fix" in done.stdout
    assert snapshot(folder) == before


# --------------------------------------------------------------------------- API changes


def test_generate_prints_the_api_changes_since_the_previous_output(project: Path) -> None:
    generate_ok(cwd=project)
    spec = project / "specs/pets.yaml"
    text = edited(PETS, "        - {name: limit, in: query, type: integer}", "        - {name: limit, in: query, type: integer}\n        - {name: owner, in: query, type: string, required: true}")
    spec.write_text(textwrap.dedent(text))
    out = generate_ok(cwd=project)
    assert "BREAKING" in out and "list_pets(owner)" in out
    assert "1 change, 1 breaking" in out or "1 changes, 1 breaking" in out


def test_diff_lists_changes_and_exits_1_only_when_one_breaks(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", "pets.yaml", PETS)
    added = write_spec(tmp_path / "added", "pets.yaml", edited(PETS, "definitions:", "  /toys:\n    get:\n      operationId: listToys\n      responses:\n        200: {description: ok}\ndefinitions:"))
    removed = write_spec(tmp_path / "removed", "pets.yaml", PETS[: PETS.index("  /pets/{petId}:")] + PETS[PETS.index("  /orders:") :])
    done = run_stubforge("diff", old, added)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "added operation list_toys" in done.stdout
    done = run_stubforge("diff", old, removed)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BREAKING removed operation delete_pet" in done.stdout
    same = run_stubforge("diff", old, old)
    assert (same.returncode, same.stdout.strip()) == (0, "no API changes")


def test_diff_reads_the_api_an_output_folder_was_generated_from(project: Path) -> None:
    generate_ok(cwd=project)
    newer = write_spec(project / "next", "pets.yaml", edited(PETS, "      tag: {type: string}\n", ""))
    done = run_stubforge("diff", "generated/pets", newer, cwd=project)
    assert done.returncode == 1
    assert "BREAKING removed field Pet.tag" in done.stdout


def test_a_surface_recorded_in_an_older_format_is_not_compared(project: Path) -> None:
    """An output from a stubforge whose surface lacked what this one compares: the run works and
    prints no summary (rather than a wrong one); ``diff`` says to generate the folder again."""
    generate_ok(cwd=project)
    manifest = project / "generated/pets/.stubforge-manifest.json"
    recorded = json.loads(manifest.read_text())
    recorded["surface"]["format"] = 1
    manifest.write_text(json.dumps(recorded))
    done = run_stubforge("diff", "generated/pets", project / "specs/pets.yaml", cwd=project)
    assert done.returncode != 0 and "generate it again" in done.stderr
    spec = project / "specs/pets.yaml"
    spec.write_text(textwrap.dedent(edited(PETS, "      tag: {type: string}\n", "")))
    out = generate_ok(cwd=project)
    assert "files changed" in out and "removed field" not in out and "change" not in out.split("files changed")[1]


# --------------------------------------------------------------------------- custom templates


def test_user_templates_override_built_in_ones_by_relative_path_from_the_config(project: Path) -> None:
    write_spec(project / "my-templates" / "docs", "README.md.jinja", "# {{ api.title | md }} for our team\n{% for op in api.operations %}\n- {{ op.py_name }}\n{% endfor %}\n")
    write_spec(project, "pyproject.toml", '[tool.stubforge]\ntemplates = "my-templates"\n')
    generate_ok(cwd=project)
    readme = (project / "generated/pets/docs/README.md").read_text()
    assert readme == "# Pets for our team\n- list_pets\n- delete_pet\n- place_order\n"
    assert "<html" in (project / "generated/pets/docs/index.html").read_text(), "other templates stay built in"

    (project / "my-templates/docs/README.md.jinja").write_text("# changed\n")
    out = generate_ok(cwd=project)
    assert "up to date" not in out, "a changed template is a changed input"
    assert (project / "generated/pets/docs/README.md").read_text() == "# changed\n"


# --------------------------------------------------------------------------- the fast loop


@pytest.fixture
def fresh_format_cache(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Black's in-process cache emptied, as in a new process; returns the chunks Black formats."""
    monkeypatch.setattr(format_module, "_cache", {})
    formatted: list[str] = []
    real = format_module._format_chunk

    def spy(chunk: format_module.Chunk) -> str:
        formatted.append(chunk.source)
        return real(chunk)

    monkeypatch.setattr(format_module, "_format_chunk", spy)
    return formatted


def test_regenerating_an_unchanged_spec_reads_nothing_and_formats_nothing(project: Path, fresh_format_cache: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    spec, out = project / "specs/pets.yaml", project / "generated"
    pipeline.generate(spec, out)
    before = snapshot(out)
    fresh_format_cache.clear()
    monkeypatch.setattr(pipeline, "load_spec", lambda *a, **k: pytest.fail("an unchanged spec must not be read again"))
    spec.touch()
    outcome = pipeline.generate(spec, out)
    assert outcome.generated is None and outcome.changed_files == ()
    assert fresh_format_cache == []
    assert snapshot(out) == before


def test_a_one_operation_change_formats_only_the_code_it_affects(project: Path, fresh_format_cache: list[str]) -> None:
    """A parameter name long enough that its lines need Black: Black sees the chunks of the
    changed operation and nothing else (the rest is read back from the previous output)."""
    spec, out = project / "specs/pets.yaml", project / "generated"
    long_name = "quantity_" + "very_" * 12 + "long"
    pipeline.generate(spec, out)
    format_module._cache.clear()
    fresh_format_cache.clear()
    spec.write_text(edited(spec.read_text(), "{name: quantity, in: query, type: integer}", f"{{name: {long_name}, in: query, type: number}}"))
    outcome = pipeline.generate(spec, out)
    assert outcome.generated is not None
    assert fresh_format_cache, "the changed operation's long lines are formatted"
    for chunk in fresh_format_cache:
        assert "place_order" in chunk.lower(), chunk
    assert outcome.generated.formatted == len(fresh_format_cache)
    assert "client/pets_client/api/store.py" in outcome.changed_files
    assert "client/pets_client/api/pets.py" not in outcome.changed_files


def test_a_stale_format_cache_entry_from_an_edited_file_is_never_trusted(project: Path, fresh_format_cache: list[str]) -> None:
    """The previous files seed the cache only when their bytes match the manifest."""
    spec, out = project / "specs/pets.yaml", project / "generated"
    pipeline.generate(spec, out)
    runtime = out / "pets/client/pets_client/_runtime.py"
    runtime.write_text(runtime.read_text() + "# edited\n")
    format_module._cache.clear()
    spec.write_text(edited(spec.read_text(), "title: Pets", "title: Pet shop"))
    pipeline.generate(spec, out, force=True)
    assert "# edited" not in runtime.read_text()


def test_progress_shows_on_a_terminal_and_stays_quiet_in_ci_and_pipes(monkeypatch: pytest.MonkeyPatch, project: Path) -> None:
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    monkeypatch.delenv("CI", raising=False)
    assert TerminalProgress.wanted(quiet=False)
    assert not TerminalProgress.wanted(quiet=True)
    monkeypatch.setenv("CI", "true")
    assert not TerminalProgress.wanted(quiet=False)
    stages: list[str] = []
    pipeline.generate(project / "specs/pets.yaml", project / "generated", Options(), progress=lambda stage, done, total: stages.append(stage))
    assert stages[0] == "read" and "render" in stages and stages[-1] == "write"
    done = run_stubforge("generate", cwd=project)
    assert "\r" not in done.stderr and "\x1b" not in done.stderr


def test_progress_of_a_long_stage_shows_its_rate_and_the_time_left() -> None:
    assert progress_line("big.json", "read", 0, 1, 5.0) == "big.json: read"
    assert progress_line("big.json", "format", 10, 400, 0.5) == "big.json: format 10/400"
    assert progress_line("big.json", "format", 100, 400, 2.0) == "big.json: format 100/400 (50/s, about 6s left)"
    assert progress_line("big.json", "format", 400, 400, 8.0) == "big.json: format 400/400"


# --------------------------------------------------------------------------- scaffold on the command line


def test_scaffold_writes_the_starter_once_and_then_refuses(project: Path) -> None:
    done = run_stubforge("scaffold", "specs/pets.yaml", "--out", "app/handlers.py", cwd=project)
    assert done.returncode == 0, done.stderr
    starter = project / "app/handlers.py"
    text = starter.read_text()
    assert "from pets_server import Handlers, create_app" in text and "async def place_order(" in text
    starter.write_text(text + "# mine\n")
    again = run_stubforge("scaffold", "specs/pets.yaml", "--out", "app/handlers.py", cwd=project)
    assert again.returncode == 2
    assert "app/handlers.py already exists" in again.stderr
    assert starter.read_text().endswith("# mine\n")
