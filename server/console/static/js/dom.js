/**
 * Small DOM helpers. Elements are built from data with textContent and properties, never from
 * HTML strings, so nothing a customer typed can become markup.
 */

/** The element with this id. */
export const byId = (id) => document.getElementById(id);

/**
 * A new element: `h("a", { href: "#/orders", class: "button", text: "Orders" }, child, …)`.
 * `class` and `text` set className and textContent; `on<event>` adds a listener; booleans set
 * the attribute when true; anything else becomes an attribute.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** The first 8 characters of an id, as people quote it. */
export const short = (id) => String(id).slice(0, 8);

/** Words from an identifier: "awaiting_approval" → "awaiting approval". */
export const words = (name) => String(name ?? "").replaceAll("_", " ");

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A timestamp in the reader's own time zone; anything else as it is. */
export function when(value) {
  if (typeof value !== "string" || !ISO_TIME.test(value)) return String(value ?? "");
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

/** A value of unknown shape as one short line of text. */
export function brief(value, limit = 200) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** A link that opens outside the console, only for http(s) URLs (never javascript: and co). */
export function externalLink(url, label) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return document.createTextNode(label ?? String(url));
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return document.createTextNode(label ?? String(url));
  }
  return h("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer", text: label ?? url });
}

/** Show or hide an element. */
export function show(node, visible) {
  node.hidden = !visible;
}

/** Run `submit` on Ctrl+Enter (or Cmd+Enter) in a textarea, where Enter makes a new line. */
export function submitOnCtrlEnter(form) {
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.tagName === "TEXTAREA") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}
