"""The public verification page, and the worker's downloads of their own credentials.

``/verify``: anyone pastes or uploads a credential (compact JWS) and sees the checks and the
content in plain words; the same domain check as ``POST /credentials/verify``. Nothing is
stored and nothing changes, so the post needs no form token; the origin check still keeps
other sites from using the page. ``/my/credentials/...``: the worker's badges (JSON) and
archive CLR (JWS), as downloads.
"""

from __future__ import annotations

import json

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from api.deps import VerifyThrottled, WorkerPage
from api.runtime import get_runtime
from api.web import csrf
from api.web.forms import PageError
from api.web.routing import page_router
from api.web.templating import render, t
from portfolio import credentials
from portfolio.archives import require_worker

router = page_router()

# A 50-entry CLR is about 250 KiB; anything far past that is not ours.
MAX_CREDENTIAL_BYTES = 2_000_000


@router.get("/verify")
async def verify_page(request: Request) -> Response:
    """The form: paste a credential or choose its file."""
    return await render(request, "verify/verify.html", {"verdict": None, "errors": []})


@router.post("/verify", dependencies=[VerifyThrottled])
async def verify_posted(request: Request) -> Response:
    """Check the pasted or uploaded credential and show what was found."""
    csrf.check_origin(request, get_runtime(request).settings)
    text = ""
    # The form is closed on leaving (an upload is spooled to a temporary file).
    async with request.form(max_files=1, max_fields=5, max_part_size=MAX_CREDENTIAL_BYTES) as form:
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            text = (await upload.read(MAX_CREDENTIAL_BYTES + 1)).decode("utf-8", "replace")
        pasted = form.get("credential")
        if not text and isinstance(pasted, str):
            text = pasted
    text = text.strip()
    if not text:
        errors = [PageError("credential", t(request, "Paste a credential or choose its file"))]
        return await render(request, "verify/verify.html", {"verdict": None, "errors": errors})
    if len(text) > MAX_CREDENTIAL_BYTES:
        errors = [PageError("credential", t(request, "The credential is too large"))]
        return await render(request, "verify/verify.html", {"verdict": None, "errors": errors})
    verdict = await credentials.check(text)
    return await render(request, "verify/verify.html", {"verdict": verdict, "errors": []})


@router.get("/my/credentials/badges.json")
async def my_badges_download(actor: WorkerPage) -> Response:
    """Every badge of the worker as one JSON file (a list of compact JWS with their names)."""
    issued = await credentials.worker_credentials(str(require_worker(actor)))
    body = [{"kind": i.kind, "name": i.name, "credential": i.token} for i in issued]
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="badges.json"'},
    )


@router.get("/my/credentials/clr.jwt")
async def my_clr_download(actor: WorkerPage) -> Response:
    """The worker's archive as a CLR 2.0 credential file (compact JWS)."""
    token = await credentials.archive_clr(str(require_worker(actor)))
    return Response(
        token,
        media_type="application/vc+jwt",
        headers={"Content-Disposition": 'attachment; filename="archive-clr.jwt"'},
    )
