"""End-to-end fixtures: `atelier serve` as a real process on its own database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.databases import DatabaseFactory
from tests.support.server import ServerProcess, client_for
from tools.access import Role


@pytest.fixture(scope="module")
def server(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    data_dir = tmp_path_factory.mktemp("e2e")
    with ServerProcess(data_dir, {"ATELIER_DATABASE_URL": databases.create()}) as process:
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
    return server.data_dir / "drive"
