/** What the order views share: status badges, product names, step names. */

import { byId, h, words } from "./dom.js";

/** Statuses in which the pipeline is still working: the page polls while it sees one. */
export const IN_PROGRESS = new Set(["received", "processing"]);

const STEP_NAMES = {
  create_folder: "creating the order folder",
  generate_design: "generating the design",
  fill_workbook: "writing the order workbook",
  upload_files: "uploading the files",
  notify_review: "sending the design for review",
  await_review: "waiting for review",
  finalize: "finalizing the approved order",
};

/** A pipeline step in words. */
export const stepName = (step) => STEP_NAMES[step] ?? words(step);

/** A status badge: its class gives the colour, its text the status in words. */
export function statusBadge(status) {
  return h("span", { class: `badge status-${status}`, text: words(status) });
}

/** Update a badge made by statusBadge in place. */
export function setStatusBadge(badge, status) {
  badge.className = `badge status-${status}`;
  badge.textContent = words(status);
}

/** A product's name, as the page was rendered with it (the new-order form's choices). */
export function productName(key) {
  const option = [...byId("new-product").options].find((o) => o.value === key);
  return option ? option.textContent.trim() : key;
}

/** An order's options in one line: "size: M, color: navy". */
export function optionsText(options) {
  const entries = Object.entries(options ?? {});
  return entries.length ? entries.map(([name, value]) => `${name}: ${value}`).join(", ") : "none";
}

/** Where the order stands, in a few words. */
export function standing(order) {
  if (order.status === "failed") return `Stopped while ${stepName(order.failed_step)}`;
  if (order.status === "awaiting_approval") return "The design waits for review";
  if (order.status === "completed") return "Completed";
  if (order.status === "cancelled") return "Cancelled";
  if (order.current_step) return `Now ${stepName(order.current_step)}`;
  return "Queued";
}

/** The newest design version, or null. */
export function latestVersion(order) {
  const versions = order.design_versions ?? [];
  return versions.length ? versions[versions.length - 1] : null;
}
