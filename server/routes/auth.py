"""Token routes: signing in (OAuth2 password and refresh grants) and revoking a token."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from server.api_keys import ApiKeyIn, ApiKeyOut, NewApiKey
from server.deps import AdminPrincipal, CurrentPrincipal, Services, unauthorized
from server.sign_in import SignInRefused, TokenOut
from tools import audit
from tools.safe_text import SafeLine

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=TokenOut,
    summary="Sign in",
    responses={
        401: {"description": "Wrong username or password, or a bad refresh token"},
        429: {
            "description": "Too many failed attempts for this username from this address, "
            "too many attempts from this address, or across the service"
        },
        503: {"description": "Too many password checks at once; try again shortly"},
    },
)
def sign_in(
    request: Request,
    services: Services,
    grant_type: Annotated[Literal["password", "refresh_token"], Form()] = "password",
    username: Annotated[SafeLine | None, Form(max_length=200)] = None,
    password: Annotated[str | None, Form(max_length=1024)] = None,
    refresh_token: Annotated[SafeLine | None, Form(max_length=8192)] = None,
) -> TokenOut:
    """OAuth2 token endpoint (form-encoded). ``grant_type=password`` with ``username`` and
    ``password``; ``grant_type=refresh_token`` with ``refresh_token``, which is then spent (a
    refresh token works once: using a spent one again revokes every token issued from the same
    sign-in). Answers a short-lived access token and a refresh token."""
    if grant_type == "refresh_token":
        if not refresh_token:
            raise missing_field("refresh_token", "grant_type=refresh_token needs refresh_token")
        try:
            return services.sign_in.with_refresh_token(refresh_token)
        except SignInRefused as exc:
            raise unauthorized(str(exc)) from None
    if not username or not password:
        field = "password" if username else "username"
        raise missing_field(field, "grant_type=password needs username and password")
    client = request.client.host if request.client else "unknown"
    try:
        return services.sign_in.with_password(username, password, client)
    except SignInRefused as exc:
        raise unauthorized(str(exc)) from None


def missing_field(field: str, message: str) -> RequestValidationError:
    """A 422 shaped like every other validation error (the schema documents that shape)."""
    return RequestValidationError([{"type": "missing", "loc": ("body", field), "msg": message}])


class RevokeIn(BaseModel):
    model_config = {"extra": "forbid"}

    token: SafeLine = Field(
        min_length=1, max_length=8192, description="The access or refresh token to refuse from now"
    )


@router.post(
    "/revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a token",
    responses={
        401: {"description": "The token is invalid or expired: it needs no revoking"},
        403: {"description": "Not your token, and you are not an admin"},
    },
)
def revoke_token(body: RevokeIn, principal: CurrentPrincipal, services: Services) -> Response:
    """Refuse a token from now until it expires: your own (signing out), or anyone's as an
    admin. A refresh token takes every token issued from the same sign-in with it (send the
    refresh token to sign out everywhere that sign-in reached). A token that is invalid or
    expired needs no revoking and answers 401."""
    try:
        revoked = services.sign_in.revoke(body.token, principal)
    except SignInRefused as exc:
        raise unauthorized(str(exc)) from None
    token = revoked.token
    arguments = {"jti": token.jti, "subject": token.principal.sub}
    if revoked.refresh:
        arguments["family"] = token.family
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
