/**
 * Design images and proofs. An <img> cannot send the bearer token, so each image is fetched
 * with it and shown through a blob: URL; a blob: URL is revoked as soon as its image shows
 * something else or its view is left, so the page holds no image it does not show.
 */

import { request } from "./api.js";

/** The paths of a design version's print file, its proof, and the proof's small preview. */
export const designPath = (orderId, version) => `/orders/${orderId}/designs/${version}`;
export const proofPath = (orderId, version) => `${designPath(orderId, version)}/proof`;
export const previewPath = (orderId, version) => `${proofPath(orderId, version)}?size=preview`;

/** The images one view shows, each with the blob: URL it shows. */
export class BlobImages {
  #shown = new Map(); // img → { path, url }

  /** Show the image at `path` in `img` (nothing to do when it already shows it). */
  async show(img, path) {
    const before = this.#shown.get(img);
    if (before && before.path === path) return;
    this.#shown.set(img, { path, url: before?.url ?? null });
    let url;
    try {
      // A version's image never changes: the browser's cache (revalidated by ETag) is welcome.
      const response = await request(path, { cache: "default" });
      url = URL.createObjectURL(await response.blob());
    } catch (error) {
      if (this.#shown.get(img)?.path === path) this.#shown.delete(img);
      img.classList.add("broken");
      img.title = `Could not load the image: ${error.message}`;
      return;
    }
    if (this.#shown.get(img)?.path !== path) {
      URL.revokeObjectURL(url); // another image was asked for meanwhile
      return;
    }
    img.classList.remove("broken");
    img.removeAttribute("title");
    img.src = url;
    this.#shown.set(img, { path, url });
    if (before?.url) URL.revokeObjectURL(before.url);
  }

  /** Forget an image (it left the page) and revoke its URL. */
  drop(img) {
    const shown = this.#shown.get(img);
    if (shown?.url) URL.revokeObjectURL(shown.url);
    this.#shown.delete(img);
  }

  /** Revoke every URL (the view is left, or the person signed out). */
  dropAll() {
    for (const img of [...this.#shown.keys()]) this.drop(img);
  }
}
