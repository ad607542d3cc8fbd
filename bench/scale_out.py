"""Orders per second through one `atelier worker` and through two, the queue wait of an order
(POST answered to its first step started), and where the time goes, in one run.

It starts a Redis of its own, one `atelier serve` with ATELIER_REDIS_URL (every pipeline run
goes to the workers), one PostgreSQL database, and two `atelier worker --concurrency 1`
processes (Celery prefork: one child each) on the layout engine and one local drive that every
process shares. Both workers are warmed first (``--warmup`` runs each, not measured). The
one-worker phase is the second worker told to stop taking runs (Celery's remote control,
cancel_consumer; add_consumer undoes it): it stays up and warm, idle. Then:

1. bursts: ``--orders`` orders posted as fast as ``--threads`` client threads can, and the
   rate from the first POST sent to the last order at awaiting_approval (the review pause:
   a completed order here). One worker and two take turns, ``--rounds`` bursts each, each
   round starting with the other, so a slow spell of the machine falls on both alike. A
   burst's queue waits are its backlog, by construction;
2. a paced load per phase: ``--paced`` orders, one every 1/(``--load`` x the bursts' rate)
   seconds, posted whether or not the previous one was answered: a load the workers keep up
   with, whose queue wait is what the target is about;
3. the floor: ``--floor`` runs of an unknown order sent straight to Celery one at a time,
   workers idle (the real task, which claims nothing and returns): Redis and Celery alone.

Timestamps, all this machine's wall clock: POST sent and answered are the client's
``time.time()``; the order's created_at (the API), a step's started_at and finished_at, and
the order's updated_at when it moved to awaiting_approval (the worker) are each process'
``datetime.now(UTC)``, read back with GET /orders/{id}; the Celery task events (task-sent from
the API, task-received from the worker's main process, task-started and task-succeeded from its
child) carry each sender's ``time.time()`` and are read from Redis by this process. The queue
wait splits into: Redis and the wait for a free worker (task-sent to task-received), the
hand-over to the child (received to started), and the run's own start (started to the first
step: the lease claim, the checkpoint read, the graph's set-up). CPU seconds come from
/proc/<pid>/stat (the API, each worker's main process and child, Redis, this database's
PostgreSQL backends, this client, and the busiest processes that are none of these: other
people's work on a shared machine) and /proc/stat (the whole machine).

    python bench/scale_out.py [--orders 40] [--rounds 3] [--threads 4] [--paced 20]
                              [--load 0.5] [--warmup 2] [--floor 20]

Targets (a 2-core machine): two workers at least 1.6x the orders per second of one; queue
wait p50 under 50 ms (at the paced load). The exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from celery import Celery
from celery.events.receiver import EventReceiver

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.dispatch import QUEUE
from server.schemas import ORDER_EXAMPLE
from server.worker import RUN_ORDER
from tests.support.databases import DatabaseFactory, server_url
from tests.support.procfs import children, cpu_s, machine_busy_s
from tests.support.redis_server import RedisServer
from tests.support.server import ServerProcess, client_for
from tests.support.workers import SHARED_KEYS, WorkerProcess
from tools.access import Role

STEPS = ("create_folder", "generate_design", "fill_workbook", "upload_files", "notify_review")
PAUSED = ("awaiting_approval", "failed")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CORES = os.cpu_count() or 1
SPEEDUP_TARGET = 1.6
WAIT_TARGET_MS = 50.0


# --- Celery's task events, read from Redis ------------------------------------------------------


@dataclass
class Task:
    """One Celery message: which order it carries and when each event about it was sent."""

    order_id: str | None = None
    hostname: str | None = None
    at: dict[str, float] = field(default_factory=dict)


class TaskEvents:
    """Captures the task events every Atelier process sends (worker_send_task_events and
    task_send_sent_event are on in server/worker.py) in a thread of this process."""

    def __init__(self, redis_url: str) -> None:
        self.app = Celery("bench-events", broker=redis_url)
        self.tasks: dict[str, Task] = defaultdict(Task)
        self.lock = threading.Lock()
        self._receiver: EventReceiver | None = None
        self._thread = threading.Thread(target=self._capture, name="task-events", daemon=True)

    def _on_event(self, event: dict[str, Any]) -> None:
        kind = str(event.get("type", ""))
        if not kind.startswith("task-") or "uuid" not in event:
            return
        with self.lock:
            task = self.tasks[str(event["uuid"])]
            task.at.setdefault(kind.removeprefix("task-"), float(event["timestamp"]))
            found = UUID_RE.search(str(event.get("args", "")))
            if found:
                task.order_id = found.group(0)
            if kind == "task-started":
                task.hostname = str(event.get("hostname"))

    def _capture(self) -> None:
        with self.app.connection_for_read() as connection:
            self._receiver = EventReceiver(connection, handlers={"*": self._on_event}, app=self.app)
            self._receiver.capture(limit=None, timeout=None, wakeup=False)

    def start(self) -> TaskEvents:
        self._thread.start()
        deadline = time.monotonic() + 10
        while self._receiver is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # subscribed to the events' channel before anything is sent
        return self

    def stop(self) -> None:
        if self._receiver is not None:
            self._receiver.should_stop = True
        self._thread.join(5)

    def snapshot(self) -> dict[str, Task]:
        with self.lock:
            return {k: Task(v.order_id, v.hostname, dict(v.at)) for k, v in self.tasks.items()}

    def by_order(self) -> dict[str, list[Task]]:
        """Each order's messages, first sent first (a sweep may queue an order twice)."""
        found: dict[str, list[Task]] = defaultdict(list)
        for task in self.snapshot().values():
            if task.order_id:
                found[task.order_id].append(task)
        for tasks in found.values():
            tasks.sort(key=lambda t: min(t.at.values(), default=0.0))
        return found

    def runs_by_host(self) -> dict[str, int]:
        counted: dict[str, int] = defaultdict(int)
        for task in self.snapshot().values():
            if task.hostname and "succeeded" in task.at:
                counted[task.hostname] += 1
        return counted


# --- CPU time from /proc -----------------------------------------------------------------------


def every_process() -> dict[int, float]:
    """CPU seconds of every process on the machine, by pid."""
    return {int(p.name): cpu_s(int(p.name)) for p in Path("/proc").glob("[0-9]*")}


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        if not raw:  # a kernel thread
            return f"[{Path(f'/proc/{pid}/comm').read_text().strip()}]"
    except OSError:
        return f"pid {pid}"
    words = raw.replace(b"\0", b" ").decode(errors="replace").split()
    return " ".join(Path(words[0]).name if i == 0 else w for i, w in enumerate(words))[:70]


@dataclass
class Cpu:
    """CPU seconds over a window: per group of our processes, the machine's busy time, and
    the busiest processes that are not ours (other people's work on a shared machine)."""

    groups: dict[str, float]
    busy_s: float
    wall_s: float
    others: dict[str, float]


@dataclass
class CpuWindow:
    groups: Callable[[], dict[str, list[int]]]
    start_wall: float = 0.0
    start: dict[int, float] = field(default_factory=dict)
    start_busy: float = 0.0
    start_self: float = 0.0

    def open(self) -> None:
        self.start = every_process()
        self.start_busy, self.start_self = machine_busy_s(), time.process_time()
        self.start_wall = time.time()

    def close(self) -> Cpu:
        now = every_process()
        busy, wall = machine_busy_s() - self.start_busy, time.time() - self.start_wall
        used = {pid: cpu - self.start.get(pid, 0.0) for pid, cpu in now.items()}
        groups = self.groups()
        ours = {pid for pids in groups.values() for pid in pids} | {os.getpid()}
        others: dict[str, float] = defaultdict(float)
        for pid, seconds in used.items():
            if pid not in ours and seconds > 0:
                others[command_line(pid)] += seconds
        mine = {name: sum(used.get(pid, 0.0) for pid in pids) for name, pids in groups.items()}
        mine["bench client"] = time.process_time() - self.start_self
        return Cpu(mine, busy, wall, dict(others))


# --- orders -------------------------------------------------------------------------------------


@dataclass
class Placed:
    order_id: str
    sent: float
    answered: float
    server_ms: float


@dataclass
class Timed:
    """One order's times, all wall clock in seconds since the epoch."""

    placed: Placed
    created: float
    first_step: float
    paused: float
    steps: dict[str, float]
    task: Task | None
    messages: int

    @property
    def wait(self) -> float:
        return self.first_step - self.placed.answered


def server_ms(response: httpx.Response) -> float:
    match = re.search(r"dur=([\d.]+)", response.headers.get("server-timing", ""))
    return float(match.group(1)) if match else float("nan")


def post_orders(
    server: ServerProcess, count: int, threads: int, every_s: float = 0.0
) -> list[Placed]:
    """``count`` orders from ``threads`` clients: as fast as they go, or the n-th at n*every_s
    from the start (an open load: a slow answer does not delay the next order)."""
    clients = [client_for(server, "bench", Role.CUSTOMER) for _ in range(threads)]
    local = threading.local()
    handed = iter(clients)
    hand_lock = threading.Lock()
    start = time.monotonic() + 0.05

    def place(n: int) -> Placed:
        if not hasattr(local, "client"):
            with hand_lock:
                local.client = next(handed)
        if every_s:
            time.sleep(max(0.0, start + n * every_s - time.monotonic()))
        sent = time.time()
        response = local.client.post("/orders", json=ORDER_EXAMPLE)
        answered = time.time()
        assert response.status_code == 202, response.text
        return Placed(response.json()["id"], sent, answered, server_ms(response))

    try:
        with ThreadPoolExecutor(threads, thread_name_prefix="client") as pool:
            return list(pool.map(place, range(count)))
    finally:
        for client in clients:
            client.close()


def wait_paused(database_url: str, ids: list[str], timeout: float = 600) -> None:
    """Until every order is at awaiting_approval (or failed): a cheap poll of the database,
    so that waiting takes no CPU from the API."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM orders WHERE id = ANY(%s::uuid[]) AND status = ANY(%s)",
                (ids, list(PAUSED)),
            ).fetchone()
            if row is not None and row[0] == len(ids):
                return
            time.sleep(0.05)
    raise TimeoutError(f"{len(ids)} orders did not all reach awaiting_approval in {timeout} s")


def epoch(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def timed(client: httpx.Client, placed: list[Placed], events: TaskEvents) -> list[Timed]:
    """Each order's step records (GET /orders/{id}, after the phase) and Celery events."""
    messages = events.by_order()
    found = []
    for p in placed:
        order = client.get(f"/orders/{p.order_id}").json()
        assert order["status"] == "awaiting_approval", (order["status"], order["error"])
        steps = {s["step"]: s for s in order["steps"]}
        tasks = messages.get(p.order_id, [])
        found.append(
            Timed(
                placed=p,
                created=epoch(order["created_at"]),
                first_step=epoch(steps[STEPS[0]]["started_at"]),
                paused=epoch(order["updated_at"]),
                steps={
                    name: epoch(steps[name]["finished_at"]) - epoch(steps[name]["started_at"])
                    for name in STEPS
                },
                task=tasks[0] if tasks else None,
                messages=len(tasks),
            )
        )
    return found


# --- phases -------------------------------------------------------------------------------------


@dataclass
class Burst:
    orders: list[Timed]
    cpu: Cpu

    @property
    def seconds(self) -> float:
        """The first POST sent to the last order paused."""
        return max(t.paused for t in self.orders) - min(t.placed.sent for t in self.orders)


@dataclass
class Phase:
    """Everything measured with ``workers`` workers taking runs."""

    workers: int
    bursts: list[Burst] = field(default_factory=list)
    paced: list[Timed] = field(default_factory=list)
    paced_rate: float = 0.0

    @property
    def orders(self) -> list[Timed]:
        return [t for b in self.bursts for t in b.orders]

    @property
    def rate(self) -> float:
        """Orders per second over all its bursts."""
        return len(self.orders) / sum(b.seconds for b in self.bursts)

    def cpu_used(self, group: str) -> float:
        return sum(b.cpu.groups.get(group, 0.0) for b in self.bursts)

    @property
    def busy_s(self) -> float:
        return sum(b.cpu.busy_s for b in self.bursts)

    @property
    def wall_s(self) -> float:
        return sum(b.cpu.wall_s for b in self.bursts)


@dataclass
class World:
    tmp: Path
    env: dict[str, str]
    database_url: str
    server: ServerProcess
    redis: RedisServer
    events: TaskEvents
    celery: Celery
    workers: list[WorkerProcess] = field(default_factory=list)


def hostname(worker: WorkerProcess) -> str:
    assert worker.process is not None
    return f"atelier-{worker.process.pid}@{os.uname().nodename}"


def take_runs(world: World, worker: WorkerProcess, on: bool) -> None:
    """Start or stop the worker consuming the runs' queue (Celery remote control): the
    worker keeps running, warm, either way."""
    control, name = world.celery.control, hostname(worker)
    if on:
        replies = control.add_consumer(QUEUE, destination=[name], reply=True, timeout=5)
    else:
        replies = control.cancel_consumer(QUEUE, destination=[name], reply=True, timeout=5)
    if not replies:
        raise RuntimeError(f"{name} did not answer the remote control")


def use_workers(world: World, count: int) -> None:
    for n, worker in enumerate(world.workers):
        take_runs(world, worker, n < count)


def warm(world: World, runs: int, threads: int) -> None:
    """Orders until each worker has run ``runs`` of them (which one takes a message is
    Redis' choice), at most 20 rounds."""
    names = [hostname(w) for w in world.workers]
    for _ in range(20):
        done = world.events.runs_by_host()
        if all(done.get(name, 0) >= runs for name in names):
            return
        placed = post_orders(world.server, len(names), threads)
        wait_paused(world.database_url, [p.order_id for p in placed])
        time.sleep(0.3)  # the last task-succeeded event
    print(f"note: not every worker warmed up: {dict(world.events.runs_by_host())}")


def process_groups(world: World) -> dict[str, list[int]]:
    assert world.server.process is not None and world.redis.process is not None
    groups = {"api": [world.server.process.pid]}
    for n, worker in enumerate(world.workers, 1):
        assert worker.process is not None
        groups[f"worker {n}, main process"] = [worker.process.pid]
        groups[f"worker {n}, child"] = children(worker.process.pid)
    groups["redis"] = [world.redis.process.pid]
    with psycopg.connect(world.database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    groups["postgres (this database)"] = [int(r[0]) for r in rows]
    return groups


def burst(world: World, reader: httpx.Client, args: argparse.Namespace) -> Burst:
    window = CpuWindow(lambda: process_groups(world))
    window.open()
    placed = post_orders(world.server, args.orders, args.threads)
    wait_paused(world.database_url, [p.order_id for p in placed])
    cpu = window.close()
    time.sleep(0.3)  # the last task events
    return Burst(timed(reader, placed, world.events), cpu)


def paced(world: World, reader: httpx.Client, phase: Phase, args: argparse.Namespace) -> None:
    phase.paced_rate = args.load * phase.rate
    placed = post_orders(world.server, args.paced, args.threads, every_s=1 / phase.paced_rate)
    wait_paused(world.database_url, [p.order_id for p in placed])
    time.sleep(0.3)
    phase.paced = timed(reader, placed, world.events)


@dataclass
class Floor:
    """A run of an unknown order sent to Celery with the workers idle: seconds from the send
    to each event."""

    received: list[float]
    started: list[float]
    succeeded: list[float]


def measure_floor(world: World, count: int) -> Floor:
    sent: dict[str, float] = {}
    for _ in range(count + 1):  # the first one opens this process' connection: not counted
        order_id = str(uuid.uuid4())  # no such order: the run claims nothing and returns
        sent[order_id] = time.time()
        world.celery.send_task(RUN_ORDER, args=[order_id], queue=QUEUE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            tasks = world.events.by_order().get(order_id, [])
            if tasks and "succeeded" in tasks[0].at:
                break
            time.sleep(0.01)
        time.sleep(0.05)
    found = world.events.by_order()
    floor = Floor([], [], [])
    for order_id, at in list(sent.items())[1:]:
        events = found[order_id][0].at if found.get(order_id) else {}
        if not {"received", "started", "succeeded"} <= events.keys():
            print(f"note: a floor run ({order_id}) sent no events within 10 s")
            continue
        floor.received.append(events["received"] - at)
        floor.started.append(events["started"] - at)
        floor.succeeded.append(events["succeeded"] - at)
    return floor


@contextmanager
def atelier(tmp: Path, workers: int) -> Iterator[World]:
    """Redis, a database, the API and ``workers`` workers, all taking runs."""
    with ExitStack() as stack:
        databases = DatabaseFactory(server_url(tmp / "pg"), prefix="atelier_bench")
        stack.callback(databases.drop_all)
        database_url = databases.create()
        redis = stack.enter_context(RedisServer(tmp / "redis"))
        env = {
            "ATELIER_DATABASE_URL": database_url,
            "ATELIER_REDIS_URL": redis.url,
            "ATELIER_DRIVE_DIR": str(tmp / "drive"),  # one drive, as one Google Drive would be
            "ATELIER_DESIGN_ENGINE": "layout",
            **SHARED_KEYS,
        }
        events = TaskEvents(redis.url).start()
        stack.callback(events.stop)
        celery = Celery("bench", broker=redis.url)
        stack.callback(celery.close)
        server = stack.enter_context(ServerProcess(tmp / "api", env))
        world = World(tmp, env, database_url, server, redis, events, celery)
        for n in range(1, workers + 1):
            world.workers.append(
                stack.enter_context(WorkerProcess(tmp / f"worker{n}", env, concurrency=1))
            )
        yield world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=40, help="orders in each burst")
    parser.add_argument("--rounds", type=int, default=3, help="bursts with each worker count")
    parser.add_argument("--threads", type=int, default=4, help="client threads posting")
    parser.add_argument("--paced", type=int, default=20, help="orders at the paced load")
    parser.add_argument(
        "--load", type=float, default=0.5, help="the paced load, a fraction of the burst's rate"
    )
    parser.add_argument("--warmup", type=int, default=2, help="runs each worker warms up with")
    parser.add_argument("--floor", type=int, default=20, help="no-op runs for the Celery floor")
    args = parser.parse_args()

    phases = [Phase(1), Phase(2)]
    with (
        tempfile.TemporaryDirectory() as tmp,
        atelier(Path(tmp), len(phases)) as world,
        client_for(world.server, "bench", Role.CUSTOMER) as reader,
    ):
        warm(world, args.warmup, args.threads)
        for n in range(args.rounds):
            # Each round starts with the other phase, so a slow spell falls on both alike.
            for phase in phases[n % 2 :] + phases[: n % 2]:
                use_workers(world, phase.workers)
                phase.bursts.append(burst(world, reader, args))
        for phase in phases:
            use_workers(world, phase.workers)
            paced(world, reader, phase, args)
        floor = measure_floor(world, args.floor)
    report(phases, floor, args)


# --- the report ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(values: list[float], q: float = 0.5) -> str:
    return f"{percentile(values, q) * 1000:8.1f}"


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else float("nan")


def segments(orders: list[Timed]) -> dict[str, list[float]]:
    """The queue wait's parts (seconds), from each order's first Celery message."""
    parts: dict[str, list[float]] = defaultdict(list)
    for t in orders:
        parts["POST answered -> first step (the wait)"].append(t.wait)
        parts["order created -> first step"].append(t.first_step - t.created)
        at = t.task.at if t.task else {}
        if {"sent", "received", "started"} <= at.keys():
            parts["  created -> task-sent (API)"].append(at["sent"] - t.created)
            parts["  task-sent -> POST answered (API)"].append(t.placed.answered - at["sent"])
            parts["  task-sent -> received (Redis, a free worker)"].append(
                at["received"] - at["sent"]
            )
            parts["  received -> started (to the child)"].append(at["started"] - at["received"])
            parts["  started -> first step (claim, set-up)"].append(t.first_step - at["started"])
    return parts


def row(name: str, values: list[float], width: int = 12) -> str:
    return f"  {name:46s}" + "".join(f"{v:{width}.1f}" for v in values)


def header(phases: list[Phase], width: int = 12) -> str:
    return f"  {'':46s}" + "".join(f"{f'{p.workers} worker(s)':>{width}s}" for p in phases)


def report(phases: list[Phase], floor: Floor, args: argparse.Namespace) -> None:
    one, two = phases
    print(
        f"{args.rounds} bursts of {args.orders} orders per worker count, from {args.threads} "
        f"client threads, taking turns; {args.paced} orders paced at {args.load:g}x the bursts' "
        f"rate; layout engine; {CORES} cores"
    )
    print()
    print(
        f"{'workers':>7s} {'orders/s':>9s} {'bursts':>12s} {'burst wait p50':>15s} {'p99':>8s} "
        f"{'paced at/s':>11s} {'paced wait p50':>15s} {'p99':>8s} {'POST p50':>9s} "
        f"{'dup msgs':>8s}"
    )
    for p in phases:
        rates = [len(b.orders) / b.seconds for b in p.bursts]
        posts = [t.placed.server_ms / 1000 for t in p.orders + p.paced]
        dups = sum(t.messages - 1 for t in p.orders + p.paced)
        print(
            f"{p.workers:7d} {p.rate:9.2f} {f'{min(rates):.2f}-{max(rates):.2f}':>12s} "
            f"{ms([t.wait for t in p.orders]):>15s} {ms([t.wait for t in p.orders], 0.99)} "
            f"{p.paced_rate:11.2f} {ms([t.wait for t in p.paced]):>15s} "
            f"{ms([t.wait for t in p.paced], 0.99)} {ms(posts)} {dups:8d}"
        )
    print(
        "(orders/s: first POST sent to last order at awaiting_approval, over all bursts; "
        "waits in ms, POST answered -> first step started; POST p50: Server-Timing, ms)"
    )

    print("\nqueue wait at the paced load, medians in ms:")
    print(header(phases))
    for name in segments(one.paced):
        print(row(name, [median_ms(segments(p.paced).get(name, [])) for p in phases]))
    print(
        f"  floor: a run of no order sent straight to Celery, workers idle ({len(floor.started)}"
        f" runs):\n    received {median_ms(floor.received):.1f}, started "
        f"{median_ms(floor.started):.1f} (p99 {percentile(floor.started, 0.99) * 1000:.1f}), "
        f"succeeded {median_ms(floor.succeeded):.1f}"
    )

    print("\na run in the bursts, medians in ms:")
    print(header(phases))
    for name in STEPS:
        print(row(name, [median_ms([t.steps[name] for t in p.orders]) for p in phases]))
    print(
        row(
            "first step started -> awaiting_approval",
            [median_ms([t.paused - t.first_step for t in p.orders]) for p in phases],
        )
    )
    print(
        row(
            "  of which outside the steps",
            [
                median_ms([t.paused - t.first_step - sum(t.steps.values()) for t in p.orders])
                for p in phases
            ],
        )
    )
    print(
        row(
            "task-started -> task-succeeded (the whole run)",
            [
                median_ms(
                    [
                        t.task.at["succeeded"] - t.task.at["started"]
                        for t in p.orders
                        if t.task and {"started", "succeeded"} <= t.task.at.keys()
                    ]
                )
                for p in phases
            ],
        )
    )

    print("\nCPU in the bursts, ms per order (and the share of the machine's cores):")
    print(header(phases, 20))
    groups = list(two.bursts[0].cpu.groups)
    ours = {p.workers: sum(p.cpu_used(g) for g in groups) for p in phases}
    lines = [(g, {p.workers: p.cpu_used(g) for p in phases}) for g in groups]
    lines.append(("all of ours", ours))
    lines.append(
        ("other people's processes", {p.workers: p.busy_s - ours[p.workers] for p in phases})
    )
    lines.append(("all of the machine", {p.workers: p.busy_s for p in phases}))
    for name, used in lines:
        cells = [
            f"{used[p.workers] / len(p.orders) * 1000:11.1f} ms"
            f" {used[p.workers] / (p.wall_s * CORES) * 100:4.0f}%"
            for p in phases
        ]
        print(f"  {name:46s}" + "".join(cells))
    for p in phases:
        others: dict[str, float] = defaultdict(float)
        for b in p.bursts:
            for name, seconds in b.cpu.others.items():
                others[name] += seconds
        busiest = sorted(others.items(), key=lambda kv: -kv[1])[:3]
        named = "; ".join(
            f"{name} {seconds / (p.wall_s * CORES) * 100:.0f}%" for name, seconds in busiest
        )
        print(f"  busiest others, {p.workers} worker(s): {named}")

    ratio = two.rate / one.rate
    pairs = [
        len(b2.orders) / b2.seconds / (len(b1.orders) / b1.seconds)
        for b1, b2 in zip(one.bursts, two.bursts, strict=True)
    ]
    ceiling = CORES / (ours[1] / len(one.orders)) / one.rate
    print(
        f"\nthe CPU our processes spend per order allows at most {ceiling:.2f}x one worker's "
        f"rate on {CORES} cores (with nothing else running)"
    )
    print(
        f"two workers / one: {ratio:.2f}x (rounds {min(pairs):.2f}-{max(pairs):.2f}) "
        f"(target >= {SPEEDUP_TARGET}x: {verdict(ratio >= SPEEDUP_TARGET)})"
    )
    for p in phases:
        wait = percentile([t.wait for t in p.paced], 0.5) * 1000
        print(
            f"queue wait p50, {p.workers} worker(s), paced at {p.paced_rate:.2f}/s: "
            f"{wait:.1f} ms (target < {WAIT_TARGET_MS:g} ms: {verdict(wait < WAIT_TARGET_MS)})"
        )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()
