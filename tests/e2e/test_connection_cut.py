"""PostgreSQL cuts the API's connections (a restart, a failover) while it is idle between
requests: a poll of an order does not notice, and a request that meets a cut connection is
answered 503, to be sent again, with nothing written."""

from __future__ import annotations

from pathlib import Path

import psycopg

from server.schemas import ORDER_EXAMPLE
from tests.support.databases import DatabaseFactory
from tests.support.http import wait_for_status
from tests.support.server import ServerProcess, client_for
from tools.access import Role


def cut_every_connection(url: str) -> int:
    """Ends every other backend of the database, as a restart would; waits for each to end."""
    with psycopg.connect(url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(ended)


def test_a_cut_connection_costs_a_poll_nothing_and_another_request_one_503(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    url = databases.create()
    # No sweep in between: the requests below are the only ones to use the pool.
    env = {"ATELIER_DATABASE_URL": url, "ATELIER_SWEEP_INTERVAL_S": "600"}
    with (
        ServerProcess(tmp_path, env) as server,
        client_for(server, "jane", Role.CUSTOMER) as jane,
    ):
        order_id = jane.post("/orders", json=ORDER_EXAMPLE).json()["id"]
        wait_for_status(jane, order_id, "awaiting_approval")

        # The connection the poll just used is the pool's next, used again at once: no ping.
        assert cut_every_connection(url) > 0
        polled = jane.get(f"/orders/{order_id}")
        assert polled.status_code == 200 and polled.json()["status"] == "awaiting_approval"

        assert cut_every_connection(url) > 0
        approve = f"/orders/{order_id}/approve"
        refused = jane.post(approve, json={"approved": True})
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "1"
        assert "send the request again" in refused.json()["detail"]
        assert jane.get(f"/orders/{order_id}").json()["status"] == "awaiting_approval"

        sent_again = jane.post(approve, json={"approved": True})
        assert sent_again.status_code == 200, sent_again.text
        assert wait_for_status(jane, order_id, "completed")["status"] == "completed"
