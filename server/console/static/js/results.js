/**
 * What an admin command did, shown as cards: each action's tool, arguments, status and result,
 * with tables for listings and links for what can be opened (a URL, an order of this console).
 */

import { brief, externalLink, h, short, when, words } from "./dom.js";

const URL_KEYS = new Set(["link", "url", "web_view_link", "webViewLink"]);
const MAX_COLUMNS = 8;
const cardParts = new WeakMap(); // card → its status badge and result box

/** A card for an action that has started: its result comes with `completeCard`. */
export function actionCard(tool, args) {
  const status = h("span", { class: "badge status-running", text: "running" });
  const result = h("div", { class: "action-result" }, h("p", { class: "hint", text: "Working…" }));
  const card = h(
    "article",
    { class: "action-card", "data-tool": tool },
    h("header", {}, h("h3", {}, h("code", { text: tool })), status),
    h("h4", { text: "Arguments" }),
    argumentList(args),
    h("h4", { text: "Result" }),
    result,
  );
  cardParts.set(card, { status, result });
  return card;
}

/** Fill in a card's outcome: `ok`, `error` or `denied`, and what the tool answered. */
export function completeCard(card, status, result) {
  const parts = cardParts.get(card);
  parts.status.className = `badge status-${status}`;
  parts.status.textContent = words(status);
  card.dataset.status = status;
  parts.result.replaceChildren(resultView(result));
}

function argumentList(args) {
  const entries = Object.entries(args ?? {});
  if (!entries.length) return h("p", { class: "hint", text: "No arguments." });
  return h(
    "dl",
    { class: "facts args" },
    ...entries.flatMap(([name, value]) => [h("dt", { text: name }), h("dd", {}, cell(name, value))]),
  );
}

/** A tool's answer: tables for its lists of records, the rest as name and value. */
export function resultView(result) {
  if (result === null || result === undefined) return h("p", { class: "hint", text: "No result." });
  if (typeof result !== "object") return h("p", { text: String(result) });
  if (Array.isArray(result)) return table("result", result);
  const scalars = [];
  const tables = [];
  for (const [name, value] of Object.entries(result)) {
    if (Array.isArray(value) && value.every((row) => row && typeof row === "object" && !Array.isArray(row))) {
      tables.push(table(name, value));
    } else {
      scalars.push(h("dt", { text: name }), h("dd", {}, cell(name, value)));
    }
  }
  return h("div", {}, scalars.length ? h("dl", { class: "facts" }, ...scalars) : null, ...tables);
}

/** Rows of records as a table, their keys as columns: the first few that hold a value in some
 * row (a `link` column stays away on the local drive, where nothing has one). */
function table(name, rows) {
  if (!rows.length) return h("p", { class: "hint", text: `${words(name)}: none.` });
  const columns = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  }
  const filled = (key) => rows.some((row) => ![null, undefined, ""].includes(row[key]));
  const shown = columns.filter(filled).slice(0, MAX_COLUMNS);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table" },
      h("caption", { text: `${words(name)} (${rows.length})` }),
      h("thead", {}, h("tr", {}, ...shown.map((key) => h("th", { scope: "col", text: words(key) })))),
      h(
        "tbody",
        {},
        ...rows.map((row) => h("tr", {}, ...shown.map((key) => h("td", {}, cell(key, row[key], row))))),
      ),
    ),
  );
}

/** One value: a link where it can be opened, a time in local time, else short text. */
function cell(key, value, row = null) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "string") {
    if (URL_KEYS.has(key) || /^https?:\/\//.test(value)) return externalLink(value);
    // An order (it has a status and a session): open it in this console.
    if (key === "id" && row && "status" in row && "session_id" in row) {
      return h("a", { href: `#/orders/${value}`, text: short(value) });
    }
    return when(value);
  }
  return brief(value);
}
