"""Conformance against a tool nobody here wrote: schemathesis fuzzes the generated server
(mock mode, on 127.0.0.1) against the OpenAPI document it publishes. Every check is on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import free_port


@pytest.fixture
def mock_server(seed_output: Path, tmp_path: Path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(seed_output / "server")}
    process = subprocess.Popen(
        [sys.executable, "-m", "aws_cognito_server", "--port", str(port), "--mock"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base_url + "/openapi.json", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "mock server did not start"
                time.sleep(0.1)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def test_schemathesis_finds_no_failures_in_mock_mode(mock_server: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "run", mock_server + "/openapi.json",
            "--checks", "all", "--max-examples", "100", "--workers", "1",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout
