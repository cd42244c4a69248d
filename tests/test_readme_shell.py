"""The README's shell examples run as printed, in order, in a user's repository.

The scene the README sets: a git repository of the user's (``project/``), a clone of stubforge
beside it (``../stubforge``: a copy of this repository's sources), and the repository's virtual
environment active. Every ```sh block runs there with ``bash -euo pipefail``, one after the
other, so each sees what the ones before it made; the ```toml configuration example becomes the
project's ``[tool.stubforge]`` table where the README shows it. The one thing not as a user has
it is the network: the virtual environment also sees this test run's packages (``virtual_env``),
and pip is told to use only those (``PIP_NO_INDEX``, no build isolation).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT, virtual_env

README = ROOT / "README.md"
_BLOCK = re.compile(r"^```(?P<kind>sh|toml)\n(?P<text>.*?)^```\n", re.DOTALL | re.MULTILINE)


def blocks() -> list[tuple[str, str]]:
    return [(m["kind"], m["text"]) for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))]


def clone_of_stubforge(target: Path) -> None:
    """What a clone holds that installing stubforge reads."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    for folder in ("generator", "templates", "specs"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))


def user_environment(venv: Path) -> dict[str, str]:
    """The environment of a shell with ``venv`` activated (its ``pip`` a thin script here, as the
    environment is made without one), offline."""
    pip = venv / "bin" / "pip"
    pip.write_text(f'#!/bin/sh\nexec "{venv}/bin/python" -m pip "$@"\n', encoding="utf-8")
    pip.chmod(0o755)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))},
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "GIT_AUTHOR_NAME": "user",
        "GIT_AUTHOR_EMAIL": "user@example.com",
        "GIT_COMMITTER_NAME": "user",
        "GIT_COMMITTER_EMAIL": "user@example.com",
    }


def test_the_readme_has_the_examples_this_test_runs() -> None:
    kinds = [kind for kind, _ in blocks()]
    assert kinds.count("toml") == 1 and kinds.count("sh") >= 4
    text = "\n".join(text for _, text in blocks())
    for command in ("pip install ../stubforge", "stubforge init", "git diff generated/", "cp -r generated/", "--templates"):
        assert command in text


def test_the_shell_examples_run_as_printed_in_a_users_repository(tmp_path: Path) -> None:
    clone_of_stubforge(tmp_path / "stubforge")
    environment = user_environment(virtual_env(tmp_path / "venv").parent.parent)
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "1.0"\n', encoding="utf-8")

    def sh(script: str) -> str:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=project, env=environment, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{script}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done.stdout + done.stderr

    sh("git init -q && git add -A && git commit -qm start")
    spec = project / "specs" / "petstore.yaml"
    for kind, text in blocks():
        if kind == "toml":
            head = (project / "pyproject.toml").read_text(encoding="utf-8").partition("[tool.stubforge]")[0]
            (project / "pyproject.toml").write_text(head + text, encoding="utf-8")
            assert "up to date" in sh("stubforge generate && stubforge check")
        elif "git diff generated/" in text:
            sh("git add -A && git commit -qm generated")
            spec.write_text(spec.read_text(encoding="utf-8").replace("title: Pet Store", "title: Pet Store Two", 1), encoding="utf-8")
            assert "+# Pet Store Two" in sh(text)
        else:
            output = sh(text)
            if "myproject/vendor" in text:
                assert output.strip().endswith("Client")

    assert not [p for p in (project / "generated").rglob("*") if p.name == "build" or p.name.endswith(".egg-info")]
    shorter = (project / "generated" / "petstore" / "docs" / "README.md").read_text(encoding="utf-8")
    assert shorter.startswith("# Pet Store Two\n") and "- GET /pets: " in shorter
