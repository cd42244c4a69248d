"""Hostile input, the output side: whatever names and text a spec holds, and whatever state the
disk is in, a run ends with exit 0 and packages that import and work everywhere, or with exit 2,
a located message and the previous output exactly as it was. Never a traceback.

Covers issue 9, items 6 (write failures, names too long for a file name, two specs sharing an
output folder) and 7 (pyproject.toml from any script, Windows device names, names that differ
only in case).
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner, Result
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import run_stubforge, snapshot, write_spec
from stubforge import names
from stubforge.cli import cli
from stubforge.pipeline import build_model
from stubforge.render import plan


def document(title: str = "Pets", tags: tuple[str, ...] = ("pets",), operation_ids: tuple[str, ...] = (), **info: str) -> dict[str, Any]:
    """An OpenAPI 3 spec with one GET operation per tag, each answering a small object (which
    the mock server fills with ``{"name": "string"}``)."""
    paths = {}
    for index, tag in enumerate(tags):
        operation_id = operation_ids[index] if index < len(operation_ids) else f"get{index}"
        answer = {"type": "object", "properties": {"name": {"type": "string"}}}
        paths[f"/things{index}"] = {
            "get": {"operationId": operation_id, "tags": [tag], "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": answer}}}}}
        }
    return {"openapi": "3.0.3", "info": {"title": title, "version": "1.0.0", **info}, "paths": paths}


def spec_file(folder: Path, name: str, spec: dict[str, Any]) -> Path:
    return write_spec(folder, name, json.dumps(spec, ensure_ascii=False))


def invoke(*args: str | Path) -> Result:
    """The CLI in this process, so that a test can make the disk fail under it."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_located_failure(result: Result, pattern: str) -> None:
    assert result.exit_code == 2, (result.output, result.exc_info)
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr
    assert re.search(pattern, result.stderr), result.stderr


def staging_leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob(".*")) if out.is_dir() else []


def import_generated(folder: Path, spec_name: str) -> tuple[Any, Any]:
    """The generated client and server packages of ``folder`` (``out/<spec_name>``)."""
    for part in ("client", "server"):
        path = str(folder / part)
        if path not in sys.path:
            sys.path.insert(0, path)
    return importlib.import_module(f"{spec_name}_client"), importlib.import_module(f"{spec_name}_server")


def mock_client(client_package: Any, server_package: Any, sent: list[Any] | None = None) -> Any:
    """A generated client talking in process to the generated server in mock mode; every
    request it sends is added to ``sent``."""
    from fastapi.testclient import TestClient

    http_client = TestClient(server_package.create_app(mock=True))
    http_client.event_hooks["request"].append((sent if sent is not None else []).append)
    return client_package.Client("http://testserver", http_client=http_client)


def call_every_operation(spec: Path, folder: Path) -> list[Any]:
    """Import the generated packages and call each operation through the mock server."""
    api = build_model(spec)
    client_package, server_package = import_generated(folder, api.spec_name)
    client = mock_client(client_package, server_package)
    return [getattr(getattr(client, group.attr), op.py_name)() for group in api.groups for op in group.operations]


def all_paths(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# --- 6. Write failures: exit 2, a located message, the previous output as it was -------------


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, Path, dict[str, tuple[bytes, int]]]:
    """A spec generated once, then changed: the spec, the output folder, and its snapshot."""
    spec = spec_file(tmp_path / "specs", "hostile_out_disk.json", document("Before"))
    out = tmp_path / "out"
    assert invoke("generate", spec, "--out", out).exit_code == 0
    spec_file(tmp_path / "specs", "hostile_out_disk.json", document("After", tags=("pets", "owners")))
    return spec, out, snapshot(out / "hostile_out_disk")


def failing_writes(after: int, error: OSError) -> Callable[..., Any]:
    """``Path.open`` under which ``after`` files are written, then writing fails with ``error``:
    a PermissionError when the file is created, anything else (disk full) when data is written."""
    real = Path.open
    written: list[Path] = []

    class Failing:
        def __init__(self, file: Any):
            self.file = file

        def __enter__(self) -> "Failing":
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, data: bytes) -> int:
            raise error

    def open_(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if not set(mode) & set("wxa"):
            return real(self, mode, *args, **kwargs)
        if len(written) < after:
            written.append(self)
            return real(self, mode, *args, **kwargs)
        if isinstance(error, PermissionError):
            raise error
        return Failing(real(self, mode, *args, **kwargs))

    return open_


@pytest.mark.parametrize("after", [0, 1, 5], ids=["first-file", "second-file", "sixth-file"])
def test_disk_full_while_writing_is_a_located_error(previous: Any, monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    spec, out, before = previous
    monkeypatch.setattr(Path, "open", failing_writes(after, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    result = invoke("generate", spec, "--out", out)
    assert_located_failure(result, rf"(?m)^{re.escape(str(out / 'hostile_out_disk'))}: error: cannot write the output folder: No space left on device")
    assert f"{spec}: not generated" in result.stderr
    assert snapshot(out / "hostile_out_disk") == before
    assert staging_leftovers(out) == []


def test_disk_full_when_flushing_to_disk_is_a_located_error(previous: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, out, before = previous

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)
    assert_located_failure(invoke("generate", spec, "--out", out), r"cannot write the output folder: No space left on device")
    assert snapshot(out / "hostile_out_disk") == before
    assert staging_leftovers(out) == []


def test_disk_full_on_the_first_run_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = spec_file(tmp_path, "hostile_out_first.json", document())
    monkeypatch.setattr(Path, "open", failing_writes(3, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    assert_located_failure(invoke("generate", spec, "--out", tmp_path / "out"), r"No space left on device")
    assert all_paths(tmp_path / "out") == []


def test_an_output_parent_that_is_a_file_is_a_located_error(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, "hostile_out_parent.json", document())
    (tmp_path / "notes").write_text("mine\n")
    result = run_stubforge("generate", spec, "--out", tmp_path / "notes" / "out")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(rf"(?m)^{re.escape(str(tmp_path / 'notes' / 'out' / 'hostile_out_parent'))}: error: cannot write the output folder: Not a directory", result.stderr), result.stderr
    assert (tmp_path / "notes").read_text() == "mine\n"


def test_an_output_folder_that_is_a_file_is_a_located_error(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, "hostile_out_file.json", document())
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "hostile_out_file").write_text("mine\n")
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "hostile_out_file: error: cannot write the output folder: a file or symbolic link is in the way" in result.stderr
    assert (tmp_path / "out" / "hostile_out_file").read_text() == "mine\n"
    assert staging_leftovers(tmp_path / "out") == []


def test_an_output_folder_that_is_a_symlink_is_refused_and_nothing_is_written_through_it(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, "hostile_out_link.json", document())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "hostile_out_link").symlink_to(elsewhere)
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "a file or symbolic link is in the way" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert (tmp_path / "out" / "hostile_out_link").is_symlink()


def test_an_output_option_naming_a_file_is_a_usage_error(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, "hostile_out_usage.json", document())
    (tmp_path / "notes").write_text("mine\n")
    result = run_stubforge("generate", spec, "--out", tmp_path / "notes")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "is a file" in result.stderr
    assert (tmp_path / "notes").read_text() == "mine\n"


def test_a_read_only_output_parent_is_a_located_error(previous: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated: tests may run as root, which writes to read-only folders anyway."""
    spec, out, before = previous

    def mkdtemp(**kwargs: Any) -> str:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(kwargs["dir"]))

    monkeypatch.setattr("stubforge.write.tempfile.mkdtemp", mkdtemp)
    assert_located_failure(invoke("generate", spec, "--out", out), rf"cannot write the output folder: Permission denied \({re.escape(str(out))}\)")
    assert snapshot(out / "hostile_out_disk") == before


def test_a_read_only_output_folder_is_a_located_error(previous: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated: the staging folder takes the output folder's mode, so writing in it fails."""
    spec, out, before = previous
    monkeypatch.setattr(Path, "open", failing_writes(0, PermissionError(errno.EACCES, os.strerror(errno.EACCES))))
    assert_located_failure(invoke("generate", spec, "--out", out), r"hostile_out_disk: error: cannot write the output folder: Permission denied")
    assert snapshot(out / "hostile_out_disk") == before
    assert staging_leftovers(out) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_output_folder_for_real(previous: Any) -> None:
    spec, out, before = previous
    folder = out / "hostile_out_disk"
    for path in (folder, out):
        path.chmod(0o555)
    try:
        result = run_stubforge("generate", spec, "--out", out)
    finally:
        for path in (out, folder):
            path.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Permission denied" in result.stderr
    assert snapshot(folder) == before


def test_an_orphan_that_cannot_be_removed_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec_file(tmp_path / "specs", "hostile_out_gone.json", document())
    monkeypatch.chdir(tmp_path)
    assert invoke("generate").exit_code == 0
    (tmp_path / "specs" / "hostile_out_gone.json").rename(tmp_path / "specs" / "hostile_out_kept.json")
    before = snapshot(tmp_path / "generated" / "hostile_out_gone")

    def rename_fails(folder: Path) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))

    monkeypatch.setattr("stubforge.pipeline.remove_tree", rename_fails)
    result = invoke("generate")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert re.search(r"hostile_out_gone: error: no spec produces it any more, but it cannot be removed: Permission denied", result.stderr), result.stderr
    assert snapshot(tmp_path / "generated" / "hostile_out_gone") == before


# --- 6. Names too long for a file name -------------------------------------------------------


def test_long_names_are_capped_with_a_stable_hash() -> None:
    long_a, long_b = "a" * 300 + "x", "a" * 300 + "y"
    for make, separator in ((names.snake, "_"), (names.attribute, "_"), (names.pascal, "")):
        first, second = make(long_a, "x"), make(long_b, "x")
        assert len(first) == len(second) == names.MAX_LENGTH
        assert first != second, "names that differ after the cut stay distinct"
        assert first == make(long_a, "x"), "the same name every run"
        assert re.fullmatch(rf"[Aa]a+{separator}[0-9a-f]{{8}}", first), first
    assert names.snake("b" * names.MAX_LENGTH, "x") == "b" * names.MAX_LENGTH, "names up to the limit are kept whole"
    assert len(names.constant("c" * 1000, "X")) == names.MAX_LENGTH


def test_a_long_package_name_is_capped() -> None:
    name = names.package_name("spec-" * 60)
    assert len(name) == names.MAX_LENGTH and name.isidentifier()


def test_identifiers_too_long_for_a_file_name_generate_working_packages(tmp_path: Path) -> None:
    tag_a, tag_b = "Tag" * 120 + "A", "Tag" * 120 + "B"
    operation = "getEverything" * 30
    stem = "hostile_out_" + "long" * 58  # 244 characters: the longest file name the disk takes for it
    spec = spec_file(tmp_path, stem + ".json", document(tags=(tag_a, tag_b), operation_ids=(operation, operation + "Else")))
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / names.package_name(stem)
    components = {part for path in all_paths(folder) for part in path.split("/")}
    assert max(len(part.encode()) for part in components) <= names.MAX_LENGTH + len("_client")
    modules = sorted((folder / "client" / f"{names.package_name(stem)}_client" / "api").glob("tag*.py"))
    assert len(modules) == 2, "two long tags that differ only at the end get two modules"
    assert [answer.name for answer in call_every_operation(spec, folder)] == ["string", "string"]


def test_long_wire_names_are_kept_whole_on_the_wire(tmp_path: Path) -> None:
    parameter, field = "filterBy" * 40, "someField" * 30
    spec = document(tags=("things",), operation_ids=("find",))
    operation = spec["paths"]["/things0"]["get"]
    operation["parameters"] = [{"in": "query", "name": parameter, "schema": {"type": "string"}}]
    operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"] = {field: {"type": "string"}}
    path = spec_file(tmp_path, "hostile_out_wire.json", spec)
    assert run_stubforge("generate", path, "--out", tmp_path / "out").returncode == 0
    client_package, server_package = import_generated(tmp_path / "out" / "hostile_out_wire", "hostile_out_wire")
    sent: list[Any] = []
    client = mock_client(client_package, server_package, sent)
    answer = client.things.find(**{names.snake(parameter, "param"): "v"})
    assert sent[0].url.params[parameter] == "v"
    assert getattr(answer, names.attribute(field, "field")) == "string"
    assert len(names.attribute(field, "field")) == names.MAX_LENGTH


# --- 6. Two specs, one output folder -----------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("pets.yaml", "pets.json"), ("pet-store.yaml", "pet_store.yaml"), ("Pets.yaml", "pets.yml"), ("a/shop.json", "b/shop.json")],
)
def test_two_specs_sharing_an_output_folder_are_refused_before_writing(tmp_path: Path, first: str, second: str) -> None:
    paths = [spec_file(tmp_path / "specs", name, document(title)) for name, title in ((first, "First"), (second, "Second"))]
    out = tmp_path / "out"
    result = run_stubforge("generate", *paths, "--out", out)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(rf"(?m)^{re.escape(str(paths[1]))}: error: writes the same output folder \(\w+\) as {re.escape(str(paths[0]))}", result.stderr), result.stderr
    assert not out.exists()


def test_specs_found_in_the_specs_folder_sharing_an_output_folder_leave_the_output_alone(tmp_path: Path) -> None:
    spec_file(tmp_path / "specs", "pets.yaml", document("One"))
    assert run_stubforge("generate", cwd=tmp_path).returncode == 0
    before = snapshot(tmp_path / "generated")
    spec_file(tmp_path / "specs", "pets.json", document("Two"))
    result = run_stubforge("generate", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "specs/pets.yaml: error: writes the same output folder (pets) as specs/pets.json" in result.stderr
    assert snapshot(tmp_path / "generated") == before
    assert run_stubforge("check", cwd=tmp_path).returncode == 2


def test_the_same_spec_named_twice_is_not_a_conflict(tmp_path: Path) -> None:
    spec = spec_file(tmp_path / "specs", "hostile_out_twice.json", document())
    result = run_stubforge("generate", spec, tmp_path / "specs" / ".." / "specs" / "hostile_out_twice.json", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr


# --- 7. pyproject.toml from any script ---------------------------------------------------------

SCRIPTS = {
    "arabic": "متجر الحيوانات الأليفة",
    "hebrew-rtl-marks": "\u200fחנות\u202e חיות \u202c\u200f",
    "cjk": "宠物商店 ペットストア",
    "emoji": "🐶🐱🐭",
    "combining": "Pe\u0301t\u0308s Z\u0336a\u0337l\u0338g\u0335o\u0334",
    "turkish": "İstanbul ıi İI",
    "quotes-and-controls": 'say "hi" \\ back\\slash\n\ttab \x00 nul \x7f del \x1b[31m \u2028 end """',
}


@pytest.mark.parametrize("text", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_pyproject_files_parse_and_keep_the_title_whatever_the_script(tmp_path: Path, text: str) -> None:
    spec = spec_file(tmp_path, "hostile_out_script.json", document(title=text, description=text))
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    for part, role in (("client", "Client for the"), ("server", "Server stub for the")):
        project = tomllib.loads((tmp_path / "out" / "hostile_out_script" / part / "pyproject.toml").read_text("utf-8"))["project"]
        assert project["name"] == f"hostile-out-script-{part}"
        assert project["description"] == f"{role} {' '.join(text.split())} API"


@pytest.mark.parametrize("text", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_a_spec_file_named_in_any_script_gives_an_ascii_package(tmp_path: Path, text: str) -> None:
    stem = re.sub(r"[\x00-\x1f\x7f/\\]", "", text)
    spec = spec_file(tmp_path, stem + ".json", document(title=text))
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp_path / "out").iterdir()
    assert folder.name.isascii() and folder.name.isidentifier() and folder.name == names.package_name(stem)
    for part in ("client", "server"):
        project = tomllib.loads((folder / part / "pyproject.toml").read_text("utf-8"))["project"]
        assert project["name"] == canonicalize_name(f"{folder.name}_{part}")
        assert Requirement(project["name"]).name == project["name"]
        assert str(Version(project["version"])) == project["version"]
        assert project["name"].isascii() and project["name"]
    assert len(call_every_operation(spec, folder)) == 1


def test_specs_named_only_in_other_scripts_get_distinct_packages() -> None:
    made = {names.package_name(stem) for stem in ("متجر", "חנות", "🐶", "🐱", "商店")}
    assert len(made) == 5
    assert all(re.fullmatch(r"api_[0-9a-f]{8}", name) for name in made)
    assert names.package_name("متجر") == names.package_name("متجر")


@pytest.mark.parametrize("package", ["class_", "a__b", "shop_v2_"])
def test_distribution_names_are_pep_503_normalised(package: str) -> None:
    made = names.distribution_name(package + "_client")
    assert made == canonicalize_name(made) and not made.endswith("-") and "--" not in made


def test_a_keyword_spec_name_gives_a_normalised_distribution(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, "class.json", document())
    assert run_stubforge("generate", spec, "--out", tmp_path / "out").returncode == 0
    project = tomllib.loads((tmp_path / "out" / "class_" / "client" / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] == "class-client"


# --- 7. File names Windows cannot hold, and names that differ only in case ---------------------

DEVICE_TAGS = ("CON", "Aux", "nul", "com1", "LPT9", "prn", "Con.txt")


def test_windows_device_names_are_recognised_in_any_case_and_with_any_extension() -> None:
    for name in ("con", "CON", "Con.py", "aux.tar.gz", "NUL", "com1.py", "COM9", "lpt1", "LPT9.txt", "prn", "nul .txt"):
        assert names.unportable(name) == "is a name Windows reserves for a device", name
    for name in ("console.py", "com10.py", "com0", "auxiliary", "con_.py", "nul_"):
        assert names.unportable(name) is None, name
    for name in ("a<b", "a>b", "a:b", 'a"b', "a|b", "a?b", "a*b", "dot.", "space ", "x" * 256):
        assert names.unportable(name) is not None, name


def test_tags_named_like_windows_devices_get_other_module_names(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, "hostile_out_devices.json", document(tags=DEVICE_TAGS))
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "hostile_out_devices"
    modules = sorted(p.name for p in (folder / "client" / "hostile_out_devices_client" / "api").iterdir())
    assert modules == ["__init__.py", "aux_.py", "com1_.py", "con_.py", "con_txt.py", "lpt9_.py", "nul_.py", "prn_.py"]
    assert [part for path in all_paths(folder) for part in path.split("/") if names.unportable(part)] == []
    assert [answer.name for answer in call_every_operation(spec, folder)] == ["string"] * len(DEVICE_TAGS)


@pytest.mark.parametrize("stem", ["con", "AUX", "Nul", "com3", "lpt1"])
def test_a_spec_named_like_a_windows_device_gets_another_folder(tmp_path: Path, stem: str) -> None:
    spec = spec_file(tmp_path, stem + ".json", document())
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == [stem.lower() + "_"]


def test_tags_that_differ_only_in_case_get_distinct_modules(tmp_path: Path) -> None:
    tags = ("Pets", "pets", "PETS", "pets_")
    spec = spec_file(tmp_path, "hostile_out_cases.json", document(tags=tags))
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "hostile_out_cases"
    paths = all_paths(folder)
    assert len({p.casefold() for p in paths}) == len(paths)
    modules = sorted(p.name for p in (folder / "client" / "hostile_out_cases_client" / "api").iterdir())
    assert modules == ["__init__.py", "pets.py", "pets_2.py", "pets_3.py", "pets_4.py"]
    assert [answer.name for answer in call_every_operation(spec, folder)] == ["string"] * len(tags)


@pytest.mark.parametrize(
    ("paths", "problem"),
    [
        (("client/x/api/pets.py", "client/x/api/Pets.py"), "the same on a case-insensitive file system"),
        (("client/x/a.py", "client/X/b.py"), "the same on a case-insensitive file system"),
        (("client/x/api/con.py",), "reserves for a device"),
        (("client/x/api/Aux.PY",), "reserves for a device"),
        (("client/x/api/what?.py",), "does not allow"),
        (("client/x/api/trailing.",), "ends with a dot"),
    ],
)
def test_a_generated_path_no_file_system_can_hold_is_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paths: tuple[str, ...], problem: str
) -> None:
    """The last check before writing: if names ever let such a path through, nothing is written."""
    spec = spec_file(tmp_path, "hostile_out_bug.json", document())
    out = tmp_path / "out"
    assert invoke("generate", spec, "--out", out).exit_code == 0
    before = snapshot(out)
    spec_file(tmp_path, "hostile_out_bug.json", document("Changed"))
    monkeypatch.setattr("stubforge.pipeline.plan", lambda *a, **k: {**plan(*a, **k), **{p: lambda: "x = 1\n" for p in paths}})
    result = invoke("generate", spec, "--out", out)
    assert_located_failure(result, rf"{re.escape(str(spec))}: error: internal error \(a bug in stubforge, please report it\): .*{problem}")
    assert snapshot(out) == before
