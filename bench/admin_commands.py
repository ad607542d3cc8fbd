"""Server-side latency of POST /admin/commands (offline interpreter) over the admin corpus,
against the same operations through the direct admin endpoints, in one run.

It starts `atelier serve` in the corpus's own world (tests/support/admin_world.py: the seeded
drive and orders the corpus test runs against), then, round after round, sends every corpus
command whose tool has a direct endpoint (list_sheets, create_sheet_from_template, list_files,
build_summary_sheet) and the same tool call to its endpoint, interleaved. After each round the
sheets it created are removed (untimed), so every round lists and summarises the same drive.
Latency is the server's own (the Server-Timing header), so the HTTP client's overhead is left
out of both sides.

    python bench/admin_commands.py [--rounds 5] [--without PATCH ...]

Targets: command p50 under 50 ms; what a command adds to the same call made directly (paired
by case and round), p50 under 10 ms. That addition is about the same for every tool (the
agent loop, two model turns, the session record and the checkpoint), so the command/direct
ratio, printed for reference, depends mostly on how much the tool itself costs. It also prints
each tool's figures and, last, times the agent loop alone in this process (the least a
command can add) against the direct p50.

``--without PATCH`` (repeatable) measures what one of the project's performance patches buys:
it starts another server, in a world of its own, with that patch switched off, sends it the
same requests interleaved with the first, and prints what a command adds there:
``executors`` (graphs/executors.py as a whole), ``tool-step`` (only its inline tool step),
``shared-pool`` (only its shared background pool), ``first-read`` (the checkpointer's skipped
first read of a new session, persistence/checkpoints.py).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
from langchain_core.messages import AIMessage, HumanMessage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphs.admin.graph import AGENT_TOOLS, build_admin_agent
from tests.e2e.admin_corpus import CORPUS, Case
from tests.support.admin_world import admin_world
from tests.support.databases import DatabaseFactory, server_url
from tests.support.drive_view import LocalDriveView
from tests.support.scripted_model import ScriptedChatModel, call
from tests.support.server import client_for
from tools.access import Principal, Role
from tools.context import Backends, ToolContext
from tools.drive import FileList, ListFilesArgs
from tools.registry import ToolRegistry

DIRECT = {
    "list_sheets": ("GET", "/admin/sheets"),
    "create_sheet_from_template": ("POST", "/admin/sheets"),
    "list_files": ("GET", "/admin/files"),
    "build_summary_sheet": ("POST", "/admin/summary"),
}

ADDED_TARGET_MS = 10.0

# What switches each patch off in a server process: a sitecustomize module, run at start-up.
_EXECUTORS = "import graphs.executors as e\n"
SWITCH_OFF = {
    "executors": _EXECUTORS + "e.install = lambda: None\n",
    "tool-step": _EXECUTORS
    + "e._REPLACED[:] = [r for r in e._REPLACED if r[0] is not e.tool_node]\n",
    "shared-pool": _EXECUTORS
    + "e._REPLACED[:] = [r for r in e._REPLACED if r[0] is not e.pregel_executor]\n",
    "first-read": "from persistence.checkpoints import Checkpointer as C\n"
    "C.expect_new_thread = lambda self, thread_id: None\n",
}
SWITCHED_OFF = "bench: switched off: "


@dataclass(frozen=True)
class Timing:
    """One corpus case in one round: its command and its direct call, server-side."""

    tool: str
    command_ms: float
    direct_ms: float


def server_ms(response: httpx.Response) -> float:
    match = re.search(r"dur=([\d.]+)", response.headers.get("server-timing", ""))
    assert match, "the server sent no Server-Timing header"
    return float(match.group(1))


def renamed(case: Case, n: int) -> tuple[str, dict[str, Any]]:
    """The case's command and args; a created sheet gets a new title each round."""
    command, args = case.turns[-1], dict(case.args)
    if case.tool == "create_sheet_from_template":
        title = args["title"]
        args["title"] = f"{title} r{n}"
        command = command.replace(title, args["title"])
    return command, args


def remove_all_but(drive: Path, kept: set[Path]) -> None:
    """Delete what the round added to the drive (deepest first, so folders empty out)."""
    for path in sorted(set(drive.rglob("*")) - kept, reverse=True):
        if path.is_dir():
            path.rmdir()
        else:
            path.unlink()


def _nothing(ctx: ToolContext, args: ListFilesArgs) -> FileList:
    """A tool that does nothing."""
    return FileList(folder="", files=[], total=0)


def agent_loop_ms(runs: int = 300, warmup: int = 50) -> float:
    """p50 of the admin agent alone, warm, in this process: its real middleware and tool
    wrapper, a scripted model (one tool call, then a reply) that costs nothing, a tool that
    does nothing, and no checkpointer or database. No command can add less than this."""
    registry = ToolRegistry()
    for name in AGENT_TOOLS:
        registry.register(_nothing, roles=(Role.ADMIN,), name=name)
    model = ScriptedChatModel(responses=[call("list_files"), AIMessage("done")])
    agent = build_admin_agent(model, registry)
    # Nothing on this path reaches the backends.
    context = ToolContext(backends=cast(Backends, None), principal=Principal("ada", Role.ADMIN))
    times = []
    for n in range(warmup + runs):
        started = time.perf_counter()
        agent.invoke(
            {"messages": [HumanMessage("list the files")]},
            {"configurable": {"thread_id": str(uuid.uuid4())}},
            context=context,
        )
        if n >= warmup:
            times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 0.5)


@contextmanager
def switched_off(patch: str | None, site: Path) -> Iterator[None]:
    """A server process started in this block runs with ``patch`` switched off (None: as it
    ships): it takes its environment from ours, here a PYTHONPATH with a sitecustomize."""
    if patch is None:
        yield
        return
    site.mkdir(parents=True)
    (site / "sitecustomize.py").write_text(
        SWITCH_OFF[patch] + f"import sys\nprint({SWITCHED_OFF + patch!r}, file=sys.stderr)\n"
    )
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(site), *([saved] if saved else [])])
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--without",
        action="append",
        choices=sorted(SWITCH_OFF),
        default=[],
        help="also time a server with this patch switched off (repeatable)",
    )
    args = parser.parse_args()
    cases = [
        c
        for c in CORPUS
        if c.tool in DIRECT and len(c.turns) == 1 and c.action == "ok" and c.http == 200
    ]
    variants: list[str | None] = [None, *dict.fromkeys(args.without)]
    timings: dict[str | None, list[Timing]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        data_dir = Path(tmp)
        databases = DatabaseFactory(server_url(data_dir / "pg"), prefix="atelier_bench")
        stack.callback(databases.drop_all)
        servers = []
        for i, variant in enumerate(variants):
            with switched_off(variant, data_dir / f"site{i}"):
                world = stack.enter_context(admin_world(data_dir / f"world{i}", databases.create()))
            if variant:
                assert SWITCHED_OFF + variant in world.server.log(), f"{variant} is still on"
            client = stack.enter_context(client_for(world.server, "ada", Role.ADMIN))
            # The local drive (the world's default), cleaned between rounds on disk.
            assert isinstance(world.drive, LocalDriveView)
            drive = world.drive.root
            servers.append((variant, drive, client, set(drive.rglob("*"))))
        for n in range(args.rounds + 1):
            for k, case in enumerate(cases):
                # Each case goes to every server, a different one first each time.
                for variant, _, client, _ in (
                    servers[k % len(servers) :] + servers[: k % len(servers)]
                ):
                    timing = time_case(client, case, n)
                    if n:  # round 0 warms both paths up
                        timings[variant].append(timing)
            for _, drive, _, seeded in servers:
                remove_all_but(drive, seeded)

    print(f"{len(cases)} corpus commands x {args.rounds} rounds (server-side, Server-Timing)")
    without = {variant: timings[variant] for variant in variants if variant}
    report(timings[None], agent_loop_ms(), without)


def time_case(client: httpx.Client, case: Case, n: int) -> Timing:
    """The case's command, then the same tool call through its direct endpoint."""
    command, tool_args = renamed(case, n)
    said = client.post("/admin/commands", json={"command": command})
    method, path = DIRECT[case.tool or ""]
    if case.tool == "create_sheet_from_template":
        tool_args["title"] += " direct"
    direct = (
        client.get(path, params=tool_args) if method == "GET" else client.post(path, json=tool_args)
    )
    assert said.status_code == 200, said.text
    assert direct.status_code in (200, 201), direct.text
    return Timing(case.tool or "", server_ms(said), server_ms(direct))


def added_ms(timings: list[Timing]) -> float:
    """What a command adds to the same direct call (paired by case and round), p50."""
    return percentile([t.command_ms - t.direct_ms for t in timings], 0.5)


def report(
    timings: list[Timing], agent_loop: float, without: dict[str, list[Timing]] | None = None
) -> None:
    """The figures, what each switched-off patch changes, and the targets last."""
    command_ms = [t.command_ms for t in timings]
    direct_ms = [t.direct_ms for t in timings]
    c50, c99 = percentile(command_ms, 0.5), percentile(command_ms, 0.99)
    d50, d99 = percentile(direct_ms, 0.5), percentile(direct_ms, 0.99)
    c_mean, d_mean = statistics.mean(command_ms), statistics.mean(direct_ms)
    print(f"POST /admin/commands: p50 {c50:6.1f} ms  p99 {c99:6.1f} ms  mean {c_mean:6.1f} ms")
    print(f"direct endpoints:     p50 {d50:6.1f} ms  p99 {d99:6.1f} ms  mean {d_mean:6.1f} ms")
    print("by tool (p50s):")
    for tool in sorted({t.tool for t in timings}):
        mine = [t for t in timings if t.tool == tool]
        tc = percentile([t.command_ms for t in mine], 0.5)
        td = percentile([t.direct_ms for t in mine], 0.5)
        print(
            f"  {tool:27s} {len(mine):4d} calls  command {tc:6.1f} ms  direct {td:6.1f} ms  "
            f"ratio {tc / td:.2f}x"
        )
    print(
        f"command/direct, for reference: ratio of p50s {c50 / d50:.2f}x, "
        f"ratio of means {c_mean / d_mean:.2f}x"
    )
    print(
        f"the agent loop alone (scripted model, do-nothing tool, no database; warm, in this "
        f"process): p50 {agent_loop:.1f} ms = {agent_loop / d50:.2f}x the direct p50"
    )
    added = added_ms(timings)
    for patch, theirs in (without or {}).items():
        print(
            f"without {patch}: a command adds p50 {added_ms(theirs):.2f} ms, "
            f"{added_ms(theirs) - added:+.2f} ms against the server as it ships "
            "(same rounds, interleaved)"
        )
    print(f"command p50 {c50:.1f} ms (target < 50 ms: {verdict(c50 < 50)})")
    print(
        f"what a command adds to the same direct call: p50 {added:.2f} ms "
        f"(target < {ADDED_TARGET_MS:g} ms: {verdict(added < ADDED_TARGET_MS)})"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()
