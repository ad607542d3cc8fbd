"""Browser fixtures: a real `atelier serve` with accounts that sign in with a password, and
Debian's chromium driven by Playwright (Playwright's own browser builds cannot be downloaded
here). Screenshots go to var/screenshots/<test>/ (ignored by git, emptied by `make clean`)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Playwright, sync_playwright

from persistence.database import Database
from server.accounts import Accounts
from tests.browser.console_page import ConsolePage
from tests.support.databases import DatabaseFactory
from tests.support.server import ServerProcess
from tests.support.workers import SHARED_KEYS
from tools.access import Role

CHROMIUM = Path("/usr/bin/chromium")
# Keep the browser off the network it cannot reach anyway, and quiet (see shared/REFERENCE.md).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "a long enough password"


@dataclass(frozen=True)
class Account:
    username: str
    role: Role


CUSTOMER = Account("carla", Role.CUSTOMER)
OPERATOR = Account("olga", Role.OPERATOR)
ADMIN = Account("ada", Role.ADMIN)


@pytest.fixture(scope="package")
def console_server(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """`atelier serve` on its own database, with an account of each role (password PASSWORD)."""
    url = databases.create()
    db = Database(url, pool_size=1)
    try:
        accounts = Accounts(db)
        for account in (CUSTOMER, OPERATOR, ADMIN):
            accounts.create(account.username, account.role, PASSWORD)
    finally:
        db.dispose()
    env = {
        "ATELIER_DATABASE_URL": url,
        # The tests' keys: a test writes rows (audit entries) the server reads.
        **SHARED_KEYS,
        # Every test signs in from this one address, faster than people do.
        "ATELIER_RATE_LIMIT_LOGINS_PER_CLIENT": "1000/minute",
    }
    with ServerProcess(tmp_path_factory.mktemp("console"), env) as server:
        yield server


# Package-scoped: Playwright's sync API keeps an event loop running in the main thread while
# it is open, and tests after these ones (asyncio.run) need that thread free of it.
@pytest.fixture(scope="package")
def driver() -> Iterator[Playwright]:
    """Playwright's driver process, for the browser tests."""
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(
    driver: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserContext]:
    """Debian's chromium with a fresh profile (user data directory) for this test run."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's chromium; install it with "
            "`apt-get install -y chromium` (.ci/run does so)"
        )
    context = driver.chromium.launch_persistent_context(
        tmp_path_factory.mktemp("chromium-profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_FLAGS,
        viewport={"width": 1280, "height": 900},
    )
    yield context
    context.close()


@pytest.fixture
def console(
    browser: BrowserContext, console_server: ServerProcess, request: pytest.FixtureRequest
) -> Iterator[ConsolePage]:
    """A new page of the console (signed out: each page keeps its own sign-in in memory)."""
    shots = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(shots, ignore_errors=True)
    page = browser.new_page()
    try:
        yield ConsolePage(page, console_server.url, shots)
    finally:
        page.close()


def signed_in(server: ServerProcess, account: Account) -> httpx.Client:
    """An HTTP client of ``server`` signed in as ``account`` with its password."""
    client = httpx.Client(base_url=server.url, timeout=30)
    answer = client.post("/auth/token", data={"username": account.username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return client


@pytest.fixture
def customer_api(console_server: ServerProcess) -> Iterator[httpx.Client]:
    client = signed_in(console_server, CUSTOMER)
    yield client
    client.close()


@pytest.fixture
def operator_api(console_server: ServerProcess) -> Iterator[httpx.Client]:
    client = signed_in(console_server, OPERATOR)
    yield client
    client.close()
