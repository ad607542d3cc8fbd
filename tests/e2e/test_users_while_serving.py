"""The first account, made while the service runs on the embedded database (nothing
configured): `atelier users create` joins the PostgreSQL server that `atelier serve` started
(never a second postmaster on the data directory), the password comes from stdin or a named
environment variable, and the account signs in at once over HTTP. Mistakes are refused in
words, with an exit status a script can test."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.server import ATELIER, ServerProcess, atelier_env

pytestmark = pytest.mark.slow  # a service and several commands, each on the embedded database

PASSWORD = "correct horse battery staple"


def postmasters(pgdata: Path) -> list[int]:
    """Pids of the live postmasters serving ``pgdata`` (its other processes name no -D)."""
    return [
        proc.pid
        for proc in psutil.process_iter(["name", "cmdline"])
        if proc.info["name"] == "postgres" and str(pgdata) in (proc.info["cmdline"] or [])
    ]


def stop_postmasters(pgdata: Path) -> None:
    for pid in postmasters(pgdata):
        os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown


def atelier(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``atelier ARGS`` as a script would: no terminal, ``stdin`` piped in."""
    return subprocess.run(
        [str(ATELIER), *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def sign_in(server: ServerProcess, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/auth/token", data={"username": username, "password": password}, timeout=30
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The service's ATELIER_DATA_DIR; a database a failed test leaves running is stopped."""
    data_dir = tmp_path_factory.mktemp("embedded") / "var"
    yield data_dir
    stop_postmasters((data_dir / "postgres").resolve())


@pytest.fixture(scope="module")
def pgdata(data_dir: Path) -> Path:
    return (data_dir / "postgres").resolve()


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[ServerProcess]:
    """`atelier serve` with no ATELIER_DATABASE_URL: it starts the embedded PostgreSQL."""
    with ServerProcess(data_dir, {}) as process:
        assert "ATELIER_DATABASE_URL" not in process.env
        yield process


def test_an_account_made_while_the_service_runs_signs_in_at_once(
    server: ServerProcess, pgdata: Path
) -> None:
    (postmaster,) = postmasters(pgdata)

    made = atelier(
        server.env,
        *("users", "create", "ana", "--role", "admin", "--password-stdin"),
        stdin=f"{PASSWORD}\n",
    )

    assert made.returncode == 0, made.stderr
    assert made.stdout == "created ana (admin)\n"
    assert made.stderr == "", "the command says what it did, and nothing from the libraries"
    # It joined the service's server, and left it running when it ended.
    assert postmasters(pgdata) == [postmaster]
    signed_in = sign_in(server, "ana", PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    # The account is an admin's: the audit log (admins only) holds its making.
    audit = httpx.get(
        f"{server.url}/admin/audit",
        params={"action": "create_user"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert audit.status_code == 200, audit.text
    (entry,) = audit.json()["items"]
    assert entry["arguments"] == {"username": "ana", "role": "admin"}
    assert entry["subject"].startswith("cli:")


def test_the_password_can_come_from_a_named_environment_variable(server: ServerProcess) -> None:
    env = {**server.env, "OLGA_PASSWORD": PASSWORD}

    made = atelier(
        env, "users", "create", "olga", "--role", "operator", "--password-env", "OLGA_PASSWORD"
    )

    assert made.returncode == 0, made.stderr
    assert made.stdout == "created olga (operator)\n"
    assert sign_in(server, "olga", PASSWORD).status_code == 200
    assert sign_in(server, "olga", PASSWORD + "!").status_code == 401


def test_a_stdin_line_ending_in_crlf_is_the_password_without_it(server: ServerProcess) -> None:
    made = atelier(
        server.env,
        *("users", "create", "rosa", "--role", "customer", "--password-stdin"),
        stdin=f"{PASSWORD}\r\n",
    )

    assert made.returncode == 0, made.stderr
    assert sign_in(server, "rosa", PASSWORD).status_code == 200


def test_a_wrong_role_is_refused_in_words(server: ServerProcess) -> None:
    made = atelier(
        server.env,
        *("users", "create", "boris", "--role", "boss", "--password-stdin"),
        stdin=f"{PASSWORD}\n",
    )

    assert made.returncode == 2
    error = made.stderr.splitlines()[-1]
    assert "--role: invalid choice: 'boss'" in error, made.stderr
    assert all(f"'{role}'" in error for role in ("customer", "operator", "admin")), error
    assert made.stdout == ""
    assert sign_in(server, "boris", PASSWORD).status_code == 401


def test_a_short_password_is_refused_in_words(server: ServerProcess) -> None:
    made = atelier(
        server.env,
        *("users", "create", "tim", "--role", "customer", "--password-stdin"),
        stdin="short\n",
    )

    assert made.returncode == 1
    assert made.stderr == "atelier users: a password has at least 12 characters\n"
    assert sign_in(server, "tim", "short").status_code == 401


def test_an_unset_password_variable_is_refused_in_words(server: ServerProcess) -> None:
    assert "NOBODY_SET_THIS" not in server.env

    made = atelier(
        server.env,
        "users",
        "create",
        "ivy",
        "--role",
        "customer",
        "--password-env",
        "NOBODY_SET_THIS",
    )

    assert made.returncode == 1
    assert made.stderr == "atelier users: --password-env: NOBODY_SET_THIS is not set\n"


def test_the_last_process_to_leave_stops_the_database_and_a_lone_command_starts_its_own(
    tmp_path: Path,
) -> None:
    """The service stopping while a command holds the database leaves it to the command, and
    a command with no service running starts the embedded server and stops it after."""
    data_dir = tmp_path / "var"
    pgdata = (data_dir / "postgres").resolve()
    try:
        with ServerProcess(data_dir, {}) as server:
            (postmaster,) = postmasters(pgdata)
            made = atelier(
                server.env,
                *("users", "create", "ana", "--role", "admin", "--password-stdin"),
                stdin=f"{PASSWORD}\n",
            )
            assert made.returncode == 0, made.stderr
            assert postmasters(pgdata) == [postmaster]
        assert postmasters(pgdata) == [], "the service stopped last: the database stops with it"
        assert not (pgdata / "postmaster.pid").exists()

        listed = atelier(atelier_env(data_dir, {}), "users", "list")
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.startswith("ana\tadmin\tactive\tlast sign-in never"), listed.stdout
        assert postmasters(pgdata) == [], "a command that started the database stops it"
    finally:
        stop_postmasters(pgdata)
