/**
 * The new-order form: brief, product, options, quantity and a reference image, sent as the
 * multipart POST /orders the API documents (an `order` JSON part and an `image` file part).
 */

import { request } from "./api.js";
import { byId, submitOnCtrlEnter } from "./dom.js";
import { clearError, showError, showNotice } from "./messages.js";

// One key per order being written: a second click, or a retry after a network error, gets the
// same order back instead of a second one.
let idempotencyKey = newKey();

/** A random key (crypto.randomUUID exists only on HTTPS and localhost; this works anywhere). */
function newKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Show the form, with the cursor in its first empty field. */
export function enter() {
  const form = byId("new-order-form");
  const empty = [...form.querySelectorAll("input, textarea")].find((field) => field.required && !field.value);
  (empty ?? byId("new-product")).focus();
}

export function leave() {}

/** Empty the form (signing out). */
export function reset() {
  byId("new-order-form").reset();
  idempotencyKey = newKey();
}

/** Wire the form (once, at start). */
export function setUp() {
  const form = byId("new-order-form");
  submitOnCtrlEnter(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    clearError();
    try {
      const placed = await place(form);
      form.reset();
      idempotencyKey = newKey();
      showNotice(`Order ${placed.id.slice(0, 8)} placed: its design is being made.`);
      window.location.hash = `#/orders/${placed.id}`;
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  });
}

/** The options the form holds: size and colour, and "name: value" lines. */
function options(fields) {
  const chosen = {};
  for (const line of fields.get("options").split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) chosen[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  for (const name of ["size", "color"]) {
    const value = fields.get(name).trim();
    if (value) chosen[name] = value;
  }
  return chosen;
}

async function place(form) {
  const fields = new FormData(form);
  const phone = fields.get("phone").trim();
  const order = {
    customer: { name: fields.get("name").trim(), email: fields.get("email").trim(), ...(phone ? { phone } : {}) },
    product: fields.get("product"),
    options: options(fields),
    quantity: Number(fields.get("quantity")),
    brief: fields.get("brief").trim(),
  };
  const body = new FormData();
  body.append("order", JSON.stringify(order));
  const image = fields.get("image");
  if (image instanceof File && image.size > 0) body.append("image", image, image.name);
  // No Content-Type here: the browser writes multipart/form-data with its boundary.
  const response = await request("/orders", {
    method: "POST",
    headers: { "Idempotency-Key": idempotencyKey },
    body,
  });
  return response.json();
}
