"""init: set stubforge up in an existing repository (``stubforge init``).

Adds what the daily loop needs and nothing else, each only when it is missing: a
``[tool.stubforge]`` table at the end of ``pyproject.toml`` (the file is created when there is
none), the ``specs/`` folder, and two Makefile targets that run ``stubforge generate`` and
``stubforge check`` (named ``stubforge-generate``/``stubforge-check`` when the Makefile already
has targets called ``generate`` or ``check``). Existing text is never rewritten, only appended
to, so running it twice changes nothing the second time.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

CONFIG_TABLE = """
[tool.stubforge]
# Every spec in specs/ is generated into generated/<name>/ (client, server, docs); list specs
# under [[tool.stubforge.specs]] to choose names and options (see stubforge's README).
output = "generated"
"""

MAKE_TARGETS = """
.PHONY: {generate} {check}
{generate}:  ## regenerate generated/ from the specs in specs/ (stubforge)
\tstubforge generate
{check}:  ## exit 1 when generated/ is not what the specs generate now (stubforge)
\tstubforge check
"""


class InitError(Exception):
    """A file that ``init`` would have to change is not what it expects (unreadable TOML)."""


@dataclass(frozen=True)
class Step:
    path: Path
    done: str  # what was done, or why nothing was


def init(root: Path) -> list[Step]:
    """Set up ``root`` (an existing repository's folder); what each step did."""
    return [_config(root / "pyproject.toml"), _specs(root / "specs"), _makefile(root / "Makefile")]


def _config(path: Path) -> Step:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InitError(f"{path}: not valid TOML ({exc}); add [tool.stubforge] by hand") from exc
    if "stubforge" in document.get("tool", {}):
        return Step(path, "already has [tool.stubforge]: left as it is")
    separator = "" if not text or text.endswith("\n") else "\n"
    path.write_text(text + separator + CONFIG_TABLE.lstrip("\n" if not text else ""), encoding="utf-8")
    return Step(path, "added [tool.stubforge]" if text else "created with [tool.stubforge]")


def _specs(path: Path) -> Step:
    if path.is_dir():
        return Step(path, "exists: left as it is")
    path.mkdir()
    return Step(path, "created: put your OpenAPI and Swagger specs (.yaml, .yml, .json) here")


def _makefile(path: Path) -> Step:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if re.search(r"^\t\s*stubforge generate\b", text, re.MULTILINE):
        return Step(path, "already runs stubforge generate: left as it is")
    taken = set(re.findall(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", text, re.MULTILINE))
    generate, check = ("stubforge-generate", "stubforge-check") if {"generate", "check"} & taken else ("generate", "check")
    separator = "" if not text or text.endswith("\n") else "\n"
    path.write_text(text + separator + MAKE_TARGETS.format(generate=generate, check=check).lstrip("\n" if not text else ""), encoding="utf-8")
    return Step(path, f"added the targets {generate} and {check}" if text else f"created with the targets {generate} and {check}")
