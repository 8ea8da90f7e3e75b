// Event ids for client frames. crypto.getRandomValues works in every context (randomUUID
// needs a secure context, and embeds also run on plain-http intranet pages).

export function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  let out = '';
  for (const b of buf) out += b.toString(16).padStart(2, '0');
  return out;
}

/** A client event id: "cl_" and 16 hex digits. */
export function newEventId(): string {
  return `cl_${randomHex(8)}`;
}
