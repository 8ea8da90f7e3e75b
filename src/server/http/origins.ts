// Which browser origins may use the token endpoint and the relay. Shared by both so a site
// configures one list. Origins are compared in their serialized form (scheme://host[:port]).
import type { IncomingMessage } from 'node:http';

/**
 * A fixed list of origins ("https://example.com"), or a check that sees the request too
 * (a node:http IncomingMessage, or a web Request for createFetchTokenHandler).
 */
export type AllowedOrigins<Req = IncomingMessage> = readonly string[] | ((origin: string, req: Req) => boolean);

/** Normalizes "https://Example.com:443/" to "https://example.com"; undefined when not an origin. */
export function normalizeOrigin(value: string): string | undefined {
  if (value === 'null') return undefined; // opaque origins (sandboxed frames, file://) are never allowed
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** Builds the predicate once; list entries are normalized so trailing slashes or case do not matter. */
export function originMatcher<Req = IncomingMessage>(allowed: AllowedOrigins<Req>): (origin: string, req: Req) => boolean {
  if (typeof allowed === 'function') return allowed;
  const set = new Set<string>();
  for (const entry of allowed) {
    const normalized = normalizeOrigin(entry);
    if (!normalized) throw new TypeError(`allowedOrigins: "${entry}" is not an http(s) origin`);
    set.add(normalized);
  }
  return (origin) => set.has(origin);
}

/** The request's Origin header, normalized; undefined when absent, repeated or malformed. */
export function requestOrigin(req: IncomingMessage): string | undefined {
  const raw = req.headers.origin;
  return typeof raw === 'string' ? normalizeOrigin(raw) : undefined;
}
