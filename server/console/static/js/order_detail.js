/**
 * One order: its status and live progress, its steps, every design version with its proof,
 * the review (approve, or request changes with feedback) and, for staff, retrying a failed
 * order. The page polls the order while its pipeline works.
 */

import { ApiError, getJson, isStaff, postJson } from "./api.js";
import { byId, externalLink, h, short, submitOnCtrlEnter, when, words } from "./dom.js";
import { BlobImages, designPath, proofPath } from "./images.js";
import { clearError, showError, showNotice } from "./messages.js";
import { IN_PROGRESS, optionsText, productName, setStatusBadge, standing, stepName } from "./order_bits.js";
import { Poller } from "./poll.js";

const POLL_MS = 2000;

const images = new BlobImages();
const figures = new Map(); // design version → its figure's parts
let orderId = null;
const poller = new Poller(refresh, POLL_MS);

/** Show order `id`. */
export function enter(id) {
  if (id !== orderId) forget();
  orderId = id;
  byId("order-title").textContent = `Order ${short(id)}`;
  poller.start();
}

/** Leave the view: stop polling and let the images go. */
export function leave() {
  poller.stop();
  forget();
}

/** Forget everything (signing out). */
export const reset = leave;

function forget() {
  images.dropAll();
  figures.clear();
  byId("order-designs").replaceChildren();
  byId("changes-feedback").value = "";
  orderId = null;
}

/** Wire the review and retry controls (once, at start). */
export function setUp() {
  byId("approve-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act(event.submitter, () => postJson(`/orders/${orderId}/approve`, { approved: true }), "Design approved.");
  });
  const changes = byId("changes-form");
  submitOnCtrlEnter(changes);
  changes.addEventListener("submit", (event) => {
    event.preventDefault();
    const feedback = byId("changes-feedback").value.trim();
    act(
      event.submitter ?? changes.querySelector("button"),
      () => postJson(`/orders/${orderId}/approve`, { approved: false, feedback }),
      "Changes requested: a new version is on its way.",
      () => {
        byId("changes-feedback").value = "";
      },
    );
  });
  byId("order-retry").addEventListener("click", (event) => {
    act(event.currentTarget, () => postJson(`/orders/${orderId}/retry`, {}), "Retrying the failed step.");
  });
}

/** Take an action on the order; its answer is the order as it now is. */
async function act(button, call, done, after = () => {}) {
  if (button) button.disabled = true;
  clearError();
  try {
    render(await call());
    after();
    showNotice(done);
    poller.start();
  } catch (error) {
    showError(error);
    if (error instanceof ApiError && error.status === 409) poller.start(); // show it as it is
  } finally {
    if (button) button.disabled = false;
  }
}

async function refresh() {
  if (!orderId) return false;
  const order = await getJson(`/orders/${orderId}`);
  if (order.id !== orderId) return false; // another order was opened meanwhile
  render(order);
  return IN_PROGRESS.has(order.status);
}

function render(order) {
  setStatusBadge(byId("order-status"), order.status);
  byId("order-step").textContent = standing(order);
  byId("order-progress").value = order.progress_percent;
  byId("order-percent").textContent = `${order.progress_percent}%`;

  const failed = order.status === "failed";
  byId("order-failure").hidden = !failed;
  byId("order-error").textContent = failed
    ? `While ${stepName(order.failed_step)}: ${order.error ?? "no error was recorded"}.`
    : "";
  byId("order-retry").hidden = !(failed && isStaff());
  byId("order-review").hidden = order.status !== "awaiting_approval";

  renderFacts(order);
  renderSteps(order.steps ?? []);
  renderDesigns(order);
  renderFiles(order.files ?? []);
}

function renderFacts(order) {
  const facts = [
    ["Product", productName(order.product)],
    ["Options", optionsText(order.options)],
    ["Quantity", String(order.quantity)],
    ["Brief", order.brief],
    ["Customer", `${order.customer.name} <${order.customer.email}>`],
    ["Reference image", order.has_reference_image ? "attached" : "none"],
    ["Placed", when(order.created_at)],
    ["Last change", when(order.updated_at)],
  ];
  byId("order-facts").replaceChildren(
    ...facts.flatMap(([name, value]) => [h("dt", { text: name }), h("dd", { text: value })]),
  );
}

function renderSteps(steps) {
  byId("order-steps").replaceChildren(
    ...steps.map((step) => {
      const work = step.progress ? ` (${step.progress.done}/${step.progress.total})` : "";
      const tries = step.attempts > 1 ? `, ${step.attempts} attempts` : "";
      return h(
        "li",
        { class: `step step-${step.status}` },
        h("span", { class: "step-name", text: stepName(step.step) }),
        h("span", { class: "hint", text: `${words(step.status)}${work}${tries}` }),
        step.error ? h("span", { class: "error-line", text: step.error }) : null,
      );
    }),
  );
}

/** Newest version first; a version's figure is made once, its caption kept up to date. */
function renderDesigns(order) {
  const versions = [...(order.design_versions ?? [])].reverse();
  byId("designs-empty").hidden = versions.length > 0;
  for (const version of versions) {
    const figure = figures.get(version.version) ?? addFigure(order, version);
    figure.caption.textContent = caption(version);
  }
  const container = byId("order-designs");
  const wanted = versions.map((v) => figures.get(v.version).node);
  if ([...container.children].some((node, i) => node !== wanted[i]) || container.children.length !== wanted.length) {
    container.replaceChildren(...wanted);
  }
}

function addFigure(order, version) {
  const n = version.version;
  const colour = order.options?.color ?? order.options?.colour;
  const print = h("img", { alt: `Design version ${n}`, class: "design", "data-version": n, "data-kind": "design" });
  const proof = h("img", {
    alt: `Proof of version ${n}: the design on the ${productName(order.product)}${colour ? ` in ${colour}` : ""}`,
    class: "design",
    "data-version": n,
    "data-kind": "proof",
  });
  const caption = h("figcaption");
  const node = h(
    "figure",
    { class: "version", "data-version": n },
    h("h3", { text: `Version ${n}` }),
    h(
      "div",
      { class: "version-images" },
      h("div", {}, h("p", { class: "hint", text: "Proof" }), proof),
      h("div", {}, h("p", { class: "hint", text: "Print file" }), print),
    ),
    caption,
  );
  images.show(print, designPath(order.id, n));
  images.show(proof, proofPath(order.id, n));
  const figure = { node, caption };
  figures.set(n, figure);
  return figure;
}

function caption(version) {
  const size = `${version.width}×${version.height} px`;
  const decision =
    version.decision === "approved"
      ? "Approved."
      : version.decision
        ? `${sentence(words(version.decision))}${version.feedback ? `: “${version.feedback}”` : ""}.`
        : "Not reviewed yet.";
  return `${decision} Made ${when(version.created_at)} by ${version.engine}, ${size}.`;
}

/** Text with its first letter in capitals: "changes requested" → "Changes requested". */
const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function renderFiles(files) {
  byId("order-files").replaceChildren(
    ...(files.length
      ? files.map((file) => h("li", {}, file.link ? externalLink(file.link, file.name) : file.name, h("span", { class: "hint", text: ` ${file.path}` })))
      : [h("li", { class: "hint", text: "No files yet." })]),
  );
}
