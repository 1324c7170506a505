"""`cbec serve`: run the API and web pages."""

from __future__ import annotations

import inspect
import os
import sys
from types import ModuleType
from typing import Any

import typer

from cbec.cli.state import state

# uvicorn's supervisor pings every worker every half second and kills one that does not answer within this many
# seconds (uvicorn's own default is 5). A worker answers only once its interpreter is up; on a loaded machine
# the start alone took longer than 5 s, and the supervisor then killed and respawned workers in a loop.
WORKER_HEALTHCHECK_SECONDS = 30


def register(app: typer.Typer) -> None:
    """Add the `serve` command."""

    @app.command("serve")
    def serve(
        host: str = "127.0.0.1",
        port: int = 8000,
        workers: int = typer.Option(
            1, min=1, max=64, help="Server processes; more than one builds each from the environment's settings."
        ),
        access_log: bool = typer.Option(
            True, "--access-log/--no-access-log", help="Log one line per request (uvicorn's access log)."
        ),
    ) -> None:
        """Serve the REST API, POST /ceb and the web pages."""
        import uvicorn

        from cbec.storage.engine import server_warnings

        for warning in server_warnings(state.context().engine):
            typer.echo(f"warning: {warning}", err=True)
        if workers == 1:
            from cbec.api.app import create_app, tune_server_process

            tune_server_process()
            uvicorn.run(create_app(state.context()), host=host, port=port, log_level="info", access_log=access_log)
            return
        # Each worker process builds its own context (engine, pool, caches) from the settings in the environment.
        if state.now is not None:
            os.environ["CBEC_NOW"] = state.now.isoformat()
        spawn_from_application(sys.modules["__main__"])
        uvicorn.run(
            "cbec.api.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            access_log=access_log,
            **supervisor_options(uvicorn.run),
        )


def spawn_from_application(main: ModuleType) -> None:
    """Have spawned workers start from the application alone, not by running this command-line script again.

    ``multiprocessing``'s spawn runs the parent's ``__main__`` (here the ``cbec`` script, which imports every
    command) in each new worker before the worker's own code, and before the worker can answer the supervisor's
    health check. Without a file or module name to run, the worker imports only what the application needs.
    """
    if getattr(main, "__spec__", None) is not None:
        main.__spec__ = None
    if hasattr(main, "__file__"):
        del main.__file__


def supervisor_options(run: Any) -> dict[str, Any]:
    """Return the worker supervisor's options that the installed uvicorn takes (older ones have no health check)."""
    if "timeout_worker_healthcheck" in inspect.signature(run).parameters:
        return {"timeout_worker_healthcheck": WORKER_HEALTHCHECK_SECONDS}
    return {}
