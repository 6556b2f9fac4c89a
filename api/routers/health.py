"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from pymongo.errors import PyMongoError

from api.runtime import RuntimeDep
from portfolio.errors import StorageUnavailable

router = APIRouter(tags=["service"])


class Health(BaseModel):
    """A probe's answer."""

    status: str


@router.get("/healthz", summary="The process is alive")
async def get_health() -> Health:
    """Answers 200 while the process serves requests, whatever the database does."""
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="The database is reachable",
    responses={503: {"description": "Database unreachable (problem+json)"}},
)
async def get_readiness(runtime: RuntimeDep) -> Health:
    """Answers 200 when the database answers ``ping``, 503 problem+json otherwise."""
    try:
        await runtime.client.admin.command("ping")
    except PyMongoError as exc:
        raise StorageUnavailable("the database is unreachable; retry shortly") from exc
    return Health(status="ready")
