"""Attachments of a case (visit records, photos, signed letters): stored outside the database
under a name made of their SHA-256, with type and size limits; uploads and downloads audited.

The type is judged by the file's first bytes, not by the name the browser sends.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from cases import workflow
from cases.db import session_scope
from cases.schema import Attachment
from cases.web.deps import check_csrf, current_user, engine_of, record, require_role, visible_case
from cases.web.routes_case import case_page
from hecha.exceptions import HechaError

router = APIRouter()
MAX_BYTES = 5 * 1024 * 1024
TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def sniff(data: bytes) -> str | None:
    """The content type from the file's magic bytes (PDF, JPEG, PNG), else None."""
    return next((kind for magic, kind in TYPES.items() if data.startswith(magic)), None)


def _path(root: Path, sha: str) -> Path:
    return root / sha[:2] / sha


@router.post("/cases/{case_id}/attachments", response_model=None)
async def upload(request: Request, case_id: str) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    user = current_user(request)
    require_role(user, "admin", "inspector")
    file = form.get("file")
    error = None
    data = b""
    if not isinstance(file, UploadFile):
        error = "请选择要上传的文件。"
    else:
        data = await file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            error = f"文件过大：不能超过 {MAX_BYTES // (1024 * 1024)} MB。"
        elif sniff(data) is None:
            error = "只能上传 PDF、JPEG 或 PNG 文件。"
    try:
        version = int(str(form.get("version") or ""))
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="表单缺少案件版本号，请刷新页面后重试。") from exc
    if error is None and isinstance(file, UploadFile):
        sha = hashlib.sha256(data).hexdigest()
        name = Path(file.filename or "附件").name[:200]
        try:
            with session_scope(engine_of(request)) as session:
                visible_case(session, user, case_id)
                workflow.add_note(session, case_id, version, user.username, f"上传附件：{name}", kind="attachment")
                session.add(
                    Attachment(
                        case_id=case_id,
                        uploaded_by=user.username,
                        filename=name,
                        content_type=sniff(data) or "",
                        size=len(data),
                        sha256=sha,
                    )
                )
                target = _path(request.app.state.attachments, sha)
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists() or hashlib.sha256(target.read_bytes()).hexdigest() != sha:
                    target.write_bytes(data)  # same content, same name: stored once; a damaged copy is replaced
                record(request, session, user, "upload", case_id, {"size": len(data), "sha256": sha[:16]})
        except HechaError as exc:
            error = str(exc).split(" / ")[0]
    if error is not None:
        with session_scope(engine_of(request)) as session:
            record(request, session, user, "refused", case_id, {"attempted": "upload", "reason": "invalid"})
        return case_page(request, user, case_id, error=error, status_code=400)
    return RedirectResponse(f"/cases/{case_id}#attachments", status_code=303)


@router.get("/cases/{case_id}/attachments/{attachment_id}")
async def download(request: Request, case_id: str, attachment_id: int) -> Response:
    """The file, if its checksum still matches (a changed file on disk is refused), audited."""
    user = current_user(request)
    with session_scope(engine_of(request)) as session:
        visible_case(session, user, case_id)
        found = session.get(Attachment, attachment_id)
        if found is None or found.case_id != case_id:
            raise HTTPException(status_code=404, detail="未找到该附件。")
        path = _path(request.app.state.attachments, found.sha256)
        data = path.read_bytes() if path.exists() else b""
        if hashlib.sha256(data).hexdigest() != found.sha256:
            raise HTTPException(status_code=404, detail="附件文件缺失或已被改动（校验值不符），请联系县级管理员。")
        record(request, session, user, "download", case_id, {"size": found.size, "sha256": found.sha256[:16]})
        kind = found.content_type
    headers = {"Content-Disposition": f'attachment; filename="attachment-{attachment_id}"'}
    return Response(content=data, media_type=kind, headers=headers)
