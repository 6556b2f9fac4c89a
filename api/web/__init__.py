"""The web pages: a second face on the same domain as the JSON API (see ../shared/UI.md).

``install(app)`` mounts the page routes of every audience, the hashed static files and the
error pages. The parts:

* ``routing.py``: ``page_router()``, whose ``PageRoute`` turns whatever a page raises into a
  page (404, 403, 500, 503 "database not reachable", with the request id as reference) and
  puts the page headers (CSP, no-store...) on every answer;
* ``auth.py``: the web session cookie, and who it signs in (registered as the page source of
  api/deps.py, whose gates ``WorkerPage``, ``ProviderPage``, ``AgencyPage``, ``AdminPage``,
  ``PagePrincipal`` the page routes take);
* ``forms.py``: ``SessionForm``/``LoginForm`` (origin and CSRF checked), ``once`` (a double
  submit does one thing), ``back_to_form``/``form_state`` (a failed post goes back to its
  form with its errors), ``see_other``, ``safe_next``;
* ``templating.py``: ``render`` and ``t`` (a message in the request's language);
  ``formatting.py``: the ``|yuan``, ``|day``, ``|moment``, ``|level`` filters;
* ``templates/base.html`` and ``templates/macros/components.html``; ``static/site.css``;
  ``locale/`` (``make messages`` extracts, ``make catalogues`` compiles).

A new page: a route in ``routes/<audience>.py`` on a ``page_router()`` taking a gate from
``api/deps.py``, calling one service and ending with ``await render(request, "x.html", {...})``;
a template extending ``base.html`` with the components; its route in ``PAGES`` of
tests/web/test_page_access.py; its messages translated in ``locale/zh_Hans``; and a journey
in tests/web that ends each page with ``await check_page(page, "name")`` (axe-core, 360 px,
44 px targets, screenshots) under the ``visitor`` fixture (once per language).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from api.deps import register_page_resolver
from api.web import errors
from api.web.auth import current_page_actor
from api.web.routes import (
    admin_pages,
    agency_apprenticeships,
    agency_borders,
    agency_claims,
    agency_competitions,
    agency_decisions,
    agency_honours,
    agency_imports,
    agency_issue_runs,
    agency_levels,
    agency_occupations,
    agency_policies,
    agency_priority,
    agency_projects,
    agency_providers,
    agency_settlement,
    agency_staff,
    agency_statistics,
    agency_targets,
    agency_workers,
    agency_workers_file,
    assets,
    attestation,
    audit,
    catalogue,
    challenges,
    checkin,
    landing,
    provider_attendance,
    provider_claims,
    provider_class_files,
    provider_console,
    provider_courses,
    provider_enrolment,
    provider_imports,
    provider_levels,
    provider_projects,
    provider_results,
    provider_staff,
    provider_trainers,
    public,
    session,
    sharing,
    verify,
    worker_account,
    worker_borders,
    worker_projects,
    worker_record,
    worker_training,
)
from api.web.static import StaticFiles
from api.web.templating import Templates


@dataclass
class Web:
    """What the pages hold while the app runs (``app.state.web``)."""

    static: StaticFiles
    templates: Templates


def install(app: FastAPI) -> None:
    """Mount the pages, the static files and the error pages on ``app``."""
    static = StaticFiles()
    app.state.web = Web(static=static, templates=Templates(static))
    # The shared page gates (api/deps.py) learn who is signed in from the session cookie.
    register_page_resolver(app, current_page_actor)
    app.include_router(assets.router)
    app.include_router(public.router)
    app.include_router(session.router)
    app.include_router(landing.router)
    app.include_router(worker_record.router)
    app.include_router(worker_account.router)
    app.include_router(catalogue.router)
    app.include_router(worker_training.router)
    app.include_router(worker_projects.router)
    app.include_router(worker_borders.router)
    app.include_router(sharing.router)
    app.include_router(verify.router)
    app.include_router(challenges.router)
    app.include_router(audit.router)
    app.include_router(attestation.router)
    app.include_router(provider_console.router)
    app.include_router(provider_courses.router)
    app.include_router(provider_trainers.router)
    app.include_router(provider_enrolment.router)
    app.include_router(provider_class_files.router)
    app.include_router(provider_staff.router)
    app.include_router(provider_attendance.router)
    app.include_router(provider_results.router)
    app.include_router(provider_claims.router)
    app.include_router(provider_imports.router)
    app.include_router(provider_levels.router)
    app.include_router(checkin.router)
    app.include_router(agency_claims.router)
    app.include_router(agency_decisions.router)
    app.include_router(agency_settlement.router)
    app.include_router(agency_policies.router)
    app.include_router(agency_issue_runs.router)
    app.include_router(agency_statistics.router)
    app.include_router(agency_apprenticeships.router)
    app.include_router(admin_pages.router)
    app.include_router(agency_workers.router)
    app.include_router(agency_workers_file.router)
    app.include_router(agency_providers.router)
    app.include_router(agency_occupations.router)
    app.include_router(agency_staff.router)
    app.include_router(agency_imports.router)
    app.include_router(agency_competitions.router)
    app.include_router(agency_honours.router)
    app.include_router(agency_priority.router)
    app.include_router(agency_projects.router)
    app.include_router(provider_projects.router)
    app.include_router(agency_borders.router)
    app.include_router(agency_levels.router)
    app.include_router(agency_targets.router)
    errors.install(app)
