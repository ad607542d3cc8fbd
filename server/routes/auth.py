"""Token routes: revoking a token before it expires."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, Field

from persistence.repositories import tokens
from server.deps import CurrentPrincipal, Services, checked_token
from tools import audit
from tools.access import Role

router = APIRouter(prefix="/auth", tags=["auth"])


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
