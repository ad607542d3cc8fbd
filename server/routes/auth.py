"""Token routes: signing in (OAuth2 password and refresh grants) and revoking a token."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Response, status
from pydantic import BaseModel, Field

from persistence.repositories import tokens
from server.api_keys import ApiKeyIn, ApiKeyOut, NewApiKey
from server.deps import AdminPrincipal, CurrentPrincipal, Services, checked_token, unauthorized
from server.sign_in import SignInRefused, TokenOut
from tools import audit
from tools.access import Role

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=TokenOut,
    summary="Sign in",
    responses={
        401: {"description": "Wrong username or password, or a bad refresh token"},
        429: {"description": "Too many attempts for this username"},
    },
)
def sign_in(
    services: Services,
    grant_type: Annotated[Literal["password", "refresh_token"], Form()] = "password",
    username: Annotated[str | None, Form(max_length=200)] = None,
    password: Annotated[str | None, Form(max_length=1024)] = None,
    refresh_token: Annotated[str | None, Form(max_length=8192)] = None,
) -> TokenOut:
    """OAuth2 token endpoint (form-encoded). ``grant_type=password`` with ``username`` and
    ``password``; ``grant_type=refresh_token`` with ``refresh_token``, which is then spent (a
    refresh token works once). Answers a short-lived access token and a refresh token."""
    if grant_type == "refresh_token":
        if not refresh_token:
            raise HTTPException(422, "grant_type=refresh_token needs refresh_token")
        try:
            return services.sign_in.with_refresh_token(refresh_token)
        except SignInRefused as exc:
            raise unauthorized(str(exc)) from None
    if not username or not password:
        raise HTTPException(422, "grant_type=password needs username and password")
    services.limits.check("sign-ins", username)
    try:
        return services.sign_in.with_password(username, password)
    except SignInRefused as exc:
        raise unauthorized(str(exc)) from None


class RevokeIn(BaseModel):
    model_config = {"extra": "forbid"}

    token: str = Field(min_length=1, max_length=8192, description="The token to refuse from now")


@router.post(
    "/revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a token",
    responses={403: {"description": "Not your token, and you are not an admin"}},
)
def revoke_token(body: RevokeIn, principal: CurrentPrincipal, services: Services) -> Response:
    """Refuse a token from now until it expires: your own (signing out), or anyone's as an
    admin. A token that is already invalid or expired needs no revoking and answers 401."""
    revoked = checked_token(services, body.token)
    if revoked.principal.sub != principal.sub and principal.role != Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only admins may revoke others' tokens")
    with services.db.session() as session:
        tokens.revoke(
            session, revoked.jti, revoked.principal.sub, revoked.expires_at, by=principal.sub
        )
    arguments = {"jti": revoked.jti, "subject": revoked.principal.sub}
    audit.record(services.context_for(principal), "revoke_token", arguments, "ok")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api-keys",
    response_model=NewApiKey,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API key",
)
def create_api_key(body: ApiKeyIn, principal: AdminPrincipal, services: Services) -> NewApiKey:
    """A key for a service caller, scoped to a role; send it as ``X-API-Key``. The key is in
    this answer only: store it now."""
    created = services.api_keys.create(body, principal)
    arguments = {"id": str(created.id), "name": created.name, "role": created.role}
    audit.record(services.context_for(principal), "create_api_key", arguments, "ok")
    return created


@router.get("/api-keys", response_model=list[ApiKeyOut], summary="List API keys")
def list_api_keys(principal: AdminPrincipal, services: Services) -> list[ApiKeyOut]:
    """Every key with its role, expiry, last use and revocation; never the key itself."""
    return services.api_keys.list()


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut, summary="Revoke an API key")
def revoke_api_key(key_id: uuid.UUID, principal: AdminPrincipal, services: Services) -> ApiKeyOut:
    """The key stops working at once."""
    revoked = services.api_keys.revoke(key_id)
    audit.record(services.context_for(principal), "revoke_api_key", {"id": str(key_id)}, "ok")
    return revoked
