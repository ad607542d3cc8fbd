"""Who is calling: roles and principals, shared by the API's auth layer and the tool registry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


PIPELINE = Principal(sub="atelier-pipeline", role=Role.SYSTEM)
