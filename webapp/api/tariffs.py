"""Tariff upload and activation (fare administrators)."""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import FileStorage

from core.errors import NotFound, ValidationFailed
from core.input_limits import read_stream
from fares.models import TariffVersion
from fares.services import activate_tariff, import_tariff_upload, list_tariffs
from webapp.api.openapi import BEARER, ApiBlueprint
from webapp.auth import require_role
from webapp.extensions import runtime
from webapp.schemas.fields import ID_CONVERTER
from webapp.schemas.tariffs import TariffDetailSchema, TariffSchema, TariffsSchema, TariffUploadSchema

bp = ApiBlueprint("tariffs", __name__, description="Tariff versions: upload and activation (admins)")


def tariff_json(version: TariffVersion) -> dict[str, Any]:
    return {
        "id": version.id, "name": version.name, "format": version.format, "status": version.status,
        "currency": version.currency, "valid_from": version.valid_from.isoformat(),
        "valid_to": version.valid_to.isoformat() if version.valid_to else None,
        "created_at": version.created_at.isoformat(),
        "activated_at": version.activated_at.isoformat() if version.activated_at else None,
    }


@bp.get("/tariffs")
@bp.doc(security=BEARER)
@require_role("admin")
@bp.response(200, TariffsSchema)
def index() -> dict[str, Any]:
    with runtime().session_factory() as session:
        return {"tariffs": [tariff_json(v) for v in list_tariffs(session)]}


@bp.get(f"/tariffs/<{ID_CONVERTER}:version_id>")
@bp.doc(security=BEARER)
@require_role("admin")
@bp.response(200, TariffDetailSchema)
def show(version_id: int) -> dict[str, Any]:
    with runtime().session_factory() as session:
        version = session.get(TariffVersion, version_id)
        if version is None:
            raise NotFound(f"no tariff version {version_id}")
        content = version.content
        if version.format == "gtfs":  # the feed's texts and network are large: name them only
            content = {"fares_version": content["fares_version"], "source": content["source"],
                       "files": sorted(content["files"]), "agencies": content["agencies"]}
        return {**tariff_json(version), "content": content}


@bp.post("/tariffs")
@bp.doc(security=BEARER)
@require_role("admin")
@bp.arguments(TariffUploadSchema, location="multipart", required=False)
@bp.response(201, TariffSchema)
def upload(form: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A GTFS feed (zip) or a native package (JSON), validated completely before it is stored.

    A refused upload is 422 with ``errors``: every problem with its file, line and field;
    413 when the file, or what it unpacks to, crosses a configured limit (the error names it).
    """
    upload = form["file"]
    if not isinstance(upload, FileStorage) or not upload.filename:  # a plain form field named file is no file
        raise ValidationFailed("send the tariff as multipart form field 'file'",
                               details=[{"file": None, "line": None, "field": "file", "message": "missing"}])
    limits = runtime().settings.input_limits
    raw = read_stream(upload.stream, limits.upload_bytes, limits.refuse(
        "upload_bytes", upload.filename, f"the file is larger than {limits.upload_bytes} bytes"))
    uow = runtime().uow()
    with uow:
        version = import_tariff_upload(uow.session, upload.filename, raw, form["name"] or None, limits=limits)
        uow.commit()
        return tariff_json(version), 201


@bp.post(f"/tariffs/<{ID_CONVERTER}:version_id>/activate")
@bp.doc(security=BEARER)
@require_role("admin")
@bp.response(200, TariffSchema)
def activate(version_id: int) -> dict[str, Any]:
    uow = runtime().uow()
    with uow:
        version = activate_tariff(uow.session, version_id)
        uow.commit()
        return tariff_json(version)
