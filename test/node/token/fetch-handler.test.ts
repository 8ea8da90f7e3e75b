// The web-standard token endpoint (Request → Promise<Response>), called with real Request
// objects in Node, as a Next.js route handler, Deno, Bun or a Worker would.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFetchTokenHandler, verifyToken, type FetchTokenHandlerOptions } from '../../../src/server/token/index.ts';

const secret = 'a-test-secret-that-is-long-enough-123';
const origin = 'https://shop.example';
const endpoint = 'https://shop.example/api/hydra-token';

function handler(options: Partial<FetchTokenHandlerOptions> = {}) {
  return createFetchTokenHandler({ secret, allowedOrigins: [origin], clientIp: (req) => req.headers.get('x-real-ip'), ...options });
}
const post = (body?: RequestInit["body"], headers: Record<string, string> = {}) =>
  new Request(endpoint, { method: 'POST', headers: { origin, 'x-real-ip': '203.0.113.9', ...headers }, ...(body !== undefined ? { body } : {}) });

describe('createFetchTokenHandler', () => {
  it('POST from an allowed origin → 200 {token, url}, JSON, no-store, CORS', async () => {
    const res = await handler({ relayUrl: (req) => `wss://${new URL(req.url).host}/hydra` })(post());
    assert.ok(res instanceof Response);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    const body = (await res.json()) as { token: string; url: string };
    assert.equal(body.url, 'wss://shop.example/hydra');
    assert.ok(verifyToken(body.token, { secret, origin }).ok);
  });

  it('names the agent from a JSON body; refuses unknown ones with a reason', async () => {
    const h = handler({ agents: { concierge: { voice: 'maya' } } });
    const ok = await h(post(JSON.stringify({ agent: 'concierge' }), { 'content-type': 'application/json' }));
    assert.equal(ok.status, 200);
    const v = verifyToken(((await ok.json()) as { token: string }).token, { secret });
    assert.ok(v.ok && v.payload.agent === 'concierge');
    const unknown = await h(post('{"agent":"x"}'));
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: 'unknown agent "x"' });
    const stream = new Blob(['{"agent":"', 'x'.repeat(10_000), '"}']).stream();
    const huge = await h(new Request(endpoint, { method: 'POST', headers: { origin, 'x-real-ip': '203.0.113.7' }, body: stream, duplex: 'half' } as RequestInit));
    assert.equal(huge.status, 413);
  });

  it('preflight 204, other methods 405, foreign or missing origin 403', async () => {
    const h = handler();
    const pre = await h(new Request(endpoint, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } }));
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.equal((await h(new Request(endpoint, { headers: { origin } }))).status, 405);
    assert.equal((await h(post(undefined, { origin: 'https://evil.example' }))).status, 403);
    const bare = await h(new Request(endpoint, { method: 'POST' }));
    assert.equal(bare.status, 403);
    assert.match(((await bare.json()) as { error: string }).error, /missing or invalid Origin/);
  });

  it('rate limit per clientIp: 429 with Retry-After (exposed to CORS)', async () => {
    const h = handler({ rateLimit: { max: 2, windowSeconds: 30 } });
    assert.equal((await h(post())).status, 200);
    assert.equal((await h(post())).status, 200);
    const refused = await h(post());
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '30');
    assert.match(refused.headers.get('access-control-expose-headers') ?? '', /retry-after/);
    assert.equal((await h(post(undefined, { 'x-real-ip': '198.51.100.1' }))).status, 200, 'another address');
  });

  it('without clientIp it warns once at creation that the per-IP limit is off', () => {
    const warnings: string[] = [];
    createFetchTokenHandler({ secret, allowedOrigins: [origin], warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /per-IP token rate limit is off/);
    createFetchTokenHandler({ secret, allowedOrigins: [origin], rateLimit: false, warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1, 'no warning when the limit is switched off on purpose');
  });
});
