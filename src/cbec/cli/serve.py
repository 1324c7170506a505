"""`cbec serve`: run the API and web pages."""

from __future__ import annotations

import os

import typer

from cbec.cli.state import state


def register(app: typer.Typer) -> None:
    """Add the `serve` command."""

    @app.command("serve")
    def serve(
        host: str = "127.0.0.1",
        port: int = 8000,
        workers: int = typer.Option(
            1, min=1, max=64, help="Server processes; more than one builds each from the environment's settings."
        ),
    ) -> None:
        """Serve the REST API, POST /ceb and the web pages."""
        import uvicorn

        from cbec.storage.engine import server_warnings

        for warning in server_warnings(state.context().engine):
            typer.echo(f"warning: {warning}", err=True)
        if workers == 1:
            from cbec.api.app import create_app

            uvicorn.run(create_app(state.context()), host=host, port=port, log_level="info")
            return
        # Each worker process builds its own context (engine, pool, caches) from the settings in the environment.
        if state.now is not None:
            os.environ["CBEC_NOW"] = state.now.isoformat()
        uvicorn.run(
            "cbec.api.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
