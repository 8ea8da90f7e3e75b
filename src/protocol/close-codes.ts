// WebSocket close codes on Hydra's wire, written once: the RFC 6455 codes Hydra and the
// relay use, the relay's own application codes (4000–4999, readable by browsers as
// CloseEvent.code), the client's one code, and the one classifier the client uses to decide
// what a close means. The relay (src/server/relay) and the simulator use the same constants.
// Every relay-originated close to the browser except 4008 and 1009 is preceded by a
// Hydra-shaped `error` frame, so a client that only reads frames still learns why.

/** RFC 6455 codes Hydra, the relay and the simulator use or pass through. */
export const WS_CLOSE = {
  /** Normal close; also Hydra's idle timeout (~30 s without traffic). */
  NORMAL: 1000,
  GOING_AWAY: 1001,
  /** Received without a status code (never sent). */
  NO_STATUS: 1005,
  /** The connection dropped without a close frame (never sent). */
  ABNORMAL: 1006,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  /** Hydra is at capacity (`server_full`): back off longer. */
  TRY_AGAIN_LATER: 1013,
} as const;

/** Close codes hydra-voice's relay sends to the browser (docs/SERVER.md). */
export const RELAY_CLOSE = {
  /** Token missing, malformed, badly signed, expired or not a relay token. Do not retry with it. */
  UNAUTHORIZED: 4001,
  /** Origin not allowed, token bound to another origin, or token bound to another model. */
  FORBIDDEN: 4003,
  /** Maximum session length reached. A new session (new token) may start at once. */
  SESSION_TIME_LIMIT: 4008,
  /** Too many concurrent sessions for this token or this client IP. */
  TOO_MANY_SESSIONS: 4029,
  /** Upstream refused the relay's API key (HTTP 401/403 on the upstream upgrade). Server misconfiguration. */
  UPSTREAM_AUTH: 4401,
  /** Upstream refused the upgrade with another 4xx (e.g. 400 for an unknown model). Do not retry unchanged. */
  UPSTREAM_BAD_REQUEST: 4400,
  /** Upstream unreachable, refused the upgrade with 429/5xx, or dropped mid-session. Retryable. */
  UPSTREAM_UNREACHABLE: 4502,
  /** Upstream did not complete its upgrade within connectTimeoutMs. Retryable. */
  UPSTREAM_TIMEOUT: 4504,
} as const;

/** The code the client closes a socket with when it replaces it (handshake timeout, internal_error). */
export const CLIENT_CLOSE_RETRY = 4000;

/** Codes an endpoint may put in a close frame (ws refuses the others). */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/**
 * The code to forward when one side closed with `code`. Sendable codes pass through
 * unchanged; "no status" becomes a normal close; an abnormal drop becomes 4502 towards the
 * browser (upstream lost: retryable) and 1001 towards upstream (the browser went away).
 */
export function forwardCloseCode(code: number, towards: 'client' | 'upstream'): number {
  if (isSendableCloseCode(code)) return code;
  if (code === WS_CLOSE.NO_STATUS) return WS_CLOSE.NORMAL;
  if (towards === 'client') return RELAY_CLOSE.UPSTREAM_UNREACHABLE;
  return WS_CLOSE.GOING_AWAY;
}

/**
 * What a close of an opened socket means to a client in a conversation:
 * - `refused`: the relay refused the session for a reason no retry can fix (`hint` says which);
 * - `token_refused`: the relay refused the token; a fresh token may fix it;
 * - `busy`: the service or the relay is full: back off longer;
 * - `closed`: a normal close (Hydra's idle close): reconnect quietly;
 * - `dropped`: anything else: reconnect and tell the user the connection was lost.
 */
export type CloseClass = 'refused' | 'token_refused' | 'busy' | 'closed' | 'dropped';

const REFUSED_HINTS: Record<number, string> = {
  [RELAY_CLOSE.FORBIDDEN]: "The relay refused this page's origin (or a token minted for another origin or model)",
  [RELAY_CLOSE.UPSTREAM_BAD_REQUEST]: 'Hydra refused the connection request (e.g. an unknown model)',
  [RELAY_CLOSE.UPSTREAM_AUTH]: "Hydra rejected the relay's API key; the site's SMALLEST_API_KEY needs fixing",
};

/** Classifies the close of a socket that had opened (see {@link CloseClass}). */
export function classifyClose(code: number): { kind: CloseClass; hint?: string } {
  const hint = REFUSED_HINTS[code];
  if (hint !== undefined) return { kind: 'refused', hint };
  if (code === RELAY_CLOSE.UNAUTHORIZED) return { kind: 'token_refused' };
  if (code === WS_CLOSE.TRY_AGAIN_LATER || code === RELAY_CLOSE.TOO_MANY_SESSIONS) return { kind: 'busy' };
  if (code === WS_CLOSE.NORMAL) return { kind: 'closed' };
  return { kind: 'dropped' };
}
