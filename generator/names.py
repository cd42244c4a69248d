"""Every Python identifier and file name the generator emits is made here, and only here.

Spec text is untrusted: whatever it holds, the result is a plain ASCII identifier that is not a
keyword, a soft keyword or a shadowed builtin, and never starts with a digit or an underscore. The
wire name always travels beside it in the model, so nothing is lost for serialization.

Names also become file and folder names (a spec's output folder and packages, a tag's module), so
they are short enough for every file system (``MAX_LENGTH``) and never a name Windows reserves for
a device (``con``, ``aux``, ``com1``, ...).
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
import unicodedata
from typing import Iterable

# Words: plural acronyms (IDs), acronyms before a capitalised word (HTTPServer), words with the
# digits that follow them (ipv6, S3), and leading digit runs (2fa).
_WORD = re.compile(r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z][a-z0-9]*|[A-Z]+[0-9]*|[0-9][a-z0-9]*")
# Letters that Unicode decomposition does not reduce to ASCII.
_TRANSLITERATE = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "Oe", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th"})
# Builtins and modules that annotations use: a class attribute of that name would hide them
# from later annotations in the class body (pydantic evaluates them there).
_TYPE_NAMES = {"bool", "bytes", "dict", "float", "int", "list", "str", "datetime", "decimal", "uuid"}
# Names linters refuse as too easily read as 1 or 0 (pycodestyle E741-E743, in ruff's defaults).
_AMBIGUOUS = {"l", "I", "O"}
_RESERVED = (
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | set(dir(builtins))
    | {"self", "cls", "true", "false", "null", "none"}
    | _AMBIGUOUS
)

#: The longest name made from spec text. A name becomes a file name (``<name>.py``, its compiled
#: ``<name>.cpython-311.pyc``, the output folder's ``.<name>.new-...`` staging twin), and file
#: names end at 255 bytes; no name in the corpus of real specs is longer (the longest has 161).
MAX_LENGTH = 200
_HASH_LENGTH = 8
# Names Windows gives to devices, in any case and with any extension: ``con.py`` cannot be created.
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"} | {f"{device}{n}" for device in ("com", "lpt") for n in [*"123456789", "¹", "²", "³"]}
)


def words(text: str) -> list[str]:
    """Split any text into lower-case ASCII words: ``getHTTPResponse2`` → get, http, response2."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode("ascii")
    found: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", ascii_text):
        found.extend(w.lower() for w in _WORD.findall(chunk))
    return found


def snake(text: str, fallback: str) -> str:
    """A snake_case identifier for ``text``; ``fallback`` names things that have no usable letters."""
    parts = words(text)
    name = "_".join(parts) if parts else fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    return _unreserved(_capped(name, "_"))


def attribute(text: str, fallback: str) -> str:
    """A snake_case attribute name (a model field): only hard keywords need escaping there,
    since an attribute shadows no builtin (``pet.id``, ``pet.type``)."""
    parts = words(text)
    name = "_".join(parts) if parts else fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    name = _capped(name, "_")
    taken = keyword.iskeyword(name) or name in FIELD_NAMES_TAKEN or name in _TYPE_NAMES or name in _AMBIGUOUS
    return name + "_" if taken else name


def pascal(text: str, fallback: str) -> str:
    """A PascalCase class name for ``text``."""
    parts = words(text)
    name = "".join(p[:1].upper() + p[1:] for p in parts) if parts else fallback
    if name[0].isdigit():
        name = fallback + name
    return _unreserved(_capped(name, ""))


def _capped(name: str, separator: str) -> str:
    """``name`` cut to ``MAX_LENGTH``, ending in a hash of the whole name so that long names
    that differ only after the cut stay distinct, the same way on every run."""
    if len(name) <= MAX_LENGTH:
        return name
    digest = hashlib.sha256(name.encode("ascii")).hexdigest()[:_HASH_LENGTH]
    keep = MAX_LENGTH - len(separator) - _HASH_LENGTH
    return f"{name[:keep].rstrip('_')}{separator}{digest}"


def constant(text: str, fallback: str) -> str:
    """An UPPER_SNAKE name, as for enum members."""
    return snake(text, fallback).rstrip("_").upper()


def _unreserved(name: str) -> str:
    return name + "_" if name in _RESERVED or keyword.iskeyword(name) else name


class Namespace:
    """Hands out unique names in one scope, deterministically: the first claimant keeps the name.

    A name the scope reserves for itself (``timeout`` among a method's arguments) becomes
    ``timeout_``; later claimants of a taken name get ``_2``, ``_3``, ... (``2``, ``3`` for
    class names).
    """

    def __init__(self, reserved: Iterable[str] = ()):
        self._reserved = frozenset(reserved)
        self._taken: set[str] = set(self._reserved)
        #: Per stem, the index to try first: every lower one is taken (names are never given
        #: back), so a name claimed 100,000 times costs no more than 100,000 distinct names.
        self._next_index: dict[tuple[str, str], int] = {}

    def claim(self, name: str) -> str:
        if name in self._reserved and name + "_" not in self._taken:
            name = name + "_"
        if name not in self._taken:
            self._taken.add(name)
            return name
        separator = "" if name[:1].isupper() else "_"
        stem = name.rstrip("_") or name
        index = self._next_index.get((stem, separator), 2)
        while f"{stem}{separator}{index}" in self._taken:
            index += 1
        self._next_index[stem, separator] = index + 1
        unique = f"{stem}{separator}{index}"
        self._taken.add(unique)
        return unique


def verifier_names(schemes: Iterable[str], operations: Iterable[str]) -> list[str]:
    """The server's verifier method for each security scheme (``api_key`` → ``verify_api_key``),
    in order. ``Handlers`` holds every operation too, so an operation's name is never taken:
    a scheme whose verifier would be called like an operation gets ``_2``."""
    taken = Namespace()
    for operation in operations:
        taken.claim(operation)
    return [taken.claim(snake(f"verify {scheme}", "verify")) for scheme in schemes]


def package_name(spec_stem: str) -> str:
    """The folder and import name for a spec: ``aws-cognito.yaml`` → ``aws_cognito``.

    A stem with no ASCII letters or digits (``متجر.yaml``, ``🚀.json``) gets ``api_`` and a hash
    of the stem, so that two such specs still get folders of their own.
    """
    if words(spec_stem) or not spec_stem.strip():
        name = snake(spec_stem, "api")
    else:
        name = "api_" + hashlib.sha256(spec_stem.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_LENGTH]
    return name + "_" if name in WINDOWS_DEVICE_NAMES else name


def distribution_name(package: str) -> str:
    """The PEP 503 normalised distribution name of an import package: ``a__b_client`` → ``a-b-client``."""
    return re.sub(r"[-_.]+", "-", package).strip("-").lower()


def unportable(component: str) -> str | None:
    """Why a file or folder name cannot be held on every common file system; None when it can."""
    if not component or component in (".", ".."):
        return "is empty or a relative step"
    if len(component.encode("utf-8")) > 255:
        return "is longer than 255 bytes"
    if re.search(r'[<>:"|?*\\/\x00-\x1f]', component):
        return "holds a character Windows does not allow in file names"
    if component[-1] in ". ":
        return "ends with a dot or a space"
    if component.split(".", 1)[0].rstrip(" ").lower() in WINDOWS_DEVICE_NAMES:
        return "is a name Windows reserves for a device"
    return None


# Names the generated code defines or imports itself, which spec-made names must not take.
#: An operation method's own names: ``self``, and its ``**options`` (``RequestOptions``' keys).
REQUEST_OPTIONS = {"extra_headers", "extra_query", "extra_body", "timeout", "max_retries"}
CLIENT_ARGUMENTS = {"self", "options"} | REQUEST_OPTIONS
CLIENT_CONSTRUCTOR_ARGUMENTS = {"self", "base_url", "timeout", "max_retries", "headers", "http_client"}
HANDLER_ARGUMENTS = {"self", "request"}
# Attributes of every client Api class besides its operations.
OPERATION_NAMES_TAKEN = {"with_raw_response", "with_streaming_response"}
# A group's attribute is also its module's file name (``api/<attr>.py``).
GROUP_ATTRIBUTES_TAKEN = {"close", "aclose", "base_url", "headers", "timeout", "max_retries", "http_client", "transport", "with_options"} | WINDOWS_DEVICE_NAMES
MODEL_NAMES_TAKEN = {
    "Any",
    "ApiError",
    "AsyncClient",
    "BaseModel",
    "Client",
    "ConfigDict",
    "Field",
    "Handlers",
    "Literal",
    "Model",
    "NotGiven",
    "Optional",
    "Union",
}
# Attributes of pydantic's BaseModel and of the client's dataclass models.
FIELD_NAMES_TAKEN = {
    "additional_properties",
    "construct",
    "copy",
    "dict",
    "from_dict",
    "from_orm",
    "json",
    "model_computed_fields",
    "model_config",
    "model_construct",
    "model_copy",
    "model_dump",
    "model_dump_json",
    "model_extra",
    "model_fields",
    "model_fields_set",
    "model_json_schema",
    "model_parametrized_name",
    "model_post_init",
    "model_rebuild",
    "model_validate",
    "model_validate_json",
    "model_validate_strings",
    "parse_file",
    "parse_obj",
    "parse_raw",
    "schema",
    "schema_json",
    "to_dict",
    "update_forward_refs",
    "validate",
}
