// The token endpoint for node:http (and Express, Fastify's raw req/res, …): POST → {"token",
// "url"}. The browser calls it same-origin (or with CORS from an allowed origin) right
// before opening the relay socket. The decisions live in service.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http/json.ts';
import { requestOrigin } from '../http/origins.ts';
import { BODY_TOO_LARGE, MAX_BODY_BYTES, createTokenService, type TokenOptions } from './service.ts';

export interface TokenHandlerOptions extends TokenOptions<IncomingMessage> {
  /** Client IP for the rate limit. Default: the socket's address (set this behind a proxy). */
  clientIp?: (req: IncomingMessage) => string | undefined;
}

/** Reads at most MAX_BODY_BYTES; past that the rest is drained (keep-alive stays usable). */
function readBody(req: IncomingMessage): Promise<string | typeof BODY_TOO_LARGE> {
  // Behind a body parser (express.json()) the stream is already consumed: use its result.
  const parsed = (req as { body?: unknown }).body;
  if (parsed !== undefined && parsed !== null) {
    const text = typeof parsed === 'string' ? parsed : Buffer.isBuffer(parsed) ? parsed.toString('utf8') : JSON.stringify(parsed);
    return Promise.resolve(Buffer.byteLength(text) > MAX_BODY_BYTES ? BODY_TOO_LARGE : text === '{}' ? '' : text);
  }
  if (req.readableEnded) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? BODY_TOO_LARGE : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

/**
 * Creates a `(req, res)` handler for the token endpoint. Mount it on the path the widget's
 * `token-endpoint` attribute names. Answers:
 * - POST from an allowed Origin: 200 `{token, url}`, `Cache-Control: no-store`
 * - OPTIONS (CORS preflight) from an allowed Origin: 204 with the CORS headers
 * - missing or disallowed Origin: 403; other methods: 405; over the rate limit: 429 with
 *   Retry-After; a bad `{"agent"}` body: 400 / 404 — all with a JSON `{error}` reason
 */
export function createTokenHandler(options: TokenHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const service = createTokenService(options, 'createTokenHandler');
  const clientIp = options.clientIp ?? ((req: IncomingMessage) => req.socket.remoteAddress);
  return async (req, res) => {
    try {
      const answer = await service(req, { method: req.method ?? 'GET', origin: requestOrigin(req), ip: clientIp(req), readBody: () => readBody(req) });
      // The body is never needed when refused early; drain it so keep-alive connections stay usable.
      if (!req.readableEnded) req.resume();
      if (answer.body === undefined) {
        res.writeHead(answer.status, answer.headers);
        res.end();
      } else {
        sendJson(res, answer.status, answer.body, answer.headers);
      }
    } catch {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  };
}
