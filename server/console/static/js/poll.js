/**
 * Polling while something is in progress (the service has no push channel for orders yet):
 * the task runs, and runs again `intervalMs` later for as long as it answers true. Errors are
 * shown and polling goes on, so that a page that lost the network catches up when it is back.
 */

import { ApiError } from "./api.js";
import { clearError, showError } from "./messages.js";

export class Poller {
  #timer = null;
  #generation = 0;
  #recovering = false; // the last run failed: clear its error when one works again

  constructor(task, intervalMs) {
    this.task = task;
    this.intervalMs = intervalMs;
  }

  /** Run the task now, then on a timer while it answers true (a running poll is restarted). */
  start() {
    this.stop();
    const generation = ++this.#generation;
    const tick = async () => {
      let again = true;
      let failed = false;
      try {
        again = await this.task();
      } catch (error) {
        showError(error);
        failed = true;
        // Signed out or not allowed: polling cannot help.
        again = !(error instanceof ApiError && (error.status === 401 || error.status === 403));
      }
      if (generation !== this.#generation) return; // stopped or restarted meanwhile
      if (!failed && this.#recovering) clearError();
      this.#recovering = failed;
      if (again) this.#timer = setTimeout(tick, this.intervalMs);
    };
    tick();
  }

  /** Stop polling (the view is left). */
  stop() {
    this.#generation += 1;
    clearTimeout(this.#timer);
    this.#timer = null;
  }
}
