"""The JSON API under /api/v1, one blueprint per area, documented at /api/v1/openapi.json and /api/v1/docs."""
from __future__ import annotations

from flask import Blueprint, Flask
from swagger_ui_bundle import swagger_ui_path

from webapp.api import (
    clearing,
    documents,
    fares,
    health,
    network,
    orders,
    passes,
    refunds,
    taps,
    tariffs,
    tickets,
    wallets,
)
from webapp.api.openapi import URL_PREFIX, FarebridgeApi, make_api
from webapp.web.security import content_security_policy

AREAS = (health, network, fares, orders, tickets, refunds, documents, tariffs, clearing, wallets, passes, taps)
SWAGGER_UI_ASSETS = f"{URL_PREFIX}/docs/assets"
SWAGGER_UI_VIEW = "api-docs.openapi_swagger_ui"
# Swagger UI starts itself from an inline script and styles its widgets inline: that page alone may do so
DOCS_PAGE_POLICY = {"script-src": ["'self'", "'unsafe-inline'"], "style-src": ["'self'", "'unsafe-inline'"]}


def init_api(app: Flask) -> FarebridgeApi:
    # Swagger UI's scripts come from the swagger-ui-bundle package: the docs page needs no internet
    app.register_blueprint(Blueprint("api_docs_assets", __name__, static_folder=str(swagger_ui_path),
                                     static_url_path=SWAGGER_UI_ASSETS))
    api = make_api(app, swagger_ui_url=f"{SWAGGER_UI_ASSETS}/")
    for module in AREAS:
        api.register_blueprint(module.bp)
    _allow_docs_page_scripts(app)
    return api


def _allow_docs_page_scripts(app: Flask) -> None:
    view = app.view_functions[SWAGGER_UI_VIEW]

    def docs_page():  # type: ignore[no-untyped-def]
        return view()

    app.view_functions[SWAGGER_UI_VIEW] = content_security_policy(**DOCS_PAGE_POLICY)(docs_page)
