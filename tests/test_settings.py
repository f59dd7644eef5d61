"""The settings: defaults, parsing, refusals, the README's table, and that nothing else in the
program reads the environment."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest
from conftest import REPO

from policyqa.settings import (
    EMBEDDERS,
    PREFIX,
    REPO_ROOT,
    Settings,
    SettingsError,
    cache_dir,
    markdown_table,
    model_folder,
)

START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"
KEY = "k" * 16


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No POLICYQA_* variable and no XDG folders: what a fresh shell has. Returns the home."""
    for name in list(os.environ):
        if name.upper().startswith(PREFIX):
            monkeypatch.delenv(name)
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _refusal(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> str:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        Settings.from_env()
    message = str(caught.value)
    assert name in message and "\n" not in message
    return message


def test_the_readme_table_is_the_generated_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme.count(START) == 1 and readme.count(END) == 1, "the README lost its table markers"
    shown = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert shown == markdown_table(), "regenerate it: .venv/bin/python -m policyqa.settings"


def test_every_setting_is_described_and_in_the_table() -> None:
    table = markdown_table()
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert f"`{PREFIX}{name.upper()}`" in table


def test_defaults(clean_env: Path) -> None:
    settings = Settings.from_env()
    assert settings.catalog == REPO_ROOT / "corpus" / "catalog.toml"
    assert settings.local_dir == REPO_ROOT / "corpus" / "local"
    assert settings.local_catalog == REPO_ROOT / "corpus" / "local" / "catalog.toml"
    shared = REPO_ROOT.parent / "shared" / "corpus"
    assert settings.corpus_roots == (settings.local_dir,) + ((shared,) if shared.is_dir() else ())
    assert settings.index_dir == REPO_ROOT / "index"
    assert settings.cache_dir == cache_dir() == clean_env / ".cache" / "policyqa"
    assert settings.db == clean_env / ".local" / "share" / "policyqa" / "conversations.sqlite3"
    assert settings.embedder == "embeddinggemma-onnx" and settings.embedder in EMBEDDERS
    assert settings.embedding_model_dir is None
    assert (settings.api_key, settings.cors_origins, settings.rate_limit) == ("", (), "120/minute")
    assert (settings.llm_base_url, settings.llm_model, settings.llm_api_key) == ("http://127.0.0.1:8080/v1", "local", "not-needed")


def test_the_generative_defaults_agree_with_the_settings(clean_env: Path) -> None:
    from policyqa.answer.generative import LLMSettings

    assert LLMSettings.from_env() == LLMSettings()


def test_values_from_the_environment(clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "CATALOG": tmp_path / "c.toml",
        "LOCAL_CORPUS": tmp_path / "mine",
        "INDEX_DIR": "~/idx",
        "CACHE_DIR": tmp_path / "cache",
        "DB": tmp_path / "db.sqlite3",
        "EMBEDDER": "hashing",
        "EMBEDDING_MODEL_DIR": tmp_path / "gemma",
        "API_KEY": KEY,
        "RATE_LIMIT": "OFF",
        "LLM_BASE_URL": "https://llm.example.org/v1",
        "LLM_MODEL": "qwen",
        "LLM_API_KEY": "sk-1",
    }.items():
        monkeypatch.setenv(PREFIX + name, str(value))
    settings = Settings.from_env()
    assert settings.catalogs == (tmp_path / "c.toml",)
    assert settings.corpus_roots[0] == tmp_path / "mine"  # the default roots follow the local folder
    assert settings.index_dir == clean_env / "idx"
    assert (settings.cache_dir, settings.db) == (tmp_path / "cache", tmp_path / "db.sqlite3")
    assert settings.embedding_model_dir == model_folder(PREFIX + "EMBEDDING_MODEL_DIR") == tmp_path / "gemma"
    assert (settings.embedder, settings.api_key, settings.rate_limit) == ("hashing", KEY, "off")
    assert (settings.llm_base_url, settings.llm_model, settings.llm_api_key) == ("https://llm.example.org/v1", "qwen", "sk-1")
    assert KEY not in repr(settings) and "sk-1" not in repr(settings)  # secrets stay out of logs


def test_a_local_catalogue_is_read_too(clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "catalog.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("POLICYQA_LOCAL_CORPUS", str(tmp_path / "local"))
    assert Settings.from_env().catalogs == (REPO_ROOT / "corpus" / "catalog.toml", tmp_path / "local" / "catalog.toml")


def test_corpus_roots_are_split_on_the_path_separator(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_CORPUS_ROOTS", os.pathsep.join(["/a", " ", "~/b", "", "/c d"]))
    assert Settings.from_env().corpus_roots == (Path("/a"), clean_env / "b", Path("/c d"))
    monkeypatch.setenv("POLICYQA_CORPUS_ROOTS", "")
    assert Settings.from_env().corpus_roots == ()  # set but empty: no folder, as before


def test_cors_origins_are_split_on_commas(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_CORS_ORIGINS", " https://portal.example.org, ,http://localhost:3000,")
    assert Settings.from_env().cors_origins == ("https://portal.example.org", "http://localhost:3000")
    monkeypatch.setenv("POLICYQA_CORS_ORIGINS", "")
    assert Settings.from_env().cors_origins == ()


def test_empty_cache_and_database_mean_the_default(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_CACHE_DIR", "")
    monkeypatch.setenv("POLICYQA_DB", "")
    monkeypatch.setenv("POLICYQA_EMBEDDING_MODEL_DIR", " ")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("XDG_DATA_HOME", str(clean_env / "data"))
    settings = Settings.from_env()
    assert settings.cache_dir == clean_env / ".cache" / "policyqa"
    assert settings.db == clean_env / "data" / "policyqa" / "conversations.sqlite3"
    assert settings.embedding_model_dir is None and model_folder("POLICYQA_EMBEDDING_MODEL_DIR") is None


def test_the_environment_is_read_at_each_call(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_RATE_LIMIT", "5/second")
    assert Settings.from_env().rate_limit == "5/second"
    monkeypatch.setenv("POLICYQA_RATE_LIMIT", "7/minute")
    assert Settings.from_env().rate_limit == "7/minute"
    monkeypatch.setenv("POLICYQA_CACHE_DIR", "/elsewhere")
    assert cache_dir() == Path("/elsewhere")


def test_settings_are_frozen(clean_env: Path) -> None:
    settings = Settings.from_env()
    with pytest.raises(ValueError):
        settings.api_key = "x" * 20  # type: ignore[misc]


def test_a_malformed_rate_limit_is_refused(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, "POLICYQA_RATE_LIMIT", "lots")
    assert "'lots' is not a rate such as '120/minute'" in message


def test_an_unknown_embedder_is_refused(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, "POLICYQA_EMBEDDER", "bert")
    assert "'bert'" in message and "embeddinggemma, embeddinggemma-onnx, embeddinggemma-int8, hashing" in message


def test_a_short_api_key_is_refused_without_repeating_it(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, "POLICYQA_API_KEY", "secret-15-chars")
    assert "POLICYQA_API_KEY is too short" in message and "at least 16 characters" in message
    assert "secret-15-chars" not in message
    _refusal(monkeypatch, "POLICYQA_API_KEY", f" {KEY}")  # no client would send the space
    monkeypatch.setenv("POLICYQA_API_KEY", "test-key-0123456789")  # what the service tests use
    assert Settings.from_env().api_key == "test-key-0123456789"
    monkeypatch.setenv("POLICYQA_API_KEY", "")
    assert Settings.from_env().api_key == ""  # empty: the keyed routes are disabled


@pytest.mark.parametrize("url", ["", "/v1", "127.0.0.1:8080/v1", "ftp://127.0.0.1/v1", "http://"])
def test_an_llm_address_that_is_not_http_is_refused(clean_env: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    assert "is not an http(s) address" in _refusal(monkeypatch, "POLICYQA_LLM_BASE_URL", url)


def test_an_origin_with_a_path_is_refused(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "'https://portal.example.org/'" in _refusal(monkeypatch, "POLICYQA_CORS_ORIGINS", "https://portal.example.org/")
    _refusal(monkeypatch, "POLICYQA_CORS_ORIGINS", "portal.example.org")


def test_an_empty_path_is_refused(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "set but empty" in _refusal(monkeypatch, "POLICYQA_INDEX_DIR", " ")


def test_every_problem_is_named_on_one_line(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_EMBEDDER", "bert")
    monkeypatch.setenv("POLICYQA_RATE_LIMIT", "lots")
    with pytest.raises(ValueError, match=r"POLICYQA_EMBEDDER.*; POLICYQA_RATE_LIMIT"):
        Settings.from_env()


def test_the_command_line_says_which_variable_is_wrong(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from policyqa.cli.main import app

    monkeypatch.setenv("POLICYQA_RATE_LIMIT", "lots")
    for command in (["index", "status"], ["models", "verify"], ["search", "asile"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert "POLICYQA_RATE_LIMIT='lots'" in result.output and "Traceback" not in result.output


def test_the_service_says_which_variable_is_wrong(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from policyqa_api.app import create_app

    monkeypatch.setenv("POLICYQA_EMBEDDER", "bert")
    with pytest.raises(SystemExit) as caught:
        create_app()
    assert caught.value.code == 2
    assert capsys.readouterr().err.startswith("error: POLICYQA_EMBEDDER='bert' is not an embedder")


def test_every_model_variable_is_a_setting() -> None:
    from policyqa.index.weights import EMBEDDING_MODEL

    assert EMBEDDING_MODEL.env_var.removeprefix(PREFIX).lower() in Settings.model_fields


# --- only the settings module reads the environment ----------------------------------------

READER_CALLS = {"getenv", "getenvb"}


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read os.environ / os.getenv; `os.environ[name] = value` only writes."""
    written = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del))}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(alias.name in {"environ", "environb"} | READER_CALLS for alias in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
            if node.attr in READER_CALLS or (node.attr in ("environ", "environb") and id(node) not in written):
                lines.append(node.lineno)
    return sorted(lines)


def test_the_checker_tells_reads_from_writes() -> None:
    source = 'import os\nos.environ["A"] = "1"\nx = os.environ.get("B")\ny = os.getenv("C")\nz = os.environ["D"]\nfrom os import environ\n'
    assert _environment_reads(ast.parse(source)) == [3, 4, 5, 6]


def test_only_the_settings_module_reads_the_environment() -> None:
    allowed = REPO / "src" / "policyqa" / "settings.py"
    offenders = []
    for root in (REPO / "src" / "policyqa", REPO / "api"):
        for path in sorted(root.rglob("*.py")):
            if path == allowed:
                continue
            text = path.read_text(encoding="utf-8")
            lines = _environment_reads(ast.parse(text, filename=str(path)))
            # Indirect spellings that an AST walk of `os.<name>` would miss.
            lines += [
                n
                for n, line in enumerate(text.splitlines(), 1)
                if re.search(r"\bgetenv\(|environ\.get\(", line) and n not in lines and not line.lstrip().startswith("#")
            ]
            offenders += [f"{path.relative_to(REPO)}:{line}" for line in sorted(set(lines))]
    assert not offenders, "read the setting from policyqa.settings instead: " + ", ".join(offenders)
