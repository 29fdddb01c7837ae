"""The JSON API under /api/v1, one blueprint per area, documented at /api/v1/openapi.json and /api/v1/docs."""
from __future__ import annotations

from flask import Blueprint, Flask
from swagger_ui_bundle import swagger_ui_path

from webapp.api import clearing, documents, fares, health, network, orders, passes, refunds, tariffs, tickets, wallets
from webapp.api.openapi import URL_PREFIX, FarebridgeApi, make_api

AREAS = (health, network, fares, orders, tickets, refunds, documents, tariffs, clearing, wallets, passes)
SWAGGER_UI_ASSETS = f"{URL_PREFIX}/docs/assets"


def init_api(app: Flask) -> FarebridgeApi:
    # Swagger UI's scripts come from the swagger-ui-bundle package: the docs page needs no internet
    app.register_blueprint(Blueprint("api_docs_assets", __name__, static_folder=str(swagger_ui_path),
                                     static_url_path=SWAGGER_UI_ASSETS))
    api = make_api(app, swagger_ui_url=f"{SWAGGER_UI_ASSETS}/")
    for module in AREAS:
        api.register_blueprint(module.bp)
    return api
