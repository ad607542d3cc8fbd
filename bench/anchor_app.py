"""The one-query anchor of bench/api_throughput.py: the least a FastAPI service does to answer
the requests the bench sends Atelier, served the way `atelier serve` serves (uvicorn, one
process, the same event loop and HTTP parser, no access log of uvicorn's own).

- ``GET /bare``: the bearer check alone (HS256 with PyJWT: the signing key named by the
  token's ``kid``, issuer, audience, required claims and a known role, as Atelier checks them)
  and a small JSON answer.
- ``GET /orders/{id}``: the bearer check and one ``SELECT * FROM orders WHERE id = %s`` on a
  pooled psycopg connection; the row as JSON (404 when there is none).
- ``GET /orders?limit=20``: the bearer check and one SELECT of the caller's newest ``limit``
  orders (a reference for Atelier's page of orders, which the issue's target does not use).
- ``GET /floor/orders?limit=20``: the least a page of orders costs a service that keeps
  Atelier's promises, for the list's target: the bearer check, then on one pooled connection
  the token's revocation and account check (one query, as Atelier's) and the page's SELECT, and
  the four personal-data columns of each row decrypted (AES-256-GCM, Atelier's ``enc1`` format,
  keys from ``ANCHOR_ENCRYPTION_KEYS``); the rows as JSON, without views.
- ``POST /orders``: the bearer check, the body validated by a small pydantic model, and one
  INSERT of a comparable row (the same columns, in clear) into ``anchor_orders``, a table of
  its own created at start; 202 with the new id.

The endpoints and the bearer check are sync ``def``s, like Atelier's GET routes and its
``authenticate`` dependency: FastAPI runs each in its thread pool, and the psycopg pool is
synchronous like Atelier's SQLAlchemy engine, so both sides pay the same two hops off the event
loop per request. The pool's connections are in autocommit and not checked on checkout: one
statement is one round trip, the least a pooled query costs (a BEGIN and COMMIT around the
SELECT, psycopg's default, cost this anchor about 15% of its requests/s on a 2-core machine).

    ANCHOR_DATABASE_URL=postgresql://... ANCHOR_JWT_SECRET=... ANCHOR_ENCRYPTION_KEYS=... \
        python bench/anchor_app.py [--port 8123]
"""

# No ``from __future__ import annotations``: FastAPI evaluates the endpoints' annotations, and
# they name the dependency defined inside create_app.
import argparse
import base64
import json
import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg import Connection
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool
from pydantic import BaseModel

# Atelier's token claims (server/security.py), repeated so that the anchor stays what it is
# whatever the product's code becomes.
ISSUER = "atelier"
AUDIENCE = "atelier-api"
KID = "default"
ROLES = frozenset({"customer", "operator", "admin"})
REQUIRED = ["sub", "role", "exp", "iat", "iss", "aud", "jti"]
POOL_SIZE = 10  # Atelier's SQLAlchemy pool_size

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS anchor_orders (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_sub varchar(200) NOT NULL,
    customer_name text NOT NULL,
    customer_email text NOT NULL,
    customer_phone text,
    product varchar(40) NOT NULL,
    options jsonb NOT NULL,
    quantity integer NOT NULL,
    brief text NOT NULL,
    status varchar(32) NOT NULL DEFAULT 'received',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS anchor_orders_customer_sub ON anchor_orders (customer_sub);
"""
LIST = "SELECT * FROM orders WHERE customer_sub = %s ORDER BY created_at DESC, id LIMIT %s"
# Atelier's refusal check (persistence/repositories/tokens.py): the token or its family
# revoked, the account disabled.
REFUSAL = (
    "SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ANY(%s)) AS revoked,"
    " (SELECT disabled FROM users WHERE username = %s) AS disabled"
)
ENCRYPTED = ("customer_name", "customer_email", "customer_phone", "brief")
INSERT = (
    "INSERT INTO anchor_orders (customer_sub, customer_name, customer_email, customer_phone,"
    " product, options, quantity, brief) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)


class Customer(BaseModel):
    name: str
    email: str
    phone: str | None = None


class OrderIn(BaseModel):
    customer: Customer
    product: str
    options: dict[str, str] = {}
    quantity: int
    brief: str


def decryptor(keys_json: str) -> Callable[[str], str]:
    """Atelier's ``enc1:<kid>:<base64 of nonce, tag, ciphertext>`` values decrypted with the
    keys of ATELIER_ENCRYPTION_KEYS's format (JSON: key id to base64 of 32 bytes)."""
    keys = {kid: AESGCM(base64.b64decode(key)) for kid, key in json.loads(keys_json).items()}

    def decrypt(value: str) -> str:
        _, kid, data = value.split(":", 2)
        raw = base64.b64decode(data)
        nonce, tag, body = raw[:12], raw[12:28], raw[28:]
        return keys[kid].decrypt(nonce, body + tag, None).decode()

    return decrypt


def create_app(database_url: str, secret: str, keys_json: str) -> FastAPI:
    pool = ConnectionPool(
        database_url,
        connection_class=Connection[DictRow],
        min_size=POOL_SIZE,
        max_size=POOL_SIZE,
        kwargs={"autocommit": True, "row_factory": dict_row},
        open=False,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool.open(wait=True)
        with pool.connection() as conn:
            conn.execute(CREATE_TABLE)
        try:
            yield
        finally:
            pool.close()

    bearer = HTTPBearer()

    decrypt = decryptor(keys_json)

    def verified(credentials: HTTPAuthorizationCredentials) -> dict[str, Any]:
        token = credentials.credentials
        try:
            if jwt.get_unverified_header(token).get("kid") != KID:
                raise jwt.InvalidTokenError("unknown key")
            claims = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                issuer=ISSUER,
                audience=AUDIENCE,
                options={"require": REQUIRED},
            )
        except jwt.PyJWTError as exc:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token") from exc
        if claims["role"] not in ROLES:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown role")
        return claims

    def caller(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]) -> str:
        return str(verified(credentials)["sub"])

    def claims_of(
        credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
    ) -> dict[str, Any]:
        return verified(credentials)

    Caller = Annotated[str, Depends(caller)]
    Claims = Annotated[dict[str, Any], Depends(claims_of)]
    app = FastAPI(title="Atelier bench anchor", lifespan=lifespan)

    @app.get("/bare")
    def bare(sub: Caller) -> dict[str, str]:
        return {"status": "ok", "sub": sub}

    @app.get("/orders/{order_id}")
    def get_order(order_id: uuid.UUID, sub: Caller) -> dict[str, Any]:
        with pool.connection() as conn:
            row = conn.execute("SELECT * FROM orders WHERE id = %s", (order_id,)).fetchone()
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such order")
        return row

    @app.get("/orders")
    def list_orders(sub: Caller, limit: int = 20) -> dict[str, Any]:
        with pool.connection() as conn:
            rows = conn.execute(LIST, (sub, limit)).fetchall()
        return {"items": rows, "limit": limit}

    @app.get("/floor/orders")
    def floor_list(claims: Claims, limit: int = 20) -> dict[str, Any]:
        ids = [claims["jti"], *([claims["fam"]] if "fam" in claims else [])]
        with pool.connection() as conn:
            refusal = conn.execute(REFUSAL, (ids, claims["sub"])).fetchone()
            if refusal is None or refusal["revoked"] or refusal["disabled"]:
                raise HTTPException(status.HTTP_401_UNAUTHORIZED, "refused")
            rows = conn.execute(LIST, (claims["sub"], limit)).fetchall()
        for row in rows:
            for column in ENCRYPTED:
                if row[column] is not None:
                    row[column] = decrypt(row[column])
        return {"items": rows, "limit": limit}

    @app.post("/orders", status_code=status.HTTP_202_ACCEPTED)
    def place_order(order: OrderIn, sub: Caller) -> dict[str, str]:
        c = order.customer
        values = (sub, c.name, c.email, c.phone, order.product, Jsonb(order.options))
        with pool.connection() as conn:
            row = conn.execute(INSERT, (*values, order.quantity, order.brief)).fetchone()
        assert row is not None
        return {"id": str(row["id"]), "status": "received"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    app = create_app(
        os.environ["ANCHOR_DATABASE_URL"],
        os.environ["ANCHOR_JWT_SECRET"],
        os.environ["ANCHOR_ENCRYPTION_KEYS"],
    )
    # As `atelier serve` runs uvicorn: its defaults, no access log (Atelier logs requests
    # itself; that cost is Atelier's and stays in its figures).
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
