/**
 * The console's API client: signing in, the tokens, and every request to the service.
 *
 * The tokens live in this module's variables only, never in localStorage, sessionStorage or a
 * cookie: a script injected into the page some day could not read them from storage, and a
 * reload signs the person out (the sign-in form says so). Requests carry the access token as a
 * bearer; when it has expired, the refresh token buys a new pair once, and if that fails too the
 * person is signed out and told why.
 */

let auth = null; // { access, refresh, sub, role }
let refreshing = null; // the refresh in flight, shared by every request that needs it
const signedOutListeners = new Set();

/** An answer that is not a success, or no answer at all (status 0), described in words. */
export class ApiError extends Error {
  constructor(status, message, retryAfter = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/** Who is signed in: `{ sub, role }`, or null. */
export function currentUser() {
  return auth ? { sub: auth.sub, role: auth.role } : null;
}

/** Whether the signed-in person sees every order and may retry: operators and admins. */
export function isStaff() {
  return auth !== null && (auth.role === "operator" || auth.role === "admin");
}

/** Call `listener(reason)` whenever the person is signed out without asking to be. */
export function onSignedOut(listener) {
  signedOutListeners.add(listener);
}

/** The claims of a JWT (its middle part), read without checking: the service checks it. */
function claimsOf(token) {
  const part = token.split(".")[1] ?? "";
  const base64 = part.replaceAll("-", "+").replaceAll("_", "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function keep(tokens) {
  const claims = claimsOf(tokens.access_token);
  auth = { access: tokens.access_token, refresh: tokens.refresh_token, sub: claims.sub, role: claims.role };
}

/** Sign in with a username and password (POST /auth/token); the signed-in user. */
export async function signIn(username, password) {
  const body = new URLSearchParams({ grant_type: "password", username, password });
  const response = await send("/auth/token", { method: "POST", body });
  if (!response.ok) throw await errorFrom(response, { signingIn: true });
  keep(await response.json());
  return currentUser();
}

/** Sign out: the refresh token is revoked (with every token of this sign-in), then forgotten. */
export async function signOut() {
  const ending = auth;
  auth = null;
  if (!ending) return;
  try {
    await send("/auth/revoke", {
      method: "POST",
      headers: { Authorization: `Bearer ${ending.access}`, "Content-Type": "application/json" },
      body: JSON.stringify({ token: ending.refresh }),
    });
  } catch {
    // Offline: the tokens are forgotten here all the same and expire on their own.
  }
}

function expire(reason) {
  auth = null;
  for (const listener of signedOutListeners) listener(reason);
}

async function refresh() {
  const spending = auth;
  if (!spending) return false;
  refreshing ??= (async () => {
    try {
      const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: spending.refresh });
      const response = await send("/auth/token", { method: "POST", body });
      if (!response.ok) return false;
      if (auth === spending) keep(await response.json());
      return auth !== null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function withBearer(options) {
  const headers = new Headers(options.headers ?? {});
  if (auth) headers.set("Authorization", `Bearer ${auth.access}`);
  return { ...options, headers };
}

/**
 * fetch() a path of the service with the token; the Response when it succeeded, else an
 * ApiError whose message says what happened in words. A 401 is tried once more after a
 * refresh; still 401, the person is signed out.
 */
export async function request(path, options = {}) {
  let response = await send(path, withBearer(options));
  if (response.status === 401 && auth) {
    if (await refresh()) response = await send(path, withBearer(options));
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401) expire(error.message);
    throw error;
  }
  return response;
}

/** GET a path; its JSON. */
export async function getJson(path) {
  return (await request(path)).json();
}

/** POST a JSON body to a path; the JSON answer. */
export async function postJson(path, body) {
  const response = await request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** A path with its query: the parameters that have a value. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

async function send(path, options) {
  try {
    // Answers about orders change: never from the cache, unless a caller says otherwise.
    return await fetch(path, { cache: "no-store", ...options, credentials: "omit" });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(
      0,
      "The service cannot be reached: check your network connection. The page tries again by itself where it was watching an order.",
    );
  }
}

/** What the service's `detail` says: a sentence, or a validation error's fields and messages. */
function detailText(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item) => {
        const where = (item.loc ?? []).filter((part) => part !== "body" && part !== "order").join(".");
        return where ? `${where}: ${item.msg}` : item.msg;
      })
      .join("; ");
  }
  return "";
}

/** An ApiError for a response that is not a success, in words a person can act on. */
export async function errorFrom(response, { signingIn = false } = {}) {
  let detail = "";
  try {
    detail = detailText((await response.json()).detail);
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const status = response.status;
  const retryAfter = response.headers.get("Retry-After");
  const seconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
  const later = seconds !== null ? `try again in ${seconds} second${seconds === 1 ? "" : "s"}` : "try again shortly";
  let message;
  if (status === 401) {
    message = signingIn
      ? "Wrong username or password (or the account is disabled)."
      : "You are signed out: your sign-in expired or was refused. Sign in again.";
  } else if (status === 403) {
    message = `Not allowed: your account may not do this.${detail ? ` (${detail})` : ""}`;
  } else if (status === 404) {
    message = `Not found${detail ? `: ${detail}` : "."}`;
  } else if (status === 409) {
    message = `Conflict: ${detail || "the request does not fit the current state"}. The page now shows it as it is.`;
  } else if (status === 413) {
    message = detail || "That is too large to send.";
  } else if (status === 422) {
    message = `Please check what you entered: ${detail || "something is not valid"}.`;
  } else if (status === 429) {
    message = `Too many requests: ${later}.${detail ? ` (${detail})` : ""}`;
  } else if (status === 503) {
    message = `The service is busy: ${later}.`;
  } else if (status >= 500) {
    const id = response.headers.get("X-Request-ID");
    message = `The service failed${id ? ` (request id ${id})` : ""}: ${later}, and report it if it keeps failing.`;
  } else {
    message = detail || `The request failed (HTTP ${status}).`;
  }
  return new ApiError(status, message, seconds);
}
