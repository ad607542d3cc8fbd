"""Requests per second, p50 and p99 of Atelier's read endpoints and of its order intake, each
against a one-query anchor driven by the same load generator, on the same database, in one run.

It starts, on one PostgreSQL database: the anchor (bench/anchor_app.py: a minimal FastAPI app
with the same HS256 bearer check, one pooled SELECT or INSERT per request), and `atelier serve`
as it runs by default (pipeline runs in its thread pool, JSON access log to a file, rate limits
lifted). It seeds ``--seed`` orders as the customer "jane" through the API and waits until each
is at awaiting_approval, so GET /orders/{id} reads a real order (steps, files, a design
version) and GET /orders?limit=20 a full page. Then `wrk` (``--threads`` threads,
``--connections`` connections, ``--warmup`` seconds unmeasured, then ``--duration`` measured)
drives, round after round (``--rounds``), each round alternating which side goes first:

1. the anchor's GET /bare (the bearer check alone) and Atelier's GET /health;
2. the anchor's GET /orders/{id} (one SELECT) and Atelier's GET /orders/{id} (jane's own
   order, as jane);
3. the anchor's GET /orders?limit=20 (one SELECT of jane's 20 newest rows, for reference),
   its GET /floor/orders?limit=20 (the same page with the revocation check and the personal
   data decrypted: the least a page costs that keeps Atelier's promises, the list target's
   floor) and Atelier's GET /orders?limit=20.

Order intake is measured last, against the anchor's POST /orders (one INSERT), on a second
`atelier serve` on the same database with ATELIER_REDIS_URL set to a Redis of the bench's own
and no worker: the orders queue in Redis and no pipeline runs, so the figure is the API's
intake alone (validation, the rate-limit count in Redis, the order's transaction, the Celery
message), which is what an API process does in production. In the default mode the pipeline
would run in the API's own threads, and its work (a design, a workbook, uploads: far more CPU
than the POST) would compete for the same two cores; ``--with-pipeline`` also measures that
(the first server, before it stops), for reference. The first server is stopped before the
second starts, or its sweeper would run the queued orders.

Latencies are wrk's (client-side, per request); requests/s are wrk's completed requests over
its measured time. For each measurement it also reads the CPU seconds (/proc) of the loaded
server, of this database's PostgreSQL backends, of wrk, and the machine's busy time, so that
another job on the machine shows up as "others". The figures over all rounds: requests/s is all
requests over all measured time, p50 the median of the rounds' p50s, p99 the highest p99.

    python bench/api_throughput.py [--duration 10] [--warmup 2] [--rounds 2] [--connections 8]
                                   [--threads 2] [--seed 20] [--with-pipeline]

Needs wrk (Debian/Ubuntu: ``apt-get install -y wrk``; macOS: ``brew install wrk``).

Targets: GET /orders/{id} and GET /orders?limit=20 at 50% or more of the one-query anchor's
requests/s; GET /health at 80% or more of the bare endpoint's; under that load, each Atelier
endpoint's p99 within 3x its p50. Intake is reported against its anchor without a target. The
exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.schemas import ORDER_EXAMPLE
from tests.support.databases import DatabaseFactory, server_url
from tests.support.http import wait_for_status
from tests.support.processes import ManagedProcess
from tests.support.procfs import cpu_s, machine_busy_s
from tests.support.receivers import free_port
from tests.support.redis_server import RedisServer
from tests.support.server import JWT_SECRET, ServerProcess
from tests.support.workers import SHARED_KEYS
from tools.access import Role

ANCHOR_APP = Path(__file__).resolve().parent / "anchor_app.py"
CUSTOMER = "jane"
CORES = os.cpu_count() or 1
READ_TARGET = 0.5
HEALTH_TARGET = 0.8
TAIL_TARGET = 3.0
FLOOR_LIST = "anchor floor GET /orders?limit=20"
PIPELINE_ROW = "Atelier POST /orders, pipeline in the API"
PIPELINE_ANCHOR = "anchor POST /orders, same turn"

# wrk's Lua script: the request (method, headers, body: sent as is on every request, so wrk
# keeps its fast path) and, when it is done, one JSON line with the figures.
WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, '
    .. '"p99_us": %d, "max_us": %d, "bytes": %d, "socket_errors": %d, "non_2xx": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.bytes, e.connect + e.read + e.write + e.timeout,
    e.status))
end
"""


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit(
            "api_throughput: this bench drives the servers with wrk, which is not installed.\n"
            "  Debian/Ubuntu: sudo apt-get install -y wrk\n"
            "  macOS: brew install wrk\n"
            "  elsewhere: build it from https://github.com/wg/wrk and put it on PATH"
        )
    return found


# --- CPU time from /proc -----------------------------------------------------------------------


def children_cpu_s() -> float:
    """CPU seconds of this process's children that have ended (wrk, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def backends(database_url: str) -> list[int]:
    """The pids of the PostgreSQL backends connected to this database, ours left out."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return [int(r[0]) for r in rows]


# --- the anchor ---------------------------------------------------------------------------------


class AnchorProcess(ManagedProcess):
    """bench/anchor_app.py under uvicorn on a free port; its output goes to a log."""

    def __init__(self, work_dir: Path, database_url: str) -> None:
        self.work_dir = work_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = work_dir / f"anchor-{self.port}.log"
        self.env = {
            **os.environ,
            "ANCHOR_DATABASE_URL": database_url,
            "ANCHOR_JWT_SECRET": JWT_SECRET,
            "ANCHOR_ENCRYPTION_KEYS": SHARED_KEYS["ATELIER_ENCRYPTION_KEYS"],
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> AnchorProcess:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, str(ANCHOR_APP), "--port", str(self.port)],
            env=self.env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the anchor exited early:\n{self.log()}")
            try:
                httpx.get(f"{self.url}/bare", timeout=1)  # a 403 without a token: it is up
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the anchor did not start:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One request, sent over and over, and the name its figures go under."""

    name: str
    method: str = "GET"
    path: str = "/"
    body: str = ""


@dataclass(frozen=True)
class Measured:
    """One wrk run of ``seconds``: what it counted, and the CPU spent meanwhile."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    bytes: int
    errors: int
    server_cpu_s: float
    postgres_cpu_s: float
    wrk_cpu_s: float
    busy_s: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def others_s(self) -> float:
        """Busy CPU seconds of the machine that none of the bench's processes spent."""
        ours = self.server_cpu_s + self.postgres_cpu_s + self.wrk_cpu_s
        return max(0.0, self.busy_s - ours)


@dataclass
class Target:
    """Where an endpoint is served: base URL, the server's pid and the token to send."""

    url: str
    pid: int
    token: str


@dataclass
class Bench:
    args: argparse.Namespace
    wrk: str
    work_dir: Path
    database_url: str
    results: dict[str, list[Measured]] = field(default_factory=dict)

    def wrk_run(self, target: Target, endpoint: Endpoint, seconds: int) -> dict[str, int]:
        script = self.work_dir / "wrk.lua"
        script.write_text(
            WRK_SCRIPT.format(method=endpoint.method, token=target.token, body=endpoint.body)
        )
        command = [
            self.wrk,
            f"-t{self.args.threads}",
            f"-c{self.args.connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            target.url + endpoint.path,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        for line in done.stdout.splitlines():
            if line.startswith("WRK-RESULT "):
                found: dict[str, int] = json.loads(line.removeprefix("WRK-RESULT "))
                return found
        raise RuntimeError(f"wrk gave no figures ({done.returncode}):\n{done.stdout}{done.stderr}")

    def measure(self, target: Target, endpoint: Endpoint) -> Measured:
        """A warm-up, then one measured wrk run; the figures are kept under the endpoint's
        name."""
        if self.args.warmup > 0:
            self.wrk_run(target, endpoint, self.args.warmup)
        pg_before = {pid: cpu_s(pid) for pid in backends(self.database_url)}
        server_before, busy_before, wrk_before = (
            cpu_s(target.pid),
            machine_busy_s(),
            children_cpu_s(),
        )
        figures = self.wrk_run(target, endpoint, self.args.duration)
        server_used = cpu_s(target.pid) - server_before
        busy = machine_busy_s() - busy_before
        wrk_used = children_cpu_s() - wrk_before
        postgres = sum(cpu_s(pid) - pg_before.get(pid, 0.0) for pid in backends(self.database_url))
        measured = Measured(
            requests=figures["requests"],
            seconds=figures["duration_us"] / 1e6,
            p50_ms=figures["p50_us"] / 1000,
            p90_ms=figures["p90_us"] / 1000,
            p99_ms=figures["p99_us"] / 1000,
            max_ms=figures["max_us"] / 1000,
            bytes=figures["bytes"],
            errors=figures["socket_errors"] + figures["non_2xx"],
            server_cpu_s=server_used,
            postgres_cpu_s=postgres,
            wrk_cpu_s=wrk_used,
            busy_s=busy,
        )
        self.results.setdefault(endpoint.name, []).append(measured)
        print(f"  {line(endpoint.name, [measured])}", flush=True)
        return measured

    def rounds(self, groups: list[list[tuple[Target, Endpoint]]]) -> None:
        """Every group in every round, back to back; a group's order is reversed in odd
        rounds (the anchor, listed first, goes last), so a slow spell falls on both alike."""
        for n in range(self.args.rounds):
            print(f"round {n + 1}/{self.args.rounds}", flush=True)
            for group in groups:
                for target, endpoint in group if n % 2 == 0 else group[::-1]:
                    self.measure(target, endpoint)


# --- the world ----------------------------------------------------------------------------------


def pid_of(process: ServerProcess | AnchorProcess) -> int:
    assert process.process is not None
    return process.process.pid


def seed(server: ServerProcess, count: int) -> list[str]:
    """``count`` orders placed by jane, each waited for until it awaits approval."""
    token = server.token(CUSTOMER, Role.CUSTOMER)
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        ids = []
        for _ in range(count):
            response = client.post("/orders", json=ORDER_EXAMPLE)
            assert response.status_code == 202, response.text
            ids.append(str(response.json()["id"]))
        for order_id in ids:
            wait_for_status(client, order_id, "awaiting_approval", timeout=300)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="measured seconds per run")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds before each")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each endpoint")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--seed", type=int, default=20, help="orders jane has placed")
    parser.add_argument(
        "--with-pipeline",
        action="store_true",
        help="also measure POST /orders with the pipeline running in the API's threads",
    )
    args = parser.parse_args()
    wrk = wrk_binary()
    print(
        f"{CORES} cores; load average at start {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
        f"wrk -t{args.threads} -c{args.connections}, {args.warmup} s warm-up + "
        f"{args.duration} s measured, {args.rounds} rounds",
        flush=True,
    )
    order_body = json.dumps(ORDER_EXAMPLE)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        work = Path(tmp)
        databases = DatabaseFactory(server_url(work / "pg"), prefix="atelier_bench")
        stack.callback(databases.drop_all)
        database_url = databases.create()
        bench = Bench(args, wrk, work, database_url)
        anchor = stack.enter_context(AnchorProcess(work / "anchor", database_url))
        # Both servers share the encryption keys, so either reads what the other wrote.
        env = {"ATELIER_DATABASE_URL": database_url, **SHARED_KEYS}
        # Stopped before the intake server starts (its sweeper would run the queued orders).
        with ServerProcess(work / "api", env) as api:
            token = api.token(CUSTOMER, Role.CUSTOMER)
            started = time.monotonic()
            ids = seed(api, args.seed)
            print(f"seeded {len(ids)} orders in {time.monotonic() - started:.1f} s", flush=True)
            to_anchor = Target(anchor.url, pid_of(anchor), token)
            to_atelier = Target(api.url, pid_of(api), token)
            one = f"/orders/{ids[0]}"  # jane's own order, read as jane
            pairs = [("/bare", "/health"), (one, one), ("/orders?limit=20", "/orders?limit=20")]
            groups = [
                [
                    (to_anchor, Endpoint(f"anchor GET {a.replace(ids[0], '{id}')}", path=a)),
                    (to_atelier, Endpoint(f"Atelier GET {b.replace(ids[0], '{id}')}", path=b)),
                ]
                for a, b in pairs
            ]
            groups[-1].insert(1, (to_anchor, Endpoint(FLOOR_LIST, path="/floor/orders?limit=20")))
            bench.rounds(groups)
            if args.with_pipeline:
                print("intake with the pipeline running in the API's threads", flush=True)
                for target, name in (
                    (to_anchor, PIPELINE_ANCHOR),
                    (to_atelier, PIPELINE_ROW),
                ):
                    bench.measure(target, Endpoint(name, "POST", "/orders", order_body))
        redis = stack.enter_context(RedisServer(work / "redis"))
        queued = ServerProcess(work / "api-queued", {**env, "ATELIER_REDIS_URL": redis.url})
        stack.enter_context(queued)
        to_intake = Target(queued.url, pid_of(queued), token)
        print("intake: orders queued in Redis, no worker", flush=True)
        bench.rounds(
            [
                [
                    (to_anchor, Endpoint("anchor POST /orders", "POST", "/orders", order_body)),
                    (to_intake, Endpoint("Atelier POST /orders", "POST", "/orders", order_body)),
                ]
            ]
        )
    report(bench.results, args)


# --- the report ---------------------------------------------------------------------------------


def over_rounds(runs: list[Measured]) -> tuple[float, float, float]:
    """requests/s over all runs, the median of their p50s, the highest p99."""
    rps = sum(r.requests for r in runs) / sum(r.seconds for r in runs)
    return rps, statistics.median(r.p50_ms for r in runs), max(r.p99_ms for r in runs)


def line(name: str, runs: list[Measured]) -> str:
    rps, p50, p99 = over_rounds(runs)
    seconds = sum(r.seconds for r in runs)
    requests = sum(r.requests for r in runs)
    per_request = [
        sum(getattr(r, f) for r in runs) / requests * 1000
        for f in ("server_cpu_s", "postgres_cpu_s", "wrk_cpu_s")
    ]
    others = sum(r.others_s for r in runs) / (seconds * CORES) * 100
    errors = sum(r.errors for r in runs)
    size = sum(r.bytes for r in runs) / requests
    return (
        f"{name:42s} {rps:8.1f} {p50:7.2f} {p99:7.2f} {p99 / p50:6.2f}"
        + "".join(f" {v:7.2f}" for v in per_request)
        + f" {others:6.0f}% {size:7.0f} {errors:6d}"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(results: dict[str, list[Measured]], args: argparse.Namespace) -> None:
    print()
    print(
        f"{'':42s} {'req/s':>8s} {'p50 ms':>7s} {'p99 ms':>7s} {'p99/50':>6s} "
        f"{'server':>7s} {'postgr.':>7s} {'wrk':>7s} {'others':>7s} {'bytes':>7s} {'errors':>6s}"
    )
    for name, runs in results.items():
        print(line(name, runs))
    print(
        f"(over {args.rounds} rounds: req/s all requests / all measured time, p50 the median of "
        "the rounds', p99 the highest; server, postgr., wrk: CPU ms per request of the loaded "
        "server, this database's PostgreSQL backends and wrk; others: the share of the "
        f"machine's {CORES} cores busy with none of these (PostgreSQL's background writers "
        "included); bytes: per answer, headers included; errors: non-2xx answers and socket "
        "errors)"
    )

    def rps(name: str) -> float:
        return over_rounds(results[name])[0]

    def pairs(name: str, anchor: str) -> str:
        ratios = [a.rps / b.rps for a, b in zip(results[name], results[anchor], strict=True)]
        return f"rounds {min(ratios):.2f}-{max(ratios):.2f}"

    print()
    comparisons: list[tuple[str, str, float | str]] = [
        ("Atelier GET /orders/{id}", "anchor GET /orders/{id}", READ_TARGET),
        ("Atelier GET /orders?limit=20", "anchor GET /orders/{id}", READ_TARGET),
        ("Atelier GET /orders?limit=20", "anchor GET /orders?limit=20", "the same 20 rows"),
        (FLOOR_LIST, "anchor GET /orders/{id}", "the list target's floor"),
        ("Atelier GET /orders?limit=20", FLOOR_LIST, "the same rows, checked and decrypted"),
        ("Atelier GET /health", "anchor GET /bare", HEALTH_TARGET),
        ("Atelier POST /orders", "anchor POST /orders", "intake, no target"),
        (PIPELINE_ROW, PIPELINE_ANCHOR, "the pipeline competing, no target"),
    ]
    for name, anchor, target in comparisons:
        if name not in results:
            continue
        ratio = rps(name) / rps(anchor)
        aim = (
            f"target >= {target:.0%}: {verdict(ratio >= target)}"
            if isinstance(target, float)
            else f"for reference: {target}"
        )
        print(f"{name} / {anchor}: {ratio:.0%}, {pairs(name, anchor)} ({aim})")
    for name in results:
        if name.startswith("Atelier") and name != PIPELINE_ROW:
            _, p50, p99 = over_rounds(results[name])
            ok = p99 <= TAIL_TARGET * p50
            print(
                f"{name}: p99 {p99:.1f} ms = {p99 / p50:.1f}x p50 {p50:.1f} ms "
                f"(target <= {TAIL_TARGET:g}x: {verdict(ok)})"
            )
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
