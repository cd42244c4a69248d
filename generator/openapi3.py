"""OpenAPI 3.0 and 3.1 → the intermediate model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from . import names
from .diagnostics import Level
from .load import LoadedSpec
from .model import Api, Body, Location, Parameter, Response, SecurityScheme, TypeInfo
from .normalize import Normalizer, oauth_flow
from .schemas import text

_LOCATIONS: dict[str, Location] = {"path": "path", "query": "query", "header": "header", "cookie": "cookie"}
_DEFAULT_STYLES = {"path": "simple", "header": "simple", "query": "form", "cookie": "form"}
#: Header parameters OpenAPI 3 says are ignored, with what says the header's value instead.
_IGNORED_HEADERS = {
    "accept": "the responses' media types say it",
    "content-type": "the request body's media type says it",
    "authorization": "the security schemes say it",
}
_UNGENERATED = {"callbacks": "callbacks are not generated", "links": "links are not generated"}


def normalize(spec: LoadedSpec, spec_name: str) -> Api:
    return OpenApi3(spec, spec_name, model_prefix="#/components/schemas/").normalize()


def media_rank(content_type: str) -> int:
    """Which of several media types to use: JSON first, then forms, binary, text, anything. A
    form is ``application/x-www-form-urlencoded`` itself: a made-up ``multipart/x-www-form-urlencoded``
    (soundcloud.com) is no form a client knows how to send."""
    lowered = content_type.lower()
    for rank, marker in enumerate(("json", "application/x-www-form-urlencoded", "multipart/form-data", "octet-stream", "text/")):
        if marker in lowered:
            return rank
    return 9


def pick_media(content: Any) -> tuple[str | None, dict[str, Any]]:
    if not isinstance(content, dict) or not content:
        return None, {}
    chosen = min(content, key=lambda c: (media_rank(str(c)), list(content).index(c)))
    media = content[chosen]
    return str(chosen), media if isinstance(media, dict) else {}


@dataclass
class OpenApi3(Normalizer):
    def named_schemas(self) -> dict[str, Any]:
        components = self.doc.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        if schemas is not None and not isinstance(schemas, dict):
            self.warn(Level.WARNING, "/components/schemas", "'components.schemas' is not a mapping; ignored")
            return {}
        if isinstance(self.doc.get("webhooks"), dict) and self.doc["webhooks"]:
            self.warn(Level.WARNING, "/webhooks", f"{len(self.doc['webhooks'])} webhooks are not generated")
        return schemas or {}

    def base_url_and_path(self) -> tuple[str, str]:
        servers = self.doc.get("servers")
        server = servers[0] if isinstance(servers, list) and servers and isinstance(servers[0], dict) else {}
        url = text(server.get("url"))
        variables = server.get("variables")
        variables = variables if isinstance(variables, dict) else {}
        for name, variable in variables.items():
            default = text(variable.get("default")) if isinstance(variable, dict) else ""
            url = url.replace("{" + name + "}", default)
        if re.search(r"[{}\s]", url):
            self.warn(Level.WARNING, "/servers/0/url", f"server URL {url!r} has unresolved variables; give base_url yourself")
            return "", ""
        parsed = urlparse(url)
        base_path = parsed.path.rstrip("/")
        base_path = "/" + base_path.lstrip("/") if base_path else ""
        if parsed.scheme in ("http", "https") and parsed.netloc:
            return url.rstrip("/"), base_path
        return "", base_path

    def raw_security_schemes(self) -> tuple[dict[str, Any], str]:
        components = self.doc.get("components")
        raw = components.get("securitySchemes") if isinstance(components, dict) else None
        return (raw if isinstance(raw, dict) else {}), "/components/securitySchemes"

    def scheme(self, name: str, raw: dict[str, Any], py_name: str, pointer: str) -> SecurityScheme | None:
        kind = text(raw.get("type"))
        description = text(raw.get("description"))
        if kind == "apiKey":
            return self.api_key_scheme(name, raw, py_name, pointer, ("header", "query", "cookie"))
        if kind == "http":
            http_scheme = text(raw.get("scheme")).lower()
            if http_scheme == "basic":
                return SecurityScheme(name, py_name, "basic", "header", "Authorization", description, kind)
            if http_scheme == "bearer":
                bearer_format = text(raw.get("bearerFormat"))
                return SecurityScheme(name, py_name, "bearer", "header", "Authorization", description, kind, bearer_format=bearer_format)
            self.warn(Level.WARNING, pointer, f"HTTP auth scheme {http_scheme!r} is not supported; ignored")
            return None
        if kind == "oauth2":
            flows = raw.get("flows")
            listed = flows.items() if isinstance(flows, dict) else ()
            made = tuple(oauth_flow(text(flow), value) for flow, value in listed if isinstance(value, dict))
            return SecurityScheme(name, py_name, "bearer", "header", "Authorization", description, kind, flows=made)
        if kind == "openIdConnect":
            url = text(raw.get("openIdConnectUrl"))
            return SecurityScheme(name, py_name, "bearer", "header", "Authorization", description, kind, openid_url=url)
        self.warn(Level.WARNING, pointer, f"security scheme {name!r} of type {kind!r} is not supported; ignored")
        return None

    def parameter(self, param: dict[str, Any], where: str, context: str, py_args: names.Namespace) -> Parameter | None:
        location, wire = text(param["in"]), text(param["name"])
        if location not in _LOCATIONS:
            self.warn(Level.WARNING, where + "/in", f"unknown parameter location {location!r}; skipped")
            return None
        if location == "header" and wire.lower() in _IGNORED_HEADERS:
            what = _IGNORED_HEADERS[wire.lower()]
            self.warn(Level.WARNING, where + "/name", f"header parameter {wire!r} is ignored, as OpenAPI 3 says: {what}; skipped")
            return None
        schema = param.get("schema")
        style = text(param.get("style")) or _DEFAULT_STYLES[location]
        if not isinstance(schema, dict):
            media_type, media = pick_media(param.get("content"))
            schema = media.get("schema")
            if media_type is not None:
                style = "json" if "json" in media_type else style
            if not isinstance(schema, dict):
                self.warn(Level.WARNING, where, f"parameter {wire!r} has no schema; read as a string")
                schema = {"type": "string"}
        required = bool(param.get("required"))
        if location == "path" and not required:
            self.warn(Level.WARNING, where, f"path parameter {wire!r} is not marked required; it is required")
            required = True
        explode = param.get("explode")
        type_ = self.converter.convert(schema, where + "/schema", context + names.pascal(wire, "Param"))
        return Parameter(
            wire_name=wire,
            py_name=py_args.claim(names.snake(wire, "param")),
            location=_LOCATIONS[location],
            type=self.with_examples(type_, self.media_examples(param, where), "request"),
            required=required,
            description=text(param.get("description")),
            style=style,
            explode=bool(explode) if explode is not None else style == "form",
            example=None,
            default=schema.get("default"),
            deprecated=param.get("deprecated") is True,
        )

    def body(self, op: dict[str, Any], pointer: str, context: str, py_args: names.Namespace, params: list[tuple[dict[str, Any], str]]) -> Body | None:
        raw, ref_pointer = self.deref(op.get("requestBody"))
        where = ref_pointer or pointer + "/requestBody"
        if not isinstance(raw, dict):
            if "requestBody" in op:
                self.warn(Level.WARNING, where, "request body is not a mapping (or a broken $ref); not sent")
            return None
        content_type, media = pick_media(raw.get("content"))
        if content_type is None:
            self.warn(Level.WARNING, where, "request body has no content; not sent")
            return None
        schema = media.get("schema")
        if isinstance(schema, dict) and schema:
            type_ = self.converter.convert(schema, f"{where}/content/{names_escape(content_type)}/schema", context + "Body")
        elif media_rank(content_type) == 3:
            type_ = TypeInfo("string", format="binary")
        else:
            type_ = TypeInfo("any")
        type_ = self.with_examples(type_, self.media_examples(media, f"{where}/content/{names_escape(content_type)}"), "request")
        return Body(py_args.claim("body"), content_type, type_, bool(raw.get("required")), text(raw.get("description")), None)

    def response(self, op: dict[str, Any], status: str, raw: dict[str, Any], pointer: str, context: str) -> Response:
        content_type, media = pick_media(raw.get("content"))
        schema = media.get("schema")
        type_: TypeInfo | None = None
        if content_type is not None:
            if isinstance(schema, dict) and schema:
                type_ = self.converter.convert(schema, f"{pointer}/content/{names_escape(content_type)}/schema", context + "Response")
            else:
                type_ = TypeInfo("any")
            named = self.media_examples(media, f"{pointer}/content/{names_escape(content_type)}")
            response = Response(status, text(raw.get("description")), type_, content_type, None, examples=self.fitting_examples(named, type_, "response"))
            self.check_media_type(content_type, response.server_media_type, f"{pointer}/content/{names_escape(content_type)}")
            return response
        return Response(status, text(raw.get("description")), type_, content_type, None)

    def media_examples(self, media: dict[str, Any], where: str) -> list[tuple[str, Any, str]]:
        """A media type's (or parameter's) examples as (name, value, pointer): ``example`` is
        named "example"; each of ``examples`` by its key (``externalValue`` ones are not read)."""
        found = [("example", media["example"], where + "/example")] if "example" in media else []
        examples = media.get("examples")
        for name, example in examples.items() if isinstance(examples, dict) else ():
            example, _ = self.deref(example)
            if isinstance(example, dict) and "value" in example:
                found.append((str(name), example["value"], f"{where}/examples/{names_escape(str(name))}"))
        return found

    def extra_operation_warnings(self, op: dict[str, Any], pointer: str) -> None:
        for key, message in _UNGENERATED.items():
            if op.get(key):
                self.warn(Level.WARNING, f"{pointer}/{key}", message)
        responses = op.get("responses")
        responses = responses if isinstance(responses, dict) else {}
        for status, response in responses.items():
            if isinstance(response, dict) and response.get("links"):
                self.warn(Level.WARNING, f"{pointer}/responses/{status}/links", "links are not generated")


def names_escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
