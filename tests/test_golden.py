"""The committed generated/ is the golden record: it must be exactly what the specs generate now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import GENERATED, ROOT, run_stubforge
from stubforge.config import default_name
from stubforge.pipeline import generate_files


def test_generated_output_is_current() -> None:
    result = run_stubforge("check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_full_generation_matches_the_committed_output_byte_for_byte() -> None:
    """``check`` trusts the manifest when no input changed; this regenerates everything."""
    for spec in sorted((ROOT / "specs").iterdir()):
        folder = GENERATED / default_name(spec)
        files = generate_files(spec).files
        on_disk = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        assert on_disk == {path: text.encode() for path, text in files.items()}


def test_every_spec_has_its_output_folder_and_nothing_else() -> None:
    specs = sorted((ROOT / "specs").glob("*.y*ml")) + sorted((ROOT / "specs").glob("*.json"))
    assert {default_name(s) for s in specs} == {p.name for p in GENERATED.iterdir() if p.is_dir()}


def test_seed_is_the_published_file_byte_for_byte() -> None:
    seed = ROOT.parent / "shared" / "seed" / "000_63439e04fa4aed2d.txt"
    if seed.exists():
        assert (ROOT / "specs" / "aws-cognito.yaml").read_bytes() == seed.read_bytes()


def test_generated_packages_pass_mypy_strict(seed_output: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "mypy"),
            "client/aws_cognito_client", "server/aws_cognito_server",
        ],
        cwd=seed_output,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
