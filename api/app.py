"""The application factory and its lifespan (which owns the database client)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import timedelta

from fastapi import FastAPI
from pymongo.errors import PyMongoError

from api import metrics, openapi, problems, web
from api.middleware import RequestContextMiddleware
from api.routers import (
    admin,
    apprenticeship_lifecycle,
    apprenticeships,
    audit,
    auth,
    catalogue,
    certificates,
    challenges,
    claims,
    competitions,
    credentials,
    crossborder,
    enrolments,
    health,
    historical,
    honours,
    me,
    mentors,
    occupations,
    planning,
    priority,
    projects,
    recognition,
    reports,
    sharing,
    training,
    voucher_policies,
    vouchers,
    workers,
)
from api.runtime import Runtime
from portfolio import bootstrap, clock
from portfolio.bootstrap import DemoLogin
from portfolio.keyring import Keyring, load_master_secret
from portfolio.models import DOCUMENT_MODELS
from portfolio.repair import repair
from portfolio.settings import Settings
from portfolio.storage import EmbeddedStore, init_documents, make_client

log = logging.getLogger(__name__)


async def _repair_in_the_background(grace_s: int, interval_s: int) -> None:
    """Run the repair routine once the start-up run's grace period has passed, then every
    ``interval_s`` seconds (0: that once).

    The start-up run leaves alone work younger than the grace period (another replica may
    still be at it), which includes whatever a crash just before this start left half-done;
    and a replica that runs for weeks would otherwise leave another one's half-done work to
    the next restart. Replicas take turns (the routine's lease).
    """
    delay = grace_s + 1
    while True:
        await asyncio.sleep(delay)
        try:
            finished = await repair(grace=timedelta(seconds=grace_s))
        except PyMongoError as exc:  # the store is down: the next pass will do it
            log.warning("background repair failed", extra={"reason": str(exc)})
        else:
            log.info("background repair", extra=asdict(finished))
        if not interval_s:
            return
        delay = interval_s


def create_app(
    settings: Settings | None = None,
    *,
    on_demo_loaded: Callable[[list[DemoLogin]], None] | None = None,
    repair_after_grace: bool = False,
) -> FastAPI:
    """A configured app. Without a MongoDB URI its lifespan runs an embedded store.

    With ``on_demo_loaded`` the lifespan loads the demo data set and hands its logins over.
    With ``repair_after_grace`` (``portfolio serve``) and a grace period it repairs again when
    the grace period has passed and then every ``repair_interval_seconds``, in a task it
    cancels before closing the client (a repair cut off by the client's close left the driver
    logging errors from its background tasks). With no grace period the start-up run, before
    any request, is the only safe one.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.clock_offset_days:
            clock.set_offset(timedelta(days=settings.clock_offset_days))
        store: EmbeddedStore | None = None
        if settings.mongodb_uri is None:
            store = EmbeddedStore(settings.data_dir)
            uri = await asyncio.to_thread(store.start)
        else:
            uri = settings.mongodb_uri.get_secret_value()
        client = make_client(uri, settings)
        repairer: asyncio.Task[None] | None = None
        try:
            await init_documents(client, settings.database, DOCUMENT_MODELS)
            keyring = Keyring(load_master_secret(settings))
            await keyring.load()
            await bootstrap.prepare(settings=settings, keyring=keyring)
            # Finish what a crash may have left half-done before taking new requests.
            finished = await repair(grace=timedelta(seconds=settings.repair_grace_seconds))
            log.info("repair at start-up", extra=asdict(finished))
            if on_demo_loaded is not None:
                on_demo_loaded(await bootstrap.load_demo(settings=settings, keyring=keyring))
            app.state.runtime = Runtime(settings=settings, client=client, keyring=keyring)
            if repair_after_grace and settings.repair_grace_seconds:
                repairer = asyncio.create_task(
                    _repair_in_the_background(
                        settings.repair_grace_seconds, settings.repair_interval_seconds
                    )
                )
            yield
        finally:
            if repairer is not None:
                repairer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await repairer
            await client.close()
            if store is not None:
                store.stop()

    app = FastAPI(
        title="Training e-portfolio",
        version="0.1.0",
        summary="Lifelong vocational training archives, vouchers and apprenticeships.",
        lifespan=lifespan,
    )
    problems.install(app)
    openapi.install(app)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_bulk_body_bytes=settings.max_bulk_body_bytes,
    )
    app.include_router(health.router)
    # Routes are matched in the order they were included: the most read ones (the worker's
    # own archive, the token routes) come before the long lists of the other areas.
    app.include_router(me.router)
    metrics.install(app)
    app.include_router(auth.router)
    app.include_router(admin.router)
    app.include_router(audit.router)
    app.include_router(audit.changes_router)
    app.include_router(challenges.router)
    app.include_router(training.router)
    app.include_router(enrolments.router)
    app.include_router(historical.router)
    app.include_router(catalogue.router)
    app.include_router(certificates.router)
    app.include_router(workers.router)
    app.include_router(sharing.router)
    app.include_router(reports.router)
    app.include_router(mentors.router)
    app.include_router(recognition.router)
    app.include_router(apprenticeships.router)
    app.include_router(apprenticeship_lifecycle.router)
    app.include_router(voucher_policies.router)
    app.include_router(vouchers.router)
    app.include_router(claims.router)
    app.include_router(credentials.router)
    app.include_router(occupations.router)
    app.include_router(competitions.router)
    app.include_router(honours.router)
    app.include_router(priority.router)
    app.include_router(projects.router)
    app.include_router(planning.router)
    app.include_router(crossborder.router)
    # The pages and their static files; browsers get error pages, the API keeps problem+json.
    web.install(app)
    return app
