"""The HTTP API against its own OpenAPI document: schemathesis generates requests for every
operation (valid ones, and invalid ones of every kind) and runs all its checks: no server
error, every status and content type declared, every response matching its schema, valid
data accepted and invalid data refused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from service_helpers import API_KEY, free_port, serve_api, service_env, stop


def test_every_operation_keeps_its_contract_under_generated_requests(tmp_path):
    cli = Path(sys.executable).parent / "schemathesis"
    if not cli.exists():
        if os.environ.get("CI"):
            pytest.fail("schemathesis is missing: it is in the test extra (scripts/setup --tests)")
        pytest.skip("schemathesis is not installed")
    # Thousands of requests from one address: the rate limit would answer most of them.
    env = service_env(tmp_path, POLICYQA_RATE_LIMIT="off")
    port = free_port()
    proc = serve_api(env, port, tmp_path / "server.log", probe="/v1/ready")
    try:
        run = subprocess.run(
            [
                str(cli),
                "run",
                f"http://127.0.0.1:{port}/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                "10",
                "--seed",
                "20261202",
                "--workers",
                "2",
                "--request-timeout",
                "60",
                "--header",
                f"X-API-Key: {API_KEY}",
                # No model server runs here, so every valid request for an unofficial rendering
                # answers its documented 503; tests/answer/test_generative.py drives that route
                # against a real llama.cpp server, and test_api.py checks its refusals.
                "--exclude-path",
                "/v1/render/stream",
                "--report",
                "junit",
                "--report-dir",
                str(tmp_path / "report"),
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        summary = run.stdout[-4000:]
        print(summary)
        assert run.returncode == 0 and " passed" in summary, summary
    finally:
        stop(proc)
        shutil.rmtree(tmp_path / ".hypothesis", ignore_errors=True)
