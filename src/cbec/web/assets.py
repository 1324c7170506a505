"""Static assets of the portal (样式与脚本), shipped in the package and served by the same process."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).parent / "static"
ASSETS = {
    "portal.css": "text/css; charset=utf-8",
    "login.css": "text/css; charset=utf-8",
    "upload.js": "text/javascript; charset=utf-8",
    "risk_lists.js": "text/javascript; charset=utf-8",
}


@router.get("/assets/{name}")
def asset(name: str) -> FileResponse:
    """Return one of the portal's stylesheet or script files."""
    if name not in ASSETS:
        raise HTTPException(status_code=404)
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=3600"})
