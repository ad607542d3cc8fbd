"""Drive and Sheets requests per order (first version, a change request, approval) and per admin
operation on Google storage, each beside the fewest it needs.

It starts `atelier serve` with ATELIER_STORAGE=google on the fake Drive v3 + Sheets v4 server
(tests/support/fake_google.py), seeded as a small shop: Templates/ (two .xlsx templates),
Pricing/, Reports/ and Marketing/ holding sheets and an image, a sheet in the root. It warms the
process first (one order through a change request to approval, and every admin command once),
so the per-process caches (folder ids by path, the marked order folders) are warm. Then it
measures, phase by phase, the requests the fake received: an order's first version (POST /orders
to awaiting_approval), a change request (to awaiting_approval with design v2), approval (to
completed); and each admin tool once through POST /admin/commands (the offline interpreter) and
once through its direct endpoint (GET/POST /admin/sheets, GET /admin/files, POST /admin/summary).
For each it prints the requests made, the fewest, the target and the verdict, then which calls
they were (METHOD path, the API method, and for files.list what the query asked).

    python bench/google_calls.py

Target: at most the fewest + 1 requests per operation on a warm process. Each operation over
it gets an "OVER TARGET" line. The exit status is 0 whatever the figures: this is a report.

The fewest (FEWEST below has the reasoning per entry): the least a client of the Drive v3 and
Sheets v4 REST APIs can send to do the operation with the product's documented behaviour, given
warm per-process caches of folder ids (and of the order's marked folder):

| operation | fewest | requests |
|---|---|---|
| order: first version | 5 | list by mark, create folder, list both names, 2 uploads |
| order: change request | 3 | list both names, upload design v2, update workbook |
| order: approval | 2 | list the workbook's name, update workbook |
| list_sheets (whole drive) | L(root) | one files.list per level of the folder tree |
| create_sheet_from_template | 3 | list Templates/, name check in target, files.copy |
| list_files Templates | 1 | one listing of the folder |
| summary of orders | 5 | list Summaries/, create, values batch, batchUpdate, move |
| summary of workbooks | L(Orders) + W + 5 | levels under Orders/, a download each, as above |

L(folder) is one request per level of the folder's subtree (per 50 folders of a level: Drive's
URL limits), each asking for the level's subfolders and its matching sheets at once; W is the
number of order workbooks in the drive. "Fewest" assumes every listing fits in one page.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.schemas import ORDER_EXAMPLE
from tests.support.databases import DatabaseFactory, server_url
from tests.support.fake_google import FOLDER, ROOT_ID, SHEET, XLSX, FakeGoogle, xlsx
from tests.support.server import ServerProcess, client_for
from tools.access import Role

PARENTS_PER_QUERY = 50  # folder ids one files.list may name ("'a' in parents or …")
QUIET_S = 0.3  # an operation is over once the fake has had no request for this long


# --- the world --------------------------------------------------------------------------------


def seed(fake: FakeGoogle) -> None:
    """A small shop's drive; starting the server writes nothing into it."""
    templates = fake.add_file("Templates", mime_type=FOLDER)
    for name, header in (
        ("Price List.xlsx", ["Product", "Size", "Unit price"]),
        ("Invoice.xlsx", ["Item", "Quantity", "Price", "Total"]),
    ):
        fake.add_file(name, templates, mime_type=XLSX, content=xlsx(header))
    pricing = fake.add_file("Pricing", mime_type=FOLDER)
    fake.add_spreadsheet("Price List 2026", pricing, [["Product", "Price"], ["tshirt", 12.5]])
    fake.add_file(
        "Old prices.xlsx",
        pricing,
        mime_type=XLSX,
        content=xlsx(["Product", "Price"]),
        modified="2025-06-01T00:00:00.000Z",
    )
    reports = fake.add_file("Reports", mime_type=FOLDER)
    fake.add_spreadsheet("Weekly report", reports, [["Week", "Orders"]])
    fake.add_file("logo.png", reports, mime_type="image/png", content=b"\x89PNG seeded")
    marketing = fake.add_file("Marketing", mime_type=FOLDER)
    fake.add_spreadsheet("Campaign plan", marketing, [["Channel", "Budget"]])
    fake.add_spreadsheet("Budget", ROOT_ID, [["Item", "Amount"]])


def google_env(fake: FakeGoogle, database_url: str) -> dict[str, str]:
    return {
        "ATELIER_STORAGE": "google",
        "ATELIER_GOOGLE_API_URL": fake.root_url,
        "ATELIER_GOOGLE_ACCESS_TOKEN": fake.token,
        "ATELIER_GOOGLE_ROOT_FOLDER_ID": ROOT_ID,
        "ATELIER_DATABASE_URL": database_url,
    }


# --- what the fewest depend on ----------------------------------------------------------------


def _live(fake: FakeGoogle) -> list[dict[str, Any]]:
    with fake.lock:
        return [dict(f) for f in fake.files.values() if not f.get("trashed")]


def folder_id(fake: FakeGoogle, name: str, parent: str = ROOT_ID) -> str:
    """The id of the folder ``name`` in ``parent``."""
    for f in _live(fake):
        if f["name"] == name and f["mimeType"] == FOLDER and parent in f["parents"]:
            return str(f["id"])
    raise LookupError(f"no folder {name!r} in the fake")


def levels(fake: FakeGoogle, start: str) -> int:
    """L(start): files.list requests to walk ``start``'s subtree one level at a time, each
    request asking for a level's subfolders and its matching sheets together."""
    files = _live(fake)
    requests, level = 0, [start]
    while level:
        requests += -(-len(level) // PARENTS_PER_QUERY)
        ids = set(level)
        level = [
            str(f["id"])
            for f in files
            if f["mimeType"] == FOLDER and any(p in ids for p in f["parents"])
        ]
    return requests


def order_workbooks(fake: FakeGoogle) -> int:
    """W: the order workbooks under Orders/: order-*.xlsx (known by name, as the summary tool
    knows them: an upload's MIME type is whatever the uploader said), or native Sheets."""
    files = _live(fake)
    folders, level = set(), {folder_id(fake, "Orders")}
    while level:
        folders |= level
        level = {
            str(f["id"])
            for f in files
            if f["mimeType"] == FOLDER and any(p in level for p in f["parents"])
        }
    return sum(
        1
        for f in files
        if f["name"].startswith("order-")
        and (f["name"].lower().endswith(".xlsx") or f["mimeType"] == SHEET)
        and any(p in folders for p in f["parents"])
    )


@dataclass(frozen=True)
class Fewest:
    """The least an operation can send, as a count read from the drive just before it, and
    why."""

    why: str
    count: Callable[[FakeGoogle], int]


def _fixed(n: int) -> Callable[[FakeGoogle], int]:
    return lambda fake: n


FEWEST: dict[str, Fewest] = {
    # Find-or-create is the contract (a retried step must find the folder it made), so one
    # files.list by the appProperties mark in Orders/ (its id cached) and one files.create of
    # the folder with the mark. Uploads skip identical content by md5, so the new folder's
    # files are listed once, both names in one query (name = a or name = b; the marked
    # folder's id is cached by then), then two multipart uploads (design-v1.png, workbook).
    "order: first version": Fewest(
        "files.list by mark + files.create folder + files.list both names + 2 uploads",
        _fixed(5),
    ),
    # The marked folder's id is cached from the first version: one files.list of both names
    # (the md5 check, and the workbook's id to update), design-v2.png created, the workbook's
    # new content by files.update.
    "order: change request": Fewest(
        "files.list both names + create design-v2.png + update the workbook", _fixed(3)
    ),
    # The approved workbook is new content: one files.list of its name (md5 and id), one
    # files.update with the content.
    "order: approval": Fewest("files.list the workbook's name + update it", _fixed(2)),
    # Drive has no "under this folder" query and the tree is read fresh (people add folders
    # in Drive; a stale cached tree would hide their sheets): one files.list per level of
    # the subtree (per 50 folders), each asking for the level's subfolders OR its sheets that
    # match the name words and dates, so the sheets come with the walk. Never a query over
    # everything the account can see (the product's rule for find_sheets).
    "list_sheets": Fewest(
        "one files.list per folder level (folders and matching sheets together)",
        lambda fake: levels(fake, ROOT_ID),
    ),
    "list_sheets, filtered": Fewest(
        "as list_sheets: the name words and dates go into the same queries",
        lambda fake: levels(fake, ROOT_ID),
    ),
    # The template is matched forgivingly against what Templates/ holds (its id cached), and
    # that listing gives the template's id; the new name must be free in the target folder
    # (a new sheet never replaces one; Drive allows two of a name, so it is asked); one
    # files.copy converting to a native Sheet into the target folder.
    "create_sheet_from_template": Fewest(
        "files.list Templates/ + files.list the name in the target + files.copy", _fixed(3)
    ),
    # Templates/ is an existing path whose id is cached: one files.list of its children gives
    # files and subfolders alike.
    "list_files": Fewest("one files.list of the folder's children", _fixed(1)),
    # Summaries/'s id is cached. One files.list of it picks a free name (which is also the
    # "never overwrite" check); then the documented write: spreadsheets.create, the values
    # in one values.batchUpdate (RAW), layout and chart in one spreadsheets.batchUpdate, one
    # files.update moving it into Summaries/ (removeParents: the account's root, whose id is
    # the same for every sheet Sheets creates, so it is known without asking per sheet).
    "summary of orders": Fewest(
        "files.list Summaries/ + spreadsheets.create + values.batchUpdate "
        "+ spreadsheets.batchUpdate + files.update (move)",
        _fixed(5),
    ),
    # Orders/ is an existing path whose id is cached; its subtree walked a level at a time
    # (order folders, then their files: each level's listing gives the workbooks' ids), one
    # download per workbook (files.get alt=media, or files.export for a native Sheet), then
    # the write as for a summary of orders.
    "summary of workbooks": Fewest(
        "L(Orders) levels + one download per workbook + the 5 of a summary",
        lambda fake: levels(fake, folder_id(fake, "Orders")) + order_workbooks(fake) + 5,
    ),
}


# --- counting ---------------------------------------------------------------------------------

Request = tuple[str, str, dict[str, str]]
_ID = re.compile(r"(/files/|/spreadsheets/)[^/:]+")


def _list_kind(q: str) -> str:
    """What a files.list query asked, in words."""
    if "appProperties has" in q:
        return "a folder by its mark"
    if SHEET in q or XLSX in q:
        return "sheets"
    if FOLDER in q:
        return "folders (a level)" if " or " in q or "in parents" in q else "folders"
    if "name = " in q:
        return "a folder's files by name"
    return "a folder's children"


def describe(request: Request) -> str:
    """'METHOD path  API method (detail)', ids in the path shown as {id}."""
    method, path, query = request
    shown = _ID.sub(r"\1{id}", path)
    api = {
        ("GET", "/drive/v3/files"): "files.list",
        ("POST", "/drive/v3/files"): "files.create (metadata)",
        ("POST", "/upload/drive/v3/files"): "files.create (upload)",
        ("PUT", "/upload/drive/v3/files"): "files.create (resumable chunk)",
        ("PATCH", "/upload/drive/v3/files/{id}"): "files.update (new content)",
        ("GET", "/drive/v3/files/{id}/export"): "files.export",
        ("GET", "/drive/v3/files/{id}"): "files.get",
        ("PATCH", "/drive/v3/files/{id}"): "files.update (metadata)",
        ("POST", "/drive/v3/files/{id}/copy"): "files.copy",
        ("POST", "/v4/spreadsheets"): "spreadsheets.create",
        ("GET", "/v4/spreadsheets/{id}"): "spreadsheets.get",
        ("POST", "/v4/spreadsheets/{id}:batchUpdate"): "spreadsheets.batchUpdate",
        ("POST", "/v4/spreadsheets/{id}/values:batchUpdate"): "values.batchUpdate",
    }.get((method, shown), "")
    if api == "files.list":
        api += f": {_list_kind(query.get('q', ''))}"
    elif api == "files.get":
        api += " (content)" if query.get("alt") == "media" else f" (fields={query.get('fields')})"
    elif api == "files.update (metadata)" and "addParents" in query:
        api = "files.update (move)"
    return f"{method:5s} {shown:42s} {api}"


@dataclass(frozen=True)
class Measured:
    operation: str  # a FEWEST key
    via: str  # "order", "command" or "direct"
    requests: list[Request]
    fewest: int
    ok: bool  # did the operation do what it should (else its figures mean little)
    note: str = ""

    @property
    def target(self) -> int:
        return self.fewest + 1

    @property
    def label(self) -> str:
        return self.operation if self.via == "order" else f"{self.operation} ({self.via})"


@contextmanager
def counting(fake: FakeGoogle) -> Iterator[list[Request]]:
    """The requests the fake receives in the block (and until it has been quiet a while, so
    a step still running when the block ends is counted too)."""
    got: list[Request] = []
    with fake.lock:
        start = len(fake.requests)
    yield got
    seen, since = -1, time.monotonic()
    while True:
        with fake.lock:
            now = len(fake.requests)
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= QUIET_S:
            break
        time.sleep(0.02)
    with fake.lock:
        got += fake.requests[start:seen]


# --- the operations ---------------------------------------------------------------------------


def wait_for(
    client: httpx.Client, order_id: str, done: Callable[[dict[str, Any]], bool], timeout: float = 90
) -> dict[str, Any]:
    """Poll GET /orders/{id} until ``done`` holds or the order failed; the order."""
    deadline = time.monotonic() + timeout
    order: dict[str, Any] = {}
    while time.monotonic() < deadline:
        order = client.get(f"/orders/{order_id}").raise_for_status().json()
        if done(order) or order["status"] == "failed":
            return order
        time.sleep(0.05)
    raise AssertionError(f"order {order_id} got stuck: {order}")


def run_order(fake: FakeGoogle, customer: httpx.Client) -> list[Measured]:
    """One order through a change request to approval, each phase counted; a phase after
    one that failed is not run."""
    measured: list[Measured] = []

    def phase(name: str, act: Callable[[], dict[str, Any]], expected: str) -> bool:
        fewest = FEWEST[name].count(fake)
        with counting(fake) as got:
            order = act()
        ok = bool(order["status"] == expected)
        note = "" if ok else f"order {order['status']}: {order.get('error')}"
        measured.append(Measured(name, "order", got, fewest, ok, note))
        return ok

    order_id = ""

    def place() -> dict[str, Any]:
        nonlocal order_id
        order_id = customer.post("/orders", json=ORDER_EXAMPLE).raise_for_status().json()["id"]
        return wait_for(customer, order_id, lambda o: o["status"] == "awaiting_approval")

    def change() -> dict[str, Any]:
        body = {"approved": False, "feedback": "Make the moon orange"}
        customer.post(f"/orders/{order_id}/approve", json=body).raise_for_status()
        return wait_for(
            customer,
            order_id,
            lambda o: o["status"] == "awaiting_approval" and len(o["design_versions"]) == 2,
        )

    def approve() -> dict[str, Any]:
        customer.post(f"/orders/{order_id}/approve", json={"approved": True}).raise_for_status()
        return wait_for(customer, order_id, lambda o: o["status"] == "completed")

    if phase("order: first version", place, "awaiting_approval") and phase(
        "order: change request", change, "awaiting_approval"
    ):
        phase("order: approval", approve, "completed")
    return measured


@dataclass(frozen=True)
class AdminOperation:
    """An admin tool call as a command (``{title}`` replaced per run) and as its endpoint."""

    name: str  # a FEWEST key
    tool: str
    command: str
    method: str
    path: str
    args: dict[str, Any]


ADMIN: list[AdminOperation] = [
    AdminOperation("list_sheets", "list_sheets", "list sheets", "GET", "/admin/sheets", {}),
    AdminOperation(
        "list_sheets, filtered",
        "list_sheets",
        "list sheets named price modified after 2026-01-01",
        "GET",
        "/admin/sheets",
        # "after" a day is from the next one: the interpreter's reading, sent directly too.
        {"name_contains": "price", "modified_after": "2026-01-02"},
    ),
    AdminOperation(
        "create_sheet_from_template",
        "create_sheet_from_template",
        "create a sheet from the Price List template called {title}",
        "POST",
        "/admin/sheets",
        {"template": "Price List", "title": "{title}"},
    ),
    AdminOperation(
        "list_files",
        "list_files",
        "list files in Templates",
        "GET",
        "/admin/files",
        {"folder": "Templates"},
    ),
    AdminOperation(
        "summary of orders",
        "build_summary_sheet",
        "build a summary of orders by product",
        "POST",
        "/admin/summary",
        {"group_by": "product"},
    ),
    AdminOperation(
        "summary of workbooks",
        "build_summary_sheet",
        "summarize the order workbooks by product",
        "POST",
        "/admin/summary",
        {"group_by": "product", "sources": ["workbooks"]},
    ),
]


def by_command(admin: httpx.Client, op: AdminOperation, title: str) -> tuple[bool, str]:
    """The operation through POST /admin/commands: whether its one action was ``op.tool``
    and ok, and what to say otherwise."""
    response = admin.post("/admin/commands", json={"command": op.command.format(title=title)})
    if response.status_code != 200:
        return False, f"HTTP {response.status_code}: {response.text[:200]}"
    actions = response.json()["actions"]
    done = [(a["tool"], a["status"]) for a in actions]
    if done != [(op.tool, "ok")]:
        return False, f"actions {done}: {response.json()['reply'][:200]}"
    return True, f"args {actions[0]['args']}"


def by_endpoint(admin: httpx.Client, op: AdminOperation, title: str) -> tuple[bool, str]:
    """The operation through its direct endpoint: whether it answered 200/201."""
    args = {k: v.format(title=title) if isinstance(v, str) else v for k, v in op.args.items()}
    if op.method == "GET":
        response = admin.get(op.path, params=args)
    else:
        response = admin.post(op.path, json=args)
    if response.status_code not in (200, 201):
        return False, f"HTTP {response.status_code}: {response.text[:200]}"
    return True, f"{op.method} {op.path} {args}"


def run_admin(fake: FakeGoogle, admin: httpx.Client, title: str) -> list[Measured]:
    """Every admin operation once by command, then once by its endpoint, each counted."""
    measured = []
    for via, call in (("command", by_command), ("direct", by_endpoint)):
        for op in ADMIN:
            fewest = FEWEST[op.name].count(fake)
            with counting(fake) as got:
                ok, note = call(admin, op, f"{title}{via.capitalize()}")
            measured.append(Measured(op.name, via, got, fewest, ok, note))
    return measured


# --- the report -------------------------------------------------------------------------------


def report(measured: list[Measured], show_calls: bool) -> None:
    width = max(len(m.label) for m in measured)
    print(f"{'operation':{width}s}  requests  fewest  target  verdict")
    for m in measured:
        verdict = "met" if len(m.requests) <= m.target else "OVER TARGET"
        if not m.ok:
            verdict = "FAILED (figures not comparable)"
        print(f"{m.label:{width}s}  {len(m.requests):8d}  {m.fewest:6d}  {m.target:6d}  {verdict}")
    if show_calls:
        for m in measured:
            print(f"\n{m.label}: {len(m.requests)} requests; fewest {m.fewest}")
            print(f"  fewest: {FEWEST[m.operation].why}")
            if m.note:
                print(f"  ({m.note})")
            for call, n in sorted(Counter(describe(r) for r in m.requests).items()):
                print(f"  {n:3d} x {call}")
    print()
    over = [m for m in measured if m.ok and len(m.requests) > m.target]
    for m in over:
        print(
            f"over target: {m.label}: {len(m.requests)} requests, target {m.target} "
            f"(fewest {m.fewest} + 1), {len(m.requests) - m.target} too many"
        )
    for m in measured:
        if not m.ok:
            print(f"failed: {m.label}: {m.note}")
    met = sum(1 for m in measured if m.ok and len(m.requests) <= m.target)
    print(f"{met} of {len(measured)} operations within the fewest + 1 (warm process)")


def last_error(log: str) -> str:
    """The last traceback in a server's log, for an operation that failed."""
    at = log.rfind("Traceback (most recent call last)")
    return log[at:].strip() if at >= 0 else "(no traceback in the server's log)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--no-calls", action="store_true", help="only the table, not the calls behind each row"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        data_dir = Path(tmp)
        databases = DatabaseFactory(server_url(data_dir / "pg"), prefix="atelier_bench")
        stack.callback(databases.drop_all)
        fake = stack.enter_context(FakeGoogle())
        seed(fake)
        env = google_env(fake, databases.create())
        server = stack.enter_context(ServerProcess(data_dir / "server", env))
        customer = stack.enter_context(client_for(server, "jane", Role.CUSTOMER))
        admin = stack.enter_context(client_for(server, "ada", Role.ADMIN))
        # Warm-up: what a long-running process holds (folder ids, the marked folders, the
        # Summaries/ folder made, clients and connections open).
        for m in run_order(fake, customer) + run_admin(fake, admin, "Warm"):
            if not m.ok:
                print(f"warm-up: {m.label} failed: {m.note}")
        measured = run_order(fake, customer) + run_admin(fake, admin, "Bench")
        log = server.log()
    print(
        "Drive/Sheets requests per operation, atelier serve on the fake Google "
        f"(warm process; {len(measured)} operations)\n"
    )
    report(measured, show_calls=not args.no_calls)
    if any(not m.ok for m in measured):
        print(f"\nthe server's last error:\n{last_error(log)}")


if __name__ == "__main__":
    main()
