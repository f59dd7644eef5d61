"""The command line: thin wrappers that parse options, call the library and print. One module
per command group; this one assembles them."""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Annotated, Optional

import typer

from policyqa.cli import query
from policyqa.cli.common import load_settings, out
from policyqa.cli.compare import compare
from policyqa.cli.corpus import corpus_app
from policyqa.cli.index import index_app, models_app
from policyqa.cli.llm import llm_app
from policyqa.cli.relevance import relevance_app
from policyqa.cli.training import training_app
from policyqa.index.threads import usable_cpus
from policyqa.settings import METRICS_FOLDER_VARIABLE, metrics_folder

app = typer.Typer(help="policyqa: bilingual question answering over migration policy texts.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
app.add_typer(models_app, name="models")
app.add_typer(index_app, name="index")
app.add_typer(training_app, name="training")
app.add_typer(llm_app, name="llm")
app.add_typer(relevance_app, name="relevance")
app.command()(query.search)
app.command("eval")(query.eval_)
app.command()(query.ask)
app.command()(compare)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes (each loads the model)")] = 1,
    forwarded_allow_ips: Annotated[
        Optional[str],
        typer.Option(
            help="addresses of reverse proxies whose X-Forwarded-For is trusted, so rate limits see each client (default: 127.0.0.1)"
        ),
    ] = None,
) -> None:
    """Run the HTTP service (API under /v1, OpenAPI docs at /docs)."""
    import uvicorn

    settings = load_settings()  # each worker reads them again; checked here so a bad one is said once, plainly
    if workers > 1 and settings.model_threads is None:
        # Each worker holds its own encoder: with every one using all the cores they would
        # fight over them (measured: 2 workers on 2 cores served a third fewer requests).
        os.environ["POLICYQA_MODEL_THREADS"] = str(max(1, usable_cpus() // workers))
    if workers > 1 and metrics_folder() is None:
        # The workers add up their metrics through files in this folder; a fresh one per start,
        # as prometheus_client asks, so counts never carry over from an earlier run.
        os.environ[METRICS_FOLDER_VARIABLE] = tempfile.mkdtemp(prefix="policyqa-metrics-")
    out.print(f"policyqa on http://{host}:{port}/ (API /v1, docs /docs, metrics /metrics)")
    # access_log off: the app logs each request by its route, without the ids in its path.
    uvicorn.run(
        "policyqa_api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
