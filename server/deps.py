"""Dependencies the routes declare: the app's services and the authenticated caller."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from persistence.database import Database
from persistence.repositories import tokens
from server.api_keys import ApiKeys
from server.commands import CommandService
from server.health import DatabaseHealth
from server.orders import OrderService
from server.rate_limits import RateLimiter
from server.security import InvalidToken, KeyRing, VerifiedToken, verify_token
from server.sessions import SessionService
from server.sign_in import SignIn
from tools.access import Principal, Role
from tools.context import ToolContext
from tools.log_context import current
from tools.registry import ToolRegistry


@dataclass
class AppServices:
    """Everything the routes reach, built once in the app's lifespan."""

    db: Database
    orders: OrderService
    sessions: SessionService
    commands: CommandService
    tools: ToolContext
    registry: ToolRegistry
    keys: KeyRing
    limits: RateLimiter
    sign_in: SignIn
    api_keys: ApiKeys
    health: DatabaseHealth

    def context_for(self, principal: Principal) -> ToolContext:
        """The tool context for one request's caller, under the request's id."""
        return replace(self.tools, principal=principal, request_id=current("request_id"))

    def act(self, principal: Principal, tool: str, args: BaseModel) -> BaseModel:
        """Take an action as ``principal`` through the tool registry, the one path that checks
        the role again and puts staff actions on the audit trail, whichever door they came
        through (a route, a chat command)."""
        return self.registry.execute(tool, args, self.context_for(principal))


async def get_services(request: Request) -> AppServices:  # no I/O: no thread for it
    services: AppServices = request.app.state.services
    return services


Services = Annotated[AppServices, Depends(get_services)]

bearer = HTTPBearer(auto_error=False, description="A JWT from `atelier token` or POST /auth/token")
api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="A key from POST /auth/api-keys"
)


def unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, reason, headers={"WWW-Authenticate": "Bearer"}
    )


@dataclass(frozen=True)
class Caller:
    """Who sent the request, as far as it can be told without the database: a bearer token
    whose signature and expiry are verified, or an API key still to look up."""

    token: VerifiedToken | None = None
    api_key: str | None = None


async def identify(  # no I/O: on the event loop, no thread for it
    services: Services,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Caller:
    """The caller's credentials, checked as far as they can be without the database; 401
    when there are none or the token is invalid or expired."""
    if api_key is not None:
        return Caller(api_key=api_key)
    if credentials is None:
        raise unauthorized(
            "authentication required: send Authorization: Bearer <token> or X-API-Key"
        )
    try:
        return Caller(token=verify_token(services.keys, credentials.credentials))
    except InvalidToken as exc:
        raise unauthorized(str(exc)) from exc


Identified = Annotated[Caller, Depends(identify)]


def admit(services: AppServices, caller: Caller) -> Principal:
    """The caller as a principal, once the database agrees: the API key is known, or the token
    and its family are not revoked and its account is not disabled; 401 otherwise.

    Inside a ``services.db.reading()`` block, the check shares that block's connection: a
    route that reads admits its caller and reads in one thread and one checkout.
    """
    if caller.api_key is not None:
        principal = services.api_keys.principal_for(caller.api_key)
        if principal is None:
            raise unauthorized("the API key is unknown, revoked or expired")
        return principal
    assert caller.token is not None  # identify() gives one or the other
    verified = caller.token
    with services.db.reading() as session:
        refused = tokens.refusal(session, verified.jti, verified.family, verified.principal.sub)
    if refused:
        raise unauthorized(refused)
    return verified.principal


def authenticate(services: Services, caller: Identified) -> Principal:
    """The caller from the bearer token or the X-API-Key; 401 when neither is there, or the
    one sent is invalid, revoked or expired."""
    return admit(services, caller)


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_role(*roles: Role) -> object:
    """A dependency that lets only ``roles`` through (403 for other valid callers)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs the role {' or '.join(roles)}; you are {principal.role}",
            )
        return principal

    return Depends(check)


StaffPrincipal = Annotated[Principal, require_role(Role.OPERATOR, Role.ADMIN)]
AdminPrincipal = Annotated[Principal, require_role(Role.ADMIN)]
