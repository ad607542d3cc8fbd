/** The page's two message lines: an alert for errors, a polite notice for what went well. */

import { byId } from "./dom.js";

/** Show an error in words (an ApiError's message says what happened and what to do). */
export function showError(error) {
  const alert = byId("alert");
  alert.textContent = error instanceof Error ? error.message : String(error);
  alert.hidden = false;
}

/** Take the error away (after the next thing that worked). */
export function clearError() {
  const alert = byId("alert");
  alert.textContent = "";
  alert.hidden = true;
}

/** Say something went well. */
export function showNotice(text) {
  byId("notice").textContent = text;
}

/** Clear both lines. */
export function clearMessages() {
  clearError();
  showNotice("");
}
