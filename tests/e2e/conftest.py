"""End-to-end fixtures: `atelier serve` as a real process on its own database, on the local
drive unless a module runs it on each storage backend:

    pytestmark = pytest.mark.parametrize("drive_view", BACKENDS, indirect=True)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.databases import DatabaseFactory
from tests.support.drive_view import DriveView, open_drive
from tests.support.server import ServerProcess, client_for
from tools.access import Role


@pytest.fixture(scope="module")
def server_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's server's ATELIER_DATA_DIR."""
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def drive_view(request: pytest.FixtureRequest, server_dir: Path) -> Iterator[DriveView]:
    """The drive the module's server runs on: the backend a module parametrizes this fixture
    with (indirectly), else the local drive."""
    with open_drive(getattr(request, "param", "local"), server_dir) as view:
        yield view


@pytest.fixture(scope="module")
def server(
    databases: DatabaseFactory, server_dir: Path, drive_view: DriveView
) -> Iterator[ServerProcess]:
    env = {"ATELIER_DATABASE_URL": databases.create(), **drive_view.env()}
    with ServerProcess(server_dir, env) as process:
        yield process


@pytest.fixture
def jane(server: ServerProcess) -> Iterator[httpx.Client]:
    with client_for(server, "jane", Role.CUSTOMER) as client:
        yield client


@pytest.fixture
def bob(server: ServerProcess) -> Iterator[httpx.Client]:
    with client_for(server, "bob", Role.CUSTOMER) as client:
        yield client


@pytest.fixture
def operator(server: ServerProcess) -> Iterator[httpx.Client]:
    with client_for(server, "olga", Role.OPERATOR) as client:
        yield client


@pytest.fixture
def admin(server: ServerProcess) -> Iterator[httpx.Client]:
    with client_for(server, "ada", Role.ADMIN) as client:
        yield client


def drive(server: ServerProcess) -> Path:
    """The local drive of ``server`` (on the local backend)."""
    return server.data_dir / "drive"
