"""scaffold: a starter implementation of the server's handlers, written once and then the user's.

The generated server is regenerated at will; the implementation lives outside it (the
"generation gap"). ``scaffold`` writes that implementation's first version: a ``Handlers``
subclass with one ``@override`` per operation, the same keyword parameters and annotations as the
generated interface, each answering the operation's example response, and one verifier per
security scheme, refusing every credential until the user writes the check. It never overwrites
a file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .format import format_python
from .manifest import MANIFEST
from .model import Api
from .pipeline import Options, build_model
from .render import environment

TEMPLATE = "scaffold/handlers.py.jinja"
CLASS_NAME = "Implementation"


class ScaffoldError(ValueError):
    """The scaffold cannot be written where asked (not a ``.py`` file, or inside generated output)."""


def scaffold(path: Path, out: Path, options: Options = Options()) -> Path:
    """Write the starter implementation for the spec at ``path`` to the new file ``out``; its path.

    Raises ``FileExistsError`` when ``out`` exists (it is never overwritten, even by a file that
    appears while this runs), ``ScaffoldError`` (a ``ValueError``) when ``out`` is not a ``.py``
    file or lies inside a generated output folder, and ``SpecError`` when the spec cannot be
    generated.
    """
    out = Path(out)
    _check_target(out)
    text = render_scaffold(build_model(path, options), options.templates)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_new(out, text.encode("utf-8"))
    return out


def render_scaffold(api: Api, user_templates: Path | None = None) -> str:
    """The starter module's text, formatted."""
    basic = any(verifier.scheme.kind == "basic" for verifier in api.verifiers)
    server_names = ["BasicCredentials"] * basic + ["Handlers", "create_app"] + ["models"] * api.handlers_use_models
    text = environment(user_templates).get_template(TEMPLATE).render(
        api=api,
        class_name=CLASS_NAME,
        typing_names=[name for name in api.handlers_typing if name != "TypeVar"],
        server_names=server_names,
    )
    return format_python(TEMPLATE, text)


def _check_target(out: Path) -> None:
    if out.exists() or out.is_symlink():
        raise FileExistsError(f"{out} already exists: scaffold writes a new file only (the file is yours once written)")
    if out.suffix != ".py":
        raise ScaffoldError(f"{out}: the scaffold is a Python module; give a path ending in .py")
    folder = out.parent.resolve()
    for ancestor in (folder, *folder.parents):
        if (ancestor / MANIFEST).is_file():
            raise ScaffoldError(
                f"{out} is inside generated output ({ancestor}): regeneration would delete it; write it elsewhere"
            )


def _write_new(out: Path, data: bytes) -> None:
    """Create ``out`` with ``data``, atomically: a reader sees no file or the whole file, and a
    file that appears at ``out`` meanwhile is never replaced (``FileExistsError``)."""
    temporary = out.with_name(f".{out.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, out)  # fails if out exists: never clobbers
        except FileExistsError:
            raise FileExistsError(f"{out} already exists: scaffold writes a new file only (the file is yours once written)") from None
        except OSError:
            _write_exclusive(out, data)  # a file system without hard links
    finally:
        temporary.unlink(missing_ok=True)


def _write_exclusive(out: Path, data: bytes) -> None:
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        raise FileExistsError(f"{out} already exists: scaffold writes a new file only (the file is yours once written)") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
