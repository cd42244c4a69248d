"""Conformance against a tool nobody here wrote, over real specs: schemathesis fuzzes the
generated server in mock mode against the OpenAPI document the server publishes.

The suite runs a few representative corpus specs through the same runner as the full sweep
(``tests/corpus_schemathesis.py``, ``make corpus``): generate into a temporary folder, start
``python -m <pkg>_server --port N --mock`` on 127.0.0.1, run ``schemathesis run --checks all``
in positive and negative mode, stop the server by its PID, and expect no failure. The checks
left off, each with its reason, are ``corpus_schemathesis.EXCLUDED_CHECKS``.
(test_conformance.py does the same for the seed spec, with more examples and every check.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, require_corpus
from corpus_schemathesis import Outcome, fuzz_spec, path_sample, short_id

MAX_EXAMPLES = 10

# A small representative set (the sweep covers every spec): what each one exercises.
SUITE_SPECS = [
    "swagger2/APIs-guru__openapi-directory__ebay.com_buy-feed_v1_beta.28.0_swagger.yaml",  # OAuth2, required headers
    "seed-genre/dzekelid__identities__aws-ec2--action-modifyidentityidformat-get.yaml",  # fixed query of two keys
    "seed-genre/dzekelid__me__aws-rds--actionresetdbparametergroup-get-openapi.yaml",  # 16 ops on one path
    "seed-genre/dzekelid__me__myspace-developers--1-0mediaitemspersonidvideossupportedcategoriescategoryid-get-openapi.yaml",  # header
    "seed-genre/dzekelid__me__loginradius--login-get-openapi.yaml",  # basePath is a URL
    "seed-genre/streamdata-gallery-topics__data__predix--v1collectionscollectionnameassetsassetid-delete-openapi.yaml",  # response key `2:`
    "swagger2/APIs-guru__openapi-directory__wmata.com_bus-route_1.0_swagger.yaml",  # enums of booleans and numbers in the query
    "oas3/googleapis.com__groupsmigration.json",  # OpenAPI 3, multipart upload
    "oas3/vtex.local__Message-Center-API.json",  # OpenAPI 3, JSON bodies
]


def explain(outcome: Outcome, workdir: Path) -> str:
    """Why a spec failed: the outcome, the end of schemathesis' output and of the server log."""
    parts = [f"{outcome.status}: {outcome.detail} {outcome.failures} {outcome.errors}"]
    for name in ("schemathesis.txt", "server.log"):
        if (workdir / name).is_file():
            parts.append(f"--- {name}\n" + (workdir / name).read_text(encoding="utf-8", errors="replace")[-5000:])
    return "\n".join(parts)


@pytest.mark.parametrize("name", SUITE_SPECS, ids=short_id)
def test_schemathesis_finds_no_failures_in_mock_mode(name: str, tmp_path: Path) -> None:
    require_corpus()
    outcome = fuzz_spec(CORPUS / name, tmp_path, max_examples=MAX_EXAMPLES)
    assert outcome.status == "ok", explain(outcome, tmp_path)
    assert outcome.fuzzed == outcome.operations > 0


def test_suite_specs_name_existing_files() -> None:
    require_corpus()
    assert len(set(SUITE_SPECS)) == len(SUITE_SPECS)
    assert not [name for name in SUITE_SPECS if not (CORPUS / name).is_file()]


def test_a_big_spec_is_fuzzed_on_paths_spread_over_it_within_the_cap() -> None:
    operations = [(f"/p{i}", method) for i in range(30) for method in ("get", "post")]
    paths = path_sample(operations, 10)
    assert paths == ["/p0", "/p6", "/p12", "/p18", "/p24"]
    assert path_sample([("/one", m) for m in ("get", "put", "post")], 2) == ["/one"]
