"""Who is calling and what they may reach: roles, principals and the object rules, the one
authorization layer that the API's routes and the tool registry both apply.

Route level: /admin needs admin, retry needs operator or admin (server/deps.py); tool level:
each tool's roles (tools/catalog.py), checked again where it executes; object level: the rules
below (someone else's object answers 404, never 403, so its existence does not leak)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from persistence.models import SessionKind


class Role(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    ADMIN = "admin"
    # The order pipeline itself; never issued in a token.
    SYSTEM = "system"


ISSUABLE_ROLES = (Role.CUSTOMER, Role.OPERATOR, Role.ADMIN)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a subject (user name or service) and its role."""

    sub: str
    role: Role

    @property
    def sees_all_orders(self) -> bool:
        return self.role in (Role.OPERATOR, Role.ADMIN, Role.SYSTEM)

    def may_see_session(self, kind: str, subject: str) -> bool:
        """Its owner; for order sessions also operators and admins; admin conversations admins."""
        if subject == self.sub:
            return True
        if kind == SessionKind.ADMIN:
            return self.role == Role.ADMIN
        return self.sees_all_orders


PIPELINE = Principal(sub="atelier-pipeline", role=Role.SYSTEM)
