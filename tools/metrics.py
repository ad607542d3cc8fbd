"""Prometheus metrics of the service, in the process's default registry (which also carries
the process collector: CPU seconds, resident memory, open file descriptors)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "atelier_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_ERRORS = Counter(
    "atelier_http_errors_total", "HTTP answers with a 4xx or 5xx status", ["route", "status"]
)
HTTP_LATENCY = Histogram(
    "atelier_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PIPELINE_STEP = Histogram(
    "atelier_pipeline_step_duration_seconds",
    "Order pipeline steps by outcome",
    ["step", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
PIPELINE_RUNS = Counter(
    "atelier_pipeline_runs_total", "Pipeline runs finished, by where they ended", ["outcome"]
)
DESIGN_SECONDS = Histogram(
    "atelier_design_generation_seconds",
    "Design generation time by engine",
    ["engine"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
CHAT_CALLS = Counter("atelier_chat_model_calls_total", "Chat-model calls", ["model"])
CHAT_TOKENS = Counter(
    "atelier_chat_model_tokens_total", "Chat-model tokens", ["model", "direction"]
)
WORKER_TASKS = Counter(
    "atelier_worker_tasks_total",
    "Pipeline tasks on the workers: received, succeeded, failed, retried",
    ["event"],
)
QUEUE_WAIT = Histogram(
    "atelier_queue_wait_seconds",
    "From a run queued (POST answered, review recorded, sweep) to its task starting",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
