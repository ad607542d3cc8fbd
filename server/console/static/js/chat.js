/**
 * The admin chat: a command goes to POST /admin/commands as a stream of server-sent events;
 * the reply is written in as it arrives, each tool the agent calls shows as a card, and
 * follow-ups continue the session. The admin's earlier sessions come from GET /admin/sessions,
 * each named by the command that started it; one picked there continues.
 */

import { ApiError, currentUser, getJson, request, withQuery } from "./api.js";
import { byId, h, short, when } from "./dom.js";
import { clearError, showError } from "./messages.js";
import { actionCard, completeCard } from "./results.js";
import { readEvents } from "./sse.js";

const sessions = new Map(); // session id → { id, first, at }
let sessionId = null; // the session the next command continues, or null for a new one
let running = false;

export function enter() {
  byId("chat-command").focus();
  loadSessions();
}

export function leave() {}

/** Forget every session and the transcript (signing out). */
export function reset() {
  sessions.clear();
  byId("chat-log").replaceChildren();
  select(null);
}

/** Wire the form and the session controls (once, at start). */
export function setUp() {
  byId("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = byId("chat-command");
    const command = input.value.trim();
    if (!command || running) return;
    input.value = "";
    send(command);
  });
  byId("chat-new").addEventListener("click", () => {
    select(null);
    byId("chat-log").replaceChildren();
    byId("chat-command").focus();
  });
  byId("chat-earlier").addEventListener("click", loadSessions);
  renderSessions();
}

async function send(command) {
  running = true;
  clearError();
  const reply = h("p", { class: "reply", "aria-busy": "true" });
  const actions = h("div", { class: "actions" });
  const note = h("p", { class: "hint" });
  const turn = h(
    "li",
    { class: "turn" },
    h("p", { class: "you" }, h("span", { class: "visually-hidden", text: "You: " }), command),
    reply,
    actions,
    note,
  );
  byId("chat-log").append(turn);
  const cards = [];
  try {
    const response = await request("/admin/commands", {
      method: "POST",
      headers: { Accept: "text/event-stream", "Content-Type": "application/json" },
      body: JSON.stringify({ command, ...(sessionId ? { session_id: sessionId } : {}) }),
    });
    for await (const { event, data } of events(response)) {
      if (event === "session") {
        remember(data.session_id, command);
      } else if (event === "token") {
        reply.textContent += data.text;
      } else if (event === "tool_call") {
        const card = actionCard(data.tool, data.args);
        cards.push(card);
        actions.append(card);
      } else if (event === "tool_result") {
        const card = cards.find((c) => c.dataset.tool === data.tool && !c.dataset.status);
        if (card) completeCard(card, data.status, data.result);
      } else if (event === "done") {
        finish(data, reply, actions, cards, note);
      }
    }
  } catch (error) {
    note.textContent = "This command did not finish.";
    showError(error);
  } finally {
    reply.removeAttribute("aria-busy");
    running = false;
    byId("chat-command").focus();
  }
}

/** The events of a streamed answer; a connection lost mid-way is said in words. */
async function* events(response) {
  if (!(response.headers.get("Content-Type") ?? "").startsWith("text/event-stream")) {
    yield { event: "done", data: await response.json() };
    return;
  }
  try {
    yield* readEvents(response.body);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(0, "The reply was cut off: the connection to the service was lost. Check the network and send the command again.");
  }
}

/** The whole answer: its reply is the one to keep, its actions the ones that count. */
function finish(answer, reply, actions, cards, note) {
  reply.textContent = answer.reply;
  if (cards.length !== answer.actions.length) {
    actions.replaceChildren();
    cards.length = 0;
    for (const action of answer.actions) {
      const card = actionCard(action.tool, action.args);
      completeCard(card, action.status, action.result);
      cards.push(card);
      actions.append(card);
    }
  } else {
    answer.actions.forEach((action, i) => completeCard(cards[i], action.status, action.result));
  }
  if (answer.status === "needs_input") note.textContent = "The assistant needs more: answer in your next command.";
  else if (answer.status === "error") note.textContent = "Something in this command failed or was refused: see the cards.";
}

function remember(id, firstCommand) {
  if (!sessions.has(id)) sessions.set(id, { id, first: firstCommand, at: new Date().toISOString() });
  select(id);
}

function select(id) {
  sessionId = id;
  const session = id ? sessions.get(id) : null;
  byId("chat-session-label").textContent = session
    ? `Session ${short(id)}: your next command follows up on “${session.first}”.`
    : "A new session starts with your next command.";
  renderSessions();
}

function renderSessions() {
  const list = byId("chat-sessions");
  if (!sessions.size) {
    list.replaceChildren(h("li", { class: "hint", text: "None yet." }));
    return;
  }
  const newest = [...sessions.values()].sort((a, b) => b.at.localeCompare(a.at));
  list.replaceChildren(
    ...newest.map((session) =>
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: session.id === sessionId ? "session current" : "session",
            "aria-pressed": session.id === sessionId ? "true" : "false",
            onclick: () => {
              select(session.id);
              byId("chat-log").replaceChildren();
              byId("chat-command").focus();
            },
          },
          h("span", { text: `“${session.first}”` }),
          h("span", { class: "hint", text: ` ${short(session.id)} · ${when(session.at)}` }),
        ),
      ),
    ),
  );
}

/** The signed-in admin's sessions, the latest active first (only one's own continue). */
async function loadSessions() {
  try {
    const page = await getJson(withQuery("/admin/sessions", { subject: currentUser()?.sub, limit: 50 }));
    for (const item of page.items) {
      sessions.set(item.id, { id: item.id, first: item.first_command ?? "", at: item.updated_at });
    }
    renderSessions();
  } catch (error) {
    showError(error);
  }
}
