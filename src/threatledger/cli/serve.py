"""``threatledger serve``: the HTTP API and the web UI over one store, with uvicorn."""

from __future__ import annotations

import click

from threatledger.cli.ledger import db_option

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port.")
@click.option("--log-level", default="info", show_default=True, help="uvicorn's log level.")
def serve_command(db: str, host: str, port: int, log_level: str) -> None:
    """Serve the ledger: web UI at /, HTTP API at /api, OpenAPI schema at /openapi.json.

    Read-only unless THREATLEDGER_TOKEN is set: ingest and review then need
    `Authorization: Bearer $THREATLEDGER_TOKEN`.
    """
    import uvicorn

    from threatledger.api import create_app
    from threatledger.settings import get_settings

    token = get_settings().token
    app = create_app(db, token=token)
    mode = "ingest and review need the token" if token else "read-only (set THREATLEDGER_TOKEN to review)"
    click.echo(f"Serving {db} at http://{_url_host(host)}:{port}/ ({mode}).", err=True)
    if host not in LOOPBACK and not token:
        click.echo(
            "Note: listening beyond this machine; anyone who can reach it can read the ledger.", err=True
        )
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def register(cli: click.Group) -> None:
    """Add ``serve`` to the ``threatledger`` group."""
    cli.add_command(serve_command)
