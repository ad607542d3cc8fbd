/**
 * A newest-first list shown a page at a time: the offset, and the controls that move it (the
 * view's form `${name}-filter` starts again at the first page, `${name}-newer` and
 * `${name}-older` step a page).
 */

import { byId } from "./dom.js";

export class Pager {
  offset = 0;

  /** `load` shows the page at `this.offset`. */
  constructor(name, size, load) {
    this.name = name;
    this.size = size;
    this.load = load;
  }

  /** Wire the filter and the buttons (once, at start). */
  wire() {
    byId(`${this.name}-filter`).addEventListener("submit", (event) => {
      event.preventDefault();
      this.first();
    });
    byId(`${this.name}-older`).addEventListener("click", () => this.#moveTo(this.offset + this.size));
    byId(`${this.name}-newer`).addEventListener("click", () => this.#moveTo(Math.max(0, this.offset - this.size)));
  }

  /** Show the first page. */
  first() {
    this.#moveTo(0);
  }

  /** "1–20 of 45" for `page`, and the buttons shown only where there is a page to go to. */
  shown(page) {
    byId(`${this.name}-newer`).hidden = page.offset === 0;
    byId(`${this.name}-older`).hidden = page.offset + page.items.length >= page.total;
    return `${page.offset + 1}–${page.offset + page.items.length} of ${page.total}`;
  }

  #moveTo(offset) {
    this.offset = offset;
    this.load();
  }
}
