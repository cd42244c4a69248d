"""The command line, run the way a user runs it: exit codes, located messages, an output folder
that a bad spec never touches, ``check`` for stale output, and deterministic bytes."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import SEED, run_stubforge, snapshot, write_spec

SEED_FOLDER = "aws_cognito"


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The seed generated once into a fresh folder; tests that change it work on a copy."""
    out = tmp_path_factory.mktemp("cli") / "out"
    return out, run_stubforge("generate", SEED, "--out", out)


@pytest.fixture(scope="module")
def seed_out(seed_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    out, done = seed_run
    assert done.returncode == 0, done.stderr
    return out


def copy_of(seed_out: Path, tmp_path: Path) -> Path:
    """A copy of the generated seed with the same bytes and mtimes."""
    out = tmp_path / "out"
    shutil.copytree(seed_out, out, copy_function=shutil.copy2)
    assert snapshot(out) == snapshot(seed_out)
    return out


def listing(folder: Path) -> list[str]:
    """Every entry under ``folder``, hidden ones and folders included."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# --------------------------------------------------------------------------- generate and validate


def test_generate_the_seed(seed_out: Path) -> None:
    folder = seed_out / SEED_FOLDER
    assert sorted(p.name for p in folder.iterdir()) == [".stubforge-manifest.json", "client", "docs", "server"]
    for relative in (
        "client/pyproject.toml",
        "client/aws_cognito_client/__init__.py",
        "client/aws_cognito_client/client.py",
        "client/aws_cognito_client/py.typed",
        "server/aws_cognito_server/__init__.py",
        "server/aws_cognito_server/app.py",
        "server/aws_cognito_server/openapi.json",
        "docs/README.md",
        "docs/index.html",
    ):
        assert (folder / relative).is_file(), relative
    assert listing(seed_out) == [SEED_FOLDER] + [f"{SEED_FOLDER}/{p}" for p in listing(folder)], "no staging leftovers"


def test_the_manifest_lists_every_file_with_its_hash(seed_out: Path) -> None:
    folder = seed_out / SEED_FOLDER
    manifest = json.loads((folder / ".stubforge-manifest.json").read_text("utf-8"))
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {".stubforge-manifest.json"}
    assert set(manifest["files"]) == on_disk
    for path, digest in manifest["files"].items():
        assert hashlib.sha256((folder / path).read_bytes()).hexdigest() == digest, path
    assert manifest["inputs"]["files"] == {SEED.name: hashlib.sha256(SEED.read_bytes()).hexdigest()}


def test_generate_reports_what_it_did_and_its_warnings(seed_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, done = seed_run
    assert done.returncode == 0, done.stderr
    assert f"{out / SEED_FOLDER}: 5 operations" in done.stdout
    assert f"{SEED}:1: warning: document is framed by '---'" in done.stderr
    assert f"{SEED}:30: /paths/~1?Action=DeleteIdentities/get/responses/200: warning:" in done.stderr


def test_output_folder_permissions_follow_the_umask(seed_out: Path) -> None:
    folder = seed_out / SEED_FOLDER
    assert stat.S_IMODE(folder.stat().st_mode) == stat.S_IMODE((folder / "client").stat().st_mode)


def test_validate_the_seed_prints_located_warnings_and_writes_nothing(tmp_path: Path) -> None:
    done = run_stubforge("validate", SEED, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines, "the seed has warnings to report"
    located = re.compile(re.escape(str(SEED)) + r":\d+: ")
    assert all(located.match(line) for line in lines), lines
    assert f"{SEED}:1: warning: document is framed by '---'" in done.stderr
    assert f"{SEED}:30: /paths/~1?Action=DeleteIdentities/get/responses/200: warning: int mapping key" in done.stderr
    assert "5 operations" in done.stdout
    assert listing(tmp_path) == []


# --------------------------------------------------------------------------- bad input


BAD_SPECS = {
    "not-yaml": (": : :\n\t- [", r":1: error: not valid YAML or JSON"),
    "not-swagger": ("foo: bar\n", r":1: error: not a Swagger 2.0 or OpenAPI 3 document"),
    "remote-ref": (
        """\
        swagger: "2.0"
        info: {title: Remote, version: "1"}
        paths:
          /pets:
            get:
              responses:
                "200":
                  description: ok
                  schema:
                    $ref: "http://example.com/pet.yaml#/Pet"
        """,
        r":10: /paths/~1pets/get/responses/200/schema/\$ref: error: \$ref 'http://example.com/pet.yaml#/Pet' refused",
    ),
    "missing": (None, r": error: no such file"),
}


@pytest.mark.parametrize("case", list(BAD_SPECS))
def test_bad_input_exits_2_and_leaves_the_output_as_it_was(seed_out: Path, tmp_path: Path, case: str) -> None:
    out = copy_of(seed_out, tmp_path)
    before, entries = snapshot(out), listing(out)
    text, message = BAD_SPECS[case]
    bad = tmp_path / "elsewhere" / "aws-cognito.yaml"  # maps to the same output folder as the seed
    if text is not None:
        write_spec(bad.parent, bad.name, text)
    done = run_stubforge("generate", bad, "--out", out)
    assert done.returncode == 2, done.stdout + done.stderr
    assert re.search("^" + re.escape(str(bad)) + message, done.stderr, re.MULTILINE), done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(out) == before, "a bad spec changed the output folder"
    assert listing(out) == entries


@pytest.mark.parametrize("case", ["not-yaml", "missing"])
def test_validate_and_check_exit_2_on_bad_input(tmp_path: Path, case: str) -> None:
    text, message = BAD_SPECS[case]
    bad = tmp_path / "aws-cognito.yaml"
    if text is not None:
        write_spec(tmp_path, bad.name, text)
    for command in ("validate", "check"):
        args = [command, bad] + (["--out", tmp_path / "out"] if command == "check" else [])
        done = run_stubforge(*args)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert re.search("^" + re.escape(str(bad)) + message, done.stderr, re.MULTILINE), done.stderr
    assert not (tmp_path / "out").exists()


BROKEN_REF = """\
    swagger: "2.0"
    info: {title: Pets, version: "1"}
    paths:
      /pets:
        get:
          operationId: listPets
          responses:
            "200":
              description: ok
              schema:
                $ref: "#/definitions/Nope"
"""


def test_a_broken_local_ref_generates_with_a_located_warning(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "pets.yaml", BROKEN_REF)
    done = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert f"{spec}:11: /paths/~1pets/get/responses/200/schema/$ref: warning: broken $ref '#/definitions/Nope'" in done.stderr
    assert (tmp_path / "out" / "pets" / "client" / "pets_client" / "client.py").is_file()


def test_a_broken_local_ref_is_an_error_under_strict(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "pets.yaml", BROKEN_REF)
    out = tmp_path / "out"
    done = run_stubforge("generate", spec, "--out", out, "--strict")
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{spec}:11: /paths/~1pets/get/responses/200/schema/$ref: error: broken $ref '#/definitions/Nope'" in done.stderr
    assert snapshot(out) == {}
    assert not (out / "pets").exists()


# --------------------------------------------------------------------------- check


def test_check_passes_right_after_generate(seed_out: Path) -> None:
    before = snapshot(seed_out)
    done = run_stubforge("check", SEED, "--out", seed_out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "up to date" in done.stdout
    assert snapshot(seed_out) == before


EDITED = "client/aws_cognito_client/client.py"


def test_check_exits_1_and_names_each_edited_missing_and_extra_file(seed_out: Path, tmp_path: Path) -> None:
    out = copy_of(seed_out, tmp_path)
    folder = out / SEED_FOLDER
    edited = folder / EDITED
    edited.write_text(edited.read_text("utf-8") + "# edited by hand\n", encoding="utf-8")
    (folder / "docs" / "index.html").unlink()
    (folder / "client" / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = snapshot(out)
    done = run_stubforge("check", SEED, "--out", out)
    assert done.returncode == 1, done.stdout + done.stderr
    for kind, path in (("edited", EDITED), ("missing", "docs/index.html"), ("extra", "client/notes.txt")):
        assert re.search(rf"^\s*{kind}: {re.escape(path)}$", done.stdout, re.MULTILINE), (kind, done.stdout)
    assert f"--- a/{EDITED}" in done.stdout, "check shows a diff of the edited file"
    assert re.search(r"^-# edited by hand$", done.stdout, re.MULTILINE), done.stdout
    assert snapshot(out) == before, "check must not write"


# --------------------------------------------------------------------------- determinism


def test_two_generations_give_identical_bytes(seed_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONHASHSEED", "12345")
    other = tmp_path / "other"
    done = run_stubforge("generate", SEED, "--out", other)
    assert done.returncode == 0, done.stderr
    ours = {path: data for path, (data, _) in snapshot(seed_out).items()}
    theirs = {path: data for path, (data, _) in snapshot(other).items()}
    assert sorted(ours) == sorted(theirs)
    assert [p for p in ours if ours[p] != theirs[p]] == []


def test_regenerating_leaves_unchanged_files_untouched(seed_out: Path, tmp_path: Path) -> None:
    out = copy_of(seed_out, tmp_path)
    before, entries = snapshot(out), listing(out)
    done = run_stubforge("generate", SEED, "--out", out)
    assert done.returncode == 0, done.stderr
    assert snapshot(out) == before, "bytes and mtimes of unchanged files must stay"
    assert listing(out) == entries


def test_the_seed_generates_as_published_from_its_txt_name(tmp_path: Path) -> None:
    """The published file (``000_63439e04fa4aed2d.txt``: a .txt, ``---`` framed) generates as is."""
    published = tmp_path / "000_63439e04fa4aed2d.txt"
    published.write_bytes(SEED.read_bytes())
    result = run_stubforge("generate", published, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    package = tmp_path / "out" / "api_000_63439e04fa4aed2d"
    assert (package / "client" / "api_000_63439e04fa4aed2d_client" / "api" / "identities.py").is_file()
    assert f"{published}:1: warning:" in result.stderr
