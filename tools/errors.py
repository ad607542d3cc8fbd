"""Errors tools raise. Each carries the HTTP status the API answers with, so services never
import FastAPI and one handler maps them all."""

from __future__ import annotations


class AtelierError(Exception):
    """Base of the errors a caller can act on; ``status_code`` is the HTTP answer."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AtelierError):
    status_code = 422


class NotFound(AtelierError):
    status_code = 404


class Conflict(AtelierError):
    status_code = 409


class AccessRefused(AtelierError):
    """A storage backend refused the account Atelier runs as (Google Drive's 401 or 403)."""

    status_code = 403


class StorageUnavailable(AtelierError):
    """The storage backend kept failing (outage, rate limits) after every retry."""

    status_code = 503


class ToolDenied(AtelierError):
    """The caller's role may not run this tool."""

    status_code = 403
