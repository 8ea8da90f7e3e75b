// Close codes the relay sends to the browser (and why). 4000–4999 is the application range
// of RFC 6455, readable by browsers as CloseEvent.code; reasons are CloseEvent.reason.
// Every relay-originated close to the browser except 4008 and 1009 is preceded by a
// Hydra-shaped `error` frame, so a client that only reads frames still learns why.

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

/** RFC 6455 codes the relay uses or passes through. */
export const WS_CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  TRY_AGAIN_LATER: 1013,
} as const;

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
