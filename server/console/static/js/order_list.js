/**
 * The orders view: a customer's own orders, or every order for operators and admins, newest
 * first, filtered by status, each with its status, progress and latest design's preview.
 * Rows are updated in place while the page polls, so focus and images stay where they are.
 */

import { getJson, isStaff, withQuery } from "./api.js";
import { byId, h, short, when } from "./dom.js";
import { BlobImages, previewPath } from "./images.js";
import { IN_PROGRESS, latestVersion, productName, setStatusBadge, standing, statusBadge } from "./order_bits.js";
import { Pager } from "./pager.js";
import { Poller } from "./poll.js";

const POLL_MS = 3000;

const images = new BlobImages();
const rows = new Map(); // order id → the row's parts
const poller = new Poller(refresh, POLL_MS);
const pager = new Pager("orders", 20, () => poller.start());

/** Show the view (its filter as it was last set). */
export function enter() {
  poller.start();
}

/** Leave the view: stop polling, let the images go. */
export function leave() {
  poller.stop();
}

/** Forget everything (signing out). */
export function reset() {
  poller.stop();
  images.dropAll();
  rows.clear();
  byId("orders-list").replaceChildren();
  byId("orders-summary").textContent = "";
  byId("orders-status").value = "";
  pager.offset = 0;
}

/** Wire the filter and the pager (once, at start). */
export function setUp() {
  pager.wire();
}

/** One poll: fetch the page, update the rows; true while an order is still in progress. */
async function refresh() {
  const status = byId("orders-status").value;
  const page = await getJson(withQuery("/orders", { status, limit: pager.size, offset: pager.offset }));
  render(page, status);
  return page.items.some((order) => IN_PROGRESS.has(order.status));
}

function render(page, status) {
  const whose = isStaff() ? "orders of every customer" : "of your orders";
  const filtered = status ? ` ${status.replaceAll("_", " ")}` : "";
  const range = pager.shown(page);
  byId("orders-summary").textContent = page.total ? `${range}${filtered} ${whose}.` : `No${filtered} orders yet.`;

  const list = byId("orders-list");
  const wanted = page.items.map((order) => order.id);
  for (const [id, row] of rows) {
    if (!wanted.includes(id)) {
      images.drop(row.preview);
      row.item.remove();
      rows.delete(id);
    }
  }
  for (const order of page.items) update(rows.get(order.id) ?? add(order), order);
  // Moving nodes loses focus: only when the order changed.
  const shown = [...list.children].map((item) => item.dataset.orderId);
  if (shown.join() !== wanted.join()) list.replaceChildren(...wanted.map((id) => rows.get(id).item));
}

function add(order) {
  const preview = h("img", { class: "preview", alt: "", width: 96, height: 96, hidden: true });
  const badge = statusBadge(order.status);
  const progress = h("progress", { max: 100, value: 0, "aria-label": `Progress of order ${short(order.id)}` });
  const where = h("span", { class: "hint" });
  const error = h("p", { class: "error-line", hidden: true });
  const link = h("a", { href: `#/orders/${order.id}`, class: "card-title" });
  const meta = h("p", { class: "hint" });
  const item = h(
    "li",
    { class: "card order-card", "data-order-id": order.id },
    preview,
    h("div", { class: "card-body" }, link, h("div", { class: "order-head" }, badge, where), progress, meta, error),
  );
  const row = { item, preview, badge, progress, where, error, link, meta };
  rows.set(order.id, row);
  return row;
}

function update(row, order) {
  row.link.textContent = `Order ${short(order.id)}: ${productName(order.product)} × ${order.quantity}`;
  setStatusBadge(row.badge, order.status);
  row.progress.value = order.progress_percent;
  row.progress.textContent = `${order.progress_percent}%`;
  row.where.textContent = `${standing(order)} · ${order.progress_percent}%`;
  const customer = isStaff() ? `${order.customer.name} · ` : "";
  row.meta.textContent = `${customer}placed ${when(order.created_at)} · “${order.brief.slice(0, 80)}”`;
  row.error.hidden = !order.error;
  row.error.textContent = order.error ? `Error: ${order.error}` : "";
  const latest = latestVersion(order);
  row.preview.hidden = latest === null;
  if (latest) {
    row.preview.alt = `Design version ${latest.version} of order ${short(order.id)}`;
    images.show(row.preview, previewPath(order.id, latest.version));
  }
}
