"""`policyqa llm serve`: the optional generative mode's local model server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from policyqa.cli.common import err, fail, out

llm_app = typer.Typer(help="The optional generative mode's local model server.", no_args_is_help=True)


@llm_app.command("serve")
def llm_serve(
    model: Annotated[str, typer.Option(help="qwen1.5b (default), smollm2, or the path of a .gguf file")] = "qwen1.5b",
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8080,
    n_ctx: Annotated[int, typer.Option(help="context window in tokens")] = 4096,
) -> None:
    """Run llama.cpp's OpenAI-compatible server on a model assembled from the registry."""
    import os

    from policyqa.index.weights_fetch import ModelFetchError
    from policyqa.llm import runtime as llm_runtime
    from policyqa.llm import weights as llm_weights

    try:
        import llama_cpp
    except ImportError:
        fail(
            "the generative mode is not installed: run `make llm` (scripts/setup --llm), which builds llama.cpp "
            "for this kind of CPU (about 10 minutes, once per machine)",
            1,
        )
        raise
    problem = llm_runtime.unsafe_here(Path(llama_cpp.__file__).parent)
    if problem:
        fail(problem, 1)
    try:
        path = llm_weights.resolve_model(model, progress=lambda m: err.print(m))
    except ModelFetchError as exc:
        fail(str(exc), 1)
        raise
    out.print(f"serving {path.name} on http://{host}:{port}/v1 (POLICYQA_LLM_BASE_URL)")
    threads = str(max(1, (os.cpu_count() or 2)))
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(path),
            "--host",
            host,
            "--port",
            str(port),
            "--n_ctx",
            str(n_ctx),
            "--n_threads",
            threads,
        ],
    )
