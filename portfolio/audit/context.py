"""Who is asking, for the audit trail: set by the HTTP layer, read by the services.

A plain ``ContextVar`` holding a mutable object, so what the authentication dependency learns
(the principal) is visible to the error handler that answers 401/403 later in the same
request, whatever context copies the framework makes in between. Outside a request (the
command line) there is no context and events say so.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol


class PrincipalRef(Protocol):
    """Who acts, as the audit trail names them (``portfolio.accounts.Actor`` is one): the
    trail sits below the accounts area and so does not import it."""

    @property
    def principal_id(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def staff_role(self) -> str | None: ...


@dataclass
class RequestContext:
    """One request's identifiers: its id, the client address and, once known, the principal."""

    request_id: str | None = None
    client: str | None = None
    principal_id: str | None = None
    username: str | None = None
    role: str | None = None
    staff_role: str | None = None
    organisation_id: str | None = None
    region_prefix: str | None = None

    def note_actor(self, actor: PrincipalRef) -> None:
        """Remember who the request's token (or page session) belongs to."""
        self.principal_id = actor.principal_id
        self.username = actor.username
        self.role = str(actor.role)
        self.staff_role = None if actor.staff_role is None else str(actor.staff_role)
        # The change trail names the actor's organisation or region (``Actor`` has them).
        self.organisation_id = getattr(actor, "organisation_id", None)
        self.region_prefix = getattr(actor, "region_prefix", None)


_CURRENT: ContextVar[RequestContext | None] = ContextVar("portfolio_request", default=None)


def begin(*, request_id: str, client: str | None) -> RequestContext:
    """Start the context of a new request (the request middleware calls this)."""
    context = RequestContext(request_id=request_id, client=client)
    _CURRENT.set(context)
    return context


def current() -> RequestContext:
    """The running request's context, or an empty one outside a request."""
    return _CURRENT.get() or RequestContext()


def note_actor(actor: PrincipalRef) -> None:
    """Record the authenticated principal on the running request (no-op outside one)."""
    context = _CURRENT.get()
    if context is not None:
        context.note_actor(actor)


def request_client() -> str | None:
    """The client address of the running request (None outside one)."""
    return current().client
