"""Serve the Pet Store API: ``python -m petstore_server --port 8000 [--mock] [--handlers M:N [--strict]]``."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from .app import DEFAULT_MAX_BODY_SIZE, UnimplementedOperations, create_app


def _load(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    handlers = getattr(importlib.import_module(module_name), attribute or "handlers")
    return handlers() if isinstance(handlers, type) else handlers


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m petstore_server",
        description="Serve the API with uvicorn.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument(
        "--mock",
        action="store_true",
        help="answer every operation with example data (Prefer: code=N, example=NAME)",
    )
    parser.add_argument(
        "--handlers", metavar="MODULE:NAME", help="your Handlers subclass or instance"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse to start while an operation or verifier is missing (not checked with --mock)",
    )
    parser.add_argument(
        "--max-body-size",
        type=int,
        default=DEFAULT_MAX_BODY_SIZE,
        metavar="BYTES",
        help=f"larger request bodies answer 413 (default: {DEFAULT_MAX_BODY_SIZE})",
    )
    parser.add_argument(
        "--no-validate-responses",
        dest="validate_responses",
        action="store_false",
        help="send what handlers return without checking it against the spec",
    )
    args = parser.parse_args(argv)
    import uvicorn

    handlers = _load(args.handlers) if args.handlers else None
    try:
        app = create_app(
            handlers,
            mock=args.mock,
            strict=args.strict,
            max_body_size=args.max_body_size,
            validate_responses=args.validate_responses,
        )
    except UnimplementedOperations as exc:
        parser.error(str(exc))
    uvicorn.run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
