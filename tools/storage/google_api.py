"""Google Drive v3 and Sheets v4 clients for the Google storage backend.

Built once per process from the discovery documents google-api-python-client ships, so no
discovery request is made at run time, with their root URL replaced by ATELIER_GOOGLE_API_URL
when it is set (an emulator, a proxy): Drive, uploads and Sheets then all go there. The
services are shared; what is not thread-safe is httplib2's ``Http`` under them, so every
request runs on an authorized ``Http`` of the calling thread's own (:meth:`GoogleApis.run`).
"""

from __future__ import annotations

import json
import threading
import warnings
from dataclasses import dataclass
from importlib import resources
from typing import Any

import google.auth
import httplib2
from google.auth.credentials import Credentials
from google.auth.exceptions import DefaultCredentialsError
from google.oauth2.credentials import Credentials as BearerToken
from google_auth_httplib2 import AuthorizedHttp

with warnings.catch_warnings():
    # google-api-core warns at import when it finds an older grpcio installed (a development
    # tool brings one); this client speaks REST and never uses gRPC.
    warnings.filterwarnings("ignore", message="Package google.api_core", category=FutureWarning)
    from googleapiclient.discovery import build_from_document
    from googleapiclient.errors import HttpError
    from googleapiclient.http import HttpRequest, MediaIoBaseUpload, build_http

# The one module that imports googleapiclient (for the warning above); the backend takes these
# from here.
__all__ = [
    "GoogleApis",
    "GoogleSetupError",
    "HttpError",
    "HttpRequest",
    "MediaIoBaseUpload",
    "credentials_for",
    "discovery_document",
]

from tools.log_privacy import exception_name
from tools.retry import RetryPolicy, TemporaryFailure, http_retry_after

SCOPES = (
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/spreadsheets",
)


# Five tries over about 15 s (1, 2, 4, 8 s plus jitter): Google's guidance for 429s and 5xx.
GOOGLE_RETRY = RetryPolicy(attempts=5, backoff=1.0)


class GoogleSetupError(RuntimeError):
    """Google storage is selected but cannot work as configured; the message says what to set."""


def discovery_document(api: str, root_url: str | None = None) -> dict[str, Any]:
    """The packaged discovery document of ``api`` ("drive.v3", "sheets.v4"), its root URL
    replaced by ``root_url`` when given (the client builds every request URL from it)."""
    package = resources.files("googleapiclient.discovery_cache") / "documents"
    document: dict[str, Any] = json.loads((package / f"{api}.json").read_text())
    if root_url:
        root = root_url.rstrip("/") + "/"
        document["rootUrl"] = root
        document["mtlsRootUrl"] = root
        # Sheets' base URL is absolute in the document; Drive's upload paths are relative.
        document["baseUrl"] = root + document.get("servicePath", "")
    return document


def credentials_for(access_token: str | None) -> Credentials:
    """A fixed bearer token when one is given, else Application Default Credentials
    (GOOGLE_APPLICATION_CREDENTIALS naming a service-account key or an authorized-user file,
    or the environment's own); GoogleSetupError when there are none."""
    if access_token:
        return BearerToken(token=access_token)  # type: ignore[no-untyped-call]
    try:
        found, _project = google.auth.default(scopes=SCOPES)
    except DefaultCredentialsError as exc:
        raise GoogleSetupError(
            "ATELIER_STORAGE=google needs credentials: set GOOGLE_APPLICATION_CREDENTIALS to a "
            "service-account key file (or run where Application Default Credentials exist), "
            "or ATELIER_GOOGLE_ACCESS_TOKEN"
        ) from exc
    return found


@dataclass
class GoogleApis:
    """The Drive and Sheets services, and a way to run their requests safely from any thread."""

    drive: Any
    sheets: Any
    credentials: Credentials
    retry: RetryPolicy = GOOGLE_RETRY

    @classmethod
    def build(
        cls,
        credentials: Credentials,
        root_url: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> GoogleApis:
        shared = AuthorizedHttp(credentials, http=build_http())
        return cls(
            drive=build_from_document(discovery_document("drive.v3", root_url), http=shared),
            sheets=build_from_document(discovery_document("sheets.v4", root_url), http=shared),
            credentials=credentials,
            retry=retry or GOOGLE_RETRY,
        )

    def __post_init__(self) -> None:
        self._local = threading.local()

    def http(self) -> AuthorizedHttp:
        """This thread's authorized Http (httplib2's is not safe to share across threads);
        ``build_http`` gives a 60 s timeout and leaves 308s to resumable uploads."""
        http: AuthorizedHttp | None = getattr(self._local, "http", None)
        if http is None:
            http = AuthorizedHttp(self.credentials, http=build_http())
            self._local.http = http
        return http

    def run(self, request: HttpRequest) -> Any:
        """Execute ``request`` on this thread's Http; its result (JSON, or bytes for media).

        What Google asks to be retried (429; 403 with a rate-limit reason; 5xx; a dropped
        connection) is retried with truncated exponential backoff and jitter, honouring
        Retry-After (tools/retry.py); RetriesExhausted when it keeps failing. Any other
        HttpError (404, 401, 403 for permissions, 400) comes back at once."""

        def attempt() -> Any:
            try:
                return request.execute(http=self.http())
            except HttpError as exc:
                status = exc.resp.status
                if status >= 500 or status == 429 or _rate_limited(exc):
                    # Honoured on any of these: Google may send it with a 403 or a 503 too.
                    retry_after = http_retry_after(429, _header(exc))
                    raise TemporaryFailure(f"HTTP {status}", retry_after=retry_after) from exc
                raise
            except (OSError, httplib2.HttpLib2Error) as exc:  # timeouts, resets, refused
                raise TemporaryFailure(exception_name(exc)) from exc

        return self.retry.run(attempt, channel="google", server=request.uri.split("?")[0])


RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


def _rate_limited(error: HttpError) -> bool:
    """A 403 that is Drive's way of saying 429."""
    if error.resp.status != 403:
        return False
    try:
        details = json.loads(error.content)["error"]["errors"]
    except (ValueError, KeyError, TypeError):
        return False
    return any(d.get("reason") in RATE_LIMIT_REASONS for d in details)


def _header(error: HttpError) -> str | None:
    value = error.resp.get("retry-after")
    return str(value) if value is not None else None
