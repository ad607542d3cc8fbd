"""The console as a test drives it: one browser page, what it loaded and what it refused, and a
screenshot of each page the test visits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Request, expect

# Records every violation of the Content-Security-Policy, before any of the page's scripts run.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI}`);
});
"""
LOCAL_SCHEMES = ("data", "blob")
# Long enough for a design round on a busy machine; short enough to fail a stuck test fast.
ORDER_TIMEOUT_MS = 90_000


@dataclass
class ConsolePage:
    """A page of the console at ``base_url``, saving screenshots under ``shots``."""

    page: Page
    base_url: str
    shots: Path
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    _shot_count: int = 0

    def __post_init__(self) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page.add_init_script(RECORD_CSP_VIOLATIONS)
        self.page.on("request", self._on_request)
        self.page.on("console", self._on_console)

    def _on_request(self, request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme in LOCAL_SCHEMES:
            return
        if f"{url.scheme}://{url.netloc}" != self.base_url:
            self.foreign_requests.append(request.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def csp_violations(self) -> list[str]:
        """What the page's Content-Security-Policy refused so far, as the browser reported it."""
        reported: list[str] = self.page.evaluate("window.__cspViolations")
        said = [m for m in self.console_errors if "Content Security Policy" in m]
        return reported + said

    def shot(self, name: str) -> Path:
        """Save a screenshot of what the page shows now, numbered in the order taken."""
        self._shot_count += 1
        path = self.shots / f"{self._shot_count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def open(self) -> None:
        """Open the service's root as a browser does: it is sent to the console."""
        self.page.goto(f"{self.base_url}/")
        expect(self.page).to_have_url(re.compile(r"/console$"))
        expect(self.page.locator("html[data-ready=true]")).to_have_count(1)

    def sign_in(self, username: str, password: str) -> None:
        """Sign in with the keyboard alone: type, Tab, type, Enter (over what was typed)."""
        self.page.locator("#sign-in-username").focus()
        for text, then in ((username, "Tab"), (password, "Enter")):
            self.page.keyboard.press("ControlOrMeta+A")
            self.page.keyboard.type(text)
            self.page.keyboard.press(then)
        expect(self.page.locator("#who-name")).to_contain_text(username)

    def go(self, view: str) -> None:
        """Follow the header's link to a view ("Orders", "New order", "Admin chat", …)."""
        self.page.locator("#nav").get_by_role("link", name=view, exact=True).click()

    def order_status(self, status: str) -> None:
        """Wait until the order on show has ``status`` (as the badge words it)."""
        expect(self.page.locator("#order-status")).to_have_text(
            status.replace("_", " "), timeout=ORDER_TIMEOUT_MS
        )

    def image_loaded(self, selector: str) -> None:
        """Wait until the image really loaded: decoded, with a width."""
        self.page.wait_for_function(
            "(selector) => { const img = document.querySelector(selector);"
            " return img !== null && img.complete && img.naturalWidth > 0; }",
            arg=selector,
            timeout=ORDER_TIMEOUT_MS,
        )
