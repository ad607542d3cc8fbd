/**
 * The audit log (admins): GET /admin/audit with its filters (who, action, outcome, request id,
 * since, until), newest first, a page at a time.
 */

import { getJson, withQuery } from "./api.js";
import { brief, byId, h, when } from "./dom.js";
import { clearError, showError } from "./messages.js";
import { Pager } from "./pager.js";

const pager = new Pager("audit", 50, search);

/** Show the view: the log as the filter stands. */
export function enter() {
  search();
}

export function leave() {}

/** Empty the table and the filter (signing out). */
export function reset() {
  byId("audit-filter").reset();
  byId("audit-table").tBodies[0].replaceChildren();
  byId("audit-summary").textContent = "";
  pager.offset = 0;
}

/** Wire the filter and the pager (once, at start). */
export function setUp() {
  pager.wire();
}

/** A datetime-local field's value as ISO 8601 with the zone, or nothing. */
function instant(value) {
  return value ? new Date(value).toISOString() : undefined;
}

async function search() {
  const fields = new FormData(byId("audit-filter"));
  const query = {
    subject: fields.get("subject").trim(),
    action: fields.get("action").trim(),
    outcome: fields.get("outcome"),
    request_id: fields.get("request_id").trim(),
    since: instant(fields.get("since")),
    until: instant(fields.get("until")),
    limit: pager.size,
    offset: pager.offset,
  };
  try {
    render(await getJson(withQuery("/admin/audit", query)));
    clearError();
  } catch (error) {
    showError(error);
  }
}

function render(page) {
  const range = pager.shown(page);
  byId("audit-summary").textContent = page.total ? `${range} entries, newest first.` : "No entries match.";
  byId("audit-table").tBodies[0].replaceChildren(
    ...page.items.map((entry) =>
      h(
        "tr",
        { class: `outcome-${entry.outcome}` },
        h("td", { text: when(entry.at) }),
        h("td", { text: entry.subject }),
        h("td", { text: entry.role }),
        h("td", {}, h("code", { text: entry.action })),
        h("td", { text: entry.outcome }),
        h("td", { class: "wrap-anywhere", text: brief(entry.arguments, 300) }),
        h("td", { text: entry.detail ?? "" }),
        h("td", {}, entry.request_id ? requestFilter(entry.request_id) : ""),
      ),
    ),
  );
}

/** A request id that, pressed, shows every entry of that request. */
function requestFilter(requestId) {
  return h("button", {
    type: "button",
    class: "link-button",
    title: "Show every entry of this request",
    text: requestId.slice(0, 12),
    onclick: () => {
      byId("audit-filter").reset(); // every entry of the request, whatever else was filtered
      byId("audit-request").value = requestId;
      pager.first();
    },
  });
}
