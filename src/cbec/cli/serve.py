"""`cbec serve`: run the API and web pages."""

from __future__ import annotations

import typer

from cbec.cli.state import state


def register(app: typer.Typer) -> None:
    """Add the `serve` command."""

    @app.command("serve")
    def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
        """Serve the REST API, POST /ceb and the web pages."""
        import uvicorn

        from cbec.api.app import create_app

        uvicorn.run(create_app(state.context()), host=host, port=port, log_level="info")
