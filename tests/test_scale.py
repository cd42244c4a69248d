"""Scale: generation cost grows linearly with the spec (``tests/bench.py`` prints the figures for
10,000 and 100,000 operations; timings are not asserted, the machine is shared). Here: a
2,000-operation spec generates whole, and what used to be quadratic stays correct."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench import synthetic_spec
from conftest import run_stubforge

from stubforge.names import Namespace


def test_a_spec_of_2000_operations_generates_every_operation(tmp_path: Path) -> None:
    spec = tmp_path / "big.json"
    spec.write_text(json.dumps(synthetic_spec(2000), indent=1), encoding="utf-8")
    result = run_stubforge("generate", spec, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "2000 operations" in result.stdout
    package = tmp_path / "out" / "big" / "client" / "big_client"
    # Each operation is one coroutine of an async Api class (page iterators and the
    # with_raw_response / with_streaming_response properties are plain methods).
    methods = [m for group in sorted((package / "api").glob("tag*.py")) for m in re.findall(r"^    async def ([a-z]\w*)\(", group.read_text(), re.M)]
    assert len(methods) == len(set(methods)) == 2000
    served = json.loads((tmp_path / "out" / "big" / "server" / "big_server" / "openapi.json").read_text())
    assert sum(len(item) for item in served["paths"].values()) == 2000


def test_a_name_claimed_many_times_gets_every_index_in_order() -> None:
    scope = Namespace()
    assert [scope.claim("get") for _ in range(5000)] == ["get"] + [f"get_{i}" for i in range(2, 5001)]


def test_an_index_claimed_directly_is_skipped_later() -> None:
    scope = Namespace()
    assert [scope.claim(n) for n in ("Get", "Get3", "Get", "Get", "Get", "list_", "list", "list")] == [
        "Get",
        "Get3",
        "Get2",
        "Get4",
        "Get5",
        "list_",
        "list",
        "list_2",
    ]
