"""An engine that falls back to a second engine when the first cannot make the design."""

from __future__ import annotations

import logging

from tools.design.base import (
    DesignEngine,
    DesignError,
    DesignRequest,
    DesignResult,
    ProgressCallback,
)

logger = logging.getLogger(__name__)


class FallbackEngine:
    """Tries ``primary``; when it fails, ``fallback`` makes the design.

    The result's ``engine`` names the engine that really made it. Any exception of the primary
    falls back (a GPU out of memory is as fatal to an order as a missing model), and is logged
    with its traceback. When the fallback fails too, the DesignError names both failures.
    """

    def __init__(self, primary: DesignEngine, fallback: DesignEngine) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = f"{primary.name}+{fallback.name}"

    def generate(
        self, request: DesignRequest, progress: ProgressCallback | None = None
    ) -> DesignResult:
        """The primary's design, or the fallback's when the primary raises."""
        try:
            return self.primary.generate(request, progress)
        except Exception as primary_error:
            # DesignError is an expected failure (model missing, server refused); anything
            # else is a bug or a crash worth an error-level log. Both keep their traceback.
            log = logger.warning if isinstance(primary_error, DesignError) else logger.error
            log(
                "design engine %s failed for order %s v%s; falling back to %s",
                self.primary.name,
                request.order_id,
                request.version,
                self.fallback.name,
                exc_info=True,
            )
            try:
                return self.fallback.generate(request, progress)
            except DesignError as fallback_error:
                raise DesignError(
                    f"{self.primary.name} failed ({primary_error}) and the fallback "
                    f"{self.fallback.name} failed too ({fallback_error})"
                ) from fallback_error
