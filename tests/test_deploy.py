"""The deployment files (deploy/): what can be checked without a Docker daemon or systemd
running. The compose file's services and their wiring, the image's build steps, every
policyqa command they run, and the systemd unit through `systemd-analyze verify`."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import REPO

DEPLOY = REPO / "deploy"


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_replicas_on_postgresql_behind_a_tls_proxy():
    services = _compose()["services"]
    assert {"postgres", "api", "proxy", "indexer"} <= set(services)
    api = services["api"]
    replicas = re.fullmatch(r"\$\{POLICYQA_REPLICAS:-(\d+)\}", str(api["deploy"]["replicas"]))
    assert replicas and int(replicas[1]) >= 2
    assert api["environment"]["POLICYQA_DB"].startswith("postgresql://policyqa:") and "@postgres:5432/" in api["environment"]["POLICYQA_DB"]
    # Only the proxy is reachable from outside; the replicas share no disk, only the database.
    assert "ports" not in api and not any("/var/lib/policyqa" in v for v in api.get("volumes", []))
    assert api["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["postgres"]["image"].startswith("postgres:") and "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "443:443" in services["proxy"]["ports"]
    # The index is built by a process of its own, not by a serving replica.
    assert services["indexer"]["command"] == ["policyqa", "index", "build"] and services["indexer"]["profiles"] == ["tools"]
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert "dynamic a api 8000" in caddy and "health_uri /v1/ready" in caddy and "tls {$POLICYQA_TLS}" in caddy


def test_every_variable_compose_requires_is_in_the_example():
    required = set(re.findall(r"\$\{(\w+):\?", (DEPLOY / "compose.yaml").read_text(encoding="utf-8")))
    example = {line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines() if "=" in line}
    assert required and required <= example, required - example


def test_the_image_uses_cpu_torch_fetches_the_verified_model_and_runs_unprivileged():
    docker = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "--index-url https://download.pytorch.org/whl/cpu" in docker
    assert docker.index("policyqa models fetch") < docker.index("policyqa models verify") < docker.index("USER policyqa")
    assert re.search(r'^CMD \["policyqa", "serve"', docker, re.M)
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "index/*", "deploy/.env"} <= set(ignored)


def _commands() -> list[list[str]]:
    """Every `policyqa …` command line the deployment files run."""
    found = []
    for text in (DEPLOY / "Dockerfile").read_text(encoding="utf-8"), (DEPLOY / "policyqa.service").read_text(encoding="utf-8"):
        for match in re.finditer(r"policyqa(?:\", \"| )((?:models|index|serve)[^\n&\\]*)", text):
            words = re.sub(r'[",\[\]]', " ", match[1]).split()
            found.append(words[: words.index("#")] if "#" in words else words)
    found.append(_compose()["services"]["indexer"]["command"][1:])
    return found


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c[:2]))
def test_every_policyqa_command_they_run_exists_with_those_options(command):
    options = [w.split("=")[0] for w in command if w.startswith("--")]
    words = list(itertools.takewhile(lambda w: not w.startswith("-"), command))
    shown = subprocess.run([sys.executable, "-m", "policyqa.cli", *words, "--help"], capture_output=True, text=True, env={"COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    for option in options:
        assert option in shown.stdout, (command, option)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not on this machine")
def test_the_systemd_unit_verifies(tmp_path):
    unit = (DEPLOY / "policyqa.service").read_text(encoding="utf-8")
    # Pointed at this checkout's environment: verify checks that ExecStart's program exists.
    local = tmp_path / "policyqa.service"
    local.write_text(unit.replace("/opt/policyqa/.venv/bin/policyqa", str(REPO / ".venv" / "bin" / "policyqa")), encoding="utf-8")
    checked = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert re.search(r"^ExecStart=\S+ serve .*--workers [2-9]", unit, re.M)
