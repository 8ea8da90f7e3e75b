// The token endpoint as a web-standard `Request → Promise<Response>` function, for Next.js
// route handlers, Deno, Bun, Cloudflare Workers and other serverless platforms. Same
// answers as the node:http handler (service.ts decides both).
import { normalizeOrigin } from '../http/origins.ts';
import { BODY_TOO_LARGE, MAX_BODY_BYTES, createTokenService, type TokenOptions } from './service.ts';

export interface FetchTokenHandlerOptions extends TokenOptions<Request> {
  /**
   * Client IP for the rate limit, from what your platform guarantees, e.g.
   * `(req) => req.headers.get('x-real-ip')` on Vercel or `cf-connecting-ip` on Cloudflare.
   * Without it there is no socket address to use, so the per-IP limit is off.
   */
  clientIp?: (req: Request) => string | null | undefined;
  /** Called once at creation with setup advice (default console.warn). */
  warn?: (message: string) => void;
}

async function readBody(req: Request): Promise<string | typeof BODY_TOO_LARGE> {
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return BODY_TOO_LARGE;
    }
    chunks.push(value);
  }
  // Web APIs only (no Buffer): this file also runs on edge runtimes.
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** Creates the token endpoint as `(request: Request) => Promise<Response>` (see createTokenHandler for the answers). */
export function createFetchTokenHandler(options: FetchTokenHandlerOptions): (request: Request) => Promise<Response> {
  const service = createTokenService(options, 'createFetchTokenHandler');
  if (options.rateLimit !== false && !options.clientIp) {
    (options.warn ?? console.warn)(
      'createFetchTokenHandler: no clientIp option, so the per-IP token rate limit is off; pass clientIp (see docs/SERVER.md) or rateLimit: false',
    );
  }
  return async (request) => {
    try {
      const rawOrigin = request.headers.get('origin');
      const answer = await service(request, {
        method: request.method,
        origin: rawOrigin === null ? undefined : normalizeOrigin(rawOrigin),
        ip: options.clientIp?.(request) ?? undefined,
        readBody: () => readBody(request),
      });
      const headers = new Headers(answer.headers);
      if (answer.body === undefined) return new Response(null, { status: answer.status, headers });
      headers.set('content-type', 'application/json; charset=utf-8');
      headers.set('cache-control', 'no-store');
      headers.set('x-content-type-options', 'nosniff');
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers });
    } catch {
      return Response.json({ error: 'internal error' }, { status: 500, headers: { 'cache-control': 'no-store' } });
    }
  };
}
