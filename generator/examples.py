"""Example calls for the docs: a curl line and a client call (the values come from ``mockdata``)."""

from __future__ import annotations

import base64
import json
import shlex
from typing import Any
from urllib.parse import quote

from .model import Example, Parameter, SecurityScheme, TypeInfo
from .pysource import literal

def call_example(
    *,
    client_attr: str,
    group_attr: str,
    op_name: str,
    method: str,
    base_url: str,
    path: str,
    fixed_query: tuple[tuple[str, str], ...],
    fixed_headers: tuple[tuple[str, str], ...],
    parameters: tuple[Parameter, ...],
    body: Any,
    body_arg: str | None,
    credentials: tuple[SecurityScheme, ...] = (),
) -> Example:
    """A curl line and a client call for the same request; ``credentials`` (the operation's
    first security alternative) are read from environment variables (``SecurityScheme.variables``)
    by both: ``"Authorization: Bearer $TOKEN"``, ``api_key=os.environ["API_KEY"]``."""
    url_path = path
    query: list[str] = [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in fixed_query]
    headers: list[str] = [f"{k}: {v}" for k, v in fixed_headers]
    args: list[str] = []
    for param in parameters:
        value = param.example
        args.append(f"{param.py_name}={_python_value(param.type, value)}")
        wire_value = _wire_text(value)
        if param.location == "path":
            url_path = url_path.replace("{" + param.wire_name + "}", quote(wire_value, safe=""))
        elif param.location == "query":
            query.append(f"{quote(param.wire_name, safe='')}={quote(wire_value, safe='')}")
        elif param.location == "header":
            headers.append(f"{param.wire_name}: {wire_value}")
    url = base_url.rstrip("/") + quote(url_path, safe="/{}%") + ("?" + "&".join(query) if query else "")
    url_word: list[str | _Var] = [url]
    curl: list[str] = ["curl", "-X", shlex.quote(method)]
    client_args: list[str] = []
    for scheme in credentials:
        variables = [_Var(v) for v in scheme.variables]
        if scheme.kind == "basic":
            curl += ["-u", _shell_word([variables[0], ":", variables[1]])]
            client_args.append(f"{scheme.py_name}=({_environ(variables[0])}, {_environ(variables[1])})")
            continue
        client_args.append(f"{scheme.py_name}={_environ(variables[0])}")
        if scheme.kind == "bearer":
            curl += ["-H", _shell_word(["Authorization: Bearer ", variables[0]])]
        elif scheme.location == "header":
            curl += ["-H", _shell_word([f"{scheme.param_name}: ", variables[0]])]
        elif scheme.location == "cookie":
            curl += ["-b", _shell_word([f"{scheme.param_name}=", variables[0]])]
        else:
            url_word += ["&" if query else "?", f"{quote(scheme.param_name, safe='')}=", variables[0]]
            query.append(scheme.param_name)  # later keys join with "&"
    curl.insert(3, _shell_word(url_word))
    curl += [x for h in headers for x in ("-H", shlex.quote(h))]
    if body_arg is not None:
        curl += ["-H", shlex.quote("Content-Type: application/json"), "-d", shlex.quote(json.dumps(body, sort_keys=True))]
        args.append(f"{body_arg}={literal(body)}")
    call = f"{client_attr}.{group_attr}.{op_name}({', '.join(args)})"
    imports = sorted({typed.split(".")[0] for p in parameters if (typed := p.type.python_type) and "." in typed})
    return Example(curl=" ".join(curl), python=call, imports=tuple(imports), credentials=tuple(client_args))


class _Var(str):
    """An environment variable's name (letters, digits, ``_``) in a shell word."""


def _environ(variable: _Var) -> str:
    return f'os.environ["{variable}"]'


def _shell_word(parts: list[str | _Var]) -> str:
    """One shell word of literal text and ``$VARIABLE`` expansions: in double quotes where the
    text holds nothing the shell reads there (``$ ` " \\ !``), else that text single-quoted."""
    if not any(isinstance(part, _Var) for part in parts):
        return shlex.quote("".join(parts))
    pieces: list[tuple[bool, str]] = []  # (in double quotes, text)
    for index, part in enumerate(parts):
        if isinstance(part, _Var):
            following = parts[index + 1] if index + 1 < len(parts) else ""
            braced = following[:1].isalnum() or following[:1] == "_"
            pieces.append((True, f"${{{part}}}" if braced else f"${part}"))
        elif part and set(part) & set('$`"\\!\n'):
            pieces.append((False, shlex.quote(part)))
        elif part:
            pieces.append((True, part))
    out: list[tuple[bool, str]] = []
    for quoted, piece in pieces:
        if quoted and out and out[-1][0]:
            out[-1] = (True, out[-1][1] + piece)
        else:
            out.append((quoted, piece))
    return "".join(f'"{piece}"' if quoted else piece for quoted, piece in out)


def _python_value(type_: TypeInfo, value: Any) -> str:
    """An example value as Python source, of the type the client's argument takes."""
    typed = type_.python_type
    if typed in ("datetime.date", "datetime.datetime") and isinstance(value, str):
        return f"{typed}.fromisoformat({literal(value)})"
    if typed in ("uuid.UUID", "decimal.Decimal") and isinstance(value, (str, int, float)):
        return f"{typed}({literal(str(value))})"
    if typed == "bytes" and isinstance(value, str):
        return _bytes_literal(value, type_.format == "byte")
    return literal(value)


def _bytes_literal(text: str, base64_text: bool) -> str:
    """The bytes an example string stands for (base64 text is decoded), as a ``b"..."`` literal."""
    try:
        data = base64.b64decode(text, validate=True) if base64_text else text.encode()
    except ValueError:
        data = text.encode()
    plain = data.isascii() and data.decode().isprintable() and not set(data.decode()) & set('"\\')
    return f'b"{data.decode()}"' if plain else repr(data)


def _wire_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_wire_text(v) for v in value)
    return str(value)
