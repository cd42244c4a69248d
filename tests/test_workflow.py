"""The conventions of the ecosystem: ``stubforge init`` in an existing repository, shell
completion through click, and the pre-commit hooks this repository defines."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT, run_stubforge

PETSTORE = ROOT / "specs" / "petstore.yaml"


def test_init_adds_config_specs_and_make_targets_to_an_existing_repository(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"', encoding="utf-8")
    (tmp_path / "Makefile").write_text("all:\n\techo all\ncheck:\n\tpytest\n", encoding="utf-8")

    first = run_stubforge("init", tmp_path)
    assert first.returncode == 0, first.stderr
    pyproject = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert pyproject.startswith('[project]\nname = "shop"\n\n[tool.stubforge]\n')
    makefile = (tmp_path / "Makefile").read_text(encoding="utf-8")
    assert makefile.startswith("all:\n\techo all\ncheck:\n\tpytest\n"), "the user's targets stay as they were"
    assert "stubforge-generate:" in makefile and "stubforge-check:" in makefile, "check is taken: prefixed names"
    assert (tmp_path / "specs").is_dir()

    second = run_stubforge("init", tmp_path)
    assert second.returncode == 0
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == pyproject
    assert (tmp_path / "Makefile").read_text(encoding="utf-8") == makefile
    assert second.stdout.count("left as it is") == 3


def test_the_make_targets_init_writes_generate_and_check(tmp_path: Path) -> None:
    assert run_stubforge("init", tmp_path).returncode == 0
    (tmp_path / "specs" / "petstore.yaml").write_bytes(PETSTORE.read_bytes())
    bin_folder = Path(sys.executable).parent
    environment = {**os.environ, "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}"}
    if not (bin_folder / "stubforge").is_file():
        (tmp_path / "bin").mkdir()
        shim = tmp_path / "bin" / "stubforge"
        shim.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m stubforge \"$@\"\n", encoding="utf-8")
        shim.chmod(0o755)
        environment["PATH"] = f"{tmp_path / 'bin'}{os.pathsep}{environment['PATH']}"
    made = subprocess.run(["make", "-s", "generate", "check"], cwd=tmp_path, env=environment, capture_output=True, text=True)
    assert made.returncode == 0, made.stdout + made.stderr
    assert (tmp_path / "generated" / "petstore" / "client" / "petstore_client" / "client.py").is_file()
    assert "generated/petstore: up to date" in made.stdout


def test_init_refuses_a_pyproject_that_is_not_toml_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    result = run_stubforge("init", tmp_path)
    assert result.returncode == 2
    assert "pyproject.toml: not valid TOML" in result.stderr
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == "[project\n"
    assert not (tmp_path / "specs").exists()


def test_shell_completion_names_the_commands_and_options() -> None:
    script = run_stubforge("completion", "bash")
    assert script.returncode == 0 and "_STUBFORGE_COMPLETE=bash_complete" in script.stdout

    def complete(words: str) -> list[str]:
        environment = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (not words.endswith(" "))), "_STUBFORGE_COMPLETE": "bash_complete"}
        done = subprocess.run([sys.executable, "-c", "from stubforge.cli import main; main()"], env=environment, capture_output=True, text=True)
        return done.stdout.split()

    assert complete("stubforge gen") == ["plain,generate"]
    assert "plain,--force" in complete("stubforge generate --f")


def test_the_pre_commit_hooks_run_check_and_generate(tmp_path: Path) -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"stubforge-check", "stubforge-generate"}
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python" and hook["pass_filenames"] is False
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "petstore.yaml").write_bytes(PETSTORE.read_bytes())

    def run(hook: str) -> subprocess.CompletedProcess[str]:
        command, *args = shlex.split(hooks[hook]["entry"])
        assert command == "stubforge"
        return run_stubforge(*args, cwd=tmp_path)

    assert run("stubforge-check").returncode == 1, "nothing generated yet: stale"
    assert run("stubforge-generate").returncode == 0
    assert run("stubforge-check").returncode == 0
    spec = tmp_path / "specs" / "petstore.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("title:", "title: Changed", 1), encoding="utf-8")
    assert run("stubforge-check").returncode == 1
    watched = re.compile(hooks["stubforge-check"]["files"])
    assert [p for p in ("specs/pets.yaml", "generated/pets/docs/index.html", "pyproject.toml", "README.md", "src/app.py") if watched.search(p)] == [
        "specs/pets.yaml",
        "generated/pets/docs/index.html",
        "pyproject.toml",
    ]
