/**
 * The console's entry point: signing in and out, and which view shows. Views are addressed by
 * the URL's fragment (#/orders, #/orders/ID, #/new, #/chat, #/audit), so links, the back
 * button and the keyboard work, and the page (with the token in its memory) never reloads.
 */

import { currentUser, onSignedOut, signIn, signOut } from "./api.js";
import * as audit from "./audit.js";
import * as chat from "./chat.js";
import { byId } from "./dom.js";
import { clearError, clearMessages, showError } from "./messages.js";
import * as newOrder from "./new_order.js";
import * as orderDetail from "./order_detail.js";
import * as orderList from "./order_list.js";

const VIEWS = {
  orders: { section: "view-orders", module: orderList },
  order: { section: "view-order", module: orderDetail },
  new: { section: "view-new", module: newOrder },
  chat: { section: "view-chat", module: chat, role: "admin" },
  audit: { section: "view-audit", module: audit, role: "admin" },
};
let shown = null; // the view on show: { name, module }

/** Whether the signed-in person's role may see what is marked with `data-role`. */
function allowed(role) {
  const user = currentUser();
  if (!role) return user !== null;
  if (role === "staff") return user?.role === "operator" || user?.role === "admin";
  return user?.role === role;
}

/** The view the fragment names: `{ name, id }`. */
function route() {
  const [name, id] = window.location.hash.replace(/^#\/?/, "").split("/");
  if (name === "orders" && id) return { name: "order", id: decodeURIComponent(id) };
  return { name: VIEWS[name] ? name : "orders", id: null };
}

function showView(name, id) {
  shown?.module.leave();
  for (const section of document.querySelectorAll(".view")) section.hidden = true;
  if (!currentUser()) {
    shown = null;
    byId("view-sign-in").hidden = false;
    return;
  }
  const view = VIEWS[name] ?? VIEWS.orders;
  if (!allowed(view.role)) {
    showError("Not allowed: this part of the console is for admins.");
    // Replaced, not navigated: no hashchange, so the message stays.
    window.history.replaceState(null, "", "#/orders");
    showView("orders");
    return;
  }
  byId(view.section).hidden = false;
  for (const link of document.querySelectorAll("[data-view-link]")) {
    const current = link.dataset.viewLink === name || (name === "order" && link.dataset.viewLink === "orders");
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  shown = { name, module: view.module };
  view.module.enter(id);
}

/** Show or hide what depends on who is signed in. */
function applyRole() {
  const user = currentUser();
  byId("nav").hidden = !user;
  byId("who").hidden = !user;
  byId("who-name").textContent = user ? `${user.sub} (${user.role})` : "";
  for (const node of document.querySelectorAll("[data-role]")) {
    if (!node.classList.contains("view")) node.hidden = !allowed(node.dataset.role);
  }
  // Staff see every customer's orders, and filter them; a customer sees their own.
  byId("orders-title").textContent = allowed("staff") ? "All orders" : "Your orders";
}

function resetAll() {
  for (const view of Object.values(VIEWS)) view.module.reset();
}

function signedOut(reason) {
  resetAll();
  applyRole();
  showView(null);
  if (reason) showError(reason);
  byId("sign-in-username").focus();
}

function setUpSignIn() {
  const form = byId("sign-in-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    clearMessages();
    try {
      await signIn(byId("sign-in-username").value.trim(), byId("sign-in-password").value);
      form.reset();
      applyRole();
      byId("main").focus(); // before the view, which may move focus to its first field
      const { name, id } = route();
      showView(name, id);
    } catch (error) {
      showError(error);
      byId("sign-in-password").select();
    } finally {
      button.disabled = false;
    }
  });
  byId("sign-out").addEventListener("click", async () => {
    await signOut();
    clearMessages();
    signedOut(null);
  });
  onSignedOut(signedOut);
}

function start() {
  for (const view of Object.values(VIEWS)) view.module.setUp?.();
  setUpSignIn();
  window.addEventListener("hashchange", () => {
    const { name, id } = route();
    clearError(); // a notice ("order placed") outlives the move it announced
    showView(name, id);
  });
  applyRole();
  showView(null);
  document.documentElement.dataset.ready = "true"; // for tests: the modules have loaded
  byId("sign-in-username").focus();
}

start();
