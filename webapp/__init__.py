"""The Flask application factory."""
from __future__ import annotations

import logging

from flask import Flask

from clearing.worker import configure as configure_celery
from core.config import Settings
from core.runtime import Runtime, set_runtime
from ticketing.token import TicketSigner, load_or_create_key
from webapp.requests import BoundedJSONProvider


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    settings = settings or (runtime.settings if runtime else Settings.from_env())
    runtime = runtime or Runtime.from_settings(settings)
    set_runtime(runtime)  # Celery tasks run in-process (eager) with the same runtime
    configure_celery(settings)

    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, JSON_SORT_KEYS=False,
                      MAX_CONTENT_LENGTH=settings.input_limits.upload_bytes + 1024 * 1024)  # the form around a file
    app.json = BoundedJSONProvider(app, settings.input_limits)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["farebridge.runtime"] = runtime
    app.extensions["farebridge.signer"] = TicketSigner(
        load_or_create_key(settings.signing_key, settings.signing_key_file)
    )

    from webapp.api import init_api
    from webapp.errors import register_error_handlers
    from webapp.web import register_pages

    init_api(app)
    register_pages(app)
    register_error_handlers(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app
