"""Example calls for the docs: a curl line and a client call (the values come from ``mockdata``)."""

from __future__ import annotations

import base64
import json
import shlex
from typing import Any
from urllib.parse import quote

from .model import Example, Parameter, TypeInfo
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
) -> Example:
    """A curl line and a client call for the same request."""
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
    curl = ["curl", "-X", method, url] + [x for h in headers for x in ("-H", h)]
    if body_arg is not None:
        curl += ["-H", "Content-Type: application/json", "-d", json.dumps(body, sort_keys=True)]
        args.append(f"{body_arg}={literal(body)}")
    call = f"{client_attr}.{group_attr}.{op_name}({', '.join(args)})"
    imports = sorted({typed.split(".")[0] for p in parameters if (typed := p.type.python_type) and "." in typed})
    return Example(curl=" ".join(shlex.quote(part) for part in curl), python=call, imports=tuple(imports))


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
