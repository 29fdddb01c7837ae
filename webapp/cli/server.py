"""``farebridge serve``: the web app on the development server."""
from __future__ import annotations

import click

from webapp.cli.common import current_runtime


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the web app and API (development server; use gunicorn in production)."""
    from webapp import create_app

    app = create_app(runtime=current_runtime())
    click.echo(f"Farebridge is running on http://{host}:{port}/  (API: http://{host}:{port}/api/v1/health)")
    app.run(host=host, port=port, debug=False, use_reloader=False)
