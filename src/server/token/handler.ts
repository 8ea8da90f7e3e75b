// The token endpoint: POST → {"token", "url"}. The browser calls it same-origin (or with
// CORS from an allowed origin) right before opening the relay socket.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http/json.ts';
import { originMatcher, requestOrigin, type AllowedOrigins } from '../http/origins.ts';
import { assertSecret, mintToken, type Secret } from './tokens.ts';

export interface TokenHandlerOptions {
  /** HMAC secret shared with the relay (32 random bytes recommended). */
  secret: Secret;
  /** Origins allowed to obtain tokens. The token is bound to the requesting origin. */
  allowedOrigins: AllowedOrigins;
  /** Token lifetime; it only has to cover the gap between fetch and connect. Default 60. */
  ttlSeconds?: number;
  /**
   * The relay's WebSocket URL returned as `url` (absolute ws(s):// or a path such as
   * "/hydra", which the widget resolves against the page). Default "/hydra".
   */
  relayUrl?: string | ((req: IncomingMessage) => string);
  /** Bind tokens to one model (the relay then refuses other `?model=` values). */
  model?: string | ((req: IncomingMessage) => string | undefined);
  /** Clock in ms, for tests. */
  now?: () => number;
}

/** Headers a CORS preflight may ask for; anything else is not needed to fetch a token. */
const ALLOWED_REQUEST_HEADERS = 'content-type, accept, authorization';

/**
 * Creates a `(req, res)` handler for the token endpoint. Mount it on the path the widget's
 * `token-endpoint` attribute names. Answers:
 * - POST from an allowed Origin: 200 `{token, url}`, `Cache-Control: no-store`
 * - OPTIONS (CORS preflight) from an allowed Origin: 204 with the CORS headers
 * - missing or disallowed Origin: 403 `{error}`; any other method: 405 `{error}`
 */
export function createTokenHandler(options: TokenHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  assertSecret(options.secret);
  const ttlSeconds = options.ttlSeconds ?? 60;
  if (!(ttlSeconds > 0)) throw new RangeError('ttlSeconds must be > 0');
  const isAllowed = originMatcher(options.allowedOrigins);
  const relayUrl = options.relayUrl ?? '/hydra';

  return (req, res) => {
    // The body is never needed; drain it so keep-alive connections stay usable.
    req.resume();
    const method = req.method ?? 'GET';
    if (method !== 'POST' && method !== 'OPTIONS') {
      sendJson(res, 405, { error: 'method not allowed: POST a request to obtain a token' }, { allow: 'POST, OPTIONS' });
      return;
    }
    const origin = requestOrigin(req);
    // Browsers send Origin on every POST and preflight; its absence means a non-browser
    // client, which has no business holding a browser token.
    if (!origin || !isAllowed(origin, req)) {
      sendJson(res, 403, { error: origin ? `origin ${origin} is not allowed` : 'missing or invalid Origin header' }, { vary: 'Origin' });
      return;
    }
    const cors = { 'access-control-allow-origin': origin, vary: 'Origin' };
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': ALLOWED_REQUEST_HEADERS,
        'access-control-max-age': '600',
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    try {
      const model = typeof options.model === 'function' ? options.model(req) : options.model;
      const token = mintToken({ secret: options.secret, origin, ttlSeconds, model, now: options.now });
      const url = typeof relayUrl === 'function' ? relayUrl(req) : relayUrl;
      sendJson(res, 200, { token, url }, cors);
    } catch {
      sendJson(res, 500, { error: 'could not mint a token' }, cors);
    }
  };
}
