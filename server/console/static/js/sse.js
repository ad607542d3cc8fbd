/**
 * Server-sent events read from a fetch() response body. EventSource cannot send a bearer token
 * or a POST body, so the admin chat POSTs with fetch() and parses the stream here.
 */

/** Each event of the stream as `{ event, data }`, `data` parsed as JSON, as it arrives. */
export async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = blockEnd(buffer)) !== null) {
      const event = parseBlock(buffer.slice(0, end.at));
      buffer = buffer.slice(end.at + end.length);
      if (event) yield event;
    }
  }
  const last = parseBlock(buffer);
  if (last) yield last;
}

/** Where the first event ends (a blank line, in any of the three line-break styles). */
function blockEnd(buffer) {
  const match = /\r\n\r\n|\n\n|\r\r/.exec(buffer);
  return match ? { at: match.index, length: match[0].length } : null;
}

/** One event's lines: `event:` names it, `data:` lines hold it, `:` lines are comments. */
export function parseBlock(block) {
  let event = "message";
  const data = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return data.length ? { event, data: JSON.parse(data.join("\n")) } : null;
}
